"""rundeck_job in-process against the sandbox: check mode predicts the real run field for field,
definitions are checked before any request, text booleans mean what they say, scripts read as text."""

from __future__ import annotations

import copy

import pytest
import yaml

from ansible_collections.opsforge.delivery.plugins.modules.rundeck_job import main as rundeck_job

JOB_UUID = "0b7f3c1e-5a2d-4e8f-9c6b-1d2e3f4a5b6c"
SCRIPT = "#!/bin/sh\nset -e\necho deploying ${option.version}\n"

# Jobs with options, notifications and every kind of step, as a person writes them.
RICH_JOB = {
    "name": "deploy",
    "group": "web/release",
    "description": "Deploy the web tier\nin two lines",
    "options": [{"name": "version", "required": True, "values": ["1.0", "1.1"]},
                {"name": "password", "secure": True, "valueExposed": True, "storagePath": "keys/web/db"}],
    "notification": {"onfailure": {"email": {"recipients": "ops@example.com", "attachLog": True}},
                     "onsuccess": [{"urls": "https://hooks.example.com/done"},
                                   {"plugin": {"type": "slack", "configuration": {"channel": "#ops"}}}]},
    "schedule": {"crontab": "0 30 2 ? * MON-FRI *"},
    "nodefilters": {"filter": "tags: web"},
    "sequence": {"keepgoing": False, "strategy": "node-first", "commands": [
        {"script": SCRIPT, "args": "-v", "description": "deploy"},
        {"scriptfile": "/srv/bin/check", "errorhandler": {"exec": "rollback"}},
        {"jobref": {"name": "smoke", "group": "web", "nodeStep": True}},
        {"type": "localexec", "nodeStep": False, "configuration": {"command": "true"}},
        {"exec": "echo done", "keepgoingOnSuccess": True},
    ]},
}
PLAIN_JOB = {"name": "cleanup", "sequence": {"commands": [{"exec": "find /tmp -mtime +7 -delete"}]}}


def connection(sandbox):
    return dict(url=sandbox.urls["rundeck"], api_token=sandbox.credentials["rundeck_token"], retries=0)


def predicted_and_real(module_runner, args):
    """The check-mode result of ``args``, then the result of the real run."""
    predicted = module_runner(rundeck_job, args, check_mode=True, diff=True)
    real = module_runner(rundeck_job, args, diff=True)
    assert predicted.get("failed") is not True and real.get("failed") is not True, (predicted, real)
    return predicted, real


def nulls(value, path=""):
    """The paths of null values in ``value``."""
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in nulls(item, "%s.%s" % (path, key))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in nulls(item, "%s[%d]" % (path, index))]
    return [path] if value is None else []


@pytest.mark.parametrize("definition", [RICH_JOB, PLAIN_JOB], ids=["rich", "plain"])
def test_check_mode_predicts_a_new_an_updated_and_an_unchanged_job_field_for_field(sandbox, module_runner, definition):
    args = dict(connection(sandbox), project="sandbox", definition=dict(definition, uuid=JOB_UUID))
    # New.
    predicted, real = predicted_and_real(module_runner, args)
    assert real["changed"] is True
    assert predicted == real
    # Changed: a description, an option, a step.
    changed = copy.deepcopy(args["definition"])
    changed["description"] = "changed"
    changed["options"] = [{"name": "region", "values": "eu,us", "multivalued": True}]
    changed["sequence"]["commands"].append({"scripturl": "https://scripts.example.com/x.sh"})
    predicted, real = predicted_and_real(module_runner, dict(args, definition=changed))
    assert real["changed"] is True
    assert predicted == real
    # Unchanged.
    predicted, real = predicted_and_real(module_runner, dict(args, definition=changed))
    assert real["changed"] is False
    assert predicted == real
    for result in (predicted, real):
        assert nulls(result["job"]["definition"]) == []


