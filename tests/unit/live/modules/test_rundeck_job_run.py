"""rundeck_job_run run in-process against the sandbox."""

from __future__ import annotations

import time

from ansible_collections.opsforge.delivery.plugins.modules.rundeck_job_run import main

from tests.support.rundeck_runs import add_job


def started(log):
    return [entry for entry in log if entry["method"] == "POST" and entry["path"].endswith("/run")]


def test_check_mode_finds_the_job_and_starts_nothing(sandbox, rundeck, module_runner, request_log):
    job_id = add_job(sandbox, "hello", "echo hello")
    result = module_runner(main, dict(rundeck, project="sandbox", group="ops", name="hello"), check_mode=True)
    assert result["changed"] is True
    assert result["execution"]["job"]["id"] == job_id and result["execution"]["id"] is None
    assert any("check mode" in warning for warning in result.get("warnings", []))
    assert started(request_log()) == []
    assert [entry["method"] for entry in request_log()] == ["GET"]


def test_check_mode_fails_clearly_for_a_missing_job(sandbox, rundeck, module_runner, request_log):
    result = module_runner(main, dict(rundeck, project="sandbox", name="nowhere"), check_mode=True)
    assert result["failed"] is True and "project sandbox has no job nowhere" in result["msg"]
    by_uuid = module_runner(main, dict(rundeck, uuid="0b7a2d3c-0000-4000-8000-000000000000"), check_mode=True)
    assert by_uuid["failed"] is True and "no job with the UUID" in by_uuid["msg"]
    assert started(request_log()) == []


def test_a_run_succeeds_with_its_log_and_few_requests(sandbox, rundeck, module_runner, request_log):
    job_id = add_job(sandbox, "hello", "echo hello ${option.who} on ${node.name}", "echo @option.port@ @option.debug@",
                     options=[{"name": "who", "value": "world"}, {"name": "port"}, {"name": "debug"}])
    result = module_runner(main, dict(rundeck, uuid=job_id, options={"who": "ansible", "port": 8080, "debug": True}))
    assert result["changed"] is True
    execution = result["execution"]
    assert execution["status"] == "succeeded" and execution["date_ended"]
    assert execution["options"] == {"who": "ansible", "port": "8080", "debug": "true"}
    assert execution["argstring"] == "-who ansible -port 8080 -debug true"
    assert execution["permalink"].endswith("/project/sandbox/execution/show/%d" % execution["id"])
    assert result["log_lines"] == ["hello ansible on localhost", "8080 true"]
    methods = [(entry["method"], entry["path"].split("/api/49/")[-1].split("/")[0]) for entry in request_log()]
    assert methods[0] == ("POST", "job") and methods[-1] == ("GET", "execution")
    assert len(methods) <= 5  # run, one or two polls, the log


def test_a_failing_step_fails_the_task_with_status_and_log_tail(sandbox, rundeck, module_runner):
    add_job(sandbox, "broken", "echo before", "exit 2", "echo never")
    result = module_runner(main, dict(rundeck, project="sandbox", group="ops", name="broken"))
    assert result["failed"] is True and result["changed"] is True
    assert result["execution"]["status"] == "failed"
    assert "ended failed" in result["msg"] and "Result code was 2" in result["msg"]
    assert result["log_lines"][0] == "before" and "never" not in result["log_lines"]


def test_fail_on_failure_false_returns_the_failed_execution(sandbox, rundeck, module_runner):
    add_job(sandbox, "broken", "false")
    result = module_runner(main, dict(rundeck, project="sandbox", group="ops", name="broken", fail_on_failure=False))
    assert not result.get("failed") and result["execution"]["status"] == "failed"


def test_a_wait_timeout_aborts_when_asked(sandbox, rundeck, module_runner, request_log):
    add_job(sandbox, "slow", "sleep 30")
    begun = time.monotonic()
    result = module_runner(main, dict(rundeck, project="sandbox", group="ops", name="slow", wait_timeout=1,
                                      abort_on_timeout=True))
    assert time.monotonic() - begun < 5
    assert result["failed"] is True and result["execution"]["status"] == "aborted"
    assert result["execution"]["aborted_by"] == "admin" and "wait_timeout" in result["msg"]
    assert [entry for entry in request_log() if entry["path"].endswith("/abort")]


def test_a_wait_timeout_without_abort_leaves_it_running(sandbox, rundeck, module_runner, request_log):
    add_job(sandbox, "slow", "sleep 30")
    result = module_runner(main, dict(rundeck, project="sandbox", group="ops", name="slow", wait_timeout=0.5))
    assert result["failed"] is True and result["execution"]["status"] == "running"
    assert "abort_on_timeout" in result["msg"]
    assert not [entry for entry in request_log() if entry["path"].endswith("/abort")]


def test_no_wait_returns_the_running_execution(sandbox, rundeck, module_runner, request_log):
    add_job(sandbox, "slow", "sleep 30")
    result = module_runner(main, dict(rundeck, project="sandbox", group="ops", name="slow", wait=False))
    assert result["changed"] is True and result["execution"]["status"] == "running"
    assert len(request_log()) == 2  # the lookup by name, the run


def test_node_filter_log_level_and_as_user_are_sent(sandbox, rundeck, module_runner):
    job_id = add_job(sandbox, "who", "echo ${node.name}")
    result = module_runner(main, dict(rundeck, uuid=job_id, node_filter="name: localhost", log_level="DEBUG",
                                      as_user="deployer"))
    assert result["execution"]["user"] == "deployer" and result["log_lines"] == ["localhost"]


def test_rundeck_refusals_fail_with_its_words_and_nothing_started(sandbox, rundeck, module_runner):
    job_id = add_job(sandbox, "needs", "echo ${option.x}", options=[{"name": "x", "required": True}])
    result = module_runner(main, dict(rundeck, uuid=job_id))
    assert result["failed"] is True and result["changed"] is False
    assert "Option 'x' is required" in result["msg"]
    missing = module_runner(main, dict(rundeck, uuid="0b7a2d3c-0000-4000-8000-000000000000"))
    assert missing["failed"] is True and "no job with the UUID" in missing["msg"]


def test_bad_input_fails_before_any_request(sandbox, rundeck, module_runner, request_log):
    for args, words in [
        (dict(project="sandbox"), "one of the following is required"),
        (dict(uuid="x", name="y", project="sandbox"), "mutually exclusive"),
        (dict(name="y"), "project"),
        (dict(uuid="x", wait_timeout=0), "wait_timeout"),
        (dict(uuid="x", log_lines=-1), "log_lines"),
        (dict(uuid="x", options={"a": {"b": 1}}), "mapping"),
        (dict(uuid="x", log_level="LOUD"), "log_level"),
    ]:
        result = module_runner(main, dict(rundeck, **args))
        assert result["failed"] is True and words in result["msg"], (args, result["msg"])
    assert request_log() == []
