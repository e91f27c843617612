# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where a module's task runs: in the worker when it runs on the controller anyway, else as a module."""

from __future__ import annotations

import importlib
import os
import sys
from types import SimpleNamespace

import pytest

from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import missing_required_lib

from ansible_collections.opsforge.delivery.plugins.action.rundeck_acl import ActionModule
from ansible_collections.opsforge.delivery.plugins.modules import rundeck_acl
from ansible_collections.opsforge.delivery.plugins.plugin_utils._module_action import ModuleAction, is_controller_python, missing_library
from tests.support.paths import COLLECTION_ROOT

MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(COLLECTION_ROOT, "plugins", "modules")) if name.endswith(".py"))


def action(transport="local", become=False, async_val=0, delegate_to=None):
    task = SimpleNamespace(action="opsforge.delivery.rundeck_acl", async_val=async_val, delegate_to=delegate_to)
    connection = SimpleNamespace(transport=transport, _shell=SimpleNamespace(tmpdir=None))
    play_context = SimpleNamespace(become=become, remote_addr="localhost")
    templar = SimpleNamespace(template=lambda value: value)
    return ActionModule(task, connection, play_context, loader=None, templar=templar, shared_loader_obj=None)


def on_controller(**extra):
    """The variables of a task on the implicit localhost: its interpreter is the controller's Python."""
    return dict({"ansible_python_interpreter": sys.executable}, **extra)


@pytest.fixture(autouse=True)
def no_switch_in_environment(monkeypatch):
    monkeypatch.delenv("OPSFORGE_DELIVERY_EXECUTION", raising=False)


def test_the_action_runs_the_module_of_its_name():
    assert ActionModule.module is rundeck_acl


@pytest.mark.parametrize("name", MODULES)
def test_every_module_has_its_action(name):
    action = importlib.import_module("ansible_collections.opsforge.delivery.plugins.action." + name).ActionModule
    assert issubclass(action, ModuleAction)
    assert action.module is importlib.import_module("ansible_collections.opsforge.delivery.plugins.modules." + name)


def test_a_task_on_the_controller_runs_in_the_worker():
    assert action().module_execution_reason(on_controller()) is None
    assert action().module_execution_reason(on_controller(opsforge_delivery_execution="auto")) is None


@pytest.mark.parametrize("make, task_vars, reason", [
    (dict(), on_controller(opsforge_delivery_execution="module"), "opsforge_delivery_execution is module"),
    (dict(transport="ssh"), on_controller(), "the connection is ssh, not local"),
    (dict(transport="ssh", delegate_to="db1"), on_controller(), "the connection is ssh, not local"),
    (dict(become=True), on_controller(), "become is on"),
    (dict(async_val=60), on_controller(), "asynchronous"),
    (dict(), on_controller(ansible_python_interpreter="/opt/other/bin/python3"), "interpreter /opt/other/bin/python3 is not"),
    (dict(delegate_to="localhost"), on_controller(ansible_delegated_vars={"localhost": {"ansible_python_interpreter": "/opt/py"}}),
     "interpreter /opt/py is not"),
])
def test_everywhere_else_the_module_is_executed(make, task_vars, reason):
    assert reason in action(**make).module_execution_reason(task_vars)


def test_the_environment_variable_switches_whole_runs_and_the_variable_wins(monkeypatch):
    monkeypatch.setenv("OPSFORGE_DELIVERY_EXECUTION", "module")
    assert "is module" in action().module_execution_reason(on_controller())
    assert action().module_execution_reason(on_controller(opsforge_delivery_execution="auto")) is None


def test_an_unknown_choice_fails_the_task():
    with pytest.raises(AnsibleActionFail, match="must be auto or module, not 'worker'"):
        action().module_execution_reason(on_controller(opsforge_delivery_execution="worker"))


@pytest.mark.parametrize("interpreter", [sys.executable, "auto", "auto_silent", "auto_legacy", ""])
def test_the_controller_s_python_or_discovery_is_the_controller_s(interpreter):
    assert is_controller_python(interpreter)


def test_the_same_binary_in_another_folder_may_be_another_environment(tmp_path):
    other = tmp_path / "bin" / "python"
    other.parent.mkdir()
    os.symlink(os.path.realpath(sys.executable), str(other))
    assert not is_controller_python(str(other))
    assert not is_controller_python("python3")


def test_a_missing_library_is_read_from_ansible_s_own_message():
    assert missing_library({"failed": True, "msg": missing_required_lib("uritemplate")}) == "uritemplate"
    assert missing_library({"failed": True, "msg": missing_required_lib("PyYAML")}) == "PyYAML"
    assert missing_library({"failed": True, "msg": "HTTP 500"}) is None
    assert missing_library({"changed": False, "msg": missing_required_lib("requests")}) is None
