# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One sandbox per test module, on free ports, reset before every test."""

from urllib.parse import quote

import pytest
import requests

from tests.sandbox import Sandbox

TOKEN = "sandbox-rundeck-token"
OCTOPUS_API_KEY = "API-SANDBOX"
GITEA_ADMIN_USERNAME = "sandbox-admin"
GITEA_ADMIN_PASSWORD = "sandbox-password"
GITEA_ADMIN_TOKEN = "sandbox-gitea-token"
OPSGENIE_API_KEY = "sandbox-opsgenie-key"
OPSGENIE_READ_ONLY_API_KEY = "sandbox-opsgenie-readonly-key"


@pytest.fixture(scope="module")
def running_sandbox():
    with Sandbox(ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running_sandbox):
    running_sandbox.reset()
    return running_sandbox


@pytest.fixture
def api(sandbox):
    """Base URL of the Rundeck API at the current version."""
    return sandbox.urls["rundeck"] + "/api/49"


@pytest.fixture
def auth():
    return {"X-Rundeck-Auth-Token": TOKEN}


@pytest.fixture
def octopus(sandbox):
    """Base URL of the Octopus Deploy service (paths start with /api)."""
    return sandbox.urls["octopus"]


@pytest.fixture
def octopus_headers():
    return {"X-Octopus-ApiKey": OCTOPUS_API_KEY}


@pytest.fixture
def gitea(sandbox):
    """Base URL of the Gitea service (API paths start with /api/v1)."""
    return sandbox.urls["gitea"]


@pytest.fixture
def gitea_api(gitea):
    """Base URL of the Gitea API: /api/v1 on the Gitea service."""
    return gitea + "/api/v1"


@pytest.fixture
def gitea_admin():
    """Basic credentials of the seeded site admin, for requests' ``auth=``."""
    return (GITEA_ADMIN_USERNAME, GITEA_ADMIN_PASSWORD)


@pytest.fixture
def gitea_admin_headers():
    """The seeded admin token (scope all) in Gitea's Authorization header."""
    return {"Authorization": "token " + GITEA_ADMIN_TOKEN}


@pytest.fixture
def gitea_token(gitea):
    """Make a token through the control endpoint; returns its API answer, value in ``sha1``."""

    def make(user, name, scopes=("all",)):
        response = requests.post(gitea + "/__sandbox__/gitea/tokens", json={"user": user, "name": name, "scopes": list(scopes)})
        assert response.status_code == 201, response.text
        return response.json()

    return make


class OpsgenieClient:
    """The emulated Opsgenie: Deployment API requests with the full key, and the service's control endpoints."""

    headers = {"Authorization": "GenieKey " + OPSGENIE_API_KEY}
    read_only_headers = {"Authorization": "GenieKey " + OPSGENIE_READ_ONLY_API_KEY}

    def __init__(self, url):
        self.url = url

    @staticmethod
    def body(**changes):
        """A valid create body (Test environment, repository app of workspace sandbox); a change of None drops the key."""
        body = {
            "state": "started",
            "environment": {"type": "Test", "id": "us-west-2", "displayName": "Lab Oregon"},
            "startedAt": "2020-03-26T14:05:07.594Z",
            "releases": [
                {
                    "type": "bbc",
                    "repository": {"workspace": {"identifier": "sandbox"}, "repoSlug": "app"},
                    "commit": {"sha": "0c9135c"},
                }
            ],
        }
        body.update(changes)
        return {key: value for key, value in body.items() if value is not None}

    def request(self, method, path, headers=None, **kwargs):
        return requests.request(method, self.url + path, headers=self.headers if headers is None else headers, **kwargs)

    def control(self, method, name, **kwargs):
        return requests.request(method, self.url + "/__sandbox__/opsgenie/" + name, **kwargs)

    def process(self):
        response = self.control("POST", "process")
        assert response.status_code == 200, response.text
        return response.json()["processed"]

    def status(self, request_id):
        return self.request("GET", "/v2/deployments/requests/" + request_id)

    def write(self, method, path, body, **kwargs):
        """Send a write, check its 202 and process it at once; returns the request status's data."""
        response = self.request(method, path, json=body, **kwargs)
        assert response.status_code == 202, response.text
        self.process()
        status = self.status(response.json()["requestId"])
        assert status.status_code == 200, status.text
        return status.json()["data"]

    def create(self, **changes):
        """Create a deployment from ``body(**changes)``; returns the request status's data."""
        return self.write("POST", "/v2/deployments", self.body(**changes))

    def deployment(self, identifier, kind=None):
        response = self.request("GET", "/v2/deployments/" + quote(identifier, safe=""), params={"type": kind} if kind else None)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def add(self, *deployments):
        """Store deployments through the control endpoint; returns them as GET shows them."""
        response = self.control("POST", "deployments", json=list(deployments))
        assert response.status_code == 201, response.text
        return response.json()

    def settings(self, **settings):
        response = self.control("PUT", "settings", json=settings)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def opsgenie(sandbox):
    """The Opsgenie service: OpsgenieClient on its base URL (API paths start with /v2)."""
    return OpsgenieClient(sandbox.urls["opsgenie"])


