# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/rundeck_deploy.yml as shipped: a deployment that succeeds, and one whose job fails the play."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.reliability.playbook import ANSIBLE_PLAYBOOK, COLLECTIONS_PATH

PLAYBOOK = os.path.join(COLLECTIONS_PATH, "ansible_collections", "opsforge", "delivery", "playbooks", "rundeck_deploy.yml")


def _define_deploy_job(sandbox, playbook, command):
    job = {"name": "deploy", "group": "release", "options": [{"name": "version", "required": True}],
           "sequence": {"commands": [{"exec": 'echo "deploying ${option.version}"'}, {"exec": command}]}}
    run = playbook.run([{"name": "the deploy job", "opsforge.delivery.rundeck_job": {"project": "sandbox", "jobs": [job]}}],
                       module_defaults={"group/opsforge.delivery.rundeck": sandbox.connection("rundeck")})
    assert run.returncode == 0, run.output()


def _deploy(sandbox, version):
    connection = sandbox.connection("rundeck")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "RUNDECK_"))}
    env.update(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR="1", RUNDECK_URL=connection["url"],
               RUNDECK_API_TOKEN=connection["api_token"])
    command = [ANSIBLE_PLAYBOOK, PLAYBOOK, "-e", "deploy_project=sandbox", "-e", "deploy_version=%s" % version,
               "-e", "ansible_python_interpreter=%s" % sys.executable]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)


def test_a_deployment_that_succeeds_passes_the_play_and_names_the_execution(sandbox, playbook):
    _define_deploy_job(sandbox, playbook, "echo done")
    run = _deploy(sandbox, "1.4.2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "release/deploy 1.4.2: succeeded, " in run.stdout
    assert "failed=0" in run.stdout


def test_a_failed_deployment_fails_the_play_with_its_status_and_log(sandbox, playbook):
    _define_deploy_job(sandbox, playbook, "exit 3")
    run = _deploy(sandbox, "1.4.3")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "failed=1" in run.stdout
    assert "failed" in run.stdout and "deploying 1.4.3" in run.stdout, run.stdout
    assert "Where the execution can be seen" not in run.stdout
