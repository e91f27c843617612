# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module under the faults of a flaky network, a struggling server and a misbehaving proxy.

A read that fails in a way worth retrying succeeds after retries; a write is retried only when the
server proves it did nothing (429). Any other failure names the service and the status and says
whether anything was changed, and a write whose answer was lost is never applied twice: the
service holds exactly one resource of each name at the end.
"""

from __future__ import annotations

import re

import pytest

from tests.reliability.fault_scenarios import SCENARIOS, arm

HTML_PAGE = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
# Read faults that retries get past: (case, fault keys, task options).
RECOVERED_READS = [
    ("429 with Retry-After", {"status": 429, "retry_after": 1}, {}),
    ("503 twice", {"status": 503, "times": 2}, {}),
    ("502 twice", {"status": 502, "times": 2}, {}),
    ("500 twice", {"status": 500, "times": 2}, {}),
    ("504 from a proxy, as HTML", {"status": 504, "body": HTML_PAGE}, {}),
    ("dropped connection", {"drop": True}, {}),
    ("answer slower than timeout", {"delay": 2}, {"timeout": 1}),
    ("truncated body", {"truncate": 5}, {}),
]
# Read faults that end the task: (case, fault keys, words the message must hold).
FAILED_READS = [
    ("an HTML page instead of JSON", {"status": 200, "body": HTML_PAGE}, ["expected a JSON response but got text/html", "502 Bad Gateway"]),
    ("503 past the retries", {"status": 503, "times": 3}, ["HTTP 503"]),
]
# Write faults: (case, fault keys, task options, whether the write took effect, words the message must hold).
WRITE_FAULTS = [
    ("429 with Retry-After", {"status": 429, "retry_after": 1}, {}, None, []),
    ("503", {"status": 503}, {}, False, ["HTTP 503"]),
    ("500", {"status": 500}, {}, False, ["HTTP 500"]),
    ("502 from a proxy, as HTML", {"status": 502, "body": HTML_PAGE}, {}, False, ["HTTP 502", "502 Bad Gateway"]),
    ("dropped connection", {"drop": True}, {}, False, ["no HTTP answer"]),
    ("answer lost after the write", {"apply": True, "drop": True}, {}, True, ["no HTTP answer"]),
    ("gateway timeout after the write", {"apply": True, "status": 504, "body": HTML_PAGE}, {}, True, ["HTTP 504"]),
    ("truncated answer to the write", {"truncate": 5}, {}, True, ["no HTTP answer", "cut short"]),
    ("answer slower than timeout", {"delay": 2}, {"timeout": 1}, True, ["no HTTP answer", "within 1 seconds"]),
]
MAY_HAVE_CHANGED = "may have been made all the same"
NOTHING_CHANGED = "Nothing was changed"


def _slug(case):
    return "".join(character if character.isalnum() else "-" for character in case.lower()).strip("-")


def _assert_clear_failure(record, service, words):
    result = record["result"]
    message = result.get("msg", "")
    assert record["status"] == "failed", "%s: expected a failure, got %s: %s" % (record["task"], record["status"], result)
    assert message.lower().startswith(service), "%s: the message does not name %s: %s" % (record["task"], service, message)
    for word in words:
        assert word in message, "%s: %r is not in the message: %s" % (record["task"], word, message)
    assert "Traceback" not in str(result) and "MODULE FAILURE" not in message, "%s: %s" % (record["task"], result)
    return message


@pytest.mark.parametrize("module", sorted(SCENARIOS))
def test_reads_recover_or_fail_clearly(module, sandbox, playbook):
    scenario = SCENARIOS[module]
    method, path = scenario.read
    tasks = []
    for case, fault, options in RECOVERED_READS:
        tasks.append(arm(sandbox, scenario.service, "Arm: " + case, method=method, path=path, **fault))
        tasks.append(scenario.module_task(case, "steady", **options))
    for case, fault, dummy in FAILED_READS:
        tasks.append(arm(sandbox, scenario.service, "Arm: " + case, method=method, path=path, **fault))
        tasks.append(scenario.module_task(case, "steady"))
    run = playbook.run(tasks)
    assert run.returncode == 0, run.output()

    outcomes = [run.result(case)["status"] for case, dummy, dummy2 in RECOVERED_READS]
    assert outcomes == ["changed"] + ["ok"] * (len(RECOVERED_READS) - 1), run.summary()
    for case, dummy, words in FAILED_READS:
        message = _assert_clear_failure(run.result(case), scenario.service, words)
        assert NOTHING_CHANGED in message, message
    assert sandbox.pending_faults(scenario.service) == []
    # One create, whatever the faults: the reads were retried, never the write (a token request is no write of the resource).
    creates = [entry for entry in sandbox.writes(scenario.service) if re.search(scenario.write[1], entry["path"])]
    assert len(creates) == 1, sandbox.writes(scenario.service)
    assert scenario.count(sandbox, "steady") == 1


@pytest.mark.parametrize("module", sorted(SCENARIOS))
def test_writes_are_never_applied_twice(module, sandbox, playbook):
    scenario = SCENARIOS[module]
    method, path = scenario.write
    tasks = []
    for case, fault, options, took_effect, dummy in WRITE_FAULTS:
        name = _slug(case)
        tasks.append(arm(sandbox, scenario.service, "Arm: " + case, method=method, path=path, **fault))
        tasks.append(scenario.module_task(case, name, **options))
        if fault.get("delay"):
            # The server finishes the write after the client gave up; let it.
            tasks.append({"name": "Wait for the slow write: " + case, "ansible.builtin.pause": {"seconds": fault["delay"] + 1}})
        elif took_effect and scenario.settle_seconds:
            # A service that applies writes later: a run at once would not see the one whose answer was lost.
            tasks.append({"name": "Let the write settle: " + case, "ansible.builtin.pause": {"seconds": scenario.settle_seconds}})
        tasks.append(scenario.module_task("Again: " + case, name, **options))
    run = playbook.run(tasks)
    assert run.returncode == 0, run.output()

    for case, fault, dummy, took_effect, words in WRITE_FAULTS:
        first, again = run.result(case), run.result("Again: " + case)
        if took_effect is None:
            assert first["status"] == "changed", run.summary()
        else:
            message = _assert_clear_failure(first, scenario.service, words)
            assert MAY_HAVE_CHANGED in message and "run the task again" in message, message
            if module == "gitea_token" and took_effect:
                assert "set recreate to always" in message, message
            # The second run finds the write the first one lost the answer to, or makes it now.
            assert again["status"] == ("ok" if took_effect else "changed"), "%s: %s" % (case, again)
        assert again["status"] != "failed", "%s: %s" % (case, again)
        assert scenario.count(sandbox, _slug(case)) == 1, "%s: the service holds %d" % (case, scenario.count(sandbox, _slug(case)))
    assert sandbox.pending_faults(scenario.service) == []


def _rundeck_run_job(sandbox):
    """A job for the run tests, imported with the plain API; its UUID."""
    import requests
    response = requests.post(sandbox.urls["rundeck"] + "/api/49/project/sandbox/jobs/import", timeout=10,
                             headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"]},
                             json=[{"name": "under-faults", "group": "run", "multipleExecutions": True,
                                    "sequence": {"commands": [{"exec": "echo ran"}]}}])
    return response.json()["succeeded"][0]["id"]


def _rundeck_executions(sandbox, job_id):
    import requests
    response = requests.get(sandbox.urls["rundeck"] + "/api/49/job/%s/executions" % job_id, timeout=10,
                            headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"]})
    return response.json()["paging"]["total"]


def test_a_job_run_follows_through_read_faults_and_never_starts_twice(sandbox, playbook):
    """rundeck_job_run: the polls and the log read are retried; a run whose answer was lost is not sent again."""
    job_id = _rundeck_run_job(sandbox)
    task = {"uuid": job_id}
    tasks = []
    for case, fault, options in RECOVERED_READS:
        tasks.append(arm(sandbox, "rundeck", "Arm: poll " + case, method="GET", path=r"/execution/\d+$", **fault))
        tasks.append({"name": "Poll: " + case, "opsforge.delivery.rundeck_job_run": dict(task, **options), "ignore_errors": True})
    for case, fault, options, dummy, dummy2 in WRITE_FAULTS:
        tasks.append(arm(sandbox, "rundeck", "Arm: run " + case, method="POST", path=r"/job/[^/]+/run$", **fault))
        tasks.append({"name": "Run: " + case, "opsforge.delivery.rundeck_job_run": dict(task, **options), "ignore_errors": True})
        if fault.get("delay"):
            tasks.append({"name": "Wait for the slow run: " + case, "ansible.builtin.pause": {"seconds": fault["delay"] + 1}})
    run = playbook.run(tasks)
    assert run.returncode == 0, run.output()

    for case, dummy, dummy2 in RECOVERED_READS:
        assert run.result("Poll: " + case)["status"] == "changed", run.summary()
    started = len(RECOVERED_READS)
    for case, fault, dummy, took_effect, words in WRITE_FAULTS:
        record = run.result("Run: " + case)
        if took_effect is None:
            assert record["status"] == "changed", run.summary()
            started += 1
            continue
        message = _assert_clear_failure(record, "rundeck", words)
        assert record["result"]["changed"] is bool(took_effect or MAY_HAVE_CHANGED in message), record
        started += 1 if took_effect else 0
    assert sandbox.pending_faults("rundeck") == []
    # Exactly one execution per run that reached the server: no run was sent twice.
    assert _rundeck_executions(sandbox, job_id) == started
