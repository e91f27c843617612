"""jira_deployment run in-process against the sandbox: check mode, writes only what differs, Jira's refusals, waiting, deletion."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.module_utils import _http, _jira
from ansible_collections.opsforge.delivery.plugins.modules.jira_deployment import main


def fresh_caches():
    # Each task is a process of its own: nothing it found is left for the next one.
    _jira._TOKENS.clear()
    _jira._CLOUD_IDS.clear()


@pytest.fixture(autouse=True)
def fresh_process():
    fresh_caches()


@pytest.fixture
def jira(sandbox):
    credentials = sandbox.credentials
    # A secret as a vault block scalar gives it, with its line break.
    return dict(url=sandbox.urls["jira"], site=sandbox.urls["jira"], client_id=credentials["jira_client_id"],
                client_secret=credentials["jira_client_secret"] + "\n", retries=0)


def release(connection, **options):
    args = dict(connection, pipeline_id="shop-deploy", environment_id="prod-eu", sequence_number="42",
                deployment_state="in_progress", display_name="Shöp  1.4.0 ☃", deployment_url="https://ci.example.com/runs/42",
                issue_keys=["WEB-1", " WEB-2"])
    args.update(options)
    return args


def log(sandbox):
    return sandbox.controls["jira"].requests()


def writes(sandbox):
    return [entry for entry in log(sandbox) if entry["method"] != "GET" and not entry["path"].endswith("/oauth/token")]


def stored(sandbox):
    return requests.get(sandbox.urls["jira"] + "/__sandbox__/jira/deployments", timeout=10).json()


def test_check_mode_predicts_the_run_and_writes_nothing(sandbox, jira, module_runner):
    predicted = module_runner(main, release(jira), check_mode=True, diff=True)
    assert predicted["changed"] is True and writes(sandbox) == [] and stored(sandbox) == []
    assert predicted["diff"]["before"] == {}
    created = module_runner(main, release(jira), diff=True)
    assert created["changed"] is True
    for volatile in ("updateSequenceNumber", "lastUpdated"):
        predicted["deployment"].pop(volatile)
        created["deployment"].pop(volatile)
    assert predicted["deployment"] == created["deployment"]
    assert predicted["diff"] == created["diff"]
    assert created["deployment"]["displayName"] == "Shöp  1.4.0 ☃"
    assert created["deployment"]["associations"] == [{"associationType": "issueKeys", "values": ["WEB-1", "WEB-2"]}]


def test_a_second_run_reads_once_and_changes_nothing(sandbox, jira, module_runner):
    assert module_runner(main, release(jira))["changed"] is True
    sandbox.controls["jira"].clear_requests()
    fresh_caches()
    again = module_runner(main, release(jira, issue_keys=["WEB-2", "WEB-1"], sequence_number=42))
    assert again["changed"] is False
    # The site's cloud id and a token (the next task's process knows neither), then the one read.
    assert [(entry["method"], entry["path"].rsplit("/", 1)[-1]) for entry in log(sandbox)] == [
        ("GET", "tenant_info"), ("POST", "token"), ("GET", "42")]


def test_a_state_change_submits_the_whole_record_with_a_higher_update_sequence_number(sandbox, jira, module_runner):
    first = module_runner(main, release(jira, label="1.4.0"))["deployment"]
    finished = module_runner(main, dict(jira, pipeline_id="shop-deploy", environment_id="prod-eu", sequence_number=42,
                                        deployment_state="successful"), diff=True)
    assert finished["changed"] is True
    assert finished["deployment"]["updateSequenceNumber"] > first["updateSequenceNumber"]
    assert finished["deployment"]["label"] == "1.4.0" and finished["deployment"]["state"] == "successful"
    assert finished["diff"]["before"]["state"] == "in_progress" and finished["diff"]["after"]["state"] == "successful"
    assert len(writes(sandbox)) == 2


def test_an_unknown_issue_key_fails_naming_it_and_reports_the_accepted_write(sandbox, jira, module_runner):
    result = module_runner(main, release(jira, issue_keys=["WEB-1", "WEB-404"], service_ids=["billing"]))
    assert result["failed"] is True and result["changed"] is True
    assert "Jira does not know the issue key WEB-404" in result["msg"] and "the service billing" in result["msg"]
    assert result["unknown_issue_keys"] == ["WEB-404"]
    assert result["writes"] == [{"action": "submit deployment 42 of pipeline shop-deploy to environment prod-eu", "outcome": "accepted"}]


def test_a_deployment_of_unknown_issues_only_is_rejected_and_nothing_changed(sandbox, jira, module_runner):
    result = module_runner(main, release(jira, issue_keys=["OPS-1"]))
    assert result["failed"] is True and result["changed"] is False
    assert "Jira rejected it" in result["msg"] and "OPS-1" in result["msg"] and result["msg"].endswith("Nothing was stored.")
    assert result["writes"][0]["outcome"] == "rejected" and stored(sandbox) == []


def test_a_write_not_shown_within_wait_timeout_reports_changed(sandbox, jira, module_runner):
    requests.put(sandbox.urls["jira"] + "/__sandbox__/jira/settings", json={"processing_delay": 1}, timeout=10).raise_for_status()
    result = module_runner(main, release(jira, wait_timeout=0))
    assert result["failed"] is True and result["changed"] is True and "wait_timeout" in result["msg"]
    unwaited = module_runner(main, release(jira, sequence_number=43, wait=False))
    assert unwaited["changed"] is True and unwaited["deployment"]["deploymentSequenceNumber"] == 43


def test_a_submission_without_a_readable_answer_reports_changed(sandbox, jira, module_runner, add_fault):
    add_fault({"method": "POST", "path": "/bulk$", "status": 502}, "jira")
    result = module_runner(main, release(jira))
    assert result["failed"] is True and result["changed"] is True and "HTTP 502" in result["msg"]
    assert result["writes"][0]["outcome"] == "sent, no answer"


def test_deletion_waits_until_jira_has_deleted(sandbox, jira, module_runner):
    module_runner(main, release(jira))
    key = dict(jira, pipeline_id="shop-deploy", environment_id="prod-eu", sequence_number=42, state="absent")
    predicted = module_runner(main, key, check_mode=True, diff=True)
    assert predicted["changed"] is True and predicted["diff"]["after"] == {} and len(stored(sandbox)) == 1
    deleted = module_runner(main, key)
    assert deleted["changed"] is True and deleted["deployment"] == {} and stored(sandbox) == []
    assert module_runner(main, key)["changed"] is False


def test_creation_without_what_jira_needs_names_it_before_any_write(sandbox, jira, module_runner):
    result = module_runner(main, dict(jira, pipeline_id="shop-deploy", environment_id="prod-eu", sequence_number=7,
                                      deployment_state="successful"))
    assert result["failed"] is True and result["changed"] is False
    assert "give display_name, deployment_url, issue_keys or service_ids to create it" in result["msg"]
    assert writes(sandbox) == []


def test_the_cloud_id_and_the_site_cannot_both_come_from_the_task(sandbox, jira, module_runner):
    result = module_runner(main, release(dict(jira, cloud_id="sandbox-cloud")))
    assert result["failed"] is True and "cloud_id and site are both set" in result["msg"]
    assert log(sandbox) == []


def test_the_secret_and_the_token_never_show_in_the_output(sandbox, jira, real_failure, capsys):
    failure = real_failure(main, release(jira, issue_keys=["OPS-1"]))
    tokens = requests.get(sandbox.urls["jira"] + "/__sandbox__/jira/tokens", timeout=10).json()["tokens"]
    text = str(failure)
    assert tokens and not any(token in text for token in tokens)
    assert sandbox.credentials["jira_client_secret"] not in text


def test_a_token_kept_from_an_earlier_run_of_the_process_is_scrubbed_in_the_next(sandbox, jira):
    # In Ansible's worker, a loop's items run in one process, each with the secrets of its own run.
    params = dict(release(jira), client_secret=jira["client_secret"].strip(), pipeline_id="scrub", environment_id="lab")
    with _http.separate_secrets():
        _jira.JiraClient(params).get("scrub", "lab", 1)
    token = next(iter(_jira._TOKENS.values()))[0]
    with _http.separate_secrets():
        _jira.JiraClient(params).get("scrub", "lab", 1)
        assert token not in _http.scrub("Authorization: Bearer %s" % token)
    assert len(requests.get(sandbox.urls["jira"] + "/__sandbox__/jira/tokens", timeout=10).json()["tokens"]) == 1
