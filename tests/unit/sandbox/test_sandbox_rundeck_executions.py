# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sandbox's Rundeck executions: run, info, output paging, state, abort, listings."""

import time

import pytest
import requests

from tests.sandbox.rundeck_executions import join_arguments, parse_arguments, timeout_seconds


def _import(api, auth, *jobs):
    response = requests.post(api + "/project/sandbox/jobs/import", params={"fileformat": "json", "uuidOption": "preserve"},
                             json=list(jobs), headers=auth, timeout=5)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["succeeded"]]


def _job(name, *commands, **extra):
    job = {"name": name, "sequence": {"keepgoing": False, "strategy": "node-first",
                                      "commands": [c if isinstance(c, dict) else {"exec": c} for c in commands]}}
    job.update(extra)
    return job


def _finish(api, auth, execution_id, seconds=10):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        data = requests.get("%s/execution/%s" % (api, execution_id), headers=auth, timeout=5).json()
        if data["status"] != "running":
            return data
        time.sleep(0.05)
    raise AssertionError("still running")


def _run(api, auth, job_id, **body):
    return requests.post("%s/job/%s/run" % (api, job_id), json=body, headers=auth, timeout=5)


def test_a_run_answers_the_running_execution_then_succeeds(sandbox, api, auth):
    job_id, = _import(api, auth, _job("hello", "echo hello ${option.who} on ${node.name}",
                                      options=[{"name": "who", "value": "world"}]))
    started = _run(api, auth, job_id)
    assert started.status_code == 200
    execution = started.json()
    assert execution["status"] == "running"
    assert execution["argstring"] == "-who world"
    assert execution["job"]["id"] == job_id and execution["job"]["options"] == {"who": "world"}
    assert execution["permalink"].endswith("/project/sandbox/execution/show/%d" % execution["id"])
    assert "date-ended" not in execution and execution["user"] == "admin"
    done = _finish(api, auth, execution["id"])
    assert done["status"] == "succeeded" and done["successfulNodes"] == ["localhost"]
    assert done["date-ended"]["date"].endswith("Z")
    output = requests.get("%s/execution/%d/output" % (api, execution["id"]), headers=auth, timeout=5).json()
    assert [entry["log"] for entry in output["entries"]] == ["hello world on localhost"]
    assert output["completed"] is True and output["execCompleted"] is True and output["execState"] == "succeeded"
    assert output["entries"][0]["level"] == "NORMAL" and output["entries"][0]["node"] == "localhost"


def test_output_pages_by_offset_and_lastmod(sandbox, api, auth):
    job_id, = _import(api, auth, _job("three", "echo a", "echo b", "echo c"))
    execution_id = _run(api, auth, job_id).json()["id"]
    _finish(api, auth, execution_id)
    first = requests.get("%s/execution/%d/output" % (api, execution_id), params={"maxlines": 2}, headers=auth, timeout=5).json()
    assert [e["log"] for e in first["entries"]] == ["a", "b"] and first["completed"] is False
    rest = requests.get("%s/execution/%d/output" % (api, execution_id), params={"offset": first["offset"]}, headers=auth, timeout=5).json()
    assert [e["log"] for e in rest["entries"]] == ["c"] and rest["completed"] is True
    same = requests.get("%s/execution/%d/output" % (api, execution_id),
                        params={"offset": rest["offset"], "lastmod": rest["lastModified"]}, headers=auth, timeout=5).json()
    assert same["unmodified"] is True and same["entries"] == []
    tail = requests.get("%s/execution/%d/output" % (api, execution_id), params={"lastlines": 1}, headers=auth, timeout=5).json()
    assert [e["log"] for e in tail["entries"]] == ["c"]
    bad = requests.get("%s/execution/%d/output" % (api, execution_id), params={"offset": "x"}, headers=auth, timeout=5)
    assert bad.status_code == 400 and bad.json()["errorCode"] == "api.error.parameter.invalid"


def test_a_failing_step_fails_the_execution_unless_keepgoing(sandbox, api, auth):
    stop, go = _import(api, auth, _job("stop", "exit 3", "echo after"),
                       dict(_job("go", "false", "echo after"), sequence={"keepgoing": True, "commands": [{"exec": "false"}, {"exec": "echo after"}]}))
    done = _finish(api, auth, _run(api, auth, stop).json()["id"])
    assert done["status"] == "failed" and done["failedNodes"] == ["localhost"]
    logs = requests.get("%s/execution/%d/output" % (api, done["id"]), headers=auth, timeout=5).json()["entries"]
    assert "after" not in [e["log"] for e in logs]
    assert any("Result code was 3" in e["log"] and e["level"] == "ERROR" for e in logs)
    kept = _finish(api, auth, _run(api, auth, go).json()["id"])
    assert kept["status"] == "failed"
    logs = requests.get("%s/execution/%d/output" % (api, kept["id"]), headers=auth, timeout=5).json()["entries"]
    assert "after" in [e["log"] for e in logs]


