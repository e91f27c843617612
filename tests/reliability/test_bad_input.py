# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input: each case fails with a message that says what to fix, without a traceback or a secret, and writes nothing.

The cases of one module run as the tasks of one playbook (``ignore_errors``); the modules of one service
run one after another, the services side by side. A callback marks the request log at the start
of every task, so each request is put down to its case. A value only the server can judge is sent and
refused: such a case names the write it expects, which must fail, or (for a server that refuses with a
success status) must have stored nothing.
"""

from __future__ import annotations

import fcntl
import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.reliability.playbook import PlaybookRunner
from tests.reliability.sandbox_client import READ_METHODS

HERE = os.path.dirname(os.path.abspath(__file__))
SERVICES = {
    "rundeck_acl": "rundeck",
    "rundeck_project": "rundeck",
    "rundeck_job": "rundeck",
    "rundeck_key": "rundeck",
    "rundeck_job_run": "rundeck",
    "opsgenie_deployment": "opsgenie",
    "octopus_machine": "octopus",
    "gitea_token": "gitea",
    "jira_deployment": "jira",
}
SECRET_OPTIONS = ("api_token", "api_key", "access_token", "password", "value", "client_secret")
# A request for an access token changes nothing on the server: it is no write of a case.
NOT_WRITES = (("POST", "/oauth/token"),)
STEPS = {"commands": [{"exec": "true"}]}
ENVIRONMENT = {"type": "Staging", "id": "eu-west-1-staging"}
RELEASES = [{"workspace": "sandbox", "repo_slug": "app", "commit": "61445f308944af8f665326c29c02f16a4c3b0019"}]
CLOUD = {"communication_style": "cloud_region"}
TARGET = {"name": "web09", "environments": ["Production"], "roles": ["web"]}
ADMIN = {"username": "sandbox-admin", "password": "sandbox-password"}
JIRA_KEY = {"pipeline_id": "bad-input", "environment_id": "prod-eu", "sequence_number": 1}
JIRA_NEW = dict(JIRA_KEY, deployment_state="in_progress", display_name="Bad input", deployment_url="https://ci.example.com/runs/1",
                issue_keys=["WEB-1"])


def case(case_id, module, args, *expected, refused=(), stored_nothing=None):
    """One row of the table.

    ``expected``: fragments the failure message must contain. ``refused``: the (method, path suffix)
    of each write the server is expected to receive and refuse. ``stored_nothing(sandbox)``: a problem,
    or None when the server kept nothing of a write it refused with a success status.
    """
    return {"id": case_id, "service": SERVICES[module], "module": module, "args": args, "expected": list(expected),
            "refused": list(refused), "stored_nothing": stored_nothing}


def no_rundeck_job(name):
    def check(sandbox):
        response = requests.get(sandbox.urls["rundeck"] + "/api/49/project/sandbox/jobs", params={"jobExactFilter": name},
                                headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"]}, timeout=10)
        return None if response.json() == [] else "Rundeck stored job %s: %s" % (name, response.text)
    return check


def no_opsgenie_deployment(external_id):
    def check(sandbox):
        response = requests.get(sandbox.urls["opsgenie"] + "/v2/deployments/" + external_id, params={"type": "api"},
                                headers={"Authorization": "GenieKey " + sandbox.credentials["opsgenie_api_key"]}, timeout=10)
        return None if response.status_code == 404 else "Opsgenie has deployment %s: %s" % (external_id, response.text)
    return check


def no_jira_deployment(pipeline_id):
    def check(sandbox):
        stored = requests.get(sandbox.urls["jira"] + "/__sandbox__/jira/deployments", timeout=10).json()
        found = [deployment for deployment in stored if deployment["pipeline"]["id"] == pipeline_id]
        return "Jira stored %s" % found if found else None
    return check


CASES = [
    # rundeck_acl
    case("acl-name-with-slash", "rundeck_acl", {"name": "team/deployers", "policy": "description: x"},
         "ACL policy name", "must not contain '/'"),
    case("acl-policy-not-yaml", "rundeck_acl", {"name": "broken", "policy": "description: [unclosed"},
         "policy is not valid YAML", "line 1"),
    case("acl-policy-empty-text", "rundeck_acl", {"name": "broken", "policy": ""},
         "policy is empty", "at least one policy document"),
    case("acl-policy-scalar-document", "rundeck_acl", {"name": "broken", "policy": "just a sentence"},
         "policy document(s) 1 are not mappings", "description, for and by"),
    case("acl-policy-number", "rundeck_acl", {"name": "broken", "policy": 42},
         "policy must be YAML text, a mapping, or a non-empty list of mappings"),
    case("acl-present-without-policy", "rundeck_acl", {"name": "broken"},
         "policy is required with state=present"),
    case("acl-api-version-not-a-number", "rundeck_acl", {"name": "x", "state": "absent", "api_version": "latest"},
         "'api_version'", "convert to int", "latest"),
    case("acl-project-does-not-exist", "rundeck_acl",
         {"name": "x", "project": "no-such-project", "policy": {"description": "x", "for": {"job": [{"allow": "read"}]},
                                                                "by": {"group": "dev"}}},
         "Project does not exist: no-such-project", "HTTP 404"),
    case("acl-system-policy-without-context", "rundeck_acl",
         {"name": "no-context", "policy": {"description": "x", "for": {"job": [{"allow": "read"}]}, "by": {"group": "dev"}}},
         "the ACL policy is not valid", "no-context.aclpolicy[1]", "Required 'context:' section",
         refused=[("POST", "/system/acl/no-context.aclpolicy")]),
    case("acl-token-the-server-does-not-know", "rundeck_acl", {"name": "x", "state": "absent", "api_token": "not-a-valid-token"},
         "HTTP 403", "check that api_token is valid"),

    # rundeck_key (the value is a secret: it must appear nowhere)
    case("key-path-with-dotdot", "rundeck_key", {"path": "keys/../etc", "type": "password", "value": "bad-input-Pa55"},
         "not a valid Rundeck key path", "'..'"),
    case("key-path-is-the-root", "rundeck_key", {"path": "keys/", "type": "password", "value": "bad-input-Pa55"},
         "must name a key"),
    case("key-path-with-odd-character", "rundeck_key", {"path": "keys/ci/b@d", "type": "private", "value": "bad-input-Pa55"},
         "not a valid Rundeck key path"),
    case("key-present-without-value", "rundeck_key", {"path": "keys/ci/x", "type": "password"},
         "state is present", "missing", "value"),
    case("key-unknown-type", "rundeck_key", {"path": "keys/ci/x", "type": "secret", "value": "bad-input-Pa55"},
         "type", "password, private, public"),
    case("key-empty-value", "rundeck_key", {"path": "keys/ci/x", "type": "password", "value": ""},
         "value must not be empty"),

    # rundeck_project
    case("project-name-with-space", "rundeck_project", {"name": "web tier"},
         "invalid project name 'web tier'", "letters, digits"),
    case("project-config-not-a-mapping", "rundeck_project", {"name": "web", "config": ["a", "b"]},
         "'config'", "convert to dict"),
    case("project-config-key-with-slash", "rundeck_project", {"name": "web", "config": {"plugins/web": "enabled"}},
         "'plugins/web'", "must not contain '/'"),
    case("project-config-value-list", "rundeck_project", {"name": "web", "config": {"project.tags": ["web", "api"]}},
         "'project.tags'", "must be text, a number or a boolean", "got a list"),
    case("project-config-value-empty", "rundeck_project", {"name": "web", "config": {"project.nodeCache.delay": ""}},
         "'project.nodeCache.delay'", "null to remove the property"),
    case("project-config-description-property", "rundeck_project", {"name": "web", "config": {"project.description": "x"}},
         "'project.description'", "set it with the description option"),
    case("project-api-version-the-server-refuses", "rundeck_project", {"name": "web", "api_version": 1000},
         "Unsupported API Version", "set api_version to a version this Rundeck server supports"),

    # rundeck_job
    case("job-without-steps", "rundeck_job", {"project": "sandbox", "definition": {"name": "no-steps"}},
         "job no-steps", "sequence.commands must list at least one step"),
    case("job-name-with-slash", "rundeck_job", {"project": "sandbox", "definition": {"name": "a/b", "sequence": STEPS}},
         "'a/b'", "put the folder part in group"),
    case("job-misspelled-key", "rundeck_job", {"project": "sandbox", "definition": {"name": "typo", "descripton": "x", "sequence": STEPS}},
         "definition (job typo)", "unknown key 'descripton' at the top level", "did you mean 'description'?"),
    case("job-switch-as-other-text", "rundeck_job",
         {"project": "sandbox", "jobs": [{"name": "texts", "multipleExecutions": "yes", "sequence": STEPS}]},
         "jobs[0] (job texts)", "a switch takes true or false", "multipleExecutions is 'yes'"),
    case("job-definition-as-yaml-text", "rundeck_job",
         {"project": "sandbox", "definition": "name: deploy\nsequence:\n  commands:\n    - exec: 'true'\n"},
         "'definition'", "convert to dict"),
    case("job-list-entry-without-steps", "rundeck_job",
         {"project": "sandbox", "jobs": [{"name": "ok", "sequence": STEPS}, {"name": "broken"}]},
         "jobs[1] (job broken)", "sequence.commands must list at least one step"),
    case("job-list-and-name", "rundeck_job", {"project": "sandbox", "name": "deploy", "jobs": []},
         "mutually exclusive", "jobs|name"),
    case("job-purge-without-list", "rundeck_job", {"project": "sandbox", "name": "deploy", "purge": True},
         "purge applies to jobs", "list the jobs to keep"),
    case("job-purge-group-without-purge", "rundeck_job", {"project": "sandbox", "jobs": [], "purge_group": "bulk"},
         "purge_group limits purge", "set purge to true"),
    case("job-nothing-names-the-job", "rundeck_job", {"project": "sandbox", "execution_enabled": True},
         "one of the following is required", "definition"),
    case("job-api-version-without-json", "rundeck_job", {"project": "sandbox", "name": "deploy", "api_version": 43},
         "api_version 43 is too old", "set api_version to 44 or later"),
    case("job-unknown-without-definition", "rundeck_job", {"project": "sandbox", "name": "nothere"},
         "job nothere does not exist in project sandbox", "give its definition"),
    case("job-project-does-not-exist", "rundeck_job",
         {"project": "no-such-project", "definition": {"name": "x", "sequence": STEPS}},
         "Project does not exist: no-such-project", "HTTP 404"),
    case("job-name-two-jobs-share", "rundeck_job", {"project": "sandbox", "name": "twin", "group": "dup", "definition": {"sequence": STEPS}},
         "2 jobs of project sandbox are named dup/twin", "give uuid"),
    case("job-log-level-the-server-refuses", "rundeck_job",
         {"project": "sandbox", "definition": {"name": "loud", "loglevel": "LOUD", "sequence": STEPS}},
         "refused 1 job definition(s) and imported 0 of the 1 sent to project sandbox", 'Log level "LOUD" is not valid', "DEBUG, VERBOSE, INFO, WARN, ERROR",
         refused=[("POST", "/project/sandbox/jobs/import")], stored_nothing=no_rundeck_job("loud")),

    # rundeck_job_run
    case("run-job-does-not-exist", "rundeck_job_run", {"project": "sandbox", "name": "nowhere"},
         "project sandbox has no job nowhere"),
    case("run-uuid-and-name", "rundeck_job_run", {"uuid": "7d4e1bd4-0000-4000-8000-000000000000", "project": "sandbox", "name": "x"},
         "mutually exclusive", "uuid", "name"),
    case("run-name-without-project", "rundeck_job_run", {"name": "needs"}, "project"),
    case("run-wait-timeout-zero", "rundeck_job_run", {"project": "sandbox", "group": "run", "name": "needs", "wait_timeout": 0},
         "wait_timeout must be a positive number of seconds"),
    case("run-option-as-mapping", "rundeck_job_run", {"project": "sandbox", "group": "run", "name": "needs", "options": {"x": {"y": 1}}},
         "option x must be text, a number, a boolean or a list"),
    case("run-log-level-unknown", "rundeck_job_run", {"project": "sandbox", "group": "run", "name": "needs", "log_level": "LOUD"},
         "log_level", "DEBUG"),
    case("run-required-option-missing", "rundeck_job_run", {"project": "sandbox", "group": "run", "name": "needs"},
         "Job options were not valid: Option 'x' is required.", "HTTP 400", refused=[("POST", "/run")]),
    case("run-job-uuid-unknown", "rundeck_job_run", {"uuid": "7d4e1bd4-0000-4000-8000-000000000000"},
         "Rundeck has no job with the UUID 7d4e1bd4-0000-4000-8000-000000000000", refused=[("POST", "/run")]),

    # opsgenie_deployment
    case("deployment-new-without-environment", "opsgenie_deployment", {"external_id": "new-1", "state": "started"},
         "deployment new-1 does not exist yet", "give environment and releases to create it"),
    case("deployment-started-at-not-a-date", "opsgenie_deployment",
         {"external_id": "new-3", "state": "started", "environment": ENVIRONMENT, "releases": RELEASES, "started_at": "last tuesday"},
         "started_at: 'last tuesday' is not a date and time", "ISO 8601"),
    case("deployment-releases-empty", "opsgenie_deployment",
         {"external_id": "new-5", "state": "started", "environment": ENVIRONMENT, "releases": []},
         "releases must list at least one release"),
    case("deployment-release-without-commit", "opsgenie_deployment",
         {"external_id": "new-6", "state": "started", "environment": ENVIRONMENT, "releases": [{"workspace": "sandbox", "repo_slug": "app"}]},
         "missing required arguments: commit", "releases"),
    case("deployment-environment-type-unknown", "opsgenie_deployment",
         {"external_id": "new-8", "state": "started", "environment": {"type": "QA", "id": "qa"}, "releases": RELEASES},
         "value of type must be one of: Test, Staging, Production", "QA"),
    case("deployment-environment-as-text", "opsgenie_deployment",
         {"external_id": "new-9", "state": "started", "environment": "Production", "releases": RELEASES},
         "'environment'", "convert to dict"),
    case("deployment-environment-as-boolean", "opsgenie_deployment",
         {"external_id": "new-10", "state": "started", "environment": True, "releases": RELEASES},
         "'environment'", "convert to dict"),
    case("deployment-releases-as-number", "opsgenie_deployment",
         {"external_id": "new-11", "state": "started", "environment": ENVIRONMENT, "releases": 7},
         "'releases'", "convert to dict"),
    case("deployment-environment-unknown-key", "opsgenie_deployment",
         {"external_id": "new-12", "state": "started", "environment": dict(ENVIRONMENT, colour="red"), "releases": RELEASES},
         "Unsupported parameters", "environment.colour"),
    case("deployment-environment-of-existing-differs", "opsgenie_deployment",
         {"external_id": "release-41", "state": "successful", "environment": {"type": "Production", "id": "eu-west-1"}},
         "deployment release-41 exists and Opsgenie cannot change its environment", "leave them out"),
    case("deployment-workspace-opsgenie-does-not-know", "opsgenie_deployment",
         {"external_id": "new-15", "state": "started", "environment": ENVIRONMENT,
          "releases": [{"workspace": "nowhere", "repo_slug": "app", "commit": "abc"}]},
         "could not create deployment new-15", "Bitbucket Integration with name: nowhere not found",
         refused=[("POST", "/v2/deployments")], stored_nothing=no_opsgenie_deployment("new-15")),
    case("deployment-key-that-may-only-read", "opsgenie_deployment",
         {"external_id": "new-16", "state": "started", "environment": ENVIRONMENT, "releases": RELEASES,
          "api_key": "sandbox-opsgenie-readonly-key"},
         "HTTP 403", "needs read access, and create and update access for writes",
         refused=[("POST", "/v2/deployments")]),
    case("deployment-key-opsgenie-does-not-know", "opsgenie_deployment",
         {"external_id": "new-17", "state": "started", "api_key": "not-a-genie-key"},
         "HTTP 401", "check api_key"),

    # octopus_machine
    case("target-environment-does-not-exist", "octopus_machine", dict(TARGET, environments=["Nowhere"], endpoint=CLOUD),
         "environment 'Nowhere' does not exist in the default space", "known: Development, Production, Test"),
    case("target-environment-of-another-space", "octopus_machine", dict(TARGET, space="Platform", environments=["Test"], endpoint=CLOUD),
         "environment 'Test' does not exist in space Platform", "known: Production, Staging"),
    case("target-tenant-does-not-exist", "octopus_machine", dict(TARGET, tenants=["Nobody"], endpoint=CLOUD),
         "tenant 'Nobody' does not exist", "known: Acme, Globex"),
    case("target-space-does-not-exist", "octopus_machine", dict(TARGET, space="Nowhere", endpoint=CLOUD),
         "no space named 'Nowhere'"),
    case("target-account-does-not-exist", "octopus_machine",
         dict(TARGET, endpoint={"communication_style": "ssh", "host": "web09", "fingerprint": "SHA256:x", "account": "nobody"}),
         "account 'nobody' does not exist", "known: aws-deploy, azure-sp, deploy-ssh, gcp-deploy, k8s-token"),
    case("target-new-without-roles-and-endpoint", "octopus_machine", {"name": "web09", "environments": ["Production"]},
         "target web09 does not exist", "to create it, give roles, endpoint"),
    case("target-listening-over-http", "octopus_machine",
         dict(TARGET, endpoint={"communication_style": "listening", "uri": "http://web09:10933/", "thumbprint": "A1"}),
         "must be an https:// address"),
    case("target-endpoint-field-of-another-style", "octopus_machine",
         dict(TARGET, endpoint={"communication_style": "listening", "uri": "https://web09:10933/", "thumbprint": "A1", "host": "web09"}),
         "host does not apply to communication_style listening", "it takes uri, thumbprint, proxy"),
    case("target-endpoint-as-number", "octopus_machine", dict(TARGET, endpoint=5),
         "'endpoint'", "convert to dict"),
    case("target-tenant-tag-without-tag-set", "octopus_machine", dict(TARGET, tenant_tags=["Gold"], endpoint=CLOUD),
         "tenant_tags must each be TagSet/Tag", "Gold"),
    case("target-tenant-tag-the-server-does-not-know", "octopus_machine",
         dict(TARGET, tenants=["Acme"], tenant_tags=["Tier/Platinum"], endpoint=CLOUD),
         "could not create target web09", "HTTP 400", "The tenant tag 'Tier/Platinum' was not found in this space",
         refused=[("POST", "/api/Spaces-1/machines")]),
    case("target-key-and-access-token-both-given", "octopus_machine",
         dict(TARGET, endpoint=CLOUD, access_token="sandbox-octopus-access-token"),
         "api_key and access_token are both set, and only one may be"),
    case("target-neither-key-nor-access-token", "octopus_machine", dict(TARGET, endpoint=CLOUD, api_key=""),
         "set api_key (or the environment variable OCTOPUS_API_KEY) or access_token (or the environment variable "
         "OCTOPUS_ACCESS_TOKEN)"),
    case("target-access-token-octopus-does-not-know", "octopus_machine",
         dict(TARGET, endpoint=CLOUD, api_key=None, access_token="not-the-sandbox-access-token"),
         "HTTP 401", "check access_token"),
    case("target-kubernetes-aws-without-account-or-instance-role", "octopus_machine",
         dict(TARGET, endpoint={"communication_style": "kubernetes", "cluster_url": "https://k8s.example.com",
                                "authentication_type": "aws", "cluster_name": "eks"}),
         "authentication_type aws needs account (or use_instance_role: true)"),
    case("target-key-that-may-only-read", "octopus_machine", dict(TARGET, endpoint=CLOUD, api_key="API-SANDBOXVIEWER"),
         "HTTP 403", "lacks a permission",
         refused=[("POST", "/api/Spaces-1/machines")]),

    # gitea_token
    case("token-scope-unknown", "gitea_token", {"name": "ci", "scopes": ["write:repo"]},
         "unknown scope(s) write:repo", "read: or write: followed by one of"),
    case("token-scopes-empty", "gitea_token", {"name": "ci", "scopes": []},
         "scopes must name at least one scope"),
    case("token-new-without-scopes", "gitea_token", {"name": "ci"},
         "token ci of alice does not exist", "give scopes to create it"),
    case("token-scopes-as-mapping", "gitea_token", {"name": "ci", "scopes": {"read": "user"}},
         "'scopes'", "convert to list"),
    case("token-user-does-not-exist", "gitea_token", dict(ADMIN, name="ci", user="nobody", scopes=["read:user"]),
         "HTTP 404", "Gitea has no user nobody; check user"),
    case("token-for-another-user-without-admin", "gitea_token", {"name": "ci", "user": "bob", "scopes": ["read:user"]},
         "HTTP 403", "Only administrators allowed to sudo"),
    case("token-password-gitea-refuses", "gitea_token", {"name": "ci", "scopes": ["read:user"], "password": "not-alices-password"},
         "HTTP 401", "check username and password"),
    case("token-name-two-tokens-share", "gitea_token", {"name": "twin", "scopes": ["read:user"]},
         "user alice has 2 tokens named twin", "delete the extra ones"),
    case("token-name-empty", "gitea_token", {"name": "", "scopes": ["read:user"]},
         "name is empty; give the name of the token"),
    case("token-name-blank", "gitea_token", {"name": " \t", "scopes": ["read:user"]},
         "name is only blanks; give the name of the token"),

    # jira_deployment
    case("jira-new-without-what-jira-needs", "jira_deployment", dict(JIRA_KEY, deployment_state="in_progress"),
         "does not exist yet", "give display_name, deployment_url, issue_keys or service_ids to create it"),
    case("jira-state-unknown", "jira_deployment", dict(JIRA_NEW, deployment_state="deployed"),
         "deployment_state", "unknown, pending, in_progress, cancelled, failed, rolled_back, successful"),
    case("jira-sequence-number-not-a-number", "jira_deployment", dict(JIRA_NEW, sequence_number="latest"),
         "'sequence_number'", "convert to int"),
    case("jira-sequence-number-negative", "jira_deployment", dict(JIRA_NEW, sequence_number=-3),
         "sequence_number must be a whole number from 0"),
    case("jira-issue-key-malformed", "jira_deployment", dict(JIRA_NEW, issue_keys=["WEB-1", "WEB 2"]),
         "issue_keys: WEB 2 is no issue key"),
    case("jira-description-too-long", "jira_deployment", dict(JIRA_NEW, description="x" * 300),
         "description must be at most 255 characters long"),
    case("jira-url-not-absolute", "jira_deployment", dict(JIRA_NEW, deployment_url="runs/1"),
         "deployment_url must be an absolute URL"),
    case("jira-environment-type-unknown", "jira_deployment", dict(JIRA_NEW, environment_type="prod"),
         "environment_type", "unmapped, development, testing, staging, production"),
    case("jira-issue-keys-as-mapping", "jira_deployment", dict(JIRA_NEW, issue_keys={"WEB-1": True}),
         "issue_keys"),
    case("jira-only-issues-jira-does-not-know", "jira_deployment", dict(JIRA_NEW, issue_keys=["OPS-1"]),
         "Jira rejected it", "Jira does not know the issue key OPS-1", "Nothing was stored.",
         refused=[("POST", "/bulk")], stored_nothing=no_jira_deployment("bad-input")),
    case("jira-cloud-id-and-site", "jira_deployment", dict(JIRA_NEW, site="https://example.atlassian.net"),
         "cloud_id and site are both set, and only one may be"),
    case("jira-secret-jira-does-not-know", "jira_deployment", dict(JIRA_NEW, client_secret="not-the-jira-secret"),
         "could not get an access token", "HTTP 401", "check client_id and client_secret"),
]


def setup_rundeck_job(sandbox):
    """Two jobs of one name and group, which only a UUID can tell apart."""
    response = requests.post(sandbox.urls["rundeck"] + "/api/49/project/sandbox/jobs/import", params={"dupeOption": "create"},
                             headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"]},
                             json=[{"name": "twin", "group": "dup", "sequence": STEPS}] * 2, timeout=10)
    assert len(response.json()["succeeded"]) == 2, response.text
    return []


def setup_rundeck_job_run(sandbox):
    """A job with a required option, which a run without it cannot start."""
    response = requests.post(sandbox.urls["rundeck"] + "/api/49/project/sandbox/jobs/import",
                             headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"]},
                             json=[{"name": "needs", "group": "run", "options": [{"name": "x", "required": True}],
                                    "sequence": STEPS}], timeout=10)
    assert len(response.json()["succeeded"]) == 1, response.text
    return []


def setup_opsgenie_deployment(sandbox):
    """A deployment created by an earlier run, in environment Staging."""
    body = {"externalId": "release-41", "state": "started", "environment": ENVIRONMENT, "startedAt": "2026-03-26T14:05:07.594Z",
            "releases": [{"type": "bbc", "repository": {"workspace": {"identifier": "sandbox"}, "repoSlug": "app"},
                          "commit": {"sha": RELEASES[0]["commit"]}}]}
    response = requests.post(sandbox.urls["opsgenie"] + "/__sandbox__/opsgenie/deployments", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return []


def setup_gitea_token(sandbox):
    """Two tokens of alice with one name; their secrets must not show up anywhere."""
    secrets = []
    for dummy in range(2):
        response = requests.post(sandbox.urls["gitea"] + "/__sandbox__/gitea/tokens",
                                 json={"user": "alice", "name": "twin", "scopes": ["read:user"]}, timeout=10)
        assert response.status_code == 201, response.text
        secrets.append(response.json()["sha1"])
    return secrets


SETUPS = {"rundeck_job": setup_rundeck_job, "rundeck_job_run": setup_rundeck_job_run,
          "opsgenie_deployment": setup_opsgenie_deployment, "gitea_token": setup_gitea_token}


def run_cases(module, sandbox, runner):
    """Run every case of ``module`` in one playbook; what each one returned, sent and left behind (JSON data)."""
    cases = [item for item in CASES if item["module"] == module]
    service = SERVICES[module]
    secrets = set(sandbox.secrets()) | set(SETUPS.get(module, lambda dummy: [])(sandbox))
    # An empty value hides nothing (and would be "found" in any text).
    secrets.update(item["args"][key] for item in cases for key in SECRET_OPTIONS
                   if isinstance(item["args"].get(key), str) and item["args"][key])
    sandbox.clear_requests(service)
    marks_path = os.path.join(runner.workdir, "marks.json")
    variables = {}
    tasks = [{"name": item["id"], "opsforge.delivery." + module: by_reference(item["args"], secrets, variables),
              "ignore_errors": True} for item in cases]
    module_defaults = by_reference(runner.module_defaults, secrets, variables)
    run = runner.run(tasks, module_defaults=module_defaults, extra_vars=variables, env={
        "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": "result_recorder,request_log_marks",
        "ANSIBLE_PIPELINING": "1",
        "RELIABILITY_SANDBOX_URLS": json.dumps({service: sandbox.urls[service]}),
        "RELIABILITY_REQUEST_MARKS": marks_path,
    })
    log = sandbox.requests(service)
    with open(marks_path, encoding="utf-8") as handle:
        starts = dict((mark["task"], mark["offsets"][service]) for mark in json.load(handle))
    ends = dict(zip([item["id"] for item in cases], [starts[item["id"]] for item in cases[1:]] + [len(log)]))
    outcomes = {}
    for item in cases:
        record = run.result(item["id"])
        text = json.dumps(record["result"])
        outcomes[item["id"]] = {
            "status": record["status"],
            "result": record["result"],
            "requests": log[starts[item["id"]]:ends[item["id"]]],
            "leaked": sorted(secret for secret in secrets if secret in text),
            "stored": item["stored_nothing"](sandbox) if item["stored_nothing"] else None,
        }
    shown = run.stdout + run.stderr + run.log_text
    return {"returncode": run.returncode, "output": run.output(), "cases": outcomes,
            "leaked": sorted(secret for secret in secrets if secret in shown)}


def run_service(service, sandbox, playbook):
    """The runs of the modules of ``service``, one after another: they share its request log."""
    runs = {}
    for module in [name for name, owner in SERVICES.items() if owner == service]:
        workdir = os.path.join(playbook.workdir, module)
        os.makedirs(workdir)
        runs[module] = run_cases(module, sandbox, PlaybookRunner(workdir, playbook.module_defaults))
    return runs


def by_reference(value, secrets, variables):
    """``value`` with each secret replaced by a variable, as playbooks hold them (Ansible shows a failed task's source)."""
    if isinstance(value, dict):
        return dict((key, by_reference(item, secrets, variables)) for key, item in value.items())
    if isinstance(value, list):
        return [by_reference(item, secrets, variables) for item in value]
    if isinstance(value, str) and value in secrets:
        name = "bad_input_secret_%d" % sorted(secrets).index(value)
        variables[name] = value
        return "{{ %s }}" % name
    return value


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory):
    """A folder every pytest worker of this session sees, so that the cases run once."""
    base = tmp_path_factory.getbasetemp()
    return str(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base)