def test_check_mode_predicts_a_new_job_without_uuid_but_for_the_id_the_server_gives(sandbox, module_runner):
    args = dict(connection(sandbox), project="sandbox", definition=RICH_JOB)
    predicted, real = predicted_and_real(module_runner, args)
    for key in ("id", "href", "permalink"):
        assert predicted["job"].pop(key) is None and real["job"].pop(key)
    assert predicted == real


def test_check_mode_predicts_a_set_of_jobs_field_for_field(sandbox, module_runner):
    jobs = [dict(RICH_JOB, uuid=JOB_UUID), PLAIN_JOB]
    args = dict(connection(sandbox), project="sandbox", jobs=jobs)
    predicted, real = predicted_and_real(module_runner, dict(args, jobs=jobs[:1]))
    assert predicted == real
    changed = [dict(jobs[0], description="changed"), jobs[1]]
    predicted, real = predicted_and_real(module_runner, dict(args, jobs=changed))
    for result in (predicted, real):
        for kind in ("created", "updated"):
            for job in result["jobs"][kind]:
                if job["name"] == "cleanup":
                    # Only the server knows the UUID it gives a new job.
                    job.update(id=None, href=None, permalink=None)
    assert predicted == real
    assert [job["name"] for job in real["jobs"]["updated"]] == ["deploy"]
    assert [job["name"] for job in real["jobs"]["created"]] == ["cleanup"]


def test_no_null_the_user_did_not_write_in_the_diff_or_the_result(sandbox, module_runner):
    definition = {"name": "files", "uuid": JOB_UUID, "sequence": {"commands": [
        {"scriptfile": "/srv/a.sh"}, {"scripturl": "https://s.example.com/b.sh", "expandTokenInScriptFile": True},
        {"script": "echo hi", "expandTokenInScriptFile": False}, {"exec": "x", "args": "ignored"}]}}
    args = dict(connection(sandbox), project="sandbox", definition=definition)
    predicted, real = predicted_and_real(module_runner, args)
    for result in (predicted, real):
        assert nulls(result["job"]["definition"]) == []
        assert "null" not in result["diff"]["after"]


# -- keys the job format does not have --------------------------------------------------------


def test_a_misspelled_key_is_refused_before_any_request_with_where_and_what_was_meant(sandbox, module_runner, request_log):
    definition = dict(PLAIN_JOB, descripton="typo", sequence={"commands": [
        {"exec": "one"}, {"exec": "two"}, {"jobref": {"name": "other", "nodeStep": True}, "nodestep": True}]})
    result = module_runner(rundeck_job, dict(connection(sandbox), project="sandbox", definition=definition))
    assert result["failed"] is True
    assert "definition (job cleanup)" in result["msg"]
    assert "unknown key 'descripton' at the top level (did you mean 'description'?)" in result["msg"]
    assert "unknown key 'nodestep' in sequence.commands[2] (did you mean 'jobref.nodeStep'?)" in result["msg"]
    assert request_log() == []


def test_a_misspelled_key_in_a_set_of_jobs_names_the_entry_and_sends_nothing(sandbox, module_runner, request_log):
    jobs = [PLAIN_JOB, dict(RICH_JOB, notification={"onfailure": {"email": {"recipents": "ops@example.com"}}})]
    result = module_runner(rundeck_job, dict(connection(sandbox), project="sandbox", jobs=jobs))
    assert result["failed"] is True
    assert "jobs[1] (job web/release/deploy): unknown key 'recipents' in notification.onfailure.email " \
           "(did you mean 'recipients'?)" in result["msg"]
    assert request_log() == []


def test_a_near_miss_on_a_command_step_is_a_warning_since_rundeck_keeps_such_keys(sandbox, module_runner):
    definition = {"name": "interp", "sequence": {"commands": [{"script": "echo hi", "scriptInterpeter": "bash -e",
                                                               "team": "web"}]}}
    result = module_runner(rundeck_job, dict(connection(sandbox), project="sandbox", definition=definition))
    assert result["changed"] is True
    warnings = result.get("warnings", [])
    assert len(warnings) == 1
    assert "'scriptInterpeter' in sequence.commands[0] (did you mean 'scriptInterpreter'?)" in warnings[0]