JIRA_CLIENT_ID = "sandbox-jira-client"
JIRA_CLIENT_SECRET = "sandbox-jira-secret"
JIRA_CLOUD_ID = "sandbox-cloud"


class JiraClient:
    """The emulated Jira: a token of the default OAuth client, the Deployments API and the control endpoints."""

    def __init__(self, url):
        self.url = url
        self._token = None

    def token_request(self, **fields):
        """POST /oauth/token as a form; ``fields`` change the default client credentials request (None drops one)."""
        form = {"grant_type": "client_credentials", "client_id": JIRA_CLIENT_ID, "client_secret": JIRA_CLIENT_SECRET,
                "audience": "api.atlassian.com"}
        form.update(fields)
        return requests.post(self.url + "/oauth/token", data={key: value for key, value in form.items() if value is not None})

    @property
    def headers(self):
        if self._token is None:
            response = self.token_request()
            assert response.status_code == 200, response.text
            self._token = response.json()["access_token"]
        return {"Authorization": "Bearer " + self._token}

    def api(self, path, cloud_id=JIRA_CLOUD_ID):
        return "%s/jira/deployments/0.1/cloud/%s/%s" % (self.url, cloud_id, path)

    @staticmethod
    def deployment(**changes):
        """A valid deployment of pipeline shop-deploy to environment prod-eu; a change of None drops the key."""
        deployment = {
            "deploymentSequenceNumber": 42, "updateSequenceNumber": 1, "displayName": "Shop 1.4.0",
            "url": "https://ci.example.com/runs/42", "description": "Shop 1.4.0 to production",
            "lastUpdated": "2026-11-23T10:00:00.000Z", "state": "in_progress",
            "pipeline": {"id": "shop-deploy", "displayName": "Shop deploy", "url": "https://ci.example.com/shop"},
            "environment": {"id": "prod-eu", "displayName": "Production (EU)", "type": "production"},
            "associations": [{"associationType": "issueKeys", "values": ["WEB-1", "WEB-2"]}],
        }
        deployment.update(changes)
        return {key: value for key, value in deployment.items() if value is not None}

    def submit(self, *deployments, headers=None):
        return requests.post(self.api("bulk"), json={"deployments": list(deployments)},
                             headers=self.headers if headers is None else headers)

    def key_path(self, pipeline_id="shop-deploy", environment_id="prod-eu", sequence_number=42):
        return "pipelines/%s/environments/%s/deployments/%s" % (
            quote(pipeline_id, safe=""), quote(environment_id, safe=""), sequence_number)

    def get(self, *key, **kwargs):
        return requests.get(self.api(self.key_path(*key)), headers=kwargs.pop("headers", self.headers), **kwargs)

    def delete(self, *key):
        return requests.delete(self.api(self.key_path(*key)), headers=self.headers)

    def control(self, method, name, **kwargs):
        return requests.request(method, self.url + "/__sandbox__/jira/" + name, **kwargs)

    def process(self):
        response = self.control("POST", "process")
        assert response.status_code == 200, response.text
        return response.json()["processed"]

    def settings(self, **settings):
        response = self.control("PUT", "settings", json=settings)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def jira(sandbox):
    """The Jira service: JiraClient on its base URL, submissions applied only when processed."""
    client = JiraClient(sandbox.urls["jira"])
    client.settings(processing_delay=60)
    return client
