"""Rundeck modules in-process against the sandbox: check mode for a project an earlier task creates,
``changed`` and what was done when a run fails after a write, messages without any part of a token."""

from __future__ import annotations


import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import ensure_set
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_set import RundeckJobSet
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_api import RundeckJobs

from ansible_collections.opsforge.delivery.plugins.modules.rundeck_acl import main as acl_main
from ansible_collections.opsforge.delivery.plugins.modules.rundeck_job import main as job_main
from ansible_collections.opsforge.delivery.plugins.modules.rundeck_project import main as project_main

STEPS = {"commands": [{"exec": "uptime"}]}
POLICY = "description: deployers\nfor:\n  job:\n    - allow: run\nby:\n  group: deployers\n"
WARNING = ("Rundeck has no project newproject yet; check mode predicts what a run would do once it exists (created "
           "by an earlier task, for example); a run while it is still missing fails")


def run(module_runner, main, args, **kwargs):
    """The module's result and the warnings it gave."""
    result = module_runner(main, args, **kwargs)
    return result, result.get("warnings", [])


def writes(request_log):
    return [(entry["method"], entry["path"]) for entry in request_log() if entry["method"] != "GET"]


def job(number, **fields):
    return dict({"name": "job-%d" % number, "group": "ops", "sequence": STEPS}, **fields)


# -- check mode for a project an earlier task of the play creates -------------------------------


def test_check_mode_predicts_a_project_policy_of_a_project_not_created_yet(rundeck, module_runner, request_log):
    result, warnings = run(module_runner, acl_main, dict(rundeck, project="newproject", name="deployers", policy=POLICY),
                           check_mode=True, diff=True)
    assert result["changed"] is True and "failed" not in result, result
    assert result["acl"] == dict(name="deployers.aclpolicy", project="newproject", policy=POLICY)
    assert result["diff"]["before"] == "" and result["diff"]["after"] == POLICY
    assert warnings == [WARNING]
    assert writes(request_log) == []
    # Absent is already so: nothing to predict.
    result, dummy = run(module_runner, acl_main, dict(rundeck, project="newproject", name="deployers", state="absent"),
                        check_mode=True)
    assert result["changed"] is False and "failed" not in result, result


def test_a_real_run_for_a_missing_project_still_fails_clearly(rundeck, module_runner, request_log):
    result, dummy = run(module_runner, acl_main, dict(rundeck, project="newproject", name="deployers", policy=POLICY))
    assert result["failed"] and result["changed"] is False
    assert "Project does not exist: newproject" in result["msg"] and "HTTP 404" in result["msg"]
    result, dummy = run(module_runner, job_main, dict(rundeck, project="newproject", definition=job(0)))
    assert result["failed"] and "Project does not exist: newproject" in result["msg"]
    result, dummy = run(module_runner, job_main, dict(rundeck, project="newproject", jobs=[job(0)]))
    assert result["failed"] and "Project does not exist: newproject" in result["msg"]
    assert writes(request_log) == []


def test_check_mode_predicts_a_job_of_a_project_not_created_yet(rundeck, module_runner, request_log):
    for identity in ({}, {"uuid": "5d1c8f2e-0b7a-4c1e-9a65-3f0e7c2b9d14"}):
        result, warnings = run(module_runner, job_main, dict(rundeck, project="newproject", definition=job(0), **identity),
                               check_mode=True, diff=True)
        assert result["changed"] is True and "failed" not in result, result
        assert result["job"]["name"] == "job-0" and result["job"]["project"] == "newproject"
        assert result["diff"]["before"] == "" and "name: job-0" in result["diff"]["after"]
        assert warnings == [WARNING]
    assert writes(request_log) == []


def test_check_mode_predicts_a_job_set_of_a_project_not_created_yet_with_purge(rundeck, module_runner, request_log):
    result, warnings = run(module_runner, job_main, dict(rundeck, project="newproject", jobs=[job(0), job(1)], purge=True),
                           check_mode=True, diff=True)
    assert result["changed"] is True and "failed" not in result, result
    assert [item["name"] for item in result["jobs"]["created"]] == ["job-0", "job-1"]
    assert result["jobs"]["deleted"] == [] and len(result["diff"]) == 2
    assert warnings == [WARNING]
    result, warnings = run(module_runner, job_main, dict(rundeck, project="newproject", jobs=[{"name": "job-0"}],
                                                         state="absent"), check_mode=True)
    assert result["changed"] is False and "failed" not in result, result
    assert writes(request_log) == []


# -- changed after a write, also in a failure --------------------------------------------------


