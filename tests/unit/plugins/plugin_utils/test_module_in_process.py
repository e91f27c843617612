# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A module's main() run in this process: it gets its arguments and environment, its output comes back,
and the process is left as it was found."""

from __future__ import annotations

import json
import os
import sys

import pytest

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible.module_utils.common import warnings as module_warnings

from ansible_collections.opsforge.delivery.plugins.module_utils import _http
from ansible_collections.opsforge.delivery.plugins.plugin_utils import _module_in_process
from ansible_collections.opsforge.delivery.plugins.plugin_utils._module_in_process import encoded_arguments, run_in_process

INTERNAL = {"_ansible_check_mode": False, "_ansible_diff": True, "_ansible_no_log": False, "_ansible_module_name": "in_process"}


def echo_main():
    """A module that returns its parameters, one environment variable and a warning."""
    module = AnsibleModule(argument_spec=dict(name=dict(type="str", required=True), secret=dict(type="str", no_log=True),
                                              colour=dict(type="str", fallback=(env_fallback, ["IN_PROCESS_COLOUR"]))),
                           supports_check_mode=True)
    module.warn("warned about %s" % module.params["name"])
    _http.register_secret("inside-the-run")
    module.exit_json(changed=False, name=module.params["name"], colour=module.params["colour"], diff_mode=module._diff,
                     seen=os.environ.get("IN_PROCESS_COLOUR"), scrubbed=_http.scrub("inside-the-run and outside-the-run"))


def result_of(output):
    assert output.stderr == ""
    return json.loads(output.stdout)


def test_the_module_gets_its_arguments_and_environment_and_returns_its_result():
    output = run_in_process(echo_main, dict(INTERNAL, name="web", secret="hidden"), {"IN_PROCESS_COLOUR": "blue"})
    assert output.rc == 0
    result = result_of(output)
    assert result["name"] == "web" and result["colour"] == "blue" and result["seen"] == "blue" and result["diff_mode"] is True
    assert result["invocation"]["module_args"]["secret"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert len(result["warnings"]) == 1 and "warned about web" in json.dumps(result["warnings"])
    assert output.as_command_result()["stdout_lines"] == output.stdout.splitlines()


def test_the_process_is_left_as_it_was(monkeypatch, tmp_path):
    monkeypatch.delenv("IN_PROCESS_COLOUR", raising=False)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", b"what a module run before left")
    monkeypatch.setattr(module_warnings, "_global_warnings", module_warnings._global_warnings.__class__())
    monkeypatch.chdir(tmp_path)
    _http.register_secret("outside-the-run")
    stdout, stderr = sys.stdout, sys.stderr

    result = result_of(run_in_process(echo_main, dict(INTERNAL, name="web"), {"IN_PROCESS_COLOUR": "blue"}))

    # Inside, only the run's own credentials were known, as in a process of its own.
    assert result["scrubbed"] == "******** and outside-the-run"
    assert _http.scrub("inside-the-run and outside-the-run") == "inside-the-run and ********"
    assert "IN_PROCESS_COLOUR" not in os.environ
    assert basic._ANSIBLE_ARGS == b"what a module run before left"
    assert not module_warnings._global_warnings
    assert os.getcwd() == str(tmp_path)
    assert (sys.stdout, sys.stderr) == (stdout, stderr)


def test_a_run_does_not_see_the_warnings_of_the_one_before():
    first = result_of(run_in_process(echo_main, dict(INTERNAL, name="first"), {}))
    second = result_of(run_in_process(echo_main, dict(INTERNAL, name="second"), {}))
    assert len(first["warnings"]) == 1 and len(second["warnings"]) == 1
    assert "second" in json.dumps(second["warnings"]) and "first" not in json.dumps(second["warnings"])


def test_on_the_controller_a_module_still_returns_its_warnings(monkeypatch):
    # ansible-core 2.19 and later send module_utils' warnings to the display on the controller.
    if _module_in_process.module_internals is not None:
        monkeypatch.setattr(_module_in_process.module_internals, "is_controller", True)
    result = result_of(run_in_process(echo_main, dict(INTERNAL, name="web"), {}))
    assert "warned about web" in json.dumps(result["warnings"])
    if _module_in_process.module_internals is not None:
        assert _module_in_process.module_internals.is_controller is True


def test_a_failure_exits_1_with_the_failed_result():
    def failing_main():
        AnsibleModule(argument_spec=dict(name=dict(type="str", required=True)))

    output = run_in_process(failing_main, dict(INTERNAL), {})
    assert output.rc == 1
    assert result_of(output)["msg"] == "missing required arguments: name"


@pytest.mark.parametrize("main, message", [
    (lambda: 1 / 0, "division by zero"),
    (lambda: None, "did not handle its own exit"),
])
def test_an_exception_or_a_module_that_does_not_exit_is_reported_as_the_wrapper_reports_it(main, message):
    output = run_in_process(main, dict(INTERNAL), {})
    assert output.rc == 1
    assert message in output.stdout + output.stderr


def test_the_arguments_are_serialized_as_for_a_payload():
    decoded = json.loads(encoded_arguments({"name": "web", "count": 2, "tags": ("a", "b")}).decode())
    assert decoded == {"ANSIBLE_MODULE_ARGS": {"name": "web", "count": 2, "tags": ["a", "b"]}}
