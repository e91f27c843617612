"""rundeck_acl with a list of policies (policies, exclusive) run in-process against the sandbox."""

from __future__ import annotations

import time

import pytest

from ansible_collections.opsforge.delivery.plugins.modules.rundeck_acl import main

pytestmark = pytest.mark.live


def policy(group, project=False):
    # A project policy has no context: Rundeck sets it to the project.
    document = {"description": "%s runs jobs" % group, "for": {"job": [{"allow": ["read", "run"]}]}, "by": {"group": group}}
    if not project:
        document["context"] = {"project": ".*"}
    return [document]


def items(*names, **kwargs):
    return [dict(name=name, policy=policy(name, **kwargs)) for name in names]


def writes(log):
    return [(entry["method"], entry["path"].rsplit("/", 1)[-1]) for entry in log if entry["method"] != "GET"]


def names(listed):
    return [item["name"] for item in listed]


def test_check_mode_then_create_then_unchanged_in_one_listing_and_one_read_each(rundeck, module_runner, request_log):
    args = dict(rundeck, policies=items("b", "a", "c"))
    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert predicted["changed"] is True and writes(request_log()) == []
    assert names(predicted["policies"]["created"]) == ["b.aclpolicy", "a.aclpolicy", "c.aclpolicy"]
    headers = [entry["after_header"] for entry in predicted["diff"]]
    assert headers == ["b.aclpolicy (system)", "a.aclpolicy (system)", "c.aclpolicy (system)"]

    created = module_runner(main, args, diff=True)
    assert created["changed"] is True and created["policies"] == predicted["policies"]
    assert created["diff"] == predicted["diff"]
    # Writes in the list's order.
    assert writes(request_log()) == [("POST", "b.aclpolicy"), ("POST", "a.aclpolicy"), ("POST", "c.aclpolicy")]

    count = len(request_log())
    again = module_runner(main, args, diff=True)
    assert again["changed"] is False and again["diff"] == []
    assert names(again["policies"]["unchanged"]) == ["b.aclpolicy", "a.aclpolicy", "c.aclpolicy"]
    # One listing, then one read per policy: nothing else.
    assert [entry["method"] for entry in request_log()[count:]] == ["GET"] * 4


def test_only_what_differs_is_written_and_the_diff_shows_only_that(rundeck, module_runner, request_log):
    assert module_runner(main, dict(rundeck, project="sandbox", policies=items("a", "b", project=True)))["changed"]
    count = len(request_log())
    changed = [dict(name="a", policy=policy("a", True)), dict(name="b.aclpolicy", policy=policy("operators", True))]
    result = module_runner(main, dict(rundeck, project="sandbox", policies=changed), diff=True)
    assert result["changed"] is True
    assert names(result["policies"]["updated"]) == ["b.aclpolicy"] and names(result["policies"]["unchanged"]) == ["a.aclpolicy"]
    assert writes(request_log()[count:]) == [("PUT", "b.aclpolicy")]
    assert len(result["diff"]) == 1 and "operators" in result["diff"][0]["after"]
    assert result["diff"][0]["after_header"] == "b.aclpolicy (project sandbox)"


def test_exclusive_deletes_the_policies_of_the_scope_the_list_does_not_name(sandbox, rundeck, module_runner, request_log):
    module_runner(main, dict(rundeck, policies=items("keep", "old-1", "old-2")))
    assert module_runner(main, dict(rundeck, project="sandbox", policies=items("project-one", project=True)))["changed"]
    args = dict(rundeck, policies=items("keep", "new"), exclusive=True)

    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert names(predicted["policies"]["deleted"]) == ["old-1.aclpolicy", "old-2.aclpolicy"]
    assert [entry["after"] for entry in predicted["diff"] if entry["before_header"].startswith("old")] == ["", ""]
    count = len(request_log())
    done = module_runner(main, args)
    assert writes(request_log()[count:]) == [("POST", "new.aclpolicy"), ("DELETE", "old-1.aclpolicy"),
                                             ("DELETE", "old-2.aclpolicy")]
    assert done["policies"]["deleted"] == predicted["policies"]["deleted"]
    # Another scope (project sandbox) is never touched.
    project = module_runner(main, dict(rundeck, project="sandbox", name="project-one", policy=policy("project-one", True)))
    assert project["changed"] is False
    assert module_runner(main, args)["changed"] is False