def test_a_job_set_with_a_refused_job_reports_changed_and_the_jobs_written(rundeck, module_runner, request_log):
    first = run(module_runner, job_main, dict(rundeck, project="sandbox", jobs=[job(0)]))[0]
    assert first["changed"], first
    wanted = [job(0, description="changed"), job(1), job(2, loglevel="LOUD"), job(3, loglevel="LOUDER")]
    result, dummy = run(module_runner, job_main, dict(rundeck, project="sandbox", jobs=wanted))
    assert result["failed"] and result["changed"] is True, result
    assert [item["name"] for item in result["jobs"]["created"]] == ["job-1"]
    assert result["jobs"]["created"][0]["id"]
    assert result["jobs"]["updated"] == [] and result["jobs"]["deleted"] == []
    # One sentence with the counts and the names: what was refused, and what was imported.
    assert "could not import ops/job-2, ops/job-3 into project sandbox" in result["msg"]
    assert ("Rundeck refused 2 job definition(s) and imported 1 of the 3 sent to project sandbox. "
            "Refused: ops/job-2 (definition #2)") in result["msg"]
    assert "Imported: ops/job-1" in result["msg"]
    assert "other" not in result["msg"]


def test_a_job_set_whose_update_is_refused_after_its_creates_reports_changed(rundeck, module_runner):
    run(module_runner, job_main, dict(rundeck, project="sandbox", jobs=[job(0)]))
    result, dummy = run(module_runner, job_main, dict(rundeck, project="sandbox", jobs=[job(0, loglevel="LOUD"), job(1)]))
    assert result["failed"] and result["changed"] is True, result
    assert [item["name"] for item in result["jobs"]["created"]] == ["job-1"]
    assert "imported 0 of the 1" in result["msg"]
    assert "Changed before this failure: POST /api/49/project/sandbox/jobs/import (HTTP 200)" in result["msg"]


class RefusedDeletes(RundeckJobs):
    """Rundeck answers a bulk delete with 200 and names the first job as not deleted."""

    def delete(self, ids):
        raise ApiError("Rundeck", "delete %d job(s)" % len(ids), "POST", self.http.url("jobs/delete"), 200,
                       "%s: not authorized" % ids[0], details=[{"id": ids[0], "errorCode": "unauthorized"}])


def test_a_purge_of_which_one_job_is_refused_reports_the_others_deleted(rundeck, module_runner):
    run(module_runner, job_main, dict(rundeck, project="sandbox", jobs=[job(0), job(1), job(2)]))
    job_set = RundeckJobSet(RefusedDeletes(rundeck), "sandbox", [job(2)], purge=True)
    with pytest.raises(ApiError) as caught:
        ensure_set(job_set, False)
    done = job_set.failure_result(caught.value)["jobs"]
    assert len(done["deleted"]) == 1 and done["created"] == []
    assert [item["name"] for item in done["unchanged"]] == ["job-2"]


def test_a_job_refused_alone_changed_nothing(rundeck, module_runner):
    for args in (dict(definition=job(0, loglevel="LOUD")), dict(jobs=[job(0, loglevel="LOUD")])):
        result, dummy = run(module_runner, job_main, dict(rundeck, project="sandbox", **args))
        assert result["failed"] and result["changed"] is False, result
        assert "imported 0 of the 1" in result["msg"] and "changed nothing" in result["msg"]


def test_a_project_created_before_a_property_removal_failed_reports_changed(rundeck, module_runner, add_fault):
    add_fault({"method": "DELETE", "path": "/project/fresh/config/", "status": 403, "times": 1})
    result, dummy = run(module_runner, project_main,
                        dict(rundeck, name="fresh", config={"project.ssh-authentication": None}))
    assert result["failed"] and result["changed"] is True, result
    assert "Changed before this failure: POST /api/49/projects (HTTP 201)" in result["msg"]


def test_an_acl_write_without_an_answer_reports_that_it_may_have_changed(rundeck, module_runner, add_fault):
    add_fault({"method": "POST", "path": "/system/acl/", "status": 502, "times": 1})
    policy = "description: ops\ncontext:\n  application: rundeck\nfor:\n  project:\n    - allow: read\nby:\n  group: ops\n"
    result, dummy = run(module_runner, acl_main, dict(rundeck, name="ops", policy=policy))
    assert result["failed"] and result["changed"] is True, result
    assert "may have been made" in result["msg"]


# -- no part of a credential in a message ------------------------------------------------------


def test_a_refused_token_is_not_named_in_the_message(rundeck, module_runner):
    for main, args in ((project_main, dict(name="sandbox")), (job_main, dict(project="sandbox", name="x")),
                       (acl_main, dict(name="ops", state="absent"))):
        result, dummy = run(module_runner, main, dict(rundeck, api_token="abcdefghijkl", **args))
        assert result["failed"] and result["status"] == 403, result
        assert "abcde" not in str(result)
        assert "(Token:****) is not authorized for: /api/49/" in result["msg"]
