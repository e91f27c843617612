"""A run of opsgenie_deployment against the sandbox: racing creators, pipelines deployments, read-back."""

from __future__ import annotations

import threading

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie import OpsgenieClient
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_sync import DeploymentSync
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_wait import RequestFailed, RequestWaiter


@pytest.fixture
def opsgenie(sandbox):
    url = sandbox.urls["opsgenie"]
    requests.put(url + "/__sandbox__/opsgenie/settings", json={"processing_delay": 0.2}, timeout=10).raise_for_status()
    return dict(url=url, api_key=sandbox.credentials["opsgenie_api_key"], retries=0)


def options(external_id="run-1", **overrides):
    params = dict(
        external_id=external_id, state="started", environment=dict(type="Test", id="lab", display_name=None),
        releases=[dict(workspace="sandbox", workspace_is_uuid=False, repo_slug="app", commit="0c9135c")],
        started_at=None, completed_at=None, deployment_message=None, description=None, external_link=None, wait=True,
    )
    params.update(overrides)
    return params


def sync(connection, params, check_mode=False):
    client = OpsgenieClient(connection)
    return DeploymentSync(client, params, check_mode, RequestWaiter(client, 20, first_pause=0.05))


def stored(connection, external_id):
    every = requests.get(connection["url"] + "/__sandbox__/opsgenie/deployments", timeout=10).json()
    return [deployment for deployment in every if deployment["externalId"] == external_id]


def test_eight_runs_racing_to_create_one_release_leave_one_deployment(opsgenie):
    results, errors = [], []

    def run():
        try:
            results.append(sync(opsgenie, options("raced")).run())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(stored(opsgenie, "raced")) == 1
    # One run created it; every other run found it, at once or after its own create was refused.
    assert sorted(result[0] for result in results) == [False] * 7 + [True]
    assert len(set(result[2]["id"] for result in results)) == 1


def test_a_creation_refused_for_another_reason_fails_with_it(opsgenie):
    runner = sync(opsgenie, options(releases=[dict(workspace="sandbox", workspace_is_uuid=False, repo_slug="web", commit="1")]))
    with pytest.raises(RequestFailed) as caught:
        runner.run()
    assert "Repository web not found in Bitbucket workspace sandbox" in str(caught.value)
    assert runner.request_ids == [caught.value.request_id]
    assert stored(opsgenie, "run-1") == []


def test_the_result_is_read_back_by_id_after_the_writes(opsgenie):
    sync(opsgenie, options()).run()
    runner = sync(opsgenie, options(state="successful", deployment_message="done"))
    changed, before, after = runner.run()
    assert changed and before["state"] == "started"
    assert (after["state"], after["message"]) == ("successful", "done")
    assert len(runner.request_ids) == 2
    assert after == stored(opsgenie, "run-1")[0]


class PipelinesDeployment(object):
    """A client whose read finds a deployment made by Bitbucket Pipelines."""

    def get(self, identifier, identifier_type="api"):
        return {"id": "d1", "externalId": identifier, "type": "pipelines", "state": "successful",
                "environment": {"environmentType": "Production", "identifier": "p", "displayName": "p"},
                "startedAt": "2020-08-17T08:16:57.943Z", "releases": []}


def test_texts_of_a_pipelines_deployment_are_refused_before_any_write():
    runner = DeploymentSync(PipelinesDeployment(), options("{4d1cd861}", state="successful", deployment_message="m",
                                                           environment=None, releases=None), False, None)
    with pytest.raises(InputError) as caught:
        runner.run()
    assert "comes from Bitbucket Pipelines" in str(caught.value) and runner.request_ids == []
