# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Rundeck release the sandbox emulates: the API versions it answers and its error bodies."""

import pytest
import requests

from tests.sandbox import Sandbox
from tests.sandbox.__main__ import parse_args
from tests.sandbox.rundeck_versions import DEFAULT_RELEASE, current_api_version, parse_release

AUTH = {"X-Rundeck-Auth-Token": "sandbox-rundeck-token"}


@pytest.fixture(scope="module")
def rundeck_5_0():
    with Sandbox(ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}, credentials={"rundeck_version": "5.0"}) as sandbox:
        yield sandbox


@pytest.mark.parametrize(
    "release, current",
    [("5.0", 46), ("5.0.3", 46), ("5.1", 46), ("5.4", 48), ("5.8", 50), ("5.17", 56), ("5.20.1", 58), ("6.0", 58), ("6.1", 59), ("6.9", 59)],
)
def test_each_release_answers_up_to_its_current_api_version(release, current):
    assert current_api_version(parse_release(release)) == current


@pytest.mark.parametrize("text", ["4.17", "5", "five.zero", "5.0.0.1", ""])
def test_releases_before_5_0_or_not_releases_are_refused(text):
    with pytest.raises(ValueError):
        parse_release(text)


def test_the_default_is_the_newest_release():
    assert DEFAULT_RELEASE == "6.1"
    assert parse_args([]).rundeck_version == DEFAULT_RELEASE
    assert parse_args(["--rundeck-version", "5.0"]).rundeck_version == "5.0"
    with pytest.raises(SystemExit):
        parse_args(["--rundeck-version", "4.0"])


def test_a_release_before_5_0_does_not_start():
    sandbox = Sandbox(ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}, credentials={"rundeck_version": "4.17"})
    with pytest.raises(ValueError, match="5.0 and later"):
        sandbox.start()


def test_rundeck_5_0_answers_api_46_and_refuses_47(rundeck_5_0):
    base = rundeck_5_0.urls["rundeck"]
    response = requests.get(base + "/api/46/projects", headers=AUTH)
    assert response.status_code == 200
    assert response.json()[0]["url"] == base + "/api/46/project/sandbox"
    response = requests.get(base + "/api/47/projects", headers=AUTH)
    # Before 6.0 an error body has no args.
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": True,
            "apiversion": 46,
            "errorCode": "api.error.api-version.unsupported",
            "message": 'Unsupported API Version "47". API Request: /api/47/projects. Reason: Current version: 46',
        },
    )


def test_rundeck_5_0_writes_job_links_at_api_46(rundeck_5_0):
    base = rundeck_5_0.urls["rundeck"]
    job = {"name": "deploy", "sequence": {"commands": [{"exec": "uptime"}]}}
    result = requests.post(base + "/api/44/project/sandbox/jobs/import", headers=AUTH, json=[job]).json()
    assert result["succeeded"][0]["href"].startswith(base + "/api/46/job/")
    response = requests.get(base + "/api/44/job/missing", headers=AUTH)
    assert response.json()["apiversion"] == 46


def test_the_newest_release_adds_the_message_args(sandbox):
    base = sandbox.urls["rundeck"]
    response = requests.get(base + "/api/60/projects", headers=AUTH)
    assert response.json()["args"] == ["60", "/api/60/projects", "Current version: 59"]
    assert response.json()["apiversion"] == 59
