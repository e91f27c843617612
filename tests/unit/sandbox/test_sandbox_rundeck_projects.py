# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Rundeck API over HTTP: projects, their properties and their deletion."""

import time

import pytest
import requests

from tests.sandbox import rundeck
from tests.sandbox.rundeck_projects import DEFAULT_PROPERTIES
from tests.sandbox.rundeck_versions import DEFAULT_RELEASE, current_api_version, parse_release

# Error bodies carry the emulated release's own current API version.
SERVER_API_VERSION = current_api_version(parse_release(DEFAULT_RELEASE))

POLICY = """description: ops runs jobs
for:
  job:
    - allow: [read, run]
by:
  group: ops
"""
DEFAULTS = dict(DEFAULT_PROPERTIES)


def error(status, code, message, args=None):
    body = {"error": True, "apiversion": SERVER_API_VERSION, "errorCode": code, "message": message}
    if args:
        body["args"] = args
    return status, body


def answer(response):
    return response.status_code, response.json()


def versioned(sandbox, version):
    return "%s/api/%d" % (sandbox.urls["rundeck"], version)


def create(api, auth, **body):
    response = requests.post(api + "/projects", headers=auth, json=body)
    assert response.status_code == 201, response.text
    return response.json()


# -- listing and reading ------------------------------------------------------------


def test_the_seeded_project(sandbox, api, auth):
    projects = requests.get(api + "/projects", headers=auth).json()
    assert [(p["name"], p["description"], p["label"]) for p in projects] == [("sandbox", "Seeded by the sandbox", "")]
    assert projects[0]["url"] == sandbox.urls["rundeck"] + "/api/%d/project/sandbox" % SERVER_API_VERSION
    assert projects[0]["created"].endswith("Z")
    config = requests.get(api + "/project/sandbox", headers=auth).json()["config"]
    assert config == dict(DEFAULTS, **{"project.name": "sandbox", "project.description": "Seeded by the sandbox"})


@pytest.mark.parametrize(
    "version, keys",
    [
        (25, ["description", "name", "url"]),
        (26, ["description", "label", "name", "url"]),
        (33, ["created", "description", "label", "name", "url"]),
    ],
)
def test_listings_gain_the_label_at_26_and_the_creation_date_at_33(sandbox, auth, version, keys):
    projects = requests.get(versioned(sandbox, version) + "/projects", headers=auth).json()
    assert sorted(projects[0]) == keys


def test_a_project_shows_its_label_only_when_it_has_one_and_from_api_26(sandbox, api, auth):
    create(api, auth, name="web", config={"project.label": "Web tier"})
    assert requests.get(api + "/project/web", headers=auth).json()["label"] == "Web tier"
    assert "label" not in requests.get(versioned(sandbox, 25) + "/project/web", headers=auth).json()
    assert "label" not in requests.get(api + "/project/sandbox", headers=auth).json()
    listed = requests.get(api + "/projects", headers=auth).json()
    assert [(p["name"], p["label"]) for p in listed] == [("sandbox", ""), ("web", "Web tier")]


def test_a_missing_project_is_refused_before_any_endpoint_runs(sandbox, api, auth):
    # Restated from the server's own API tests (ProjectSpec "get project wrong name", ConfigSpec
    # "test-project-invalid"): errorCode api.error.project.missing, for every endpoint under the project.
    missing = error(404, "api.error.project.missing", "Project does not exist: nope", ["nope"])
    assert answer(requests.get(api + "/project/nope", headers=auth)) == missing
    assert answer(requests.delete(api + "/project/nope", headers=auth)) == missing
    assert answer(requests.get(api + "/project/nope/config", headers=auth)) == missing
    assert answer(requests.get(api + "/project/nope/config/a.b", headers=auth)) == missing
    assert answer(requests.put(api + "/project/nope/config/a.b", headers=auth, json={"value": "x"})) == missing
    assert answer(requests.delete(api + "/project/nope/config/a.b", headers=auth)) == missing
    assert answer(requests.get(api + "/project/nope/acl/", headers=auth)) == missing
    assert answer(requests.get(api + "/project/nope/jobs", headers=auth)) == missing
    # A "project" parameter is checked the same way, and before the token.
    assert answer(requests.get(api + "/projects", headers=auth, params={"project": "nope"})) == missing
    assert answer(requests.get(api + "/project/nope")) == missing
    response = requests.get(sandbox.urls["rundeck"] + "/api/13/project/nope")
    assert response.json()["errorCode"] == "api.error.api-version.unsupported"


