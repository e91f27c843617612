"""opsgenie_deployment run in-process against the sandbox: a failure says whether a write may have taken effect."""

from __future__ import annotations

import time

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.modules.opsgenie_deployment import main


@pytest.fixture
def opsgenie(sandbox):
    url = sandbox.urls["opsgenie"]
    requests.put(url + "/__sandbox__/opsgenie/settings", json={"processing_delay": 0.5}, timeout=10).raise_for_status()
    return dict(url=url, api_key=sandbox.credentials["opsgenie_api_key"], retries=0)


def release(connection, **options):
    args = dict(connection, external_id="run-1", state="started", environment=dict(type="Test", id="lab"),
                releases=[dict(workspace="sandbox", repo_slug="app", commit="0c9135c")])
    args.update(options)
    return args


def stored(connection, external_id):
    every = requests.get(connection["url"] + "/__sandbox__/opsgenie/deployments", timeout=10).json()
    return [deployment for deployment in every if deployment["externalId"] == external_id]


def test_a_create_applied_after_wait_timeout_reports_changed_and_what_was_sent(opsgenie, module_runner):
    result = module_runner(main, release(opsgenie, wait_timeout=0))
    assert result["failed"] is True and "wait_timeout" in result["msg"], result
    assert result["changed"] is True
    assert [write["outcome"] for write in result["writes"]] == ["accepted, not processed yet"]
    assert result["writes"][0]["request_id"] == result["request_ids"][0]
    time.sleep(1)
    assert len(stored(opsgenie, "run-1")) == 1


def test_an_update_applied_after_wait_timeout_reports_changed(opsgenie, module_runner):
    assert module_runner(main, release(opsgenie))["changed"] is True
    result = module_runner(main, release(opsgenie, state="successful", deployment_message="done", wait_timeout=0))
    assert result["failed"] is True and result["changed"] is True, result
    assert len(result["writes"]) == 2


def test_a_write_opsgenie_refused_when_processing_reports_no_change(opsgenie, module_runner):
    result = module_runner(main, release(opsgenie, releases=[dict(workspace="sandbox", repo_slug="web", commit="1")]))
    assert result["failed"] is True and "not found in Bitbucket workspace" in result["msg"], result
    assert result["changed"] is False
    assert [write["outcome"] for write in result["writes"]] == ["refused"]


def test_a_create_without_a_readable_answer_reports_changed(opsgenie, module_runner, add_fault):
    add_fault({"method": "POST", "path": "/v2/deployments$", "status": 502}, "opsgenie")
    result = module_runner(main, release(opsgenie))
    assert result["failed"] is True and result["changed"] is True, result
    assert result["writes"] == [{"action": "create deployment run-1", "request_id": None, "outcome": "sent, no answer"}]


def test_a_create_refused_at_once_reports_no_change(opsgenie, module_runner, add_fault):
    add_fault({"method": "POST", "path": "/v2/deployments$", "status": 422}, "opsgenie")
    result = module_runner(main, release(opsgenie))
    assert result["failed"] is True and result["changed"] is False and result["writes"] == [], result
