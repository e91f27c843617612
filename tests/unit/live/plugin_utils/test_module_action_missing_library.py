# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A controller that lacks a library a module needs: the task executes the module (whose Python may have
it) with one warning that says what to install, and the modules that do not need it still run in the worker."""

from __future__ import annotations

import json
import os
import subprocess

import yaml

from tests.support.ansible_environment import ansible_command, python_path
from tests.support.paths import COLLECTIONS_PATH

HIDDEN = "raise ImportError(\"No module named 'uritemplate' (hidden from the controller)\")\n"


def test_a_library_the_controller_lacks_makes_the_task_execute_its_module(sandbox, tmp_path):
    hiding = tmp_path / "hiding"
    hiding.mkdir()
    (hiding / "uritemplate.py").write_text(HIDDEN)
    results = tmp_path / "results.json"
    module_python_path = os.environ.get("PYTHONPATH", "")
    tasks = [
        {"name": "machine", "opsforge.delivery.octopus_machine": {
            "url": sandbox.urls["octopus"], "api_key": sandbox.credentials["octopus_api_key"], "name": "hidden-web01",
            "environments": ["Production"], "roles": ["web"], "endpoint": {"communication_style": "cloud_region"}},
         # The module's own process finds the library; only the controller lacks it.
         "environment": {"PYTHONPATH": module_python_path}, "register": "machine"},
        {"name": "policy", "opsforge.delivery.rundeck_acl": {
            "url": sandbox.urls["rundeck"], "api_token": sandbox.credentials["rundeck_token"], "name": "hidden",
            "policy": {"description": "d", "context": {"project": ".*"}, "for": {"job": [{"allow": "read"}]}, "by": {"group": "g"}}},
         "register": "policy"},
        {"name": "keep", "ansible.builtin.copy": {"content": "{{ {'machine': machine, 'policy': policy} | to_json }}", "dest": str(results)}},
    ]
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "OPSFORGE_")))
    env.update(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0", PYTHONPATH=python_path(str(hiding)))
    done = subprocess.run([ansible_command("ansible-playbook"), "-vvv", str(playbook)], capture_output=True, text=True, env=env,
                          cwd=str(tmp_path), timeout=300, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]

    registered = json.loads(results.read_text())
    assert registered["machine"]["changed"] and registered["machine"]["machine"]["Name"] == "hidden-web01"
    assert "opsforge.delivery.octopus_machine runs in the worker" in output
    assert "AnsiballZ_octopus_machine.py" in output
    said = " ".join(output.split())
    assert said.count("opsforge.delivery.octopus_machine ran as a module, in a Python process of its own: the controller's "
                      "Python") == 1
    assert "cannot import uritemplate. Install uritemplate there (pip install uritemplate)" in said
    # rundeck_acl needs no uritemplate: it stays in the worker.
    assert registered["policy"]["changed"] and "opsforge.delivery.rundeck_acl runs in the worker" in output
    assert "AnsiballZ_rundeck_acl.py" not in output
