"""extensions/awx/create_credential_types.yml gives awx.awx.credential_type what it takes, templates untouched.

awx.awx is not a dependency of the collection (ansible-lint mocks the module), so these tests hold
the module's options: the task may use no other, and a stand-in module with the same options runs
the playbook and records what the real one would receive.
"""

from __future__ import annotations

import json
import os
import subprocess

import yaml

from tests.support.ansible_environment import ansible_command
from tests.awx.definitions import COLLECTION_ROOT, SERVICES, load

PLAYBOOK = os.path.join(COLLECTION_ROOT, "extensions", "awx", "create_credential_types.yml")
MODULE = "awx.awx.credential_type"

#: awx.awx's credential_type options (awx_collection/plugins/modules/credential_type.py) ...
CREDENTIAL_TYPE_OPTIONS = {
    "name": {"required": True},
    "description": {},
    "kind": {"choices": ["ssh", "vault", "net", "scm", "cloud", "insights"]},
    "inputs": {"type": "dict"},
    "injectors": {"type": "dict"},
    "state": {"choices": ["present", "absent"], "default": "present"},
}
#: ... and the controller connection options every awx.awx module has (module_utils/controller_api.py).
CONTROLLER_OPTIONS = {
    "controller_host": {"fallback": ["CONTROLLER_HOST", "TOWER_HOST"]},
    "controller_username": {"fallback": ["CONTROLLER_USERNAME", "TOWER_USERNAME"]},
    "controller_password": {"no_log": True, "fallback": ["CONTROLLER_PASSWORD", "TOWER_PASSWORD"]},
    "controller_oauthtoken": {"type": "raw", "no_log": True, "fallback": ["CONTROLLER_OAUTH_TOKEN", "TOWER_OAUTH_TOKEN"]},
    "controller_config_file": {"type": "path"},
    "validate_certs": {"type": "bool", "fallback": ["CONTROLLER_VERIFY_SSL", "TOWER_VERIFY_SSL"]},
    "request_timeout": {"type": "float", "fallback": ["CONTROLLER_REQUEST_TIMEOUT"]},
}

STAND_IN = '''#!/usr/bin/python
import json
import os

from ansible.module_utils.basic import AnsibleModule, env_fallback

OPTIONS = json.loads(%r)


def main():
    spec = {}
    for name, option in OPTIONS.items():
        option = dict(option)
        if "fallback" in option:
            option["fallback"] = (env_fallback, option["fallback"])
        spec[name] = option
    module = AnsibleModule(argument_spec=spec)
    with open(os.environ["CREDENTIAL_TYPE_RECORD"], "a") as record:
        record.write(json.dumps(module.params) + "\\n")
    module.exit_json(changed=True)


if __name__ == "__main__":
    main()
'''


def tasks():
    with open(PLAYBOOK) as handle:
        return [task for play in yaml.safe_load(handle) for task in play.get("tasks", [])]


def test_the_task_uses_only_options_the_module_has():
    used = [task[MODULE] for task in tasks() if MODULE in task]
    assert len(used) == 1
    allowed = set(CREDENTIAL_TYPE_OPTIONS) | set(CONTROLLER_OPTIONS)
    assert sorted(set(used[0]) - allowed) == []
    assert set(CREDENTIAL_TYPE_OPTIONS) <= set(used[0]), "every definition key is passed, state too"
    assert used[0]["state"] in CREDENTIAL_TYPE_OPTIONS["state"]["choices"]


def test_the_playbook_runs_no_other_module():
    assert [sorted(set(task) - {"name", "vars", "loop", "loop_control"}) for task in tasks()] == [[MODULE]]


def test_the_module_receives_each_definition_as_written(tmp_path):
    modules = tmp_path / "collections" / "ansible_collections" / "awx" / "awx" / "plugins" / "modules"
    modules.mkdir(parents=True)
    options = dict(CREDENTIAL_TYPE_OPTIONS, **CONTROLLER_OPTIONS)
    (modules / "credential_type.py").write_text(STAND_IN % json.dumps(options))
    record = tmp_path / "record.jsonl"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "collections"), CREDENTIAL_TYPE_RECORD=str(record),
               CONTROLLER_HOST="https://awx.example.com", CONTROLLER_OAUTH_TOKEN="controller-token",
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    playbook = ansible_command("ansible-playbook")
    run = subprocess.run([playbook, PLAYBOOK], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "controller-token" not in run.stdout
    received = [json.loads(line) for line in record.read_text().splitlines()]
    assert len(received) == len(SERVICES)
    expected = sorted((load(service) for service in SERVICES), key=lambda definition: definition["name"])
    for params, definition in zip(sorted(received, key=lambda params: params["name"]), expected):
        assert dict((key, params[key]) for key in definition) == definition
        assert params["state"] == "present"
        assert params["controller_host"] == "https://awx.example.com"
