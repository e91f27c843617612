# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One sandbox per test module, on free ports, reset before every test."""

import pytest
import requests

from tests.sandbox import Sandbox

TOKEN = "sandbox-rundeck-token"
OCTOPUS_API_KEY = "API-SANDBOX"
GITEA_ADMIN_USERNAME = "sandbox-admin"
GITEA_ADMIN_PASSWORD = "sandbox-password"
GITEA_ADMIN_TOKEN = "sandbox-gitea-token"


@pytest.fixture(scope="module")
def running_sandbox():
    with Sandbox(ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0}) as sandbox:
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
