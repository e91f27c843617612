# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Octopus Deploy server without a default space, and the settings control endpoint."""

import pytest
import requests

from tests.sandbox import Sandbox
from tests.sandbox.__main__ import parse_args

SPACE_SCOPED = ("Machines", "Environments", "MachinePolicies", "Tenants", "TagSets", "Proxies", "WorkerPools", "Accounts")


@pytest.fixture
def settings(octopus):
    def put(body):
        return requests.put(octopus + "/__sandbox__/settings", json=body)

    return put


@pytest.fixture
def get(octopus, octopus_headers):
    def get(path):
        return requests.get(octopus + path, headers=octopus_headers)

    return get


def test_the_root_document_links_into_the_default_space(get):
    links = get("/api").json()["Links"]
    assert all(links[name].startswith("/api/Spaces-1/") for name in SPACE_SCOPED)


def test_without_a_default_space_the_root_has_no_space_scoped_links(settings, get):
    assert settings({"default_space": False}).json() == {"default_space": False}
    links = get("/api").json()["Links"]
    assert not set(SPACE_SCOPED) & set(links)
    assert {"Self", "SpaceHome", "Spaces", "CurrentUser"} <= set(links)
    # Every space is still there, none marked default; a space's own routes still answer.
    assert [space["IsDefault"] for space in get("/api/users/Users-1/spaces").json()] == [False, False]
    assert get("/api/Spaces-1").json()["Links"]["Machines"].startswith("/api/Spaces-1/machines")
    assert get("/api/Spaces-1/environments").status_code == 200


@pytest.mark.parametrize("path", ["/api/machines", "/api/environments/all", "/api/machines/Machines-1"])
def test_without_a_default_space_the_legacy_routes_are_not_found(settings, get, path):
    settings({"default_space": False})
    response = get(path)
    assert response.status_code == 404
    assert "no default space" in response.json()["ErrorMessage"]


def test_a_reset_goes_back_to_the_start_up_settings(octopus, settings, get):
    settings({"default_space": False})
    requests.post(octopus + "/__sandbox__/reset")
    assert requests.get(octopus + "/__sandbox__/settings").json() == {"default_space": True}
    assert "Machines" in get("/api").json()["Links"]


@pytest.mark.parametrize(
    "body, message",
    [({"default_space": "no"}, "cannot be"), ({"colour": 1}, "unknown settings: colour"), ([], "JSON object")],
)
def test_bad_settings_are_refused_and_change_nothing(settings, body, message):
    response = settings(body)
    assert response.status_code == 400 and message in response.json()["error"]


def test_the_command_line_can_start_a_server_without_a_default_space():
    assert parse_args(["--octopus-no-default-space"]).octopus_no_default_space is True
    assert parse_args([]).octopus_no_default_space is False


def test_a_sandbox_started_without_a_default_space_keeps_it_that_way_across_resets():
    sandbox = Sandbox(ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0})
    # What python -m tests.sandbox --octopus-no-default-space does before it starts the services.
    sandbox.controls["octopus"].settings = {"default_space": False}
    with sandbox:
        url = sandbox.urls["octopus"]
        headers = {"X-Octopus-ApiKey": sandbox.credentials["octopus_api_key"]}
        assert "Machines" not in requests.get(url + "/api", headers=headers).json()["Links"]
        requests.post(url + "/__sandbox__/reset")
        assert "Machines" not in requests.get(url + "/api", headers=headers).json()["Links"]
