# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The same playbook run both ways, each against a freshly reset sandbox: every module in the
worker (the default on the controller) and executed as a module (``opsforge_delivery_execution:
module``); what every task registered is the same, once the values the sandbox makes up anew on
each run (ids, times, token secrets) are set aside."""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess

import pytest
import yaml

from tests.support.ansible_environment import ansible_command
from tests.support.paths import COLLECTIONS_PATH

POLICY = {"description": "Readers", "context": {"project": ".*"}, "for": {"job": [{"allow": ["read"]}]}, "by": {"group": ["readers"]}}
WIDER_POLICY = dict(POLICY, **{"for": {"job": [{"allow": ["read", "run"]}]}})
#: A project's policy: the project is its context.
PROJECT_POLICY = {"description": "Readers", "for": {"job": [{"allow": ["read"]}]}, "by": {"group": ["readers"]}}
JOB = {"name": "greet", "group": "ways", "sequence": {"commands": [{"exec": "echo hello"}]}}
MACHINE = {"name": "ways-web01", "environments": ["Production"], "roles": ["web"], "endpoint": {"communication_style": "cloud_region"}}
ENVIRONMENT = {"type": "Staging", "id": "staging-1", "display_name": "Staging"}
JIRA_RECORD = {"pipeline_id": "ways-deploy", "environment_id": "ways-prod", "sequence_number": "7", "deployment_state": "in_progress",
               "display_name": "Wäys 1.0", "deployment_url": "https://ci.example.com/runs/7", "issue_keys": ["WEB-1"]}
RELEASES = [{"workspace": "sandbox", "repo_slug": "app", "commit": "61445f308944af8f665326c29c02f16a4c3b0019"}]


def scenario(label, module, args, **keywords):
    """A task of ``module`` with ``args`` that registers its result as ``label``."""
    return dict({"name": label, "opsforge.delivery." + module: args, "register": label}, **keywords)


#: Each module's life: check mode and diff, created, unchanged, updated, deleted, failed; warnings, loops.
RUNDECK_SCENARIOS = [
    scenario("acl_check", "rundeck_acl", {"name": "ways", "policy": POLICY}, check_mode=True, diff=True),
    scenario("acl_created", "rundeck_acl", {"name": "ways", "policy": POLICY}),
    scenario("acl_unchanged", "rundeck_acl", {"name": "ways", "policy": POLICY}),
    scenario("acl_updated", "rundeck_acl", {"name": "ways", "policy": WIDER_POLICY}, diff=True),
    scenario("acl_warned", "rundeck_acl", {"name": "ways", "project": "nowhere", "policy": POLICY}, check_mode=True),
    scenario("acl_deleted", "rundeck_acl", {"name": "ways", "state": "absent"}, diff=True),
    scenario("acl_failed", "rundeck_acl", {"name": "ways", "policy": "description: no sections"}, ignore_errors=True),
    scenario("acl_bad_option", "rundeck_acl", {"name": "ways", "policy": POLICY, "colour": "red"}, ignore_errors=True),
    scenario("job_check", "rundeck_job", {"project": "sandbox", "definition": JOB}, check_mode=True, diff=True),
    scenario("job_created", "rundeck_job", {"project": "sandbox", "definition": JOB}),
    scenario("job_unchanged", "rundeck_job", {"project": "sandbox", "definition": JOB}),
    scenario("job_updated", "rundeck_job", {"project": "sandbox", "definition": dict(JOB, description="Says hello")}, diff=True),
    scenario("job_run", "rundeck_job_run", {"project": "sandbox", "group": "ways", "name": "greet"}),
    scenario("job_run_check", "rundeck_job_run", {"project": "sandbox", "group": "ways", "name": "greet"}, check_mode=True),
    scenario("job_run_failed", "rundeck_job_run", {"project": "sandbox", "name": "nothing"}, ignore_errors=True),
    scenario("job_deleted", "rundeck_job", {"project": "sandbox", "group": "ways", "name": "greet", "state": "absent"}),
    scenario("job_failed", "rundeck_job", {"project": "sandbox"}, ignore_errors=True),
    scenario("key_created", "rundeck_key", {"path": "keys/ways/db", "type": "password", "value": "ways-Pa55word"}, diff=True),
    scenario("key_unchanged", "rundeck_key", {"path": "keys/ways/db", "type": "password", "value": "ways-Pa55word"}),
    scenario("key_updated", "rundeck_key", {"path": "keys/ways/db", "type": "password", "value": "ways-0ther", "update": "always"}),
    scenario("key_deleted", "rundeck_key", {"path": "keys/ways/db", "state": "absent"}, check_mode=True),
    scenario("key_failed", "rundeck_key", {"path": "keys/ways/db", "type": "password"}, ignore_errors=True),
    scenario("acl_set_created", "rundeck_acl", {"project": "sandbox",
                                                "policies": [{"name": "ways-set-%d" % number, "policy": PROJECT_POLICY} for number in (1, 2)]}),
    scenario("acl_set_exclusive", "rundeck_acl", {"project": "sandbox", "exclusive": True,
                                                  "policies": [{"name": "ways-set-1", "policy": dict(PROJECT_POLICY, description="Only readers")}]},
             diff=True),
    scenario("projects_created", "rundeck_project", {"name": "{{ item }}", "description": "Ways"}, loop=["ways-a", "ways-b"]),
    scenario("project_unchanged", "rundeck_project", {"name": "ways-a", "description": "Ways"}),
    scenario("project_updated", "rundeck_project", {"name": "ways-a", "config": {"project.nodeCache.enabled": "false"}}, diff=True),
    scenario("project_deleted", "rundeck_project", {"name": "ways-b", "state": "absent"}),
    scenario("project_failed", "rundeck_project", {"name": "ways-a", "api_token": "not-the-token"}, ignore_errors=True),
]
OTHER_SCENARIOS = [
    scenario("machine_check", "octopus_machine", MACHINE, check_mode=True, diff=True),
    scenario("machine_created", "octopus_machine", MACHINE),
    scenario("machine_unchanged", "octopus_machine", MACHINE),
    scenario("machine_updated", "octopus_machine", dict(MACHINE, roles=["web", "api"]), diff=True),
    scenario("machine_deleted", "octopus_machine", {"name": "ways-web01", "state": "absent"}),
    scenario("machine_failed", "octopus_machine", dict(MACHINE, environments=["Nowhere"]), ignore_errors=True),
    scenario("deployment_check", "opsgenie_deployment",
             {"external_id": "ways-1", "state": "started", "environment": ENVIRONMENT, "releases": RELEASES}, check_mode=True, diff=True),
    scenario("deployment_created", "opsgenie_deployment",
             {"external_id": "ways-1", "state": "started", "environment": ENVIRONMENT, "releases": RELEASES}),
    scenario("deployment_unchanged", "opsgenie_deployment",
             {"external_id": "ways-1", "state": "started", "environment": ENVIRONMENT, "releases": RELEASES}),
    scenario("deployment_updated", "opsgenie_deployment", {"external_id": "ways-1", "state": "successful"}, diff=True),
    scenario("deployment_failed", "opsgenie_deployment", {"external_id": "ways-2", "state": "started"}, ignore_errors=True),
    scenario("token_check", "gitea_token", {"name": "ways", "scopes": ["read:user"]}, check_mode=True, diff=True),
    scenario("token_created", "gitea_token", {"name": "ways", "scopes": ["read:user"]}),
    scenario("token_unchanged", "gitea_token", {"name": "ways", "scopes": ["read:user"]}),
    scenario("token_updated", "gitea_token", {"name": "ways", "scopes": ["read:user", "write:repository"], "recreate": "on_change"},
             diff=True),
    scenario("token_deleted", "gitea_token", {"name": "ways", "state": "absent"}),
    scenario("token_failed", "gitea_token", {"name": "ways", "scopes": ["read:everything"]}, ignore_errors=True),
    scenario("tokens_created", "gitea_token", {"tokens": [{"name": "ways-a"}, {"name": "ways-b"}], "scopes": ["read:user"]}),
    scenario("tokens_exclusive", "gitea_token", {"tokens": [{"name": "ways-a"}], "scopes": ["read:user"], "exclusive": True,
                                                 "exclusive_scope": {"name_prefix": "ways-"}}),
    scenario("machines_created", "octopus_machine", {"machines": [dict(MACHINE, name="ways-set-%d" % number) for number in (1, 2)]}),
    scenario("machines_unchanged", "octopus_machine", {"machines": [dict(MACHINE, name="ways-set-%d" % number) for number in (1, 2)]}),
    scenario("jira_check", "jira_deployment", JIRA_RECORD, check_mode=True, diff=True),
    scenario("jira_created", "jira_deployment", JIRA_RECORD),
    scenario("jira_unchanged", "jira_deployment", JIRA_RECORD),
    scenario("jira_updated", "jira_deployment", dict(JIRA_RECORD, deployment_state="successful"), diff=True),
    scenario("jira_deleted", "jira_deployment", {"pipeline_id": "ways-deploy", "environment_id": "ways-prod", "sequence_number": 7,
                                                 "state": "absent"}, diff=True),
    scenario("jira_failed", "jira_deployment", dict(JIRA_RECORD, issue_keys=["NOPE-1"]), ignore_errors=True),
]

#: Tasks with no connection options of their own: their environment gives them.
FROM_ENVIRONMENT = [
    scenario("acl_from_environment", "rundeck_acl", {"name": "ways-env", "policy": POLICY},
             environment={"RUNDECK_URL": "{{ rundeck_url }}", "RUNDECK_API_TOKEN": "{{ rundeck_api_token }}"}),
    scenario("acl_without_url", "rundeck_acl", {"name": "ways-env", "policy": POLICY},
             environment={"RUNDECK_API_TOKEN": "{{ rundeck_api_token }}"}, ignore_errors=True),
]

#: The test's two halves, each a playbook run both ways: (tasks with the connection in module_defaults, tasks
#: without) and what the outcomes must be, by the name each result is registered under.
PARTS = {
    "rundeck": (RUNDECK_SCENARIOS, FROM_ENVIRONMENT, {
        "acl_created": lambda result: result["changed"],
        "acl_unchanged": lambda result: not result["changed"],
        "acl_failed": lambda result: result["failed"],
        "acl_warned": lambda result: result["warnings"],
        "acl_set_exclusive": lambda result: "ways-set-2.aclpolicy" in [policy["name"] for policy in result["policies"]["deleted"]],
        "acl_from_environment": lambda result: result["changed"],
        "acl_without_url": lambda result: "RUNDECK_URL" in result["msg"],
        "projects_created": lambda result: len(result["results"]) == 2,
    }),
    "opsgenie, jira, octopus and gitea": (OTHER_SCENARIOS, [], {
        "machine_created": lambda result: result["changed"],
        "machine_unchanged": lambda result: not result["changed"],
        "deployment_updated": lambda result: result["changed"] and result["diff"],
        "token_failed": lambda result: result["failed"],
        "tokens_exclusive": lambda result: [token["name"] for token in result["tokens"]["deleted"]] == ["ways-b"],
        "machines_unchanged": lambda result: not result["changed"],
        "jira_created": lambda result: result["changed"],
        "jira_unchanged": lambda result: not result["changed"],
        "jira_updated": lambda result: result["changed"] and result["diff"],
        "jira_deleted": lambda result: result["changed"],
        "jira_failed": lambda result: result["failed"] and "NOPE-1" in result["msg"],
    }),
}

#: What the sandbox makes up anew on each run (ids, times, token secrets), and where the collection's files are:
#: a module's traceback (ansible-core 2.18 and before, at -vvv) names them in the payload of its run or where installed.
VOLATILE = [
    (re.compile(r'File "[^"]*/ansible_collections/'), 'File "<collections>/ansible_collections/'),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\b[0-9a-f]{40}\b"), "<secret>"),
    (re.compile(r"\d{1,2}:\d{2}:\d{2} [AP]M"), "<clock>"),
]
VOLATILE_KEYS = frozenset(["token_last_eight", "took", "requestId", "dateStarted", "dateEnded", "duration", "averageDuration",
                           "date-started", "date-ended", "unixtime", "updateSequenceNumber", "lastUpdated"])


def playbook(sandbox, results_file, scenarios, from_environment):
    connections = {
        "group/opsforge.delivery.rundeck": {"url": "{{ rundeck_url }}", "api_token": "{{ rundeck_api_token }}", "retries": 0},
        "group/opsforge.delivery.opsgenie": {"url": sandbox.urls["opsgenie"], "api_key": sandbox.credentials["opsgenie_api_key"]},
        "group/opsforge.delivery.octopus": {"url": sandbox.urls["octopus"], "api_key": sandbox.credentials["octopus_api_key"]},
        "group/opsforge.delivery.jira": {"url": sandbox.urls["jira"], "site": sandbox.urls["jira"],
                                         "client_id": sandbox.credentials["jira_client_id"],
                                         "client_secret": sandbox.credentials["jira_client_secret"]},
        "group/opsforge.delivery.gitea": {"url": sandbox.urls["gitea"], "username": "alice",
                                          "password": sandbox.credentials["gitea_alice_password"]},
    }
    variables = {"rundeck_url": sandbox.urls["rundeck"], "rundeck_api_token": sandbox.credentials["rundeck_token"]}
    registered = [task["register"] for task in scenarios + from_environment]
    keep = {"name": "Keep what every task registered", "vars": {"registered": registered}, "ansible.builtin.copy": {
        "content": "{{ dict(registered | zip(query('ansible.builtin.vars', *registered))) | to_json }}", "dest": results_file}}
    return [
        {"name": "Every module, every outcome", "hosts": "localhost", "gather_facts": False, "vars": variables,
         "module_defaults": connections, "tasks": scenarios},
        {"name": "Connection options from the environment", "hosts": "localhost", "gather_facts": False, "vars": variables,
         "tasks": from_environment + [keep]},
    ]


def run_both_ways(sandbox, workdir, execution, scenarios, from_environment):
    """Run the playbook with ``opsforge_delivery_execution`` set to ``execution``; what each task registered, and the output."""
    sandbox.reset()
    results_file = os.path.join(workdir, "%s.json" % execution)
    path = os.path.join(workdir, "%s.yml" % execution)
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(playbook(sandbox, results_file, scenarios, from_environment), handle, sort_keys=False)
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "OPSFORGE_", "RUNDECK_")))
    env.update(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0", ANSIBLE_PIPELINING="1", ANSIBLE_LOCAL_TEMP=os.path.join(workdir, ".ansible-tmp"))
    done = subprocess.run([ansible_command("ansible-playbook"), "-vvv", path, "-e", "opsforge_delivery_execution=%s" % execution],
                          capture_output=True, text=True, env=env, cwd=workdir, timeout=600, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    with open(results_file, encoding="utf-8") as handle:
        return json.load(handle), output


def steady(data, key=None):
    """``data`` with the values the sandbox makes up anew replaced by what they are."""
    if key in VOLATILE_KEYS:
        return "<%s>" % key
    if isinstance(data, dict):
        return dict((name, steady(value, name)) for name, value in data.items())
    if isinstance(data, list):
        return [steady(item) for item in data]
    if isinstance(data, str):
        for pattern, name in VOLATILE:
            data = pattern.sub(name, data)
    return data


@pytest.mark.parametrize("part", sorted(PARTS))
def test_every_module_registers_the_same_results_in_the_worker_and_as_a_module(part, sandbox, tmp_path):
    scenarios, from_environment, outcomes = PARTS[part]
    in_worker, worker_output = run_both_ways(sandbox, str(tmp_path), "auto", scenarios, from_environment)
    as_module, module_output = run_both_ways(sandbox, str(tmp_path), "module", scenarios, from_environment)

    # Each way was the one asked for, for every task (and loop item) of the collection.
    tasks = sum(len(task.get("loop", [None])) for task in scenarios + from_environment)
    assert worker_output.count("runs in the worker") == tasks and "executed as a module" not in worker_output
    assert module_output.count("executed as a module: opsforge_delivery_execution is module") == tasks
    assert "runs in the worker" not in module_output
    # Every outcome happened: the scenarios are what their names say.
    assert [label for label, happened in outcomes.items() if not happened(in_worker[label])] == []

    expected, found = steady(as_module), steady(in_worker)
    differences = ["%s:\n%s" % (label, "\n".join(difflib.unified_diff(
        json.dumps(expected[label], indent=1, sort_keys=True).splitlines(),
        json.dumps(found[label], indent=1, sort_keys=True).splitlines(), "as a module", "in the worker", lineterm="")))
        for label in sorted(expected) if found[label] != expected[label]]
    assert sorted(found) == sorted(expected) == sorted(task["register"] for task in scenarios + from_environment)
    assert not differences, "registered differently by the two ways:\n" + "\n".join(differences)
