# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action of every module: its main() in Ansible's worker when the task runs on the controller anyway.

A module task normally costs a new Python process: ansible-core builds the AnsiballZ payload,
starts an interpreter, which imports the module and its libraries, and all that to send a request
or two. When the task runs on the controller (connection ``local``, ``delegate_to: localhost``
included), the same main() runs here instead, in the worker process ansible-core has already
forked for the task, with the libraries its parent imported once (see ``__init_subclass__``):
same arguments (ansible-core's ``_ansible_*`` keys included), same validation, environment,
check mode, diff, warnings, ``no_log`` masking and result. Anywhere else, and whenever the
variable ``opsforge_delivery_execution`` (or the environment variable
``OPSFORGE_DELIVERY_EXECUTION``) is ``module``, the module is executed as usual.

A module's action plugin is a file of the module's name in plugins/action holding a subclass of
ModuleAction (see docs/contributing.md).

Internal to the collection, as module_utils is (see plugins/module_utils/README.md).
"""

from __future__ import annotations

import importlib
import os
import sys

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.action import ActionBase
from ansible.plugins.action.normal import ActionModule as ModuleExecution
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.opsforge.delivery.plugins.plugin_utils._module_in_process import HAS_PROFILES, SERIALIZATION_PROFILE, run_in_process

try:  # ansible-core 2.20 and before
    from ansible.vars.clean import remove_internal_keys
except ImportError:  # ansible-core 2.21 and later: the parsed result cleans itself
    remove_internal_keys = None

display = Display()

#: Where the collection's modules are imported from.
MODULES_PACKAGE = "ansible_collections.opsforge.delivery.plugins.modules."
#: The variable, and the environment variable, that choose how module tasks run.
EXECUTION_VARIABLE = "opsforge_delivery_execution"
EXECUTION_ENVIRONMENT_VARIABLE = "OPSFORGE_DELIVERY_EXECUTION"
#: Its values: in the worker when the task runs on the controller (the default), or always as a module.
AUTO, MODULE = "auto", "module"
#: Interpreter settings that ask ansible-core to discover the interpreter: the task names none of its own.
DISCOVERY = frozenset(["", "auto", "auto_legacy", "auto_silent", "auto_legacy_silent"])

#: The libraries this worker has already warned about.
_warned_missing = set()


class ModuleAction(ModuleExecution):
    """Runs the module of the subclass's file name: in the worker, or as a module (ansible-core's normal action)."""

    #: The module (plugins/modules/<name>.py), imported when the subclass is made.
    module = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The strategy loads an action's class in the main process before it forks the task's worker:
        # the module and its libraries (requests, the service client; PyYAML is ansible-core's own) are
        # imported there, once, and every worker inherits them.
        cls.module = importlib.import_module(MODULES_PACKAGE + cls.__module__.rpartition(".")[2])

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars if task_vars is not None else {}
        reason = self.module_execution_reason(task_vars)
        if reason is None:
            result = self.run_in_worker(tmp, task_vars)
            if result is not None:
                return result
        else:
            display.vvv("%s executed as a module: %s" % (self._task.action, reason), host=self._play_context.remote_addr)
        return super().run(tmp, task_vars)

    def module_execution_reason(self, task_vars):
        """Why the task must execute the module, in words; None when it runs in the worker."""
        choice = self.execution_choice(task_vars)
        if choice == MODULE:
            return "%s is %s" % (EXECUTION_VARIABLE, MODULE)
        if self._task.async_val:
            return "the task is asynchronous"
        transport = getattr(self._connection, "transport", None)
        if transport != "local":
            return "the connection is %s, not local" % transport
        if self._play_context.become:
            return "become is on: the module runs as another user"
        interpreter = self.task_interpreter(task_vars)
        if not is_controller_python(interpreter):
            return "the task's Python interpreter %s is not the controller's (%s)" % (interpreter, sys.executable)
        return None

    def execution_choice(self, task_vars):
        """``auto`` or ``module``: the variable, else the environment variable, else ``auto``."""
        value = task_vars.get(EXECUTION_VARIABLE)
        if value is not None:
            value = self._templar.template(value)
        if value is None:
            value = os.environ.get(EXECUTION_ENVIRONMENT_VARIABLE) or AUTO
        if value not in (AUTO, MODULE):
            raise AnsibleActionFail("%s (or the environment variable %s) must be %s or %s, not %r"
                                    % (EXECUTION_VARIABLE, EXECUTION_ENVIRONMENT_VARIABLE, AUTO, MODULE, str(value)))
        return value

    def task_interpreter(self, task_vars):
        """The Python interpreter the module would run with on the task's host: its setting, templated."""
        host_vars = task_vars
        if self._task.delegate_to:
            host_vars = task_vars.get("ansible_delegated_vars", {}).get(self._task.delegate_to, task_vars)
        setting = C.config.get_config_value("INTERPRETER_PYTHON", variables=host_vars)
        return str(self._templar.template(setting) or "").strip()

    def run_in_worker(self, tmp, task_vars):
        """The module's result, run here as ansible-core's module execution would run it; None when the
        controller lacks a library the module needs (it warns once, and the module is executed instead)."""
        display.vvv("%s runs in the worker" % self._task.action, host=self._play_context.remote_addr)
        result = ActionBase.run(self, tmp, task_vars)
        # As _execute_module does: the task's own arguments, with the keys that tell the module about the run.
        module_args = self._task.args
        self._update_module_args(self._task.action, module_args, task_vars)
        environment = {}
        self._compute_environment_string(environment)
        output = run_in_process(self.module.main, module_args, environment)
        module_result = self.parse_module_output(output)
        library = missing_library(module_result)
        if library is not None:
            self.warn_missing_library(library)
            return None
        return merge_hash(result, module_result)

    def parse_module_output(self, output):
        """The task result of ``output``, read as _execute_module reads the output of a module process."""
        if HAS_PROFILES:  # ansible-core reads a module's output for the profile it sent the arguments with
            parsed = self._parse_returned_data(output.as_command_result(), SERIALIZATION_PROFILE)
        else:
            parsed = self._parse_returned_data(output.as_command_result())
        if hasattr(parsed, "as_result_dict"):  # ansible-core 2.21 and later: a UnifiedTaskResult
            parsed.remove_internal_keys()
            return parsed.as_result_dict(for_round_trip=True)
        parsed.pop("_ansible_suppress_tmpdir_delete", None)
        results = parsed.get("results")
        if results is not None and (isinstance(results, str) or not isinstance(results, (list, tuple))):
            parsed["ansible_module_results"] = parsed.pop("results")
            display.warning("Found internal 'results' key in module return, renamed to 'ansible_module_results'.")
        remove_internal_keys(parsed)
        for stream in ("stdout", "stderr"):
            if stream in parsed and stream + "_lines" not in parsed:
                parsed[stream + "_lines"] = (parsed[stream] or "").splitlines()
        return parsed

    def warn_missing_library(self, library):
        if library in _warned_missing:
            return
        _warned_missing.add(library)
        display.warning("%s ran as a module, in a Python process of its own: the controller's Python (%s) cannot import "
                        "%s. Install %s there (pip install %s) and such tasks run in Ansible's worker, in a fraction of "
                        "the time." % (self._task.action, sys.executable, library, library, library))


def is_controller_python(interpreter):
    """Whether ``interpreter`` is the Python running this process (discovery counts as one: the task names none).

    The same binary in another directory may be another virtual environment, with other libraries:
    the directory must be the same too.
    """
    if interpreter in DISCOVERY:
        return True
    chosen = os.path.abspath(os.path.expanduser(interpreter))
    here = os.path.abspath(sys.executable)
    if chosen == here:
        return True
    return (os.path.realpath(os.path.dirname(chosen)) == os.path.realpath(os.path.dirname(here))
            and os.path.realpath(chosen) == os.path.realpath(here))


def missing_library(result):
    """The library a failed module run says is missing (ansible-core's missing_required_lib message), or None."""
    message = result.get("msg")
    if not result.get("failed") or not isinstance(message, str):
        return None
    before, dummy, after = missing_required_lib("\0").partition("\0")
    if len(message) > len(before) + len(after) and message.startswith(before) and message.endswith(after):
        return message[len(before):len(message) - len(after)]
    return None
