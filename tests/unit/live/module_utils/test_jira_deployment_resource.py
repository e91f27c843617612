"""The Jira deployment resource with the engine, against the sandbox: two runs that record one deployment at once."""

from __future__ import annotations

import time

from ansible_collections.opsforge.delivery.plugins.module_utils import _jira
from ansible_collections.opsforge.delivery.plugins.module_utils._jira import JiraClient
from ansible_collections.opsforge.delivery.plugins.module_utils._jira_deployment import JiraDeployment, Waiter
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import NOTHING, ensure


def resource(sandbox, **changes):
    credentials = sandbox.credentials
    params = dict(url=sandbox.urls["jira"], cloud_id=credentials["jira_cloud_id"], site=None, client_id=credentials["jira_client_id"],
                  client_secret=credentials["jira_client_secret"], retries=0, pipeline_id="shop-deploy", pipeline_name=None,
                  pipeline_url=None, environment_id="prod-eu", environment_name=None, environment_type=None, sequence_number=42,
                  deployment_state="in_progress", display_name="Shop 1.4.0", deployment_url="https://ci.example.com/runs/42",
                  description=None, label=None, duration=None, triggered_by=None, issue_keys=["WEB-1"], service_ids=None,
                  state="present", wait=True, wait_timeout=10)
    params.update(changes)
    return JiraDeployment(JiraClient(params), params, Waiter(params["wait_timeout"]))


def test_a_run_whose_write_jira_dropped_for_a_later_one_goes_on_from_it_and_changes_nothing(sandbox):
    _jira._TOKENS.clear()
    loser = resource(sandbox)
    time.sleep(0.01)
    winner = resource(sandbox)
    # Both read before either wrote; the later run's write reaches Jira first.
    assert ensure(winner, "present", False).changed
    real_read, reads = loser.read, []

    def read_absent_first():
        reads.append(1)
        return None if len(reads) == 1 else real_read()

    loser.read = read_absent_first
    outcome = ensure(loser, "present", False)
    assert outcome.action == NOTHING and not outcome.changed
    # It did submit, and Jira kept the later write.
    assert [write["outcome"] for write in loser.writes] == ["accepted"]
    assert outcome.after == winner.read()


def test_a_run_that_wrote_last_keeps_its_change(sandbox):
    _jira._TOKENS.clear()
    first = resource(sandbox)
    assert ensure(first, "present", False).changed
    later = resource(sandbox, deployment_state="successful")
    outcome = ensure(later, "present", False)
    assert outcome.changed and outcome.after["state"] == "successful"
