"""The world the plugins' EXAMPLES are written for, set up in a freshly reset sandbox.

An example shows what a user's playbook would say about the user's own servers: a Rundeck with the
projects web, ops and web-staging, a Gitea with the users ci-bot and deployer, an Opsgenie account
whose Bitbucket workspace acme holds the repository shop, an Octopus Deploy with web servers, a Jira
site whose pipeline shop-deploy has recorded deployments to prod-eu. This
file gives the sandbox that state (through the vendor APIs where they can do it, through the
sandbox's control endpoints where only a web interface could), and the variables the examples name.

Lookup examples read what a playbook's module tasks would have written earlier, so a lookup's
playbook gets a little more (LOOKUP_ONLY below): the system policy build-runners, the project policy
deployers, the token ci of ci-bot, the deployment of the current release (in Opsgenie and in Jira),
the target web01.
"""

import datetime
import os

import requests

# The files the examples read, put next to each playbook.
FILES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugin_examples_files")
# Variables the examples name; each is passed to a playbook only when its examples use it.
RELEASE = {
    "release_id": "shop-build-4711",
    "release_commit": "5f0c3a9e1d7b2c4a6e8f0a1b3c5d7e9f1a2b4c6d",
    "release_version": "2026.11.3",
    # The CI run's number, as a pipeline hands it over: text.
    "release_build_number": "4711",
}
CI_BOT_PASSWORD = "ci-bot-password"
DEPLOYER_PASSWORD = "deployer-password"

RUNDECK_PROJECTS = (("web", "The web shop"), ("ops", "Operations"), ("web-staging", "The web shop before production"))
DEPLOY_JOB_UUID = "1b6a0f52-3d0c-4c36-9d1e-8b7a2f0c5e11"
# Project web as it was before the jobs in example_files/rundeck/ were written: the deploy job
# runs an older script, and deploy-old is still there.
WEB_JOBS = [
    {
        "uuid": DEPLOY_JOB_UUID,
        "name": "deploy",
        "group": "release",
        "description": "Deploy a release of the web shop",
        "schedule": {"crontab": "0 0 22 ? * MON-FRI *"},
        "sequence": {"commands": [{"exec": "/opt/shop/bin/deploy.sh latest"}]},
    },
    {
        "name": "deploy-old",
        "group": "release",
        "description": "The deploy job before the move to /opt/shop",
        "sequence": {"commands": [{"exec": "/srv/shop/deploy.sh"}]},
    },
    {
        "name": "smoke-test",
        "group": "release",
        "description": "Check the shop's front page",
        "sequence": {"commands": [{"exec": "curl --fail --silent https://shop.example.com/ >/dev/null"}]},
    },
]
CONTRACTORS_POLICY = """description: Contractors may read the jobs of project web
for:
  job:
    - allow: read
by:
  group: contractors
"""
BUILD_RUNNERS_POLICY = """description: Build group may read and run jobs in every project
context:
  project: ".*"
for:
  job:
    - allow: [read, run]
by:
  group: build
"""

SHOP_SERVICE_ID = "96f6655c-73f1-4d4b-a1a5-4b97dd8409b5"
SHOP_ENVIRONMENT = {"type": "Production", "id": "eu-west-1", "displayName": "Production (Ireland)"}

TENTACLE_THUMBPRINT = "8A3F1C9E2B7D4F60A1C3E5B7D9F1A3C5E7B9D1F3"


def variables(sandbox, directory):
    """Every variable an example may name, for a playbook in ``directory``."""
    return dict(
        RELEASE,
        rundeck_url=sandbox["rundeck_url"],
        vault_rundeck_token=sandbox["rundeck_token"],
        vault_ci_bot_password=CI_BOT_PASSWORD,
        ci_token_file=os.path.join(directory, "gitea-ci-token"),
    )


def seed(sandbox, lookup):
    """Give the reset sandbox the world; ``lookup`` adds what the lookup examples read."""
    seed_rundeck(sandbox, lookup)
    seed_gitea(sandbox, lookup)
    seed_opsgenie(sandbox, lookup)
    seed_octopus(sandbox, lookup)
    seed_jira(sandbox, lookup)


def _send(method, url, expected, **kwargs):
    response = requests.request(method, url, timeout=30, **kwargs)
    if response.status_code != expected:
        raise RuntimeError("seeding the sandbox: %s %s answered %s: %s" % (method, url, response.status_code, response.text))
    return response


def seed_rundeck(sandbox, lookup):
    api = sandbox["rundeck_url"] + "/api/49"
    headers = {"X-Rundeck-Auth-Token": sandbox["rundeck_token"], "Accept": "application/json"}
    for name, description in RUNDECK_PROJECTS:
        _send("POST", api + "/projects", 201, headers=headers, json={"name": name, "description": description})
    imported = _send("POST", api + "/project/web/jobs/import", 200, headers=headers, json=WEB_JOBS).json()
    if imported.get("failed"):
        raise RuntimeError("seeding the sandbox: Rundeck refused jobs: %s" % imported["failed"])
    policies = [("project/web/acl/contractors.aclpolicy", CONTRACTORS_POLICY)]
    if lookup:
        with open(os.path.join(FILES, "acl", "web-deployers.aclpolicy"), encoding="utf-8") as handle:
            deployers = handle.read()
        policies += [("system/acl/build-runners.aclpolicy", BUILD_RUNNERS_POLICY), ("project/web/acl/deployers.aclpolicy", deployers)]
    for path, text in policies:
        _send("POST", "%s/%s" % (api, path), 201, headers=headers, json={"contents": text})
    if lookup:
        # The password the rundeck_key lookup examples list under keys/ci.
        _send("POST", api + "/storage/keys/ci/db-password", 201, data=b"example-only",
              headers=dict(headers, **{"Content-Type": "application/x-rundeck-data-password"}))