# -- switches written as text ------------------------------------------------------------------

TEXT_SWITCHES = {
    "name": "texts",
    "multipleExecutions": "false",
    "scheduleEnabled": 1,
    "nodeFilterEditable": "False",
    "options": [{"name": "v", "required": "false", "multivalued": "false"}],
    "notification": {"onfailure": {"email": {"recipients": "ops@example.com", "attachLog": "TRUE"}}},
    "sequence": {"keepgoing": "false", "commands": [
        {"exec": "x", "keepgoingOnSuccess": "false"},
        {"scriptfile": "/srv/x", "expandTokenInScriptFile": "false"},
        {"type": "localexec", "nodeStep": "false"},
        {"jobref": {"name": "other", "nodeStep": "true", "importOptions": "false"}},
    ]},
}


def test_switches_written_as_text_mean_what_they_say_and_settle(sandbox, module_runner):
    args = dict(connection(sandbox), project="sandbox", definition=TEXT_SWITCHES)
    predicted = module_runner(rundeck_job, args, check_mode=True, diff=True)
    assert predicted["job"]["definition"]["scheduleEnabled"] is True
    created = module_runner(rundeck_job, args)
    assert created["changed"] is True and not created.get("warnings"), created
    stored = created["job"]["definition"]
    assert "multipleExecutions" not in stored and stored["nodeFilterEditable"] is False
    assert stored["sequence"]["keepgoing"] is False
    assert stored["notification"]["onfailure"][0]["email"]["attachLog"] is True
    assert stored["sequence"]["commands"][2]["nodeStep"] is False
    assert module_runner(rundeck_job, args)["changed"] is False


def test_a_switch_written_as_other_text_is_refused(sandbox, module_runner, request_log):
    definition = dict(PLAIN_JOB, scheduleEnabled="no")
    result = module_runner(rundeck_job, dict(connection(sandbox), project="sandbox", definition=definition))
    assert result["failed"] is True
    assert "a switch takes true or false, but scheduleEnabled is 'no'" in result["msg"]
    assert request_log() == []


# -- scripts in the diff -----------------------------------------------------------------------


def test_a_multi_line_script_reads_as_a_block_in_the_diff_and_keeps_its_text(sandbox, module_runner):
    trailing = "echo a  \necho b\n"
    definition = {"name": "scripts", "sequence": {"commands": [{"script": SCRIPT}, {"script": trailing}]}}
    result = module_runner(rundeck_job, dict(connection(sandbox), project="sandbox", definition=definition),
                           check_mode=True, diff=True)
    after = result["diff"]["after"]
    assert "  - script: |\n      #!/bin/sh\n      set -e\n      echo deploying ${option.version}\n" in after
    # A block would lose the trailing spaces: that script stays quoted.
    assert '- script: "echo a  \\necho b\\n"' in after
    commands = yaml.safe_load(after)["sequence"]["commands"]
    assert [step["script"] for step in commands] == [SCRIPT, trailing]


def test_a_job_with_the_older_structured_node_filters_settles(sandbox, module_runner):
    definition = {"name": "legacy-filters", "nodefilters": {"include": {"tags": "web"}, "exclude": {"name": "web 3"}},
                  "sequence": {"commands": [{"exec": "uptime"}]}}
    args = dict(connection(sandbox), project="sandbox", definition=definition)
    predicted, real = predicted_and_real(module_runner, args)
    for result in (predicted, real):
        result["job"].update(id=None, href=None, permalink=None)
    assert predicted == real
    assert real["job"]["definition"]["nodefilters"]["filter"] == 'tags: web !name: "web 3"'
    assert module_runner(rundeck_job, args)["changed"] is False
