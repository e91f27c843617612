"""Jira deployments: the options checked, the record a run submits, the canonical form, predictions and refusals."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._jira_deployment import (
    associated,
    canonical_deployment,
    check_options,
    desired_deployment,
    diff_view,
    format_time,
    next_update_sequence_number,
    refusal_message,
    submission,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError

MOMENT = datetime(2026, 11, 23, 9, 30, 0, 123456, tzinfo=timezone.utc)
MILLISECONDS = 1795426200123


def options(**overrides):
    params = dict(pipeline_id="shop-deploy", pipeline_name=None, pipeline_url=None, environment_id="prod-eu",
                  environment_name=None, environment_type=None, sequence_number=42, deployment_state="in_progress",
                  display_name="Shop 1.4.0", deployment_url="https://ci.example.com/runs/42", description=None, label=None,
                  duration=None, triggered_by=None, issue_keys=["WEB-1"], service_ids=None, state="present", wait=True,
                  wait_timeout=60)
    params.update(overrides)
    return params


def stored(**overrides):
    deployment = {
        "deploymentSequenceNumber": 42, "updateSequenceNumber": 7, "displayName": "Shop 1.4.0",
        "url": "https://ci.example.com/runs/42", "description": "Shop 1.4.0", "lastUpdated": "2026-11-23T09:00:00.000Z",
        "state": "in_progress", "pipeline": {"id": "shop-deploy", "displayName": "Shop", "url": "https://ci.example.com/shop"},
        "environment": {"id": "prod-eu", "displayName": "Production (EU)", "type": "production"},
        "associations": [{"associationType": "issueKeys", "values": ["WEB-2", "WEB-1"]}], "schemaVersion": "1.0",
    }
    deployment.update(overrides)
    return deployment


def test_time_is_utc_milliseconds_with_a_z():
    assert format_time(MOMENT) == "2026-11-23T09:30:00.123Z"


def test_the_update_sequence_number_is_above_the_stored_one_and_at_least_the_time_in_milliseconds():
    assert next_update_sequence_number(None, MOMENT) == MILLISECONDS
    assert next_update_sequence_number(stored(), MOMENT) == MILLISECONDS
    assert next_update_sequence_number(stored(updateSequenceNumber=MILLISECONDS + 5), MOMENT) == MILLISECONDS + 6


def test_a_new_deployment_gets_the_defaults_jira_needs():
    deployment = desired_deployment(options(), None, MOMENT)
    assert deployment == {
        "deploymentSequenceNumber": 42, "displayName": "Shop 1.4.0", "url": "https://ci.example.com/runs/42",
        "description": "Shop 1.4.0", "state": "in_progress",
        "pipeline": {"id": "shop-deploy", "displayName": "shop-deploy", "url": "https://ci.example.com/runs/42"},
        "environment": {"id": "prod-eu", "displayName": "prod-eu", "type": "unmapped"},
        "associations": [{"associationType": "issueKeys", "values": ["WEB-1"]}], "schemaVersion": "1.0",
        "lastUpdated": "2026-11-23T09:30:00.123Z", "updateSequenceNumber": MILLISECONDS,
    }


def test_a_new_deployment_names_what_is_missing():
    with pytest.raises(InputError) as raised:
        desired_deployment(options(deployment_state=None, deployment_url=None, issue_keys=[]), None, MOMENT)
    assert str(raised.value) == ("deployment 42 of pipeline shop-deploy to environment prod-eu does not exist yet; give "
                                 "deployment_state, deployment_url, issue_keys or service_ids to create it")


def test_an_existing_deployment_keeps_what_the_task_leaves_out():
    current = stored()
    deployment = desired_deployment(options(display_name=None, deployment_url=None, issue_keys=None, deployment_state="successful"),
                                    current, MOMENT)
    assert deployment["state"] == "successful"
    assert deployment["pipeline"] == current["pipeline"] and deployment["associations"] == current["associations"]
    assert canonical_deployment(deployment) == canonical_deployment(dict(current, state="successful"))


def test_issue_keys_and_services_given_replace_those_of_their_kind_only():
    current = stored(associations=[{"associationType": "issueIdOrKeys", "values": ["WEB-1"]},
                                   {"associationType": "serviceIdOrKeys", "values": ["web-frontend"]}])
    deployment = desired_deployment(options(issue_keys=["WEB-3"]), current, MOMENT)
    assert associated(deployment) == (["WEB-3"], ["web-frontend"])
    with pytest.raises(InputError, match="at least one issue or service"):
        desired_deployment(options(issue_keys=[], service_ids=[]), current, MOMENT)


def test_the_canonical_form_ignores_order_volatile_fields_and_empty_optionals():
    one = stored(label="", triggeredBy={"email": "a@example.com"})
    other = stored(updateSequenceNumber=9, lastUpdated="2027-01-01T00:00:00.000Z", schemaVersion=None,
                   associations=[{"associationType": "issueIdOrKeys", "values": ["WEB-1"]},
                                 {"associationType": "issueKeys", "values": ["WEB-2"]}])
    assert canonical_deployment(one) == canonical_deployment(other)
    assert canonical_deployment(one) != canonical_deployment(stored(state="failed"))


def test_an_empty_label_removes_the_label():
    assert "label" not in desired_deployment(options(label=""), stored(label="1.4.0"), MOMENT)


def test_the_submission_adds_who_triggered_it_and_the_diff_leaves_out_what_every_write_changes():
    deployment = desired_deployment(options(), None, MOMENT)
    assert submission(deployment, options(triggered_by="dev@example.com"))["triggeredBy"] == {"email": "dev@example.com"}
    assert "triggeredBy" not in submission(dict(deployment, triggeredBy={"email": "x"}), options())
    shown = diff_view(stored())
    assert "updateSequenceNumber" not in shown and "lastUpdated" not in shown
    assert shown["associations"] == [{"associationType": "issueKeys", "values": ["WEB-1", "WEB-2"]}]
    assert diff_view(None) == {}


def test_options_are_tidied_and_checked_before_any_request():
    params = options(pipeline_id="  shop-deploy ", issue_keys=[" WEB-1", "WEB-1", "", "WEB-2 "], service_ids=[" web-frontend"],
                     deployment_url=" https://ci.example.com/runs/42 ")
    check_options(params)
    assert params["pipeline_id"] == "shop-deploy"
    assert params["issue_keys"] == ["WEB-1", "WEB-2"] and params["service_ids"] == ["web-frontend"]
    assert params["deployment_url"] == "https://ci.example.com/runs/42"


@pytest.mark.parametrize("changes, words", [
    ({"pipeline_id": "  "}, "pipeline_id must not be empty"),
    ({"environment_id": "e" * 256}, "environment_id must be at most 255 characters"),
    ({"sequence_number": -1}, "sequence_number must be a whole number from 0"),
    ({"sequence_number": 2**63}, "sequence_number must be a whole number from 0"),
    ({"issue_keys": ["WEB-1", "web 2", "OPS"]}, "issue_keys: web 2, OPS are no issue key"),
    ({"description": "d" * 256}, "description must be at most 255 characters long (Jira's limit); it has 256"),
    ({"display_name": "  "}, "display_name must not be empty"),
    ({"deployment_url": "ci.example.com/runs/42"}, "deployment_url must be an absolute URL"),
    ({"pipeline_url": "https://ci.example.com/" + "x" * 2000}, "pipeline_url must be an absolute URL of at most 2000"),
    ({"duration": -5}, "duration must be a number of seconds"),
    ({"wait_timeout": -1}, "wait_timeout must be 0 or more"),
    ({"issue_keys": ["WEB-%d" % number for number in range(400)], "service_ids": ["s%d" % number for number in range(101)]},
     "at most 500 items together"),
])
def test_options_jira_would_refuse_are_refused(changes, words):
    with pytest.raises(InputError) as raised:
        check_options(options(**changes))
    assert words in str(raised.value)


def test_a_refusal_names_jiras_reasons_and_the_unknown_keys():
    key = "deployment 42 of pipeline shop-deploy to environment prod-eu"
    answer = {"acceptedDeployments": [], "rejectedDeployments": [{"key": {}, "errors": [{"message": "state: is required"}]}],
              "unknownIssueKeys": ["WEB-99"], "unknownAssociations": [{"associationType": "serviceIdOrKeys", "values": ["billing"]}]}
    message = refusal_message(key, answer, accepted=False)
    assert message == ("Jira: could not submit %s: Jira rejected it: state: is required; Jira does not know the issue key "
                       "WEB-99; Jira does not know the service billing. Nothing was stored." % key)
    accepted = refusal_message(key, {"unknownIssueKeys": ["WEB-98", "WEB-99"]}, accepted=True)
    assert "issue keys WEB-98, WEB-99" in accepted and "so the run changed it" in accepted
    assert refusal_message(key, {"acceptedDeployments": [{}]}, accepted=True) is None