def test_abort_while_running_and_after(sandbox, api, auth):
    job_id, = _import(api, auth, _job("slow", "sleep 30"))
    execution_id = _run(api, auth, job_id).json()["id"]
    aborted = requests.post("%s/execution/%d/abort" % (api, execution_id), headers=auth, timeout=5).json()
    assert aborted["abort"] == {"status": "aborted"} and aborted["execution"]["status"] == "aborted"
    info = requests.get("%s/execution/%d" % (api, execution_id), headers=auth, timeout=5).json()
    assert info["status"] == "aborted" and info["abortedby"] == "admin" and "date-ended" in info
    again = requests.get("%s/execution/%d/abort" % (api, execution_id), headers=auth, timeout=5).json()
    assert again["abort"] == {"status": "failed", "reason": "Job is not running"}


def test_a_job_timeout_ends_timedout(sandbox, api, auth):
    job_id, = _import(api, auth, _job("limited", "sleep 30", timeout="1s"))
    done = _finish(api, auth, _run(api, auth, job_id).json()["id"], seconds=5)
    assert done["status"] == "timedout"


def test_run_refusals(sandbox, api, auth):
    job_id, = _import(api, auth, _job("needs", "echo ${option.x}", options=[{"name": "x", "required": True}]))
    missing = _run(api, auth, job_id)
    assert missing.status_code == 400 and missing.json()["errorCode"] == "api.error.job.options-invalid"
    assert missing.json()["message"] == "Job options were not valid: Option 'x' is required."
    unknown = _run(api, auth, "no-such-job")
    assert unknown.status_code == 404 and unknown.json()["message"] == "Job ID does not exist: no-such-job"
    sandbox.controls["rundeck"].state.executions.run_as_allowed = False
    refused = _run(api, auth, job_id, options={"x": "1"}, asUser="bob")
    assert refused.status_code == 403 and refused.json()["errorCode"] == "api.error.item.unauthorized"
    assert requests.get("%s/execution/99" % api, headers=auth, timeout=5).json()["message"] == "Execution does not exist: 99"


def test_options_win_over_argstring_and_as_user_is_recorded(sandbox, api, auth):
    job_id, = _import(api, auth, _job("opts", "echo @option.x@", options=[{"name": "x"}], multipleExecutions=True))
    execution = _run(api, auth, job_id, options={"x": 5}, argString="-x other", asUser="bob").json()
    assert execution["argstring"] == "-x 5" and execution["user"] == "bob"
    by_arg = _run(api, auth, job_id, argString="-x 'two words'").json()
    assert by_arg["argstring"] == '-x "two words"'


def test_a_second_run_of_a_single_execution_job_conflicts(sandbox, api, auth):
    job_id, = _import(api, auth, _job("single", "sleep 30"))
    _run(api, auth, job_id)
    second = _run(api, auth, job_id)
    assert second.status_code == 409 and second.json()["errorCode"] == "api.error.execution.conflict"


def test_listings_page_newest_first_and_filter_by_status(sandbox, api, auth):
    ok, bad = _import(api, auth, _job("ok", "echo ok", multipleExecutions=True), _job("bad", "false"))
    ids = [_finish(api, auth, _run(api, auth, ok).json()["id"])["id"] for dummy in range(3)]
    _finish(api, auth, _run(api, auth, bad).json()["id"])
    page = requests.get("%s/job/%s/executions" % (api, ok), params={"max": 2}, headers=auth, timeout=5).json()
    assert page["paging"] == {"count": 2, "total": 3, "offset": 0, "max": 2}
    assert [e["id"] for e in page["executions"]] == ids[::-1][:2]
    failed = requests.get("%s/project/sandbox/executions" % api, params={"statusFilter": "failed"}, headers=auth, timeout=5).json()
    assert [e["job"]["name"] for e in failed["executions"]] == ["bad"]
    assert requests.get("%s/job/nope/executions" % api, headers=auth, timeout=5).status_code == 404


def test_state_lists_the_steps(sandbox, api, auth):
    job_id, = _import(api, auth, _job("st", "echo a", "echo b"))
    execution_id = _run(api, auth, job_id).json()["id"]
    _finish(api, auth, execution_id)
    state = requests.get("%s/execution/%d/state" % (api, execution_id), headers=auth, timeout=5).json()
    assert state["executionState"] == "SUCCEEDED" and state["completed"] is True
    assert [s["executionState"] for s in state["steps"]] == ["SUCCEEDED", "SUCCEEDED"]


def test_a_node_filter_that_matches_nothing_fails_the_execution(sandbox, api, auth):
    job_id, = _import(api, auth, _job("nodes", "echo hi"))
    done = _finish(api, auth, _run(api, auth, job_id, filter="name: elsewhere").json()["id"])
    assert done["status"] == "failed"
    kept = _finish(api, auth, _run(api, auth, job_id, filter="localhost").json()["id"])
    assert kept["status"] == "succeeded"


@pytest.mark.parametrize("text, seconds", [("30", 30), ("2m", 120), ("1h30m", 5400), ("", None), ("soon", None)])
def test_timeouts(text, seconds):
    assert timeout_seconds(text) == seconds


def test_arguments_round_trip():
    assert parse_arguments(join_arguments({"a": "x y", "b": "1", "c": ""})) == {"a": "x y", "b": "1", "c": ""}
