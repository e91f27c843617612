# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each module as the fault tests drive it: a task creating one named resource, where it reads and
writes, and how many resources of a name the service holds (read through the vendor API)."""

from __future__ import annotations

from urllib.parse import quote

import requests

POLICY = [{"description": "CI may read", "context": {"application": "rundeck"},
           "for": {"project": [{"allow": "read"}]}, "by": {"group": "ci"}}]
RUNDECK_PROJECT = "sandbox"


class ModuleScenario:
    """``task(name)`` is the module's arguments creating resource ``name``; ``read`` and ``write`` are
    (method, path regular expression) of the request that finds it and of the one that creates it.

    ``upsert``: the service's create replaces what is stored under the key (Jira keeps the write of the
    highest update sequence number), so racing runs whose writes landed one after the other each changed it.

    ``settle_seconds``: how long the service may take to show a write it accepted (Jira applies writes
    asynchronously), so that a run right after a lost answer would not find the write yet."""

    def __init__(self, module, service, task, read, write, count, upsert=False, settle_seconds=0):
        self.module = module
        self.service = service
        self.task = task
        self.read = read
        self.write = write
        self.count = count
        self.upsert = upsert
        self.settle_seconds = settle_seconds

    def module_task(self, task_name, resource, **extra):
        return {"name": task_name, "opsforge.delivery." + self.module: dict(self.task(resource), **extra),
                "ignore_errors": True}


def _rundeck_get(sandbox, path, **params):
    response = requests.get(sandbox.urls["rundeck"] + "/api/49/" + path, params=params, timeout=10,
                            headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"], "Accept": "application/json"})
    return response


def count_acls(sandbox, name):
    return 1 if _rundeck_get(sandbox, "system/acl/%s.aclpolicy" % name).status_code == 200 else 0


def count_projects(sandbox, name):
    return sum(1 for project in _rundeck_get(sandbox, "projects").json() if project["name"] == name)


def count_jobs(sandbox, name):
    jobs = _rundeck_get(sandbox, "project/%s/jobs" % RUNDECK_PROJECT).json()
    return sum(1 for job in jobs if job["name"] == name)


def count_deployments(sandbox, name):
    # Opsgenie refuses a second deployment with one external id, so this is 0 or 1.
    response = requests.get(sandbox.urls["opsgenie"] + "/v2/deployments/" + quote(name, safe=""), params={"type": "api"},
                            headers={"Authorization": "GenieKey " + sandbox.credentials["opsgenie_api_key"]}, timeout=10)
    return 1 if response.status_code == 200 else 0


def count_machines(sandbox, name):
    response = requests.get(sandbox.urls["octopus"] + "/api/Spaces-1/machines/all", timeout=10,
                            headers={"X-Octopus-ApiKey": sandbox.credentials["octopus_api_key"]})
    response.raise_for_status()
    return sum(1 for machine in response.json() if machine["Name"] == name)


def count_keys(sandbox, name):
    response = requests.get(sandbox.urls["rundeck"] + "/api/49/storage/keys/faults/" + name, timeout=10,
                            headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"], "Accept": "application/json"})
    if response.status_code == 404:
        return 0
    response.raise_for_status()
    return 1


def count_tokens(sandbox, name):
    response = requests.get(sandbox.urls["gitea"] + "/api/v1/users/alice/tokens", timeout=10, params={"limit": 50},
                            auth=("alice", sandbox.credentials["gitea_alice_password"]))
    response.raise_for_status()
    return sum(1 for token in response.json() if token["name"] == name)


def count_jira_deployments(sandbox, name):
    # Jira keeps one deployment per key, so this is 0 or 1.
    token = requests.post(sandbox.urls["jira"] + "/oauth/token", timeout=10, data={
        "grant_type": "client_credentials", "audience": "api.atlassian.com",
        "client_id": sandbox.credentials["jira_client_id"], "client_secret": sandbox.credentials["jira_client_secret"]})
    token.raise_for_status()
    response = requests.get("%s/jira/deployments/0.1/cloud/%s/pipelines/%s/environments/prod-eu/deployments/1" % (
        sandbox.urls["jira"], sandbox.credentials["jira_cloud_id"], quote(name, safe="")), timeout=10,
        headers={"Authorization": "Bearer " + token.json()["access_token"]})
    return 1 if response.status_code == 200 else 0


SCENARIOS = {
    "rundeck_acl": ModuleScenario(
        "rundeck_acl", "rundeck", lambda name: {"name": name, "policy": POLICY},
        ("GET", r"/system/acl/"), ("POST", r"/system/acl/"), count_acls),
    "rundeck_project": ModuleScenario(
        "rundeck_project", "rundeck", lambda name: {"name": name, "description": "Faults"},
        ("GET", r"/project/"), ("POST", r"/projects$"), count_projects),
    "rundeck_key": ModuleScenario(
        "rundeck_key", "rundeck", lambda name: {"path": "keys/faults/" + name, "type": "password", "value": "fault-Pa55word"},
        ("GET", r"/storage/keys/"), ("POST", r"/storage/keys/"), count_keys),
    "rundeck_job": ModuleScenario(
        "rundeck_job", "rundeck",
        lambda name: {"project": RUNDECK_PROJECT, "definition": {"name": name, "sequence": {"commands": [{"exec": "echo " + name}]}}},
        ("GET", r"/jobs(/export)?$"), ("POST", r"/jobs/import$"), count_jobs),
    "opsgenie_deployment": ModuleScenario(
        "opsgenie_deployment", "opsgenie",
        lambda name: {"external_id": name, "state": "started", "started_at": "2026-11-23T10:00:00Z",
                      "environment": {"type": "Staging", "id": "eu-west-1-staging"},
                      "releases": [{"workspace": "sandbox", "repo_slug": "app", "commit": "61445f308944af8f665326c29c02f16a4c3b0019"}]},
        ("GET", r"/v2/deployments/(?!requests/)[^/]+$"), ("POST", r"/v2/deployments$"), count_deployments),
    "jira_deployment": ModuleScenario(
        "jira_deployment", "jira",
        lambda name: {"pipeline_id": name, "environment_id": "prod-eu", "sequence_number": 1, "deployment_state": "in_progress",
                      "display_name": name, "deployment_url": "https://ci.example.com/runs/" + name, "issue_keys": ["WEB-1"]},
        ("GET", r"/pipelines/.+/deployments/\d+$"), ("POST", r"/bulk$"), count_jira_deployments, upsert=True,
        settle_seconds=1),
    "octopus_machine": ModuleScenario(
        "octopus_machine", "octopus",
        lambda name: {"name": name, "environments": ["Production"], "roles": ["web"], "endpoint": {"communication_style": "cloud_region"}},
        ("GET", r"/machines"), ("POST", r"/machines$"), count_machines),
    "gitea_token": ModuleScenario(
        "gitea_token", "gitea", lambda name: {"name": name, "scopes": ["read:user"]},
        ("GET", r"/tokens$"), ("POST", r"/tokens$"), count_tokens),
}


def arm(sandbox, service, task_name, **fault):
    """A step that arms a fault through the sandbox's control API (action_plugins/sandbox_fault.py)."""
    return {"name": task_name, "sandbox_fault": {"url": sandbox.urls[service], "fault": fault}}