def test_state_absent_deletes_the_policies_named(rundeck, module_runner):
    module_runner(main, dict(rundeck, policies=items("a", "b", "c")))
    result = module_runner(main, dict(rundeck, policies=[dict(name="a"), dict(name="c"), dict(name="never")],
                                      state="absent"))
    assert names(result["policies"]["deleted"]) == ["a.aclpolicy", "c.aclpolicy"]
    assert names(result["policies"]["unchanged"]) == []
    left = module_runner(main, dict(rundeck, policies=items("b"), exclusive=True), check_mode=True)
    assert left["changed"] is False


def test_a_failure_part_way_names_what_was_done_and_what_was_not(rundeck, module_runner, add_fault):
    add_fault(dict(method="POST", path="/acl/b[.]aclpolicy$", status=400, times=1))
    result = module_runner(main, dict(rundeck, policies=items("a", "b", "c")))
    assert result["failed"] is True and result["changed"] is True
    assert names(result["policies"]["created"]) == ["a.aclpolicy"]
    assert names(result["policies"]["not_done"]["create"]) == ["b.aclpolicy", "c.aclpolicy"]
    assert "Changed before this failure: POST /api/" in result["msg"]


def test_a_failure_before_any_write_changes_nothing(rundeck, module_runner, add_fault):
    module_runner(main, dict(rundeck, policies=items("b")))
    add_fault(dict(method="GET", path="/acl/b[.]aclpolicy$", status=500, times=10))
    result = module_runner(main, dict(rundeck, policies=items("a", "b"), retries=0))
    assert result.get("failed") is True and result["changed"] is False, result
    assert "policies" not in result


@pytest.mark.parametrize("args, message", [
    (dict(policies=[dict(name="a", policy=policy("a")), dict(name="a.aclpolicy", policy=policy("b"))]),
     "policies[0] and policies[1] both name the policy a.aclpolicy"),
    (dict(policies=[dict(name="a/b", policy=policy("a"))]), "policies[0]: the ACL policy name must not contain '/'"),
    (dict(policies=[dict(name="a")]), "policies[0]: policy is required with state=present"),
    (dict(policies=[dict(name="a", policy="a: [")]), "policies[0] (a.aclpolicy): policy is not valid YAML"),
    (dict(policies=[], exclusive=True, state="absent"), "exclusive deletes the policies the list does not name"),
    (dict(name="a", policy=policy("a"), exclusive=True), "exclusive applies to policies"),
    (dict(name="a"), "policy is required with state=present"),
    (dict(policies=items("a"), read_concurrency=0), "read_concurrency must be between 1 and 32"),
    (dict(policies=items("a"), name="a"), "parameters are mutually exclusive: name|policies"),
    (dict(project="sandbox"), "one of the following is required: name, policies"),
])
def test_bad_input_fails_before_any_request(rundeck, module_runner, request_log, args, message):
    result = module_runner(main, dict(rundeck, **args))
    assert result["failed"] is True and message in result["msg"], result
    assert request_log() == []


def test_reads_run_in_parallel_but_no_more_than_read_concurrency(sandbox, rundeck, module_runner, add_fault):
    module_runner(main, dict(rundeck, policies=items(*("p%02d" % number for number in range(16)))))
    add_fault(dict(method="GET", path="/acl/p[0-9]+[.]aclpolicy$", delay=0.1, times=100))
    started = time.monotonic()
    parallel = module_runner(main, dict(rundeck, policies=items(*("p%02d" % number for number in range(16)))))
    parallel_time = time.monotonic() - started
    started = time.monotonic()
    one_by_one = module_runner(main, dict(rundeck, policies=items(*("p%02d" % number for number in range(16))),
                                          read_concurrency=1))
    serial_time = time.monotonic() - started
    assert parallel["changed"] is False and one_by_one["changed"] is False
    # 16 reads of 0.1 s: 8 at a time take about 0.2 s, one at a time 1.6 s.
    assert serial_time >= 1.6 and parallel_time < 0.8, (parallel_time, serial_time)


def test_check_mode_for_a_project_an_earlier_task_creates(rundeck, module_runner, request_log):
    result = module_runner(main, dict(rundeck, project="not-yet", policies=items("a")), check_mode=True)
    assert result["changed"] is True and names(result["policies"]["created"]) == ["a.aclpolicy"]
    assert any("no project not-yet yet" in warning for warning in result.get("warnings", [])), result
    assert writes(request_log()) == []
