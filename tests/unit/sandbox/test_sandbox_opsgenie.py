# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Opsgenie Deployment API: authentication, asynchronous writes, request status, reads, updates."""

import re
import time
import uuid
from datetime import datetime, timezone

import pytest

UNPROCESSABLE = "Request body is not processable. Please check the errors."
NOT_PROCESSED = "Request not found. It might not be processed, yet."
WORKSPACE_UUID = "{5d3f4a52-7c1e-4b8a-9f60-2b7d1c9e0a11}"
PIPELINES_ID = "0e1a5c8d-66a5-34a4-a315-733caa5e5636"
PIPELINES_UUID = "{4d1cd861-99be-5708-9925-e4e153365098}"
OTHER_PIPELINES_UUID = "{cf848148-506d-52ff-b909-9ec2d8312591}"
NOT_DATE = "must be an ISO-8601 date-time, e.g. 2020-03-26T14:05:07.594Z"


def check_envelope(response, status):
    """The status, and the took and requestId Opsgenie puts in every answer; returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body["took"], float) and 0 < body["took"] < 5
    assert uuid.UUID(body["requestId"]).version == 4
    # Opsgenie's standard headers repeat them.
    assert response.headers["X-Request-ID"] == body["requestId"]
    return body


def error(response, status):
    body = check_envelope(response, status)
    assert sorted(body) in (["message", "requestId", "took"], ["errors", "message", "requestId", "took"])
    return body["message"], body.get("errors")


def accepted(response):
    body = check_envelope(response, 202)
    assert body["result"] == "Request will be processed"
    return body["requestId"]


def stored(opsgenie):
    return opsgenie.control("GET", "deployments").json()


def outcome(status, text, deployment_id="", action="Create"):
    return {"action": action, "isSuccess": status, "status": text, "deploymentId": deployment_id}


def without_time(data):
    assert data["processedAt"].endswith("Z")
    return {key: value for key, value in data.items() if key != "processedAt"}


# -- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "GenieKey wrong-key", "GenieKey", "Bearer sandbox-opsgenie-key", "sandbox-opsgenie-key", "Basic c2FuZGJveA=="],
)
@pytest.mark.parametrize("method, path", [("GET", "/v2/deployments/search"), ("POST", "/v2/deployments"), ("GET", "/v2/nothing")])
def test_without_a_valid_key(opsgenie, authorization, method, path):
    headers = {"Authorization": authorization} if authorization else {}
    response = opsgenie.request(method, path, headers=headers, json=opsgenie.body())
    assert error(response, 401) == ("Could not authenticate", None)
    assert opsgenie.control("GET", "requests").json() == []


def test_the_scheme_is_read_in_any_case(opsgenie):
    response = opsgenie.request(
        "GET", "/v2/deployments/" + PIPELINES_ID, headers={"Authorization": "geniekey  sandbox-opsgenie-key"}
    )
    assert check_envelope(response, 200)["data"]["id"] == PIPELINES_ID


def test_the_read_only_key_reads_but_never_writes(opsgenie):
    headers = opsgenie.read_only_headers
    assert opsgenie.request("GET", "/v2/deployments/" + PIPELINES_ID, headers=headers).status_code == 200
    params = {"serviceIds": "00000000-0000-0000-0000-000000000001"}
    assert len(opsgenie.request("GET", "/v2/deployments/search", headers=headers, params=params).json()["data"]) == 2
    assert error(opsgenie.status(str(uuid.uuid4())), 404) == (NOT_PROCESSED, None)
    for method, path, body in (
        ("POST", "/v2/deployments", opsgenie.body()),
        ("PATCH", "/v2/deployments/%s/updateState" % PIPELINES_ID, {"state": "failed", "completedAt": "2020-08-17T09:00:00Z"}),
        ("PATCH", "/v2/deployments/x/update", {"message": "x"}),
        # Refused for its key before its body is looked at.
        ("POST", "/v2/deployments", {}),
    ):
        response = opsgenie.request(method, path, headers=headers, json=body)
        assert error(response, 403) == ("Api key does not have create and update access", None)
    assert opsgenie.control("GET", "requests").json() == []
    # The status of a write made with the full key can be read with the read-only one.
    response = opsgenie.request("POST", "/v2/deployments", json=opsgenie.body())
    request_id = accepted(response)
    opsgenie.process()
    assert opsgenie.request("GET", "/v2/deployments/requests/" + request_id, headers=headers).status_code == 200


def test_unknown_paths_and_methods(opsgenie):
    assert error(opsgenie.request("GET", "/v2/alerts"), 404) == ("Could not find the requested resource.", None)
    # Outside /v2 there is nothing to authenticate for.
    assert error(opsgenie.request("GET", "/anything", headers={}), 404) == ("Could not find the requested resource.", None)
    response = opsgenie.request("DELETE", "/v2/deployments/" + PIPELINES_ID)
    assert error(response, 405) == ("Method Not Allowed", None)
    assert "GET" in response.headers["Allow"]
    response = opsgenie.request("GET", "/v2/deployments")
    assert error(response, 405) == ("Method Not Allowed", None)
    assert "POST" in response.headers["Allow"]


# -- create and the request status --------------------------------------------------------------


def test_a_create_is_processed_later(opsgenie):
    before = stored(opsgenie)
    request_id = accepted(opsgenie.request("POST", "/v2/deployments", json=opsgenie.body(externalId="ext-1")))
    # The default delay is half a second: not processed yet.
    assert error(opsgenie.status(request_id), 404) == (NOT_PROCESSED, None)
    assert stored(opsgenie) == before
    assert opsgenie.process() == 1
    response = opsgenie.status(request_id)
    body = check_envelope(response, 200)
    # Every answer carries its own request id, in the body and in X-Request-ID.
    assert body["requestId"] != request_id and response.headers["X-Request-ID"] == body["requestId"]
    assert float(response.headers["X-Response-Time"]) == body["took"]
    data = body["data"]
    assert without_time(data) == outcome(True, "Deployment successfully created", data["deploymentId"])
    assert uuid.UUID(data["deploymentId"])
    assert opsgenie.deployment(data["deploymentId"]) == {
        "id": data["deploymentId"],
        "externalId": "ext-1",
        "state": "started",
        "environment": {"environmentType": "Test", "identifier": "us-west-2", "displayName": "Lab Oregon"},
        "type": "api",
        "startedAt": "2020-03-26T14:05:07.594Z",
        "releases": [{"commit": {"sha": "0c9135c"}, "type": "bbc", "repository": {"repoSlug": "app", "workspace": "sandbox"}}],
    }
    # Processed once only.
    assert opsgenie.process() == 0
    assert len(stored(opsgenie)) == len(before) + 1


def test_unknown_and_unprocessed_requests_look_the_same(opsgenie):
    assert error(opsgenie.status(str(uuid.uuid4())), 404) == (NOT_PROCESSED, None)
    assert error(opsgenie.status("not-a-uuid"), 404) == (NOT_PROCESSED, None)


def test_a_request_is_processed_once_its_delay_has_passed(opsgenie):
    opsgenie.settings(processing_delay=0.2)
    request_id = accepted(opsgenie.request("POST", "/v2/deployments", json=opsgenie.body()))
    assert opsgenie.status(request_id).status_code == 404
    time.sleep(0.25)
    assert opsgenie.status(request_id).json()["data"]["isSuccess"] is True


def test_without_delay_the_next_request_processes(opsgenie):
    opsgenie.settings(processing_delay=0)
    request_id = accepted(opsgenie.request("POST", "/v2/deployments", json=opsgenie.body()))
    data = check_envelope(opsgenie.status(request_id), 200)["data"]
    assert data["status"] == "Deployment successfully created"


def test_requests_are_processed_in_the_order_they_were_accepted(opsgenie):
    update = {"state": "successful", "completedAt": "2020-03-26T14:15:07.594Z"}
    early = accepted(opsgenie.request("PATCH", "/v2/deployments/ordered/updateState", params={"type": "api"}, json=update))
    create = accepted(opsgenie.request("POST", "/v2/deployments", json=opsgenie.body(externalId="ordered")))
    late = accepted(opsgenie.request("PATCH", "/v2/deployments/ordered/updateState", params={"type": "api"}, json=update))
    assert opsgenie.process() == 3
    created = opsgenie.status(create).json()["data"]["deploymentId"]
    assert without_time(opsgenie.status(early).json()["data"]) == outcome(
        False, "Deployment with identifier: ordered not found", action="Update State"
    )
    assert without_time(opsgenie.status(late).json()["data"]) == outcome(
        True, "Deployment State updated successfully", created, "Update State"
    )
    assert opsgenie.deployment("ordered", "api")["state"] == "successful"


def test_optional_fields_and_the_reference_alias(opsgenie):
    data = opsgenie.create(
        message="Hotfix for integration",
        description="Changed node types",
        reference="http://jenkins.example.com/#/trace/1",
        completedAt="2020-03-26T14:15:07.594Z",
        environment={"type": "Production", "id": "eu-1"},
        colour="red",
    )
    deployment = opsgenie.deployment(data["deploymentId"])
    assert deployment["externalLink"] == "http://jenkins.example.com/#/trace/1"
    assert (deployment["message"], deployment["description"]) == ("Hotfix for integration", "Changed node types")
    assert deployment["completedAt"] == "2020-03-26T14:15:07.594Z"
    # Without a displayName the environment shows its id; the external id defaults to the id.
    assert deployment["environment"] == {"environmentType": "Production", "identifier": "eu-1", "displayName": "eu-1"}
    assert deployment["externalId"] == deployment["id"]
    assert "colour" not in deployment
    data = opsgenie.create(externalLink="http://a.example.com", reference="http://b.example.com")
    assert opsgenie.deployment(data["deploymentId"])["externalLink"] == "http://a.example.com"


def test_several_releases_and_workspaces_by_uuid(opsgenie):
    releases = [
        {
            "type": "bbc",
            "repository": {"workspace": {"identifier": "SandBox"}, "repoSlug": "app"},
            "commit": {"sha": "61445f248943ag8a"},
        },
        {
            "type": "bbc",
            "repository": {"workspace": {"identifier": WORKSPACE_UUID.strip("{}").upper(), "type": "bbcUuid"}, "repoSlug": "api"},
            "commit": {"sha": "1"},
        },
    ]
    data = opsgenie.create(releases=releases)
    assert data["isSuccess"] is True
    assert opsgenie.deployment(data["deploymentId"])["releases"] == [
        {"commit": {"sha": "61445f248943ag8a"}, "type": "bbc", "repository": {"repoSlug": "app", "workspace": "SandBox"}},
        {
            "commit": {"sha": "1"},
            "type": "bbc",
            "repository": {"repoSlug": "api", "workspace": "5D3F4A52-7C1E-4B8A-9F60-2B7D1C9E0A11"},
        },
    ]


# -- dates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sent, shown",
    [
        ("2020-08-17T08:11:37.91Z", "2020-08-17T08:11:37.91Z"),
        ("2020-08-17T08:11:37.910Z", "2020-08-17T08:11:37.91Z"),
        ("2020-08-17T08:11:37.900Z", "2020-08-17T08:11:37.9Z"),
        ("2020-08-17T08:11:37.000Z", "2020-08-17T08:11:37Z"),
        ("2020-08-17T08:11:37Z", "2020-08-17T08:11:37Z"),
        ("2020-08-17T08:11:37.123999999Z", "2020-08-17T08:11:37.123Z"),
        ("2020-08-17T10:11:37.594+02:00", "2020-08-17T08:11:37.594Z"),
        ("2020-08-17T06:41:37-0130", "2020-08-17T08:11:37Z"),
        ("2020-08-17T08:11:37.5", "2020-08-17T08:11:37.5Z"),
    ],
)
def test_dates_are_shown_as_opsgenie_shows_them(opsgenie, sent, shown):
    deployment = opsgenie.deployment(opsgenie.create(startedAt=sent, completedAt=sent)["deploymentId"])
    assert (deployment["startedAt"], deployment["completedAt"]) == (shown, shown)


def test_the_processing_time_is_shown_like_other_dates(opsgenie):
    processed = opsgenie.create()["processedAt"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,2}[1-9])?Z\Z", processed)
    moment = datetime.fromisoformat(processed.replace("Z", "+00:00"))
    assert abs((datetime.now(timezone.utc) - moment).total_seconds()) < 5


# -- synchronous validation ------------------------------------------------------------------------------


def release(**repository):
    base = {"workspace": {"identifier": "sandbox"}, "repoSlug": "app"}
    base.update(repository)
    return [
        {"type": "bbc", "repository": {key: value for key, value in base.items() if value is not None}, "commit": {"sha": "1"}}
    ]


@pytest.mark.parametrize(
    "changes, errors",
    [
        ({"state": None}, {"state": "must not be null"}),
        ({"state": "Started"}, {"state": "must be one of: initial, started, successful, failed"}),
        ({"state": 1}, {"state": "must be one of: initial, started, successful, failed"}),
        ({"environment": None}, {"environment": "must not be null"}),
        ({"environment": "Test"}, {"environment": "must be an object"}),
        ({"environment": {"id": "x"}}, {"environment.type": "must not be null"}),
        ({"environment": {"type": "test", "id": "x"}}, {"environment.type": "must be one of: Test, Staging, Production"}),
        ({"environment": {"type": "Test"}}, {"environment.id": "must not be blank"}),
        ({"environment": {"type": "Test", "id": " "}}, {"environment.id": "must not be blank"}),
        ({"environment": {"type": "Test", "id": 7}}, {"environment.id": "must be a string"}),
        ({"environment": {"type": "Test", "id": "x", "displayName": 3}}, {"environment.displayName": "must be a string"}),
        ({"startedAt": None}, {"startedAt": "must not be null"}),
        ({"startedAt": "yesterday"}, {"startedAt": NOT_DATE}),
        ({"startedAt": "2020-03-26"}, {"startedAt": NOT_DATE}),
        ({"startedAt": "2020-13-01T00:00:00Z"}, {"startedAt": NOT_DATE}),
        ({"startedAt": 1585231507}, {"startedAt": NOT_DATE}),
        ({"completedAt": "soon"}, {"completedAt": NOT_DATE}),
        ({"releases": None}, {"releases": "must not be empty"}),
        ({"releases": []}, {"releases": "must not be empty"}),
        ({"releases": {}}, {"releases": "must be a list"}),
        ({"releases": ["x"]}, {"releases[0]": "must be an object"}),
        (
            {"releases": [{"type": "github", "repository": release()[0]["repository"], "commit": {"sha": "1"}}]},
            {"releases[0].type": "must be bbc"},
        ),
        (
            {"releases": [{"repository": release()[0]["repository"], "commit": {"sha": "1"}}]},
            {"releases[0].type": "must not be null"},
        ),
        ({"releases": [{"type": "bbc", "commit": {"sha": "1"}}]}, {"releases[0].repository": "must not be null"}),
        ({"releases": release(workspace=None)}, {"releases[0].repository.workspace": "must not be null"}),
        ({"releases": release(workspace="sandbox")}, {"releases[0].repository.workspace": "must be an object"}),
        (
            {"releases": release(workspace={"identifier": ""})},
            {"releases[0].repository.workspace.identifier": "must not be blank"},
        ),
        (
            {"releases": release(workspace={"identifier": "x", "type": "uuid"})},
            {"releases[0].repository.workspace.type": "must be bbcUuid"},
        ),
        ({"releases": release(repoSlug=None)}, {"releases[0].repository.repoSlug": "must not be blank"}),
        ({"releases": [dict(release()[0], commit=None)]}, {"releases[0].commit": "must not be null"}),
        ({"releases": [dict(release()[0], commit={"sha": ""})]}, {"releases[0].commit.sha": "must not be blank"}),
        ({"releases": [dict(release()[0], commit={"sha": 1})]}, {"releases[0].commit.sha": "must be a string"}),
        ({"releases": release() + release(repoSlug="")}, {"releases[1].repository.repoSlug": "must not be blank"}),
        ({"message": 5}, {"message": "must be a string"}),
        ({"externalId": 5}, {"externalId": "must be a string"}),
        ({"description": ["x"]}, {"description": "must be a string"}),
        ({"externalLink": {}}, {"externalLink": "must be a string"}),
        ({"reference": 1}, {"reference": "must be a string"}),
        (
            {"state": "done", "environment": None, "startedAt": "x"},
            {
                "state": "must be one of: initial, started, successful, failed",
                "environment": "must not be null",
                "startedAt": NOT_DATE,
            },
        ),
    ],
)
def test_create_validation(opsgenie, changes, errors):
    response = opsgenie.request("POST", "/v2/deployments", json=opsgenie.body(**changes))
    assert error(response, 422) == (UNPROCESSABLE, errors)
    assert opsgenie.control("GET", "requests").json() == []


@pytest.mark.parametrize("data", ["[]", "null"])
def test_a_body_that_is_not_a_json_object(opsgenie, data):
    response = opsgenie.request(
        "POST", "/v2/deployments", data=data, headers=dict(opsgenie.headers, **{"Content-Type": "application/json"})
    )
    assert error(response, 422) == (UNPROCESSABLE, {"body": "must be a JSON object"})


@pytest.mark.parametrize("path", ["/v2/deployments", "/v2/deployments/x/updateState?type=tiny", "/v2/deployments/x/update"])
@pytest.mark.parametrize("data", ["not json", ""])
def test_a_body_that_is_not_json_is_a_bad_request(opsgenie, data, path):
    method = "POST" if path == "/v2/deployments" else "PATCH"
    response = opsgenie.request(method, path, data=data, headers=dict(opsgenie.headers, **{"Content-Type": "application/json"}))
    assert error(response, 400) == ("Invalid JSON body", None)
    assert opsgenie.control("GET", "requests").json() == []


# -- failures found when a request is processed -------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, status",
    [
        ({"releases": release(workspace={"identifier": "opsgenie"})}, "Bitbucket Integration with name: opsgenie not found"),
        # A UUID without the bbcUuid type is taken for a name.
        (
            {"releases": release(workspace={"identifier": WORKSPACE_UUID})},
            "Bitbucket Integration with name: %s not found" % WORKSPACE_UUID,
        ),
        (
            {"releases": release(workspace={"identifier": "{00000000-0000-0000-0000-000000000000}", "type": "bbcUuid"})},
            "Bitbucket Integration with uuid: {00000000-0000-0000-0000-000000000000} not found",
        ),
        (
            {"releases": release(workspace={"identifier": "SANDBOX"}, repoSlug="web")},
            "Repository web not found in Bitbucket workspace sandbox",
        ),
        ({"releases": release() + release(repoSlug="web")}, "Repository web not found in Bitbucket workspace sandbox"),
        ({"externalId": PIPELINES_UUID}, "Deployment with externalId: %s already exists" % PIPELINES_UUID),
    ],
)
def test_create_failures_are_reported_by_the_request_status(opsgenie, changes, status):
    before = stored(opsgenie)
    assert without_time(opsgenie.create(**changes)) == outcome(False, status)
    assert stored(opsgenie) == before


def test_external_ids_are_unique(opsgenie):
    first = opsgenie.create(externalId="build-7")
    assert first["isSuccess"] is True
    assert without_time(opsgenie.create(externalId="build-7")) == outcome(
        False, "Deployment with externalId: build-7 already exists"
    )
    assert opsgenie.deployment("build-7", "api")["id"] == first["deploymentId"]


# -- get ---------------------------------------------------------------------------------------------------


def test_a_pipelines_deployment_in_the_reference_shape(opsgenie):
    expected = {
        "id": PIPELINES_ID,
        "externalId": PIPELINES_UUID,
        "state": "successful",
        "environment": {
            "environmentType": "Production",
            "identifier": "{598f7ddd-21c3-4064-a569-4dac1b8b0280}",
            "displayName": "production",
        },
        "type": "pipelines",
        "startedAt": "2020-08-17T08:16:57.943Z",
        "completedAt": "2020-08-17T08:17:02.998Z",
        "releases": [
            {
                "commit": {"sha": "2f5e052a8c4d1e3b5f7a9c0d2e4f6a8b1c3d5e7f"},
                "type": "bbc",
                "repository": {"repoSlug": "{8b1f2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d}", "workspace": WORKSPACE_UUID},
            }
        ],
        "createdOn": "1970-01-01T00:26:37.652Z",
        "fullname": "sandbox/app",
        "deployableName": "Adding README123.md",
        "commitMessage": "Adding README123.md",
    }
    assert opsgenie.deployment(PIPELINES_ID) == expected
    assert opsgenie.deployment(PIPELINES_ID, "id") == expected
    assert opsgenie.deployment(PIPELINES_UUID, "pipelines") == expected
    other = opsgenie.deployment(OTHER_PIPELINES_UUID, "pipelines")
    assert (other["id"], other["completedAt"]) == ("29a25632-1189-37ca-ae7b-8828e77ab077", "2020-08-17T08:11:37.91Z")


def test_identifiers_and_types(opsgenie):
    identifier = "release/2.0 {blue}"
    created = opsgenie.create(externalId=identifier)["deploymentId"]
    assert opsgenie.deployment(identifier, "api")["id"] == created
    assert opsgenie.deployment(created)["externalId"] == identifier
    for path, params in (
        ("/v2/deployments/" + created, {"type": "api"}),
        ("/v2/deployments/" + created, {"type": "pipelines"}),
        ("/v2/deployments/" + PIPELINES_UUID, {"type": "api"}),
        ("/v2/deployments/" + PIPELINES_UUID, {}),
        ("/v2/deployments/RELEASE%2F2.0%20%7Bblue%7D", {"type": "api"}),
    ):
        response = opsgenie.request("GET", path, params=params)
        assert error(response, 404)[0].startswith("Deployment not found with identifier: ")
    response = opsgenie.request("GET", "/v2/deployments/nothing-here")
    assert error(response, 404) == ("Deployment not found with identifier: nothing-here", None)
    response = opsgenie.request("GET", "/v2/deployments/" + created, params={"type": "alias"})
    assert error(response, 422) == (UNPROCESSABLE, {"type": "must be one of: id, api, pipelines"})


# -- update state ---------------------------------------------------------------------------------------------


def test_update_state(opsgenie):
    created = opsgenie.create(externalId="web-42")["deploymentId"]
    body = {"state": "failed", "completedAt": "2020-03-26T14:20:00.1Z"}
    data = opsgenie.write("PATCH", "/v2/deployments/web-42/updateState", body, params={"type": "api"})
    assert without_time(data) == outcome(True, "Deployment State updated successfully", created, "Update State")
    deployment = opsgenie.deployment(created)
    assert (deployment["state"], deployment["completedAt"]) == ("failed", "2020-03-26T14:20:00.1Z")
    # Pipelines deployments take it too.
    body = {"state": "failed", "completedAt": "2020-08-17T09:00:00Z"}
    data = opsgenie.write("PATCH", "/v2/deployments/%s/updateState" % PIPELINES_UUID, body, params={"type": "pipelines"})
    assert data["isSuccess"] is True
    assert opsgenie.deployment(PIPELINES_ID)["state"] == "failed"


def test_update_state_of_a_missing_deployment_fails_later(opsgenie):
    body = {"state": "failed", "completedAt": "2020-08-17T09:00:00Z"}
    data = opsgenie.write("PATCH", "/v2/deployments/%s/updateState" % PIPELINES_UUID, body)
    assert without_time(data) == outcome(
        False, "Deployment with identifier: %s not found" % PIPELINES_UUID, action="Update State"
    )


@pytest.mark.parametrize(
    "body, params, errors",
    [
        ({}, {}, {"state": "must not be null", "completedAt": "must not be null"}),
        (
            {"state": "done", "completedAt": "x"},
            {},
            {"state": "must be one of: initial, started, successful, failed", "completedAt": NOT_DATE},
        ),
        (
            {"state": "failed", "completedAt": "2020-08-17T09:00:00Z"},
            {"type": "tiny"},
            {"type": "must be one of: id, api, pipelines"},
        ),
        ([], {"type": "tiny"}, {"type": "must be one of: id, api, pipelines", "body": "must be a JSON object"}),
    ],
)
def test_update_state_validation(opsgenie, body, params, errors):
    response = opsgenie.request("PATCH", "/v2/deployments/%s/updateState" % PIPELINES_ID, json=body, params=params)
    assert error(response, 422) == (UNPROCESSABLE, errors)
    assert opsgenie.control("GET", "requests").json() == []


# -- update ----------------------------------------------------------------------------------------------------


def test_update_changes_only_the_keys_given(opsgenie):
    created = opsgenie.create(message="m", description="d", externalLink="http://l", externalId="e")["deploymentId"]
    data = opsgenie.write(
        "PATCH", "/v2/deployments/%s/update" % created, {"description": "new", "startedAt": "2020-08-07T14:44:02.374Z"}
    )
    assert without_time(data) == outcome(True, "Deployment updated successfully", created, "Update")
    deployment = opsgenie.deployment(created)
    assert (deployment["message"], deployment["description"], deployment["externalLink"]) == ("m", "new", "http://l")
    assert (deployment["externalId"], deployment["startedAt"]) == ("e", "2020-08-07T14:44:02.374Z")
    # Null is no change, an empty text clears the field.
    opsgenie.write(
        "PATCH", "/v2/deployments/e/update", {"message": "", "description": None, "externalLink": ""}, params={"type": "api"}
    )
    deployment = opsgenie.deployment(created)
    assert "message" not in deployment and "externalLink" not in deployment and deployment["description"] == "new"


def test_update_the_external_id(opsgenie):
    created = opsgenie.create(externalId="old")["deploymentId"]
    opsgenie.write("PATCH", "/v2/deployments/old/update", {"externalId": "new"}, params={"type": "api"})
    assert opsgenie.deployment("new", "api")["id"] == created
    assert opsgenie.request("GET", "/v2/deployments/old", params={"type": "api"}).status_code == 404
    # Its own external id is no conflict; an empty one puts back the default, the id.
    assert opsgenie.write("PATCH", "/v2/deployments/%s/update" % created, {"externalId": "new"})["isSuccess"] is True
    opsgenie.write("PATCH", "/v2/deployments/%s/update" % created, {"externalId": ""})
    assert opsgenie.deployment(created)["externalId"] == created


def test_update_failures_are_reported_by_the_request_status(opsgenie):
    created = opsgenie.create(externalId="mine")["deploymentId"]
    other = opsgenie.create(externalId="taken")["deploymentId"]
    data = opsgenie.write("PATCH", "/v2/deployments/%s/update" % created, {"externalId": "taken", "message": "x"})
    assert without_time(data) == outcome(False, "Deployment with externalId: taken already exists", created, "Update")
    assert "message" not in opsgenie.deployment(created)
    data = opsgenie.write("PATCH", "/v2/deployments/%s/update" % PIPELINES_ID, {"message": "x"})
    assert without_time(data) == outcome(
        False, "Update is not supported for Bitbucket Pipelines deployments", PIPELINES_ID, "Update"
    )
    data = opsgenie.write("PATCH", "/v2/deployments/taken/update", {"message": "x"})
    assert without_time(data) == outcome(False, "Deployment with identifier: taken not found", action="Update")
    assert opsgenie.deployment(other)["externalId"] == "taken"


@pytest.mark.parametrize(
    "body, errors",
    [
        ({"message": 1, "externalId": False}, {"message": "must be a string", "externalId": "must be a string"}),
        ({"externalLink": [], "description": {}}, {"externalLink": "must be a string", "description": "must be a string"}),
        ({"startedAt": "2020-08-07 14:44"}, {"startedAt": NOT_DATE}),
        ("text", {"body": "must be a JSON object"}),
    ],
)
def test_update_validation(opsgenie, body, errors):
    response = opsgenie.request("PATCH", "/v2/deployments/%s/update" % PIPELINES_ID, json=body)
    assert error(response, 422) == (UNPROCESSABLE, errors)


def test_an_empty_update_is_accepted(opsgenie):
    created = opsgenie.create()["deploymentId"]
    before = opsgenie.deployment(created)
    assert opsgenie.write("PATCH", "/v2/deployments/%s/update" % created, {})["isSuccess"] is True
    assert opsgenie.deployment(created) == before


# -- readings the reference leaves open (settings) ---------------------------------------------


def test_a_read_may_leave_out_the_link_and_the_description_the_control_endpoint_still_has_them(opsgenie):
    created = opsgenie.create(externalId="texts", message="m", description="d", externalLink="https://ci.example.com/1")
    assert {"message", "description", "externalLink"} <= set(opsgenie.deployment("texts", "api"))
    opsgenie.settings(read_omits=["externalLink", "description"])
    shown = opsgenie.deployment(created["deploymentId"])
    assert (shown["message"], "description" in shown, "externalLink" in shown) == ("m", False, False)
    stored = [item for item in opsgenie.control("GET", "deployments").json() if item["externalId"] == "texts"]
    assert (stored[0]["description"], stored[0]["externalLink"]) == ("d", "https://ci.example.com/1")


@pytest.mark.parametrize(
    "form, expected", [("as_sent", "sandbox"), ("name", "sandbox"), ("uuid", "{5d3f4a52-7c1e-4b8a-9f60-2b7d1c9e0a11}")]
)
def test_a_workspace_sent_by_name_is_shown_as_the_setting_says(opsgenie, form, expected):
    opsgenie.settings(workspace_shown_as=form)
    opsgenie.create(externalId="by-name")
    assert opsgenie.deployment("by-name", "api")["releases"][0]["repository"]["workspace"] == expected


def test_a_workspace_sent_by_uuid_can_be_shown_by_name(opsgenie):
    release = {"type": "bbc", "commit": {"sha": "0c9135c"},
               "repository": {"workspace": {"identifier": "5D3F4A52-7C1E-4B8A-9F60-2B7D1C9E0A11", "type": "bbcUuid"},
                              "repoSlug": "app"}}
    opsgenie.create(externalId="by-uuid", releases=[release])
    assert opsgenie.deployment("by-uuid", "api")["releases"][0]["repository"]["workspace"] == "5D3F4A52-7C1E-4B8A-9F60-2B7D1C9E0A11"
    opsgenie.settings(workspace_shown_as="name")
    assert opsgenie.deployment("by-uuid", "api")["releases"][0]["repository"]["workspace"] == "sandbox"


def test_with_repeatable_external_ids_a_second_create_works_and_reads_find_the_oldest(opsgenie):
    opsgenie.settings(unique_external_ids=False)
    first = opsgenie.create(externalId="twice")
    second = opsgenie.create(externalId="twice", message="second")
    assert first["isSuccess"] and second["isSuccess"] and first["deploymentId"] != second["deploymentId"]
    assert opsgenie.deployment("twice", "api")["id"] == first["deploymentId"]
    assert opsgenie.deployment(second["deploymentId"])["externalId"] == "twice"


def test_by_default_external_ids_are_unique(opsgenie):
    opsgenie.create(externalId="once")
    refused = opsgenie.create(externalId="once")
    assert (refused["isSuccess"], refused["status"]) == (False, "Deployment with externalId: once already exists")
