# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rundeck_project role in check mode for a project that does not exist yet, in a real playbook."""

from __future__ import annotations

import os

from tests.reliability.playbook import COLLECTIONS_PATH

# The molecule scenario's files: two ACL policies and three jobs in two files.
FILES = os.path.join(COLLECTIONS_PATH, "ansible_collections", "opsforge", "delivery", "extensions", "molecule",
                     "rundeck_project", "files", "web")
PREFIX = "opsforge.delivery.rundeck_project : "
PROJECT_TASK = PREFIX + "Rundeck project | create or update the project, or remove it"
JOBS_TASK = PREFIX + "Rundeck project | import the jobs of the directory, and purge the others"
ACL_TASK = PREFIX + "Rundeck project | apply the ACL policies of the directory"


def _role(sandbox, **role_vars):
    connection = sandbox.connection("rundeck")
    return {
        "name": "Project web",
        "ansible.builtin.include_role": {"name": "opsforge.delivery.rundeck_project"},
        "vars": dict({
            "rundeck_project_url": connection["url"],
            "rundeck_project_api_token": connection["api_token"],
            "rundeck_project_name": "role-web",
            "rundeck_project_description": "The web tier's jobs",
            "rundeck_project_jobs_dir": os.path.join(FILES, "jobs"),
            "rundeck_project_acl_dir": os.path.join(FILES, "acl"),
            "rundeck_project_purge": True,
        }, **role_vars),
    }


def test_check_mode_runs_the_role_through_for_a_new_project(sandbox, playbook):
    run = playbook.run([_role(sandbox)], module_defaults={}, check=True, diff=True)
    assert run.returncode == 0, run.output()
    assert run.result(PROJECT_TASK)["status"] == "changed"
    jobs = run.result(JOBS_TASK)
    assert jobs["status"] == "changed", run.output()
    assert len(jobs["result"]["jobs"]["created"]) == 3 and jobs["result"]["jobs"]["deleted"] == []
    acls = run.result(ACL_TASK)
    assert acls["status"] == "changed", run.output()
    # One task for the whole directory: each policy predicted as created, in the order of the files.
    assert acls["result"]["changed"] is True
    assert [item["name"] for item in acls["result"]["policies"]["created"]] == ["deployers.aclpolicy", "viewers.aclpolicy"]
    assert "Rundeck has no project role-web yet" in run.stdout + run.stderr
    assert sandbox.writes("rundeck") == []
    # The real run creates what check mode predicted.
    real = playbook.run([_role(sandbox)], module_defaults={})
    assert real.returncode == 0, real.output()
    assert real.result(JOBS_TASK)["result"]["jobs"]["created"] == [
        dict(item, id=created["id"], href=created["href"], permalink=created["permalink"])
        for item, created in zip(jobs["result"]["jobs"]["created"], real.result(JOBS_TASK)["result"]["jobs"]["created"])
    ]
    again = playbook.run([_role(sandbox)], module_defaults={}, check=True, diff=True)
    assert again.returncode == 0 and "changed=0" in again.stdout, again.output()
