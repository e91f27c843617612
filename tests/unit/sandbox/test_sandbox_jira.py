# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Jira: OAuth client credentials, tenant info and the Deployments API of an on-premises integration."""

import time

import pytest
import requests

from tests.sandbox.jira_checks import check_deployment, is_date_time, is_url


# -- the token endpoint and the tenant info ---------------------------------------------------


def test_client_credentials_give_a_bearer_token_with_its_lifetime(jira):
    response = jira.token_request()
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["access_token"]
    assert sorted(body) == ["access_token", "expires_in", "scope", "token_type"]


def test_the_token_request_may_be_json(jira):
    response = requests.post(jira.url + "/oauth/token", json={
        "grant_type": "client_credentials", "client_id": "sandbox-jira-client", "client_secret": "sandbox-jira-secret",
        "audience": "api.atlassian.com"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("fields, status, error", [
    ({"client_secret": "wrong"}, 401, "access_denied"),
    ({"client_id": "someone-else"}, 401, "access_denied"),
    ({"client_secret": None}, 401, "access_denied"),
    ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ({"audience": "auth.atlassian.com"}, 403, "access_denied"),
    ({"audience": None}, 403, "access_denied"),
])
def test_a_token_request_that_cannot_work_is_refused_in_oauth_terms(jira, fields, status, error):
    response = jira.token_request(**fields)
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["error_description"]
    assert "access_token" not in response.text


def test_the_site_says_its_cloud_id_to_anyone(jira):
    response = requests.get(jira.url + "/_edge/tenant_info")
    assert response.status_code == 200 and response.json() == {"cloudId": "sandbox-cloud"}


def test_the_api_needs_a_valid_bearer_token(jira):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic c2FuZGJveA=="}):
        response = jira.get(headers=headers)
        assert response.status_code == 401 and response.json() == {"code": 401, "message": "Unauthorized"}


def test_an_expired_token_is_refused_and_a_new_one_works(jira):
    jira.settings(token_lifetime=0)
    assert jira.token_request().json()["expires_in"] == 0
    assert jira.get().status_code == 401
    jira.settings(token_lifetime=3600)
    jira._token = None
    assert jira.get().status_code == 404


def test_the_control_api_can_expire_every_token(jira):
    assert jira.get().status_code == 404
    assert jira.control("DELETE", "tokens").status_code == 204
    assert jira.get().status_code == 401


def test_another_cloud_id_is_not_found(jira):
    response = requests.get(jira.api(jira.key_path(), cloud_id="other-site"), headers=jira.headers)
    assert response.status_code == 404 and "other-site" in response.json()["message"]


# -- submissions ------------------------------------------------------------------------------


def test_a_submission_is_accepted_at_once_and_stored_later(jira):
    response = jira.submit(jira.deployment())
    assert response.status_code == 202, response.text
    assert response.json() == {
        "acceptedDeployments": [{"pipelineId": "shop-deploy", "environmentId": "prod-eu", "deploymentSequenceNumber": 42}],
        "rejectedDeployments": [], "unknownIssueKeys": [], "unknownAssociations": []}
    assert jira.get().status_code == 404
    assert jira.process() == 1
    stored = jira.get().json()
    assert stored == dict(jira.deployment(), schemaVersion="1.0")


def test_the_delay_passes_by_itself(jira):
    jira.settings(processing_delay=0.2)
    jira.submit(jira.deployment())
    assert jira.get().status_code == 404
    time.sleep(0.3)
    assert jira.get().status_code == 200


@pytest.mark.parametrize("number, replaced", [(0, False), (1, False), (2, True)])
def test_stored_data_is_replaced_only_by_a_higher_update_sequence_number(jira, number, replaced):
    jira.submit(jira.deployment())
    jira.process()
    response = jira.submit(jira.deployment(updateSequenceNumber=number, state="successful"))
    # An update that is out of order is no failed submission.
    assert response.json()["acceptedDeployments"] and not response.json()["rejectedDeployments"]
    jira.process()
    assert jira.get().json()["state"] == ("successful" if replaced else "in_progress")


def test_each_deployment_of_a_submission_is_checked_alone(jira):
    bad = jira.deployment(deploymentSequenceNumber=43, state="done", description="x" * 256)
    response = jira.submit(jira.deployment(), bad)
    body = response.json()
    assert response.status_code == 202 and len(body["acceptedDeployments"]) == 1
    rejected = body["rejectedDeployments"]
    assert rejected[0]["key"] == {"pipelineId": "shop-deploy", "environmentId": "prod-eu", "deploymentSequenceNumber": 43}
    messages = [error["message"] for error in rejected[0]["errors"]]
    assert any(message.startswith("state:") for message in messages)
    assert any(message.startswith("description:") and "255" in message for message in messages)


@pytest.mark.parametrize("changes, field", [
    ({"displayName": None}, "displayName"),
    ({"url": "not a url"}, "url"),
    ({"url": "x" * 2001}, "url"),
    ({"description": None}, "description"),
    ({"lastUpdated": "yesterday"}, "lastUpdated"),
    ({"lastUpdated": "2026-11-23T10:00:00"}, "lastUpdated"),
    ({"updateSequenceNumber": "1"}, "updateSequenceNumber"),
    ({"deploymentSequenceNumber": 2**63}, "deploymentSequenceNumber"),
    ({"duration": 1.5}, "duration"),
    ({"label": "x" * 256}, "label"),
    ({"pipeline": {"id": "p", "displayName": "P"}}, "pipeline.url"),
    ({"environment": {"id": "e", "displayName": "E", "type": "prod"}}, "environment.type"),
    ({"associations": None}, "associations"),
    ({"associations": []}, "associations"),
    ({"associations": [{"associationType": "issueKeys", "values": ["WEB-1"]}] * 4}, "associations"),
    ({"associations": [{"associationType": "issueKeys", "values": ["not a key"]}]}, "associations[0].values"),
    ({"associations": [{"associationType": "commit", "values": ["abc"]}]}, "associations[0].associationType"),
    ({"associations": [{"associationType": "issueKeys", "values": ["WEB-1"] * 501}]}, "associations"),
    ({"schemaVersion": "2.0"}, "schemaVersion"),
])
def test_a_deployment_breaking_a_rule_of_the_reference_is_rejected(jira, changes, field):
    problems = check_deployment(jira.deployment(**changes))
    assert any(problem.startswith(field + ":") for problem in problems), problems
    rejected = jira.submit(jira.deployment(**changes)).json()["rejectedDeployments"]
    assert len(rejected) == 1


@pytest.mark.parametrize("body, words", [
    ([], "JSON object"),
    ({}, "deployments"),
    ({"deployments": []}, "deployments"),
    ({"deployments": [{}] * 101}, "at most 100"),
    ({"deployments": [{}], "properties": {"_hidden": "x"}}, "properties"),
    ({"deployments": [{}], "properties": dict(("p%d" % n, "v") for n in range(6))}, "properties"),
])
def test_a_request_that_is_no_submission_is_a_400_with_error_messages(jira, body, words):
    response = requests.post(jira.api("bulk"), json=body, headers=jira.headers)
    assert response.status_code == 400
    assert words in response.json()[0]["message"]


def test_a_body_that_is_not_json_is_a_400(jira):
    response = requests.post(jira.api("bulk"), data="{", headers=dict(jira.headers, **{"Content-Type": "application/json"}))
    assert response.status_code == 400 and response.json()[0]["message"]


def test_unknown_issue_keys_and_services_are_named_and_the_known_ones_kept(jira):
    deployment = jira.deployment(associations=[{"associationType": "issueKeys", "values": ["WEB-1", "WEB-21"]},
                                               {"associationType": "serviceIdOrKeys", "values": ["web-frontend", "billing"]}])
    body = jira.submit(deployment).json()
    assert body["acceptedDeployments"] and body["unknownIssueKeys"] == ["WEB-21"]
    assert body["unknownAssociations"] == [{"associationType": "issueKeys", "values": ["WEB-21"]},
                                           {"associationType": "serviceIdOrKeys", "values": ["billing"]}]
    jira.process()
    assert jira.get().json()["associations"] == [{"associationType": "issueKeys", "values": ["WEB-1"]},
                                                 {"associationType": "serviceIdOrKeys", "values": ["web-frontend"]}]


def test_a_deployment_of_unknown_issues_only_is_rejected_and_never_stored(jira):
    body = jira.submit(jira.deployment(associations=[{"associationType": "issueKeys", "values": ["OPS-7"]}])).json()
    assert body["acceptedDeployments"] == [] and body["unknownIssueKeys"] == ["OPS-7"]
    assert len(body["rejectedDeployments"]) == 1
    assert jira.process() == 0
    assert jira.get().status_code == 404


def test_issues_may_be_named_by_id_and_the_settings_change_the_site(jira):
    body = jira.submit(jira.deployment(associations=[{"associationType": "issueIdOrKeys", "values": ["10003", "WEB-4"]}])).json()
    assert body["unknownIssueKeys"] == []
    assert jira.settings(issues=["OPS-1"], services=["svc"])["issues"] == ["OPS-1"]
    body = jira.submit(jira.deployment(deploymentSequenceNumber=43)).json()
    assert body["unknownIssueKeys"] == ["WEB-1", "WEB-2"]


def test_a_read_does_not_show_who_triggered_the_deployment(jira):
    jira.submit(jira.deployment(triggeredBy={"email": "dev@example.com"}, label="1.4.0", duration=47))
    jira.process()
    stored = jira.get().json()
    assert "triggeredBy" not in stored and stored["label"] == "1.4.0" and stored["duration"] == 47


def test_ids_with_slashes_and_spaces_are_one_path_segment_each(jira):
    deployment = jira.deployment(pipeline={"id": "shop/deploy main", "displayName": "Shop", "url": "https://ci.example.com"},
                                 environment={"id": "eu/prod", "displayName": "EU", "type": "production"})
    jira.submit(deployment)
    jira.process()
    assert jira.get("shop/deploy main", "eu/prod", 42).json()["pipeline"]["id"] == "shop/deploy main"


def test_a_sequence_number_that_is_no_number_is_a_400(jira):
    assert jira.get("shop-deploy", "prod-eu", "forty-two").status_code == 400


# -- deletion ----------------------------------------------------------------------------------


def test_a_deletion_is_accepted_at_once_and_done_later(jira):
    jira.submit(jira.deployment())
    jira.process()
    response = jira.delete()
    assert response.status_code == 202 and response.content == b""
    assert jira.get().status_code == 200
    jira.process()
    assert jira.get().status_code == 404


def test_deleting_what_is_not_stored_is_accepted_too(jira):
    assert jira.delete("nothing", "here", 1).status_code == 202


# -- the control API and faults --------------------------------------------------------------------


def test_control_endpoints(jira):
    settings = jira.control("GET", "settings").json()
    assert settings["issues"][:2] == ["WEB-1", "WEB-2"] and len(settings["issues"]) == 20
    assert settings["services"] == ["web-frontend", "payments-api"]
    assert jira.control("PUT", "settings", json={"colour": "blue"}).status_code == 400
    assert jira.control("PUT", "settings", json={"issues": ["not a key"]}).status_code == 400
    jira.submit(jira.deployment())
    jira.process()
    assert [deployment["displayName"] for deployment in jira.control("GET", "deployments").json()] == ["Shop 1.4.0"]
    tokens = jira.control("GET", "tokens").json()["tokens"]
    assert jira.headers["Authorization"].split()[1] in tokens
    assert jira.control("GET", "nothing").status_code == 404


def test_a_fault_without_a_body_answers_in_the_shape_of_its_endpoint(jira):
    requests.post(jira.url + "/__sandbox__/faults", json=[
        {"path": "^/oauth/token$", "status": 503}, {"path": "/bulk$", "status": 503}, {"path": "/deployments/", "status": 400}])
    assert jira.token_request().json()["error"] == "server_error"
    assert jira.submit(jira.deployment(), headers={}).json() == {"code": 503, "message": "Service Unavailable"}
    assert jira.get(headers={}).json() == [{"message": "Bad Request"}]


def test_the_date_time_and_uri_formats():
    assert is_date_time("2018-01-20T23:27:25.000Z") and is_date_time("2018-01-20T23:27:25+02:00")
    assert not is_date_time("2018-01-20 23:27:25Z") and not is_date_time("2018-02-30T00:00:00Z")
    assert is_url("https://ci.example.com/runs/1") and is_url("urn:isbn:0451450523")
    assert not is_url("ci.example.com") and not is_url("https://ci.example.com/a b")
