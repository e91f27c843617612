# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One sandbox per test module, on free ports, reset before every test."""

import pytest

from tests.sandbox import Sandbox

TOKEN = "sandbox-rundeck-token"
OCTOPUS_API_KEY = "API-SANDBOX"


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
