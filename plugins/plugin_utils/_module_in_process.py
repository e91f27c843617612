# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A module's main() run in this process, as the AnsiballZ wrapper runs it in a process of its own.

The module receives its arguments the way the wrapper hands them over (serialized into
``basic._ANSIBLE_ARGS``), sees the task's environment in ``os.environ``, prints its result and
exits; what it printed, its exit status and what it wrote to stderr come back, for the action to
read as it reads a module's output. Everything a module run changes in the process (the arguments
ansible-core keeps globally, its warnings and deprecations, the environment, the working directory,
stdout and stderr, the credentials the collection scrubs) is put back afterwards, so that the next
task (or the next loop item) in the same worker starts as a new process would.

Internal to the collection, as module_utils is (see plugins/module_utils/README.md).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings

from ansible_collections.opsforge.delivery.plugins.module_utils._http import separate_secrets

try:  # ansible-core 2.19 and later: arguments and results are encoded for a serialization profile
    from ansible.module_utils import _internal as module_internals
    from ansible.module_utils.common.json import Direction, get_module_encoder
    AnsibleJSONEncoder = None
except ImportError:  # ansible-core 2.16 to 2.18
    from ansible.module_utils.common.json import AnsibleJSONEncoder
    module_internals = None

#: ansible-core 2.19 and later encode a module's arguments and result for a serialization profile...
HAS_PROFILES = module_internals is not None
#: ... the one it gives a module that declares no METADATA, as none of the collection's do.
SERIALIZATION_PROFILE = "legacy"


class ModuleOutput:
    """What a module run left: its exit status, and what it printed on stdout and stderr."""

    def __init__(self, rc, stdout, stderr):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr

    def as_command_result(self):
        """The shape of ``_low_level_execute_command``'s answer, which ``_parse_returned_data`` reads."""
        return dict(rc=self.rc, stdout=self.stdout, stdout_lines=self.stdout.splitlines(),
                    stderr=self.stderr, stderr_lines=self.stderr.splitlines())


def encoded_arguments(module_args):
    """``module_args`` serialized as ansible-core serializes them into the AnsiballZ payload."""
    params = dict(ANSIBLE_MODULE_ARGS=module_args)
    if HAS_PROFILES:
        return json.dumps(params, cls=get_module_encoder(SERIALIZATION_PROFILE, Direction.CONTROLLER_TO_MODULE)).encode("utf-8")
    return json.dumps(params, cls=AnsibleJSONEncoder, vault_to_text=True).encode("utf-8")


def run_in_process(main, module_args, environment):
    """Run ``main`` (a module's main()) with ``module_args`` (the task's arguments and the ``_ansible_*``
    keys), ``environment`` (the task's ``environment:``) added to ``os.environ``; a ModuleOutput."""
    arguments = encoded_arguments(module_args)
    stdout, stderr = io.StringIO(), io.StringIO()
    with _module_globals(arguments), _environment(environment), _working_directory(), separate_secrets(), \
            contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = _call(main)
    return ModuleOutput(rc, stdout.getvalue(), stderr.getvalue())


def _call(main):
    """Call ``main`` as the wrapper does; its exit status. Anything but SystemExit is reported as the wrapper reports it."""
    try:
        try:
            main()
        except SystemExit as done:
            return _exit_status(done.code)
        # A module must exit itself; the wrapper reports one that returns.
        raise RuntimeError("New-style module did not handle its own exit.")
    except Exception as exc:  # pylint: disable=broad-except
        return _report_exception(exc)


def _exit_status(code):
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _report_exception(exc):
    """What the AnsiballZ wrapper of this ansible-core does with an exception that escapes a module."""
    try:  # ansible-core 2.19 and later print a failed result holding the error
        from ansible.module_utils._internal._ansiballz._loader import _handle_exception
    except ImportError:  # before, the traceback goes to stderr, and the controller reports a MODULE FAILURE
        sys.stderr.write(traceback.format_exc())
        return 1
    try:
        _handle_exception(exc, SERIALIZATION_PROFILE)
    except SystemExit as done:
        return _exit_status(done.code)
    return 1


@contextlib.contextmanager
def _module_globals(arguments):
    """The module-wide state AnsibleModule reads and writes, as a new process has it, and restored after."""
    saved = dict((name, getattr(basic, name)) for name in ("_ANSIBLE_ARGS", "_ANSIBLE_PROFILE", "_PARSED_MODULE_ARGS")
                 if hasattr(basic, name))
    saved_warnings = _take(module_warnings._global_warnings), _take(module_warnings._global_deprecations)
    saved_is_controller = module_internals.is_controller if module_internals is not None else None
    basic._ANSIBLE_ARGS = arguments
    if "_ANSIBLE_PROFILE" in saved:
        basic._ANSIBLE_PROFILE = SERIALIZATION_PROFILE
    if module_internals is not None:
        # On the controller, module_utils send warnings straight to the display; a module returns them in its result.
        module_internals.is_controller = False
    try:
        yield
    finally:
        if module_internals is not None:
            module_internals.is_controller = saved_is_controller
        for name, value in saved.items():
            setattr(basic, name, value)
        _put_back(module_warnings._global_warnings, saved_warnings[0])
        _put_back(module_warnings._global_deprecations, saved_warnings[1])


def _take(collected):
    """Empty ``collected`` (a list before ansible-core 2.19, a dict since); what it held."""
    held = collected.copy()
    collected.clear()
    return held


def _put_back(collected, held):
    collected.clear()
    if isinstance(collected, dict):
        collected.update(held)
    else:
        collected.extend(held)


@contextlib.contextmanager
def _environment(environment):
    """``os.environ`` with the task's variables, as the shell puts them before the module's command (as text)."""
    saved = dict(os.environ)
    os.environ.update((str(name), str(value)) for name, value in environment.items())
    try:
        yield
    finally:
        # AnsibleModule may change the locale variables too; every change goes.
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _working_directory():
    """The working directory, which AnsibleModule changes when it cannot read it, restored after."""
    try:
        saved = os.getcwd()
    except OSError:
        saved = None
    try:
        yield
    finally:
        if saved is not None:
            os.chdir(saved)