def seed_gitea(sandbox, lookup):
    control = sandbox["gitea_url"] + "/__sandbox__/gitea/"
    _send("POST", control + "users", 201, json={"login": "ci-bot", "password": CI_BOT_PASSWORD, "full_name": "CI robot"})
    _send("POST", control + "users", 201, json={"login": "deployer", "password": DEPLOYER_PASSWORD, "full_name": "Deployments"})
    tokens = [
        {"user": "deployer", "name": "deploy", "scopes": ["read:repository"]},
        {"user": sandbox["gitea_admin_username"], "name": "old-laptop", "scopes": ["all"]},
    ]
    if lookup:
        tokens.append({"user": "ci-bot", "name": "ci", "scopes": ["read:repository", "write:package"]})
    for token in tokens:
        _send("POST", control + "tokens", 201, json=token)


def _opsgenie_deployment(external_id, state, started, completed, commit, message):
    deployment = {
        "externalId": external_id,
        "state": state,
        "environment": SHOP_ENVIRONMENT,
        "startedAt": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "releases": [{"type": "bbc", "repository": {"workspace": {"identifier": "acme"}, "repoSlug": "shop"}, "commit": {"sha": commit}}],
        "message": message,
    }
    if completed is not None:
        deployment["completedAt"] = completed.strftime("%Y-%m-%dT%H:%M:%SZ")
    return deployment


def seed_opsgenie(sandbox, lookup):
    control = sandbox["opsgenie_url"] + "/__sandbox__/opsgenie/"
    repositories = [{"slug": "shop", "services": [SHOP_SERVICE_ID]}, {"slug": "shop-infra"}]
    _send("POST", control + "workspaces", 201, json={"name": "acme", "repositories": repositories})
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    minutes = datetime.timedelta(minutes=12)
    deployments = [
        _opsgenie_deployment("shop-build-4698", "successful", now - 3 * day, now - 3 * day + minutes, "0c9135c2", "Release 2026.11.1"),
        _opsgenie_deployment("shop-build-4705", "failed", now - day, now - day + minutes, "7d2e8f41", "Release 2026.11.2"),
    ]
    if lookup:
        release = _opsgenie_deployment(
            RELEASE["release_id"], "started", now - minutes, None, RELEASE["release_commit"], "Release %s" % RELEASE["release_version"]
        )
        deployments.append(release)
    _send("POST", control + "deployments", 201, json=deployments)


def seed_octopus(sandbox, lookup):
    api = sandbox["octopus_url"] + "/api/Spaces-1"
    headers = {"X-Octopus-ApiKey": sandbox["octopus_api_key"]}
    environments = _send("GET", api + "/environments/all", 200, headers=headers).json()
    production = next(environment["Id"] for environment in environments if environment["Name"] == "Production")
    names = ["web01", "web02"] if lookup else ["web02"]
    for name in names:
        machine = {
            "Name": name,
            "EnvironmentIds": [production],
            "Roles": ["web-server"],
            "TenantIds": [],
            "TenantTags": [],
            "Endpoint": {
                "CommunicationStyle": "TentaclePassive",
                "Uri": "https://%s.example.com:10933/" % name,
                "Thumbprint": TENTACLE_THUMBPRINT,
            },
        }
        _send("POST", api + "/machines", 201, headers=headers, json=machine)


def _jira_deployment(number, state, issue_keys):
    return {
        "deploymentSequenceNumber": number, "updateSequenceNumber": 1, "displayName": "Shop build %d" % number,
        "url": "https://ci.example.com/pipelines/shop-deploy/runs/%d" % number, "description": "Shop build %d" % number,
        "lastUpdated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "state": state,
        "pipeline": {"id": "shop-deploy", "displayName": "Shop deployment", "url": "https://ci.example.com/pipelines/shop-deploy"},
        "environment": {"id": "prod-eu", "displayName": "Production (EU)", "type": "production"},
        "associations": [{"associationType": "issueKeys", "values": issue_keys}],
    }


def seed_jira(sandbox, lookup):
    """Deployment 1 of shop-deploy to prod-eu, recorded by mistake; for the lookup, the last two releases."""
    url = sandbox["jira_url"]
    token = _send("POST", url + "/oauth/token", 200, data={
        "grant_type": "client_credentials", "client_id": sandbox["jira_client_id"],
        "client_secret": sandbox["jira_client_secret"], "audience": "api.atlassian.com"}).json()["access_token"]
    deployments = [_jira_deployment(1, "failed", ["WEB-1"])]
    if lookup:
        deployments += [_jira_deployment(4710, "successful", ["WEB-10", "WEB-11"]),
                        _jira_deployment(int(RELEASE["release_build_number"]), "in_progress", ["WEB-12", "WEB-15"])]
    _send("POST", "%s/jira/deployments/0.1/cloud/%s/bulk" % (url, sandbox["jira_cloud_id"]), 202,
          headers={"Authorization": "Bearer " + token}, json={"deployments": deployments})
    _send("POST", url + "/__sandbox__/jira/process", 200)
