"""The EXAMPLES of the rundeck_project module and lookup run as written against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import requests
import yaml

from ansible_collections.opsforge.delivery.plugins.lookup import rundeck_project as project_lookup
from ansible_collections.opsforge.delivery.plugins.modules import rundeck_project as project_module

# <collections path>/ansible_collections/opsforge/delivery/tests/unit/plugins/<this file>
COLLECTIONS_PATH = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 6))


def run_examples(sandbox, tmp_path, examples):
    """Run ``examples`` as the tasks of a play: connection from the environment and from variables."""
    play = [{"name": "Examples", "hosts": "localhost", "gather_facts": False, "tasks": yaml.safe_load(examples)}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    (tmp_path / "vars.json").write_text(json.dumps(dict(
        rundeck_url=sandbox.urls["rundeck"], rundeck_api_token=sandbox.credentials["rundeck_token"],
        ansible_python_interpreter=sys.executable)))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
               RUNDECK_URL=sandbox.urls["rundeck"], RUNDECK_API_TOKEN=sandbox.credentials["rundeck_token"])
    run = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(tmp_path / "play.yml"),
         "-e", "@%s" % (tmp_path / "vars.json"), "-c", "local", "-i", "localhost,"],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    return output


def project(sandbox, name):
    response = requests.get("%s/api/49/project/%s" % (sandbox.urls["rundeck"], name),
                            headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"]}, timeout=5)
    return response.json() if response.status_code == 200 else None


def test_the_module_examples(sandbox, tmp_path):
    output = run_examples(sandbox, tmp_path, project_module.EXAMPLES)
    assert "failed=0" in output
    web = project(sandbox, "web")
    assert (web["description"], web["label"]) == ("Deployments of the web tier", "Web tier")
    assert web["config"]["project.execution.history.cleanup.enabled"] == "true"
    assert "project.execution.history.cleanup.retention.days" not in web["config"]
    assert project(sandbox, "payments")["config"]["service.NodeExecutor.default.provider"] == "sshj-ssh"
    assert project(sandbox, "search") is None


def test_the_lookup_examples(sandbox, tmp_path):
    output = run_examples(sandbox, tmp_path, project_lookup.EXAMPLES)
    assert '"msg": "jsch-ssh"' in output
    assert '"sandbox"' in output
