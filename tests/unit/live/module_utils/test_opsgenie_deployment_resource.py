"""A run of opsgenie_deployment against the sandbox: racing creators, pipelines deployments, read-back."""

from __future__ import annotations

import threading

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie import OpsgenieClient
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_deployment import OpsgenieDeployment
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_wait import RequestFailed, RequestWaiter

from tests.support.engine_runs import ResourceRun


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
    return ResourceRun(OpsgenieDeployment(client, params, check_mode, RequestWaiter(client, 20, first_pause=0.05)), check_mode)


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
    wanted = options("{4d1cd861}", state="successful", deployment_message="m", environment=None, releases=None)
    runner = ResourceRun(OpsgenieDeployment(PipelinesDeployment(), wanted, False, None))
    with pytest.raises(InputError) as caught:
        runner.run()
    assert "comes from Bitbucket Pipelines" in str(caught.value) and runner.request_ids == []


def settings(connection, **values):
    requests.put(connection["url"] + "/__sandbox__/opsgenie/settings", json=values, timeout=10).raise_for_status()


def writes(connection):
    log = requests.get(connection["url"] + "/__sandbox__/requests", timeout=10).json()
    return [entry["path"] for entry in log if entry["method"] in ("POST", "PATCH")]


# -- texts a read may not show ------------------------------------------------------------------


def test_texts_a_read_does_not_show_are_not_compared_and_one_warning_says_so(opsgenie):
    settings(opsgenie, read_omits=["externalLink", "description"])
    texts = dict(description="smoke tests passed", external_link="https://ci.example.com/runs/1")
    created = sync(opsgenie, options(**texts))
    changed, _before, after = created.run()
    assert changed and "externalLink" not in after
    assert len(created.warnings) == 1 and "does not show description or externalLink" in created.warnings[0]
    assert stored(opsgenie, "run-1")[0]["externalLink"] == "https://ci.example.com/runs/1"
    # The same options again: nothing to compare, nothing written, nothing said.
    again = sync(opsgenie, options(**texts))
    assert again.run()[0] is False and again.request_ids == [] and again.warnings == []
    # A run that updates for another reason sends them along, and says once that it cannot check them.
    wanted = options(started_at="2026-03-26T14:05:07Z", **texts)
    wanted["external_link"] = "https://ci.example.com/runs/1?attempt=2"
    finishing = sync(opsgenie, wanted)
    assert finishing.run()[0] is True and len(finishing.warnings) == 1
    assert stored(opsgenie, "run-1")[0]["externalLink"] == wanted["external_link"]


def test_texts_a_read_shows_are_still_compared(opsgenie):
    sync(opsgenie, options(description="first")).run()
    runner = sync(opsgenie, options(description="second"))
    assert runner.run()[0] is True and runner.warnings == []
    assert stored(opsgenie, "run-1")[0]["description"] == "second"


# -- a workspace named one way and shown the other --------------------------------------------


@pytest.mark.parametrize("form, by_uuid", [("uuid", False), ("name", True)])
def test_a_workspace_shown_in_the_other_form_is_the_same_release(opsgenie, form, by_uuid):
    settings(opsgenie, workspace_shown_as=form)
    workspace = "{5d3f4a52-7c1e-4b8a-9f60-2b7d1c9e0a11}" if by_uuid else "sandbox"
    releases = [dict(workspace=workspace, workspace_is_uuid=by_uuid, repo_slug="app", commit="0c9135c")]
    assert sync(opsgenie, options(releases=releases)).run()[0] is True
    again = sync(opsgenie, options(releases=releases))
    assert again.run()[0] is False and again.request_ids == []
    # Another commit is still another release.
    other = [dict(releases[0], commit="1d2e3f4")]
    with pytest.raises(InputError, match="cannot change its releases"):
        sync(opsgenie, options(releases=other)).run()


# -- external ids that may repeat ----------------------------------------------------------------