# -- creation -------------------------------------------------------------------------


def test_creation_adds_the_name_and_the_defaults_the_request_leaves_out(sandbox, api, auth):
    body = {"name": "web", "description": "Web tier",
            "config": {"project.nodeCache.enabled": False, "service.NodeExecutor.default.provider": "sshj-ssh", "n": 3}}
    response = requests.post(api + "/projects", headers=auth, json=body)
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "web"
    assert created["description"] == "Web tier"
    assert created["url"] == sandbox.urls["rundeck"] + "/api/%d/project/web" % SERVER_API_VERSION
    assert "label" not in created
    # A project's own answer has its creation date too (API 33 and later).
    assert created["created"].endswith("Z")
    assert created["config"] == dict(DEFAULTS, **{
        "project.name": "web",
        "project.description": "Web tier",
        "project.nodeCache.enabled": "false",
        "service.NodeExecutor.default.provider": "sshj-ssh",
        "n": "3",
    })
    assert requests.get(api + "/project/web", headers=auth).json() == created
    assert [p["name"] for p in requests.get(api + "/projects", headers=auth).json()] == ["sandbox", "web"]


def test_a_resource_source_of_ones_own_replaces_the_default_one(api, auth):
    created = create(api, auth, name="web", config={"resources.source.1.type": "file"})
    assert created["config"]["resources.source.1.type"] == "file"


def test_the_config_description_wins_over_the_description_field(api, auth):
    created = create(api, auth, name="web", description="field", config={"project.description": "property"})
    assert created["description"] == "property"


def test_creating_an_existing_project_is_a_conflict_in_the_servers_words(api, auth):
    response = requests.post(api + "/projects", headers=auth, json={"name": "sandbox"})
    assert answer(response) == error(409, "api.error.item.alreadyexists", "project already exists: sandbox", ["project", "sandbox"])


@pytest.mark.parametrize("name", ["has space", ".hidden", "a/b", "é"])
def test_project_names_are_checked(api, auth, name):
    response = requests.post(api + "/projects", headers=auth, json={"name": name})
    message = "Project name can only contain these characters: [a-zA-Z0-9_-+.] and cannot start with a '.'."
    assert answer(response) == error(400, "project.name.can.only.contain.these.characters", message)


@pytest.mark.parametrize(
    "body, reason",
    [
        ({"description": "x"}, "json: required 'name' but it was not found"),
        ({"name": None}, "json: required 'name' but it was not found"),
        ({"name": 5}, "json: expected 'name' to be a String"),
        ({"name": "web", "config": ["a"]}, "json: expected 'config' to be a Map"),
        ({"config": "a"}, "json: required 'name' but it was not found; json: expected 'config' to be a Map"),
        ({"name": ""}, "Project 'name' is required"),
    ],
)
def test_project_creation_needs_a_name(api, auth, body, reason):
    # JsonUtil.validateJson's words, wrapped by api.error.invalid.request's "Invalid API Request: {0}".
    response = requests.post(api + "/projects", headers=auth, json=body)
    assert answer(response) == error(400, "api.error.invalid.request", "Invalid API Request: " + reason, [reason])


@pytest.mark.parametrize("config", [["a"], {"a": ["b"]}, {"a": {"b": "c"}}, {"a": None}])
def test_project_config_must_map_names_to_scalars(api, auth, config):
    response = requests.post(api + "/projects", headers=auth, json={"name": "web", "config": config})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "api.error.invalid.request"
    assert requests.get(api + "/project/web", headers=auth).status_code == 404


# -- deletion ---------------------------------------------------------------------------


def test_deletion_is_deferred_by_default_from_api_45(api, auth):
    create(api, auth, name="web")
    assert requests.delete(api + "/project/web", headers=auth).status_code == 204
    # Answered before the work is done: the project is still there for a moment.
    assert requests.get(api + "/project/web", headers=auth).status_code == 200
    assert requests.post(api + "/projects", headers=auth, json={"name": "web"}).status_code == 409
    time.sleep(rundeck.DEFERRED_DELETE_SECONDS + 0.1)
    assert requests.get(api + "/project/web", headers=auth).status_code == 404


@pytest.mark.parametrize("version, query", [(49, {"deferred": "false"}), (44, {}), (44, {"deferred": "true"})])
def test_deletion_is_done_before_the_answer_without_deferral(sandbox, auth, version, query):
    api = versioned(sandbox, version)
    create(api, auth, name="web")
    assert requests.delete(api + "/project/web", headers=auth, params=query).status_code == 204
    assert requests.get(api + "/project/web", headers=auth).status_code == 404


