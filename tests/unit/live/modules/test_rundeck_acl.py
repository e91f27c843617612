"""rundeck_acl run in-process against the sandbox."""

from __future__ import annotations

import requests

from ansible_collections.opsforge.delivery.plugins.modules.rundeck_acl import main

POLICY = [{
    "description": "CI runs jobs",
    "context": {"project": ".*"},
    "for": {"job": [{"allow": ["read", "run"]}]},
    "by": {"group": "ci"},
}]


def writes(log):
    return [entry for entry in log if entry["method"] != "GET"]


def stored(sandbox, name, project=None):
    scope = "project/%s" % project if project else "system"
    response = requests.get("%s/api/49/%s/acl/%s.aclpolicy" % (sandbox.urls["rundeck"], scope, name),
                            headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"]}, timeout=5)
    return response.json()["contents"] if response.status_code == 200 else None


def test_check_mode_then_create_then_unchanged(sandbox, rundeck, module_runner, request_log):
    args = dict(rundeck, name="ci", policy=POLICY)

    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert predicted["changed"] is True
    assert writes(request_log()) == []
    assert stored(sandbox, "ci") is None

    created = module_runner(main, args, diff=True)
    assert created["changed"] is True
    assert created["acl"] == predicted["acl"]
    assert created["diff"]["after"] == stored(sandbox, "ci")
    assert created["diff"]["before"] == ""

    count = len(request_log())
    again = module_runner(main, args, diff=True)
    assert again["changed"] is False
    assert "diff" in again and again["diff"]["before"] == again["diff"]["after"]
    assert len(request_log()) - count == 1  # one GET, nothing else


def test_diff_only_with_diff_mode(rundeck, module_runner):
    result = module_runner(main, dict(rundeck, name="ci", policy=POLICY))
    assert "diff" not in result


def test_text_policy_is_stored_verbatim(sandbox, rundeck, module_runner):
    text = "# keep me\ndescription: t\nfor:\n  job:\n    - allow: read\nby:\n  group: dev\n"
    result = module_runner(main, dict(rundeck, name="t", project="sandbox", policy=text))
    assert result["changed"] is True
    assert stored(sandbox, "t", "sandbox") == text
    assert result["acl"] == {"name": "t.aclpolicy", "project": "sandbox", "policy": text}


def test_update_is_one_put(sandbox, rundeck, module_runner, request_log):
    module_runner(main, dict(rundeck, name="ci", policy=POLICY))
    count = len(request_log())
    changed = [dict(POLICY[0], **{"for": {"job": [{"allow": ["read", "run", "kill"]}]}})]
    result = module_runner(main, dict(rundeck, name="ci", policy=changed), diff=True)
    assert result["changed"] is True
    assert [e["method"] for e in request_log()[count:]] == ["GET", "PUT"]
    assert "kill" in result["diff"]["after"] and "kill" not in result["diff"]["before"]


def test_validation_failure_lists_documents_and_writes_nothing(sandbox, rundeck, module_runner):
    text = "description: no by\nfor:\n  job:\n    - allow: read\n---\ndescription: ok\nfor:\n  job:\n    - allow: read\n"
    result = module_runner(main, dict(rundeck, name="bad", policy=text))
    assert result["failed"] is True
    assert result["status"] == 400
    assert "bad.aclpolicy[1]" in result["msg"] and "bad.aclpolicy[2]" in result["msg"]
    assert stored(sandbox, "bad") is None


def test_local_input_errors_send_nothing(rundeck, module_runner, request_log):
    for policy in ("a: [", [1, 2], "- just\n- a list\n"):
        result = module_runner(main, dict(rundeck, name="x", policy=policy))
        assert result["failed"] is True, policy
    assert request_log() == []


def test_secret_is_not_in_failure(sandbox, rundeck, module_runner):
    result = module_runner(main, dict(rundeck, name="x", policy=POLICY, api_token="very-secret-value"))
    assert result["failed"] is True and result["status"] == 403
    assert "very-secret-value" not in repr(result)


def test_environment_variables_and_empty_ones(sandbox, module_runner, monkeypatch):
    monkeypatch.setenv("RUNDECK_URL", sandbox.urls["rundeck"])
    monkeypatch.setenv("RUNDECK_API_TOKEN", sandbox.credentials["rundeck_token"])
    assert module_runner(main, dict(name="env", policy=POLICY))["changed"] is True
    monkeypatch.setenv("RUNDECK_URL", "")
    result = module_runner(main, dict(name="env", policy=POLICY))
    assert result["failed"] is True and "url" in result["msg"]


def test_delete_in_check_mode_then_for_real(sandbox, rundeck, module_runner, request_log):
    module_runner(main, dict(rundeck, name="gone", policy=POLICY))
    predicted = module_runner(main, dict(rundeck, name="gone", state="absent"), check_mode=True, diff=True)
    assert predicted["changed"] is True and predicted["acl"] == {}
    assert stored(sandbox, "gone") is not None
    deleted = module_runner(main, dict(rundeck, name="gone", state="absent"))
    assert deleted["changed"] is True and stored(sandbox, "gone") is None
    assert module_runner(main, dict(rundeck, name="gone", state="absent"))["changed"] is False
