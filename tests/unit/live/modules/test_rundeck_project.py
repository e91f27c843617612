"""rundeck_project run in-process against the sandbox."""

from __future__ import annotations

import json

import requests

from ansible_collections.opsforge.delivery.plugins.modules.rundeck_project import main

MANAGED = dict(
    description="Web tier",
    label="Web",
    config={"project.execution.history.cleanup.enabled": True, "project.execution.history.cleanup.retention.days": 60},
)


def writes(log):
    return [entry for entry in log if entry["method"] != "GET"]


def stored(sandbox, name):
    """The project's properties as the server has them, or None."""
    response = requests.get("%s/api/49/project/%s" % (sandbox.urls["rundeck"], name),
                            headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"]}, timeout=5)
    return response.json()["config"] if response.status_code == 200 else None


def test_check_mode_then_create_then_unchanged(sandbox, rundeck, module_runner, request_log):
    args = dict(rundeck, name="web", **MANAGED)

    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert predicted["changed"] is True
    assert writes(request_log()) == []
    assert stored(sandbox, "web") is None
    assert predicted["diff"]["before"] == {}

    count = len(request_log())
    created = module_runner(main, args, diff=True)
    assert created["changed"] is True
    assert [(e["method"], e["path"]) for e in request_log()[count:]] == [("GET", "/api/49/project/web"), ("POST", "/api/49/projects")]
    assert created["diff"] == predicted["diff"]
    config = stored(sandbox, "web")
    assert created["project"]["config"] == config
    assert config["project.execution.history.cleanup.enabled"] == "true"
    assert config["project.execution.history.cleanup.retention.days"] == "60"
    assert (config["project.description"], config["project.label"]) == ("Web tier", "Web")
    # Rundeck's own defaults are kept; check mode could not know them.
    assert config["service.NodeExecutor.default.provider"] == "sshj-ssh"
    for key in ("name", "description", "label", "url"):
        assert created["project"][key] == predicted["project"][key], key
    assert set(predicted["project"]["config"].items()) <= set(config.items())

    count = len(request_log())
    again = module_runner(main, args, diff=True)
    assert again["changed"] is False
    assert again["diff"]["before"] == again["diff"]["after"]
    assert again["project"] == created["project"]
    assert len(request_log()) - count == 1  # one GET, nothing else


def test_a_default_rundeck_adds_to_a_new_project_goes_when_the_user_wants_it_unset(sandbox, rundeck, module_runner, request_log):
    args = dict(rundeck, name="web", config={"project.ssh-authentication": None, "project.nodeCache.enabled": None})
    created = module_runner(main, args)
    assert created["changed"] is True
    assert "project.ssh-authentication" not in stored(sandbox, "web")
    assert "project.ssh-authentication" not in created["project"]["config"]
    assert [(e["method"], e["path"]) for e in writes(request_log())] == [
        ("POST", "/api/49/projects"), ("DELETE", "/api/49/project/web/config/project.ssh-authentication")]

    again = module_runner(main, args)
    assert again["changed"] is False


def test_the_diff_shows_only_what_is_managed(rundeck, module_runner):
    result = module_runner(main, dict(rundeck, name="web", **MANAGED), diff=True)
    assert result["diff"]["after"] == {
        "name": "web",
        "description": "Web tier",
        "label": "Web",
        "config": {"project.execution.history.cleanup.enabled": "true", "project.execution.history.cleanup.retention.days": "60"},
    }


def test_diff_only_with_diff_mode(rundeck, module_runner):
    assert "diff" not in module_runner(main, dict(rundeck, name="web"))


def test_existence_alone_of_the_seeded_project_is_one_request(rundeck, module_runner, request_log):
    result = module_runner(main, dict(rundeck, name="sandbox"))
    assert result["changed"] is False
    assert result["project"]["description"] == "Seeded by the sandbox"
    assert len(request_log()) == 1


def test_an_update_is_one_write_per_property_then_a_read(sandbox, rundeck, module_runner, request_log):
    module_runner(main, dict(rundeck, name="web", **MANAGED))
    count = len(request_log())
    changed = dict(MANAGED, description="", config={"project.execution.history.cleanup.retention.days": 30, "new.one": "x"})
    result = module_runner(main, dict(rundeck, name="web", **changed), diff=True)
    assert result["changed"] is True
    assert [(e["method"], e["path"].rsplit("/", 1)[-1]) for e in request_log()[count:]] == [
        ("GET", "web"),
        ("PUT", "new.one"),
        ("DELETE", "project.description"),
        ("PUT", "project.execution.history.cleanup.retention.days"),
        ("GET", "web"),
    ]
    config = stored(sandbox, "web")
    assert "project.description" not in config
    assert config["project.execution.history.cleanup.enabled"] == "true"  # not named: kept
    assert result["project"]["config"] == config
    assert result["diff"]["before"]["description"] == "Web tier" and result["diff"]["after"]["description"] == ""


def test_check_mode_update_predicts_the_real_result(sandbox, rundeck, module_runner, request_log):
    module_runner(main, dict(rundeck, name="web", **MANAGED))
    args = dict(rundeck, name="web", label="Web tier", config={"project.execution.history.cleanup.enabled": None})
    count = len(request_log())
    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert writes(request_log()[count:]) == []
    real = module_runner(main, args, diff=True)
    assert predicted["changed"] is real["changed"] is True
    assert predicted["diff"] == real["diff"]
    assert predicted["project"] == real["project"]
    assert "project.execution.history.cleanup.enabled" not in stored(sandbox, "web")


def test_null_removes_only_that_property(sandbox, rundeck, module_runner, request_log):
    module_runner(main, dict(rundeck, name="web", **MANAGED))
    count = len(request_log())
    result = module_runner(main, dict(rundeck, name="web", config={"project.execution.history.cleanup.retention.days": None}))
    assert result["changed"] is True
    assert [e["method"] for e in writes(request_log()[count:])] == ["DELETE"]
    config = stored(sandbox, "web")
    assert "project.execution.history.cleanup.retention.days" not in config
    assert config["project.label"] == "Web"
    again = module_runner(main, dict(rundeck, name="web", config={"project.execution.history.cleanup.retention.days": None}))
    assert again["changed"] is False


def test_properties_set_by_others_are_left_alone(sandbox, rundeck, module_runner):
    module_runner(main, dict(rundeck, name="web", **MANAGED))
    requests.put("%s/api/49/project/web/config/other.tool" % sandbox.urls["rundeck"], json={"value": "theirs"},
                 headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"]}, timeout=5)
    result = module_runner(main, dict(rundeck, name="web", description="Changed"))
    assert result["changed"] is True
    assert stored(sandbox, "web")["other.tool"] == "theirs"


def test_delete_in_check_mode_then_for_real(sandbox, rundeck, module_runner, request_log):
    module_runner(main, dict(rundeck, name="web", **MANAGED))
    predicted = module_runner(main, dict(rundeck, name="web", state="absent"), check_mode=True, diff=True)
    assert predicted["changed"] is True and predicted["project"] == {}
    assert predicted["diff"]["after"] == {} and predicted["diff"]["before"]["label"] == "Web"
    assert stored(sandbox, "web") is not None
    count = len(request_log())
    deleted = module_runner(main, dict(rundeck, name="web", state="absent"))
    assert deleted["changed"] is True
    delete = writes(request_log()[count:])
    assert [(e["method"], e["query"]) for e in delete] == [("DELETE", "deferred=false")]
    # Gone when the task ends, not in the background.
    assert stored(sandbox, "web") is None
    assert module_runner(main, dict(rundeck, name="web", state="absent"))["changed"] is False


def test_before_api_45_the_delete_has_no_deferred_parameter(sandbox, rundeck, module_runner, request_log):
    module_runner(main, dict(rundeck, name="web"))
    count = len(request_log())
    assert module_runner(main, dict(rundeck, name="web", state="absent", api_version=44))["changed"] is True
    assert [(e["method"], e["query"]) for e in writes(request_log()[count:])] == [("DELETE", "")]
    assert stored(sandbox, "web") is None


def test_local_input_errors_send_nothing(rundeck, module_runner, request_log):
    cases = [
        (dict(name="bad name"), "invalid project name"),
        (dict(name=".hidden", state="absent"), "invalid project name"),
        (dict(name="web", config={"a/b": "x"}), "must not contain '/'"),
        (dict(name="web", config={"": "x"}), "must not be empty"),
        (dict(name="web", config={"a.b": ["x"]}), "got a list"),
        (dict(name="web", config={"a.b": ""}), "null to remove"),
        (dict(name="web", config={"project.description": "x"}), "description option"),
        (dict(name="web", config={"project.name": "x"}), "project.name"),
        (dict(name="web", api_version=13), "api_version 13 is too old"),
    ]
    for args, words in cases:
        result = module_runner(main, dict(rundeck, **args))
        assert result["failed"] is True, args
        assert words in result["msg"], (args, result["msg"])
    assert request_log() == []


def test_errors_quote_rundeck(rundeck, module_runner, add_fault):
    body = json.dumps({"error": True, "apiversion": 49, "errorCode": "api.error.item.unauthorized",
                       "message": "Not authorized for action \"configure\" for Project web"})
    add_fault({"method": "PUT", "path": "/config/", "status": 403, "body": body})
    module_runner(main, dict(rundeck, name="web"))
    result = module_runner(main, dict(rundeck, name="web", config={"a.b": "c"}))
    assert result["failed"] is True and result["status"] == 403
    assert "set property a.b of project web" in result["msg"]
    assert 'HTTP 403: Not authorized for action "configure" for Project web' in result["msg"]
    assert "[api.error.item.unauthorized]" in result["msg"]


def test_a_project_without_its_configuration_is_an_error(rundeck, module_runner, add_fault):
    # What Rundeck answers a token that may read the project but not configure it.
    add_fault({"method": "GET", "path": "/project/sandbox$", "status": 200,
               "body": json.dumps({"url": "u", "name": "sandbox", "description": "d"})})
    result = module_runner(main, dict(rundeck, name="sandbox", label="x"))
    assert result["failed"] is True
    assert "needs configure (or admin) access to project sandbox" in result["msg"]


def test_existence_alone_needs_no_configuration(sandbox, rundeck, module_runner, add_fault):
    module_runner(main, dict(rundeck, name="web", label="Web"))
    add_fault({"method": "GET", "path": "/project/web$", "status": 200, "times": 2,
               "body": json.dumps({"url": "u", "name": "web", "description": "", "label": "Web"})})
    kept = module_runner(main, dict(rundeck, name="web"))
    assert kept["changed"] is False and kept["project"]["label"] == "Web" and kept["project"]["config"] == {}
    assert module_runner(main, dict(rundeck, name="web", state="absent"))["changed"] is True
    assert stored(sandbox, "web") is None


def test_a_404_that_is_not_rundecks_is_an_error(rundeck, module_runner, add_fault):
    add_fault({"method": "GET", "path": "/project/web$", "status": 404, "body": "<html>Not Found</html>"})
    result = module_runner(main, dict(rundeck, name="web"))
    assert result["failed"] is True and result["status"] == 404


def test_secret_is_not_in_failure(rundeck, module_runner):
    result = module_runner(main, dict(rundeck, name="web", api_token="very-secret-value"))
    assert result["failed"] is True and result["status"] == 403
    assert "very-secret-value" not in repr(result)


def test_environment_variables(sandbox, module_runner, monkeypatch):
    monkeypatch.setenv("RUNDECK_URL", sandbox.urls["rundeck"])
    monkeypatch.setenv("RUNDECK_API_TOKEN", sandbox.credentials["rundeck_token"])
    assert module_runner(main, dict(name="env"))["changed"] is True
    assert stored(sandbox, "env") is not None