def all_outcomes(sandbox, playbook, shared_dir):
    """Every module's run, by module: made by the first test that needs them, the services in parallel."""
    path = os.path.join(shared_dir, "bad_input_runs.json")
    with open(path + ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(path):
            runs = {}
            with ThreadPoolExecutor(max_workers=len(set(SERVICES.values()))) as pool:
                for service_runs in pool.map(lambda service: run_service(service, sandbox, playbook), sorted(set(SERVICES.values()))):
                    runs.update(service_runs)
            with open(path + ".part", "w", encoding="utf-8") as handle:
                json.dump(runs, handle)
            os.rename(path + ".part", path)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def unexpected_writes(item, sent):
    """The writes of a case that it does not expect, or that the server did not refuse."""
    problems = []
    expected = list(item["refused"])
    for entry in sent:
        if entry["method"] in READ_METHODS or any(entry["method"] == method and entry["path"] == path for method, path in NOT_WRITES):
            continue
        match = next((pair for pair in expected if pair[0] == entry["method"] and entry["path"].endswith(pair[1])), None)
        if match is None:
            problems.append("unexpected write %(method)s %(path)s (HTTP %(status)s)" % entry)
            continue
        expected.remove(match)
        if entry["status"] < 400 and item["stored_nothing"] is None:
            problems.append("write %(method)s %(path)s was accepted (HTTP %(status)s)" % entry)
    problems.extend("expected write %s ...%s was not sent" % pair for pair in expected)
    return problems


@pytest.mark.parametrize("item", CASES, ids=[item["id"] for item in CASES])
def test_bad_input_fails_clearly_and_writes_nothing(item, sandbox, playbook, shared_dir):
    outcomes = all_outcomes(sandbox, playbook, shared_dir)[item["module"]]
    assert outcomes["returncode"] == 0, outcomes["output"]
    outcome = outcomes["cases"][item["id"]]
    result = outcome["result"]
    message = str(result.get("msg", ""))
    context = "%s\nresult: %s\nrequests: %s" % (item["args"], json.dumps(result, indent=1), outcome["requests"])

    assert outcome["status"] == "failed", context
    missing = [fragment for fragment in item["expected"] if fragment not in message]
    assert not missing, "message lacks %s\n%s" % (missing, context)
    assert "Traceback" not in message and "MODULE FAILURE" not in message, context
    # The module reported the failure itself (a crash has no invocation, or module_stderr before ansible-core 2.19).
    assert "invocation" in result and "module_stderr" not in result, context
    assert outcome["leaked"] == [], context
    assert outcomes["leaked"] == [], "a secret in the run's output\n" + outcomes["output"]
    assert unexpected_writes(item, outcome["requests"]) == [], context
    assert outcome["stored"] is None, context


def test_the_table_covers_every_module():
    """At least 40 cases, and every module has some."""
    assert len(CASES) >= 40
    assert len({item["id"] for item in CASES}) == len(CASES)
    assert {item["module"] for item in CASES} == set(SERVICES)