def test_runs_racing_on_a_server_that_repeats_external_ids_all_end_on_one_deployment(opsgenie):
    settings(opsgenie, unique_external_ids=False)
    runners = [sync(opsgenie, options("repeated")) for _number in range(4)]
    threads = [threading.Thread(target=runner.run) for runner in runners]
    results = []
    for runner, thread in zip(runners, threads):
        thread.run = (lambda runner=runner: results.append(runner.run()))
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 4
    made = stored(opsgenie, "repeated")
    oldest = made[0]["id"]
    # Every run goes on with the deployment Opsgenie returns for the external id, and says so when it made another.
    assert {result[2]["id"] for result in results} == {oldest}
    assert sum(len(runner.warnings) for runner in runners) == len(made) - 1
    # A later run finds it and creates nothing.
    later = sync(opsgenie, options("repeated", state="successful"))
    assert later.run()[2]["id"] == oldest
    assert len(stored(opsgenie, "repeated")) == len(made)


def test_a_create_reads_back_by_external_id_with_no_more_requests(opsgenie):
    requests.post(opsgenie["url"] + "/__sandbox__/reset", timeout=10)
    settings(opsgenie, processing_delay=0)
    runner = sync(opsgenie, options("counted"))
    _changed, _before, after = runner.run()
    log = requests.get(opsgenie["url"] + "/__sandbox__/requests", timeout=10).json()
    reads = [entry for entry in log if entry["method"] == "GET" and "/requests/" not in entry["path"]]
    # The read before the create and the read after it, both by external id.
    assert [entry["query"] for entry in reads] == ["type=api", "type=api"]
    assert after["externalId"] == "counted"


# -- paging -------------------------------------------------------------------------------------


def test_a_search_goes_on_after_a_short_page_until_an_empty_one(opsgenie):
    settings(opsgenie, search_page_cap=1)
    found = OpsgenieClient(opsgenie).search(["00000000-0000-0000-0000-000000000001"], page_size=100)
    assert [deployment["id"] for deployment in found] == ["0e1a5c8d-66a5-34a4-a315-733caa5e5636",
                                                          "29a25632-1189-37ca-ae7b-8828e77ab077"]


class PagesRepeated(object):
    """A transport whose search answers the same page whatever the paginationKey."""

    def __init__(self):
        self.calls = 0

    def request(self, method, path, action, **kwargs):
        self.calls += 1
        return FixedPage()


class FixedPage(object):
    request = None
    status_code = 200
    headers = {"Content-Type": "application/json"}
    text = '{"data": [{"id": "a"}, {"id": "b"}]}'

    def json(self):
        return {"data": [{"id": "a"}, {"id": "b"}]}


def test_a_search_stops_when_a_page_brings_nothing_new(opsgenie):
    client = OpsgenieClient(opsgenie)
    client.http = PagesRepeated()
    assert [deployment["id"] for deployment in client.search(["s"], page_size=2)] == ["a", "b"]
    assert client.http.calls == 2


def test_a_link_for_a_pipelines_deployment_is_still_refused_before_any_write():
    wanted = options("{4d1cd861}", state="successful", external_link="https://l", environment=None, releases=None)
    runner = ResourceRun(OpsgenieDeployment(PipelinesDeployment(), wanted, False, None))
    with pytest.raises(InputError, match="comes from Bitbucket Pipelines"):
        runner.run()
    assert runner.request_ids == []


def test_check_mode_gives_the_warning_of_the_real_run(opsgenie):
    settings(opsgenie, read_omits=["externalLink"])
    sync(opsgenie, options(external_link="https://ci.example.com/1")).run()
    wanted = options(state="successful", deployment_message="done", external_link="https://ci.example.com/2")
    checked, real = sync(opsgenie, wanted, check_mode=True), sync(opsgenie, wanted)
    assert checked.run()[0] is True and checked.request_ids == []
    assert real.run()[0] is True
    assert checked.warnings == real.warnings and len(real.warnings) == 1