def test_deleting_a_project_removes_its_policies(api, auth):
    create(api, auth, name="web")
    response = requests.post(api + "/project/web/acl/ops.aclpolicy", headers=auth, json={"contents": POLICY})
    assert response.status_code == 201
    requests.delete(api + "/project/web", headers=auth, params={"deferred": "false"})
    create(api, auth, name="web")
    assert requests.get(api + "/project/web/acl/", headers=auth).json()["resources"] == []


def test_a_reset_forgets_pending_deletions(sandbox, api, auth):
    assert requests.delete(api + "/project/sandbox", headers=auth).status_code == 204
    sandbox.reset()
    time.sleep(rundeck.DEFERRED_DELETE_SECONDS + 0.1)
    assert requests.get(api + "/project/sandbox", headers=auth).status_code == 200


# -- configuration keys -------------------------------------------------------------------


def test_a_key_as_json_or_as_text(api, auth):
    url = api + "/project/sandbox/config/project.description"
    response = requests.get(url, headers=dict(auth, Accept="application/json"))
    assert answer(response) == (200, {"key": "project.description", "value": "Seeded by the sandbox"})
    response = requests.get(url, headers=dict(auth, Accept="text/plain"))
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "Seeded by the sandbox"


def test_a_missing_key(api, auth):
    response = requests.get(api + "/project/sandbox/config/no.such.key", headers=dict(auth, Accept="application/json"))
    assert answer(response) == error(404, "api.error.item.doesnotexist", "property does not exist: no.such.key", ["property", "no.such.key"])


def test_setting_and_removing_one_key_leaves_the_others(api, auth):
    headers = dict(auth, Accept="application/json")
    url = api + "/project/sandbox/config/project.label"
    response = requests.put(url, headers=headers, json={"value": "Sandbox"})
    assert answer(response) == (200, {"key": "project.label", "value": "Sandbox"})
    project = requests.get(api + "/project/sandbox", headers=auth).json()
    assert project["label"] == "Sandbox"
    assert project["config"]["project.description"] == "Seeded by the sandbox"

    response = requests.put(url, headers=dict(headers, **{"Content-Type": "text/plain"}), data="Plain text")
    assert answer(response) == (200, {"key": "project.label", "value": "Plain text"})

    assert requests.delete(url, headers=auth).status_code == 204
    project = requests.get(api + "/project/sandbox", headers=auth).json()
    assert "label" not in project and "project.label" not in project["config"]
    # Removing a key that is not set is not an error.
    assert requests.delete(url, headers=auth).status_code == 204


def test_a_value_is_stored_as_text(api, auth):
    headers = dict(auth, Accept="application/json")
    response = requests.put(api + "/project/sandbox/config/project.nodeCache.enabled", headers=headers, json={"value": True})
    assert answer(response) == (200, {"key": "project.nodeCache.enabled", "value": "true"})


@pytest.mark.parametrize("body", [{"value": ""}, {}, {"other": "x"}])
def test_an_empty_value_is_refused(api, auth, body):
    response = requests.put(api + "/project/sandbox/config/a.b", headers=auth, json=body)
    reason = "value was not specified"
    assert answer(response) == error(400, "api.error.invalid.request", "Invalid API Request: " + reason, [reason])
    assert "a.b" not in requests.get(api + "/project/sandbox", headers=auth).json()["config"]


def test_a_key_may_hold_slashes_as_on_the_server(api, auth):
    url = api + "/project/sandbox/config/plugin/odd.key"
    assert requests.put(url, headers=auth, json={"value": "x"}).status_code == 200
    assert requests.get(api + "/project/sandbox", headers=auth).json()["config"]["plugin/odd.key"] == "x"


# -- the whole configuration ------------------------------------------------------------------


def test_the_whole_configuration(api, auth):
    config = requests.get(api + "/project/sandbox/config", headers=auth).json()
    assert config == requests.get(api + "/project/sandbox", headers=auth).json()["config"]


def test_a_put_of_the_whole_configuration_replaces_every_property_but_the_name(api, auth):
    response = requests.put(api + "/project/sandbox/config", headers=auth, json={"only.this": 1})
    assert answer(response) == (200, {"only.this": "1", "project.name": "sandbox"})
    project = requests.get(api + "/project/sandbox", headers=auth).json()
    assert project["description"] == ""
    assert project["config"] == {"only.this": "1", "project.name": "sandbox"}
