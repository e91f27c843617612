"""The canonical form of job definitions, with definitions as people write them and as Rundeck exports them."""

from __future__ import annotations

import copy
import os

import pytest
import yaml

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import (
    COMMAND_STEP_KEYS,
    DISPATCH_KEYS,
    EMAIL_KEYS,
    JOB_FIELDS,
    JOBREF_DISPATCH_KEYS,
    JOBREF_KEYS,
    JOBREF_STEP_INPUT_KEYS,
    NOTIFICATION_TRIGGERS,
    OPTION_KEYS,
    PLUGIN_STEP_KEYS,
    canonical_job,
    canonical_schedule,
    check_known_keys,
    differences,
    group_path,
    in_group,
    job_path,
    structured_filter_text,
    with_real_booleans,
)
from tests.sandbox.jobformat import _COMMAND_STEP_KEYS as _SANDBOX_COMMAND_STEP_KEYS
from tests.support.paths import UNIT_FIXTURES as FIXTURES

# A job as Rundeck 5 exports it (the shape of community.general's test fixture).
with open(os.path.join(FIXTURES, "rundeck_exported_test_job.yaml"), encoding="utf-8") as fixture:
    EXPORTED_TEST_JOB = yaml.safe_load(fixture)[0]

# What a person writes for that job.
WRITTEN_TEST_JOB = {
    "name": "test_job",
    "defaultTab": "nodes",
    "nodeFilterEditable": False,
    "options": [
        # A number 0 would be no default at all (Option.fromMap reads it with Groovy truth).
        {"name": "exit_code", "label": "Exit Code", "value": "0"},
        {"name": "sleep", "label": "Sleep", "value": 1, "required": False},
    ],
    "sequence": {"commands": [{"exec": 'sleep $RD_OPTION_SLEEP && echo "Test done!" && exit $RD_OPTION_EXIT_CODE'}]},
}

# A richer job as Rundeck exports it: structured schedule, string numbers, node dispatch,
# notifications in map form, option delimiters, a job reference with string flags.
EXPORTED_RICH_JOB = {
    "id": "0c5d6f4e-2a1b-4c3d-9e8f-7a6b5c4d3e2f",
    "uuid": "0c5d6f4e-2a1b-4c3d-9e8f-7a6b5c4d3e2f",
    "name": "deploy",
    "group": "release/web",
    "description": "Deploy the web tier\n\nRuns on every web node.",
    "loglevel": "INFO",
    "executionEnabled": True,
    "scheduleEnabled": True,
    "nodeFilterEditable": True,
    "nodesSelectedByDefault": True,
    "multipleExecutions": True,
    "maxMultipleExecutions": "2",
    "timeout": "30m",
    "retry": {"retry": "3", "delay": "PT30S"},
    "schedule": {"month": "*", "time": {"hour": "2", "minute": "30", "seconds": "0"}, "weekday": {"day": "*"}, "year": "*"},
    "nodefilters": {
        "dispatch": {"excludePrecedence": True, "keepgoing": False, "rankOrder": "ascending",
                     "successOnEmptyNodeFilter": False, "threadcount": "4"},
        "filter": "tags: web",
    },
    "options": [
        {"name": "version", "required": True, "label": "Version"},
        {"name": "env", "enforced": True, "value": "staging", "values": ["production", "staging"], "valuesListDelimiter": ","},
        {"name": "hosts", "multivalued": True, "delimiter": ",", "values": ["a", "b"], "valuesListDelimiter": ","},
    ],
    "notification": {
        "onfailure": {"email": {"recipients": "ops@example.com", "subject": "deploy failed"}},
        "onsuccess": {"urls": "https://hooks.example.com/deployed", "httpMethod": "post", "format": "json"},
    },
    "notifyAvgDurationThreshold": None,
    "sequence": {
        "keepgoing": False,
        "strategy": "node-first",
        "commands": [
            {"script": "#!/bin/sh\necho deploying\n", "scriptInterpreter": "sh -e", "interpreterArgsQuoted": False,
             "args": "${option.version}"},
            {"scriptfile": "/srv/bin/check", "expandTokenInScriptFile": False},
            {"jobref": {"name": "smoke-test", "group": "", "useName": "true"}},
            {"type": "localexec", "nodeStep": False, "configuration": {"command": "echo done"}},
        ],
    },
}

WRITTEN_RICH_JOB = {
    "name": "deploy",
    "group": "/release/web/",
    "description": "Deploy the web tier\r\n\r\nRuns on every web node.",
    "multipleExecutions": True,
    "maxMultipleExecutions": 2,
    "timeout": "30m",
    "retry": {"retry": 3, "delay": "PT30S"},
    "schedule": {"crontab": "0 30 2 ? * * *"},
    "nodefilters": {"filter": "tags: web", "dispatch": {"threadcount": 4}},
    "options": [
        {"name": "version", "required": True, "label": "Version", "secure": False},
        {"name": "env", "enforced": True, "value": "staging", "values": "production,staging"},
        {"name": "hosts", "multivalued": True, "values": ["a", " b ", "a", ""]},
    ],
    "notification": {
        "onsuccess": [{"urls": "https://hooks.example.com/deployed", "format": "json"}],
        "onfailure": {"email": {"recipients": "ops@example.com", "subject": "deploy failed", "attachLog": False}},
    },
    "sequence": {
        "commands": [
            {"script": "#!/bin/sh\necho deploying\n", "scriptInterpreter": "sh -e", "args": "${option.version}"},
            {"scriptfile": "/srv/bin/check"},
            {"jobref": {"name": "smoke-test", "useName": True}},
            {"type": "localexec", "configuration": {"command": "echo done"}},
        ],
    },
}


def test_a_written_job_equals_its_export():
    assert canonical_job(WRITTEN_TEST_JOB) == canonical_job(EXPORTED_TEST_JOB)
    assert differences(canonical_job(EXPORTED_TEST_JOB), canonical_job(WRITTEN_TEST_JOB)) == []


def test_a_rich_written_job_equals_its_export():
    assert differences(canonical_job(EXPORTED_RICH_JOB), canonical_job(WRITTEN_RICH_JOB)) == []


def test_the_canonical_form_drops_identity_and_keeps_the_exported_defaults():
    job = canonical_job(EXPORTED_TEST_JOB)
    for key in ("id", "uuid", "project", "user", "plugins"):
        assert key not in job
    assert job["description"] == ""
    assert job["executionEnabled"] is True
    assert job["sequence"] == {"commands": [{"exec": EXPORTED_TEST_JOB["sequence"]["commands"][0]["exec"]}],
                               "keepgoing": False, "strategy": "node-first"}


@pytest.mark.parametrize("job", [EXPORTED_TEST_JOB, WRITTEN_TEST_JOB, EXPORTED_RICH_JOB, WRITTEN_RICH_JOB])
def test_normalizing_twice_changes_nothing(job):
    once = canonical_job(job)
    assert canonical_job(once) == once


def test_the_input_is_not_modified():
    before = copy.deepcopy(WRITTEN_RICH_JOB)
    canonical_job(WRITTEN_RICH_JOB)
    assert WRITTEN_RICH_JOB == before


@pytest.mark.parametrize("change, field", [
    ({"description": "Something else"}, "description"),
    ({"loglevel": "DEBUG"}, "loglevel"),
    ({"group": "release/api"}, "group"),
    ({"schedule": {"crontab": "0 30 3 ? * * *"}}, "schedule"),
    ({"timeout": "1h"}, "timeout"),
    ({"executionEnabled": False}, "executionEnabled"),
])
def test_real_changes_are_differences(change, field):
    wanted = dict(WRITTEN_RICH_JOB, **change)
    assert differences(canonical_job(EXPORTED_RICH_JOB), canonical_job(wanted)) == [field]


def test_option_order_is_a_difference_because_rundeck_shows_options_in_that_order():
    wanted = copy.deepcopy(WRITTEN_RICH_JOB)
    wanted["options"].reverse()
    assert differences(canonical_job(EXPORTED_RICH_JOB), canonical_job(wanted)) == ["options"]


def test_a_changed_step_is_a_difference():
    wanted = copy.deepcopy(WRITTEN_TEST_JOB)
    wanted["sequence"]["commands"].append({"exec": "echo after"})
    assert differences(canonical_job(EXPORTED_TEST_JOB), canonical_job(wanted)) == ["sequence"]


def test_a_known_field_set_only_on_the_server_is_a_difference():
    exported = dict(EXPORTED_TEST_JOB, timeout="10m")
    assert differences(canonical_job(exported), canonical_job(WRITTEN_TEST_JOB)) == ["timeout"]


def test_fields_only_a_newer_server_exports_are_not_differences():
    exported = dict(EXPORTED_TEST_JOB, user="admin", runnerSelector={"filter": "tags: runner"})
    assert differences(canonical_job(exported), canonical_job(WRITTEN_TEST_JOB)) == []


def test_the_option_map_form_is_ordered_by_name():
    mapped = canonical_job(dict(WRITTEN_TEST_JOB, options={"sleep": {"value": "1", "label": "Sleep"},
                                                           "exit_code": {"value": "0", "label": "Exit Code"}}))
    assert [option["name"] for option in mapped["options"]] == ["exit_code", "sleep"]
    assert mapped == canonical_job(EXPORTED_TEST_JOB)


def test_option_values_are_trimmed_deduplicated_and_sorted_only_with_sort_values():
    job = dict(WRITTEN_TEST_JOB, options=[
        {"name": "a", "values": " b, a ,b,,c"},
        {"name": "s", "values": ["b", "a"], "sortValues": True},
        {"name": "semicolon", "values": "x;y", "valuesListDelimiter": ";"},
    ])
    options = canonical_job(job)["options"]
    assert options[0] == {"name": "a", "values": ["b", "a", "c"], "valuesListDelimiter": ","}
    assert options[1]["values"] == ["a", "b"]
    assert options[2] == {"name": "semicolon", "values": ["x", "y"], "valuesListDelimiter": ";"}


def test_secure_option_fields_follow_the_server_rules():
    job = dict(WRITTEN_TEST_JOB, options=[
        {"name": "password", "secure": True, "valueExposed": False, "storagePath": "keys/db"},
        {"name": "plain", "valueExposed": True, "dateFormat": "YYYY", "type": "text"},
    ])
    options = canonical_job(job)["options"]
    assert options == [{"name": "password", "secure": True, "storagePath": "keys/db"}, {"name": "plain"}]


@pytest.mark.parametrize("schedule, expected", [
    ({"crontab": "0 30 2 ? * * *"},
     {"time": {"seconds": "0", "minute": "30", "hour": "2"}, "month": "*", "year": "*", "weekday": {"day": "*"}}),
    ({"crontab": "0 0 12 * * ?"},
     {"time": {"seconds": "0", "minute": "0", "hour": "12"}, "month": "*", "year": "*", "dayofmonth": {"day": "*"}}),
    ({"crontab": "0 15 8 ? * MON-FRI 2027"},
     {"time": {"seconds": "0", "minute": "15", "hour": "8"}, "month": "*", "year": "2027", "weekday": {"day": "MON-FRI"}}),
    ({"time": {"hour": 2, "minute": 30}},
     {"time": {"seconds": "0", "minute": "30", "hour": "2"}, "month": "*", "year": "*", "weekday": {"day": "*"}}),
    ({"time": {"hour": "4"}, "dayofmonth": {"day": 1}, "month": "1,7"},
     {"time": {"seconds": "0", "minute": "0", "hour": "4"}, "month": "1,7", "year": "*", "dayofmonth": {"day": "1"}}),
])
def test_schedules_take_the_structured_form(schedule, expected):
    assert canonical_schedule(schedule) == expected


def test_a_malformed_crontab_is_left_for_the_server_to_refuse():
    assert canonical_schedule({"crontab": "every day"}) == {"crontab": "every day"}


def test_notification_forms_are_equal_whatever_the_order_of_plugins():
    map_form = {"onsuccess": {"email": {"recipients": "a@example.com"},
                              "plugin": [{"type": "slack", "configuration": {"channel": "#ops"}},
                                         {"type": "HttpNotification"}]}}
    list_form = {"onsuccess": [{"plugin": {"type": "HttpNotification", "configuration": {}}},
                               {"email": {"recipients": "a@example.com", "attachLog": "false"}},
                               {"plugin": {"type": "slack", "configuration": {"channel": "#ops"}}}]}
    first = canonical_job(dict(WRITTEN_TEST_JOB, notification=map_form))
    second = canonical_job(dict(WRITTEN_TEST_JOB, notification=list_form, notifyAvgDurationThreshold=None))
    assert first == second
    assert "notifyAvgDurationThreshold" not in first


def test_job_reference_flags_are_booleans_whether_strings_or_not():
    ref = canonical_job(EXPORTED_RICH_JOB)["sequence"]["commands"][2]["jobref"]
    assert ref == {"name": "smoke-test", "group": "", "nodeStep": False, "useName": True}


def test_node_dispatch_defaults_and_the_selection_flag():
    job = canonical_job(WRITTEN_RICH_JOB)
    assert job["nodefilters"]["dispatch"] == {"threadcount": "4", "keepgoing": False, "successOnEmptyNodeFilter": False,
                                              "excludePrecedence": True, "rankOrder": "ascending"}
    assert job["nodesSelectedByDefault"] is True
    without_filter = canonical_job(dict(WRITTEN_TEST_JOB, nodefilters={"dispatch": {"threadcount": 2}},
                                        nodesSelectedByDefault=False))
    assert "nodefilters" not in without_filter and "nodesSelectedByDefault" not in without_filter


def test_retry_without_delay_is_a_plain_string():
    assert canonical_job(dict(WRITTEN_TEST_JOB, retry={"retry": 2}))["retry"] == "2"
    assert canonical_job(dict(WRITTEN_TEST_JOB, retry=2))["retry"] == "2"


def test_log_limit_defaults_apply_only_with_a_limit():
    assert canonical_job(dict(WRITTEN_TEST_JOB, loglimit="100MB"))["loglimitAction"] == "halt"
    assert "loglimitStatus" not in canonical_job(dict(WRITTEN_TEST_JOB, loglimitStatus="failed"))


@pytest.mark.parametrize("group, expected", [(None, ""), ("", ""), ("/a/b/", "a/b"), ("a", "a")])
def test_group_paths(group, expected):
    assert group_path(group) == expected


def test_job_paths_and_group_scopes():
    assert job_path("", "deploy") == "deploy"
    assert job_path("/release/", "deploy") == "release/deploy"
    assert in_group("release/web", "release") and in_group("release", "/release/") and in_group("x", None)
    assert not in_group("releases", "release") and not in_group("", "release")


def written_job(**fields):
    return dict({"name": "report", "sequence": {"commands": [{"exec": "true"}]}}, **fields)


def exported_job(**fields):
    """A job as Rundeck exports it, with the defaults it fills in."""
    job = {"id": "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "uuid": "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "report",
           "description": "", "loglevel": "INFO", "executionEnabled": True, "scheduleEnabled": True, "nodeFilterEditable": True,
           "sequence": {"commands": [{"exec": "true"}], "keepgoing": False, "strategy": "node-first"}}
    job.update(fields)
    return job


EXPORTED_DISPATCH = {"excludePrecedence": True, "keepgoing": False, "rankOrder": "ascending", "successOnEmptyNodeFilter": False,
                     "threadcount": "1"}


@pytest.mark.parametrize("written, exported", [
    # Each address is trimmed, trailing commas dropped (Notification.beforeValidate).
    ({"notification": {"onfailure": {"email": {"recipients": " a@example.com , b@example.com,"}}}},
     {"notification": {"onfailure": {"email": {"recipients": "a@example.com,b@example.com"}}}, "notifyAvgDurationThreshold": None}),
    # A log attached without saying how is attached as a file (Notification.fromMap).
    ({"notification": {"onfailure": {"email": {"recipients": "ops@example.com", "attachLog": True}}}},
     {"notification": {"onfailure": {"email": {"recipients": "ops@example.com", "attachLog": True, "attachLogInFile": True}}},
      "notifyAvgDurationThreshold": None}),
    ({"notification": {"onfailure": {"email": {"recipients": "ops@example.com", "attachLog": "true", "attachLogInFile": False}}}},
     {"notification": {"onfailure": {"email": {"recipients": "ops@example.com", "attachLog": True, "attachLogInFile": True}}},
      "notifyAvgDurationThreshold": None}),
    # Keys of a notification entry other than email, urls (with httpMethod and format) and plugin
    # are not read (ScheduledExecution.fromMap).
    ({"notification": {"onfailure": {"email": {"recipients": "ops@example.com"}, "recipients": "x@example.com"}}},
     {"notification": {"onfailure": {"email": {"recipients": "ops@example.com"}}}, "notifyAvgDurationThreshold": None}),
    # A webhook without method or format is stored without them: sent as a post of xml.
    ({"notification": {"onsuccess": {"urls": "https://hooks.example.com/a"}}},
     {"notification": {"onsuccess": {"urls": "https://hooks.example.com/a", "httpMethod": None, "format": None}},
      "notifyAvgDurationThreshold": None}),
    # The threshold is stored as text, and only next to notifications.
    ({"notification": {"onavgduration": {"email": {"recipients": "ops@example.com"}}}, "notifyAvgDurationThreshold": 30},
     {"notification": {"onavgduration": {"email": {"recipients": "ops@example.com"}}}, "notifyAvgDurationThreshold": "30"}),
    ({"notifyAvgDurationThreshold": "+30"}, {}),
    # Unchecking the exclusions by default is exported only when true, and only with exclusions.
    ({"nodefilters": {"filter": "tags: web", "filterExclude": "name: web3"}, "excludeFilterUncheck": False},
     {"nodefilters": {"dispatch": EXPORTED_DISPATCH, "filter": "tags: web", "filterExclude": "name: web3"},
      "nodesSelectedByDefault": True}),
    ({"nodefilters": {"filter": "tags: web"}, "excludeFilterUncheck": True},
     {"nodefilters": {"dispatch": EXPORTED_DISPATCH, "filter": "tags: web"}, "nodesSelectedByDefault": True}),
    ({"orchestrator": {"type": "subset", "configuration": {}}}, {"orchestrator": {"type": "subset"}}),
    # A job reference's thread count is exported as a number, its flags as booleans, nothing of it without a filter.
    ({"sequence": {"commands": [{"jobref": {"name": "smoke", "nodefilters": {
        "filter": "tags: web", "dispatch": {"threadcount": "2", "keepgoing": "true", "nodeIntersect": "false"}}}}]}},
     {"sequence": {"commands": [{"jobref": {"group": "", "name": "smoke", "useName": "true", "nodefilters": {
         "dispatch": {"keepgoing": True, "nodeIntersect": False, "threadcount": 2}, "filter": "tags: web"}}}],
         "keepgoing": False, "strategy": "node-first"}}),
    ({"sequence": {"commands": [{"jobref": {"name": "smoke", "nodefilters": {"dispatch": {"threadcount": 2}}}}]}},
     {"sequence": {"commands": [{"jobref": {"group": "", "name": "smoke", "useName": "true"}}],
                   "keepgoing": False, "strategy": "node-first"}}),
    # An inline script keeps no token expansion switch (CommandExec.toMap).
    ({"sequence": {"commands": [{"script": "echo hi", "expandTokenInScriptFile": True}]}},
     {"sequence": {"commands": [{"script": "echo hi"}], "keepgoing": False, "strategy": "node-first"}}),
    # With an error handler, the step's keepgoingOnSuccess is not exported (CommandExec.toMap, JobExec.toMap).
    ({"sequence": {"commands": [{"exec": "deploy", "keepgoingOnSuccess": True, "errorhandler": {"exec": "rollback"}},
                                {"jobref": {"name": "smoke"}, "keepgoingOnSuccess": True, "errorhandler": {"exec": "rollback"}}]}},
     {"sequence": {"commands": [{"exec": "deploy", "errorhandler": {"exec": "rollback"}},
                                {"jobref": {"group": "", "name": "smoke", "useName": "true"}, "errorhandler": {"exec": "rollback"}}],
                   "keepgoing": False, "strategy": "node-first"}}),
    # Of the strategy settings only the active strategy's is kept, and only when set (Workflow.toMap).
    ({"sequence": {"commands": [{"exec": "x"}], "strategy": "parallel", "pluginConfig": {"WorkflowStrategy": {
        "parallel": {"threads": "2"}, "node-first": {"a": "b"}}}}},
     {"sequence": {"commands": [{"exec": "x"}], "keepgoing": False, "strategy": "parallel",
                   "pluginConfig": {"WorkflowStrategy": {"parallel": {"threads": "2"}}}}}),
    ({"sequence": {"commands": [{"exec": "x"}], "pluginConfig": {"WorkflowStrategy": {"parallel": {"threads": "2"}}}}},
     {"sequence": {"commands": [{"exec": "x"}], "keepgoing": False, "strategy": "node-first"}}),
    # Keys a step kind does not take are dropped: script settings on a command, unknown keys on
    # plugin steps and job references; job reference settings beside the reference move into it.
    ({"sequence": {"commands": [{"exec": "x", "args": "-v", "scriptInterpreter": "sh", "expandTokenInScriptFile": True,
                                 "nodeStep": True},
                                {"type": "copyfile", "nodeStep": True, "color": "red"},
                                {"jobref": {"name": "smoke", "colour": "red"}, "importOptions": True, "shape": 1}]}},
     {"sequence": {"commands": [{"exec": "x"}, {"type": "copyfile", "nodeStep": True},
                                {"jobref": {"group": "", "name": "smoke", "useName": "true", "importOptions": True}}],
                   "keepgoing": False, "strategy": "node-first"}}),
    # Job reference flags are true only as true or "true" (JobExec.updateFromMap).
    ({"sequence": {"commands": [{"jobref": {"name": "smoke", "nodeStep": "True", "childNodes": "yes"}}]}},
     {"sequence": {"commands": [{"jobref": {"group": "", "name": "smoke", "useName": "true"}}],
                   "keepgoing": False, "strategy": "node-first"}}),
    # A listed value holding the delimiter becomes several values; keys an option does not have are
    # ignored; multi-valued only as true or "true" (Option.fromMap, convertValuesList).
    ({"options": [{"name": "hosts", "values": ["a,b", "c"], "colour": "red", "multivalued": "yes"}]},
     {"options": [{"name": "hosts", "values": ["a", "b", "c"], "valuesListDelimiter": ","}]}),
    # Fields read only when set by Groovy's rules: a number 0 is no value (ScheduledExecution.fromMap,
    # Option.fromMap); a retry of 0 is kept, as text.
    ({"timeout": 0, "maxMultipleExecutions": 0, "loglimit": 0, "loglimitAction": "truncate", "retry": 0,
      "options": [{"name": "o", "value": 0}]},
     {"retry": "0", "options": [{"name": "o"}]}),
    # A job reference's thread count: the text "0" becomes 1, the number 0 none, negatives none.
    ({"sequence": {"commands": [{"jobref": {"name": "a", "nodefilters": {"filter": "x", "dispatch": {"threadcount": "0"}}}},
                                {"jobref": {"name": "b", "nodefilters": {"filter": "x", "dispatch": {"threadcount": -1}}}}]}},
     {"sequence": {"commands": [{"jobref": {"group": "", "name": "a", "useName": "true",
                                            "nodefilters": {"filter": "x", "dispatch": {"threadcount": 1}}}},
                                {"jobref": {"group": "", "name": "b", "useName": "true", "nodefilters": {"filter": "x"}}}],
                   "keepgoing": False, "strategy": "node-first"}}),
    # Only the exact word "ascending" is ascending; a thread count of 0 is the default 1
    # (ScheduledExecution.fromMap, JobExec.updateFromMap).
    ({"nodefilters": {"filter": "tags: web", "dispatch": {"rankOrder": "Ascending", "threadcount": 0}},
      "sequence": {"commands": [{"jobref": {"name": "a", "nodefilters": {"filter": "x", "dispatch": {"rankOrder": "ASC"}}}}]}},
     {"nodefilters": {"dispatch": dict(EXPORTED_DISPATCH, rankOrder="descending"), "filter": "tags: web"},
      "nodesSelectedByDefault": True,
      "sequence": {"commands": [{"jobref": {"group": "", "name": "a", "useName": "true",
                                            "nodefilters": {"filter": "x", "dispatch": {"rankOrder": "descending"}}}}],
                   "keepgoing": False, "strategy": "node-first"}}),
    # Option settings are stored as text.
    ({"options": [{"name": "year", "label": 2024, "description": 7}]},
     {"options": [{"name": "year", "label": "2024", "description": "7"}]}),
    # A crontab's fields are stored from a split on single spaces: a doubled space shifts them.
    ({"schedule": {"crontab": "0 30 2 ? * MON  2030"}},
     {"schedule": {"month": "*", "time": {"hour": "2", "minute": "30", "seconds": "0"}, "weekday": {"day": "MON"}, "year": ""}}),
    # "?" as the day of the month, without a weekday, is any day of the week.
    ({"schedule": {"time": {"hour": "2"}, "dayofmonth": {"day": "?"}}},
     {"schedule": {"month": "*", "time": {"hour": "2", "minute": "0", "seconds": "0"}, "weekday": {"day": "*"}, "year": "*"}}),
])
def test_forms_the_server_stores_differently_are_no_difference(written, exported):
    assert differences(canonical_job(exported_job(**exported)), canonical_job(written_job(**written))) == []


def test_leaving_out_a_setting_to_uncheck_the_exclusions_is_a_difference():
    nodefilters = {"filter": "tags: web", "filterExclude": "name: web3"}
    exported = exported_job(nodefilters=dict(nodefilters, dispatch=EXPORTED_DISPATCH), nodesSelectedByDefault=True,
                            excludeFilterUncheck=True)
    assert differences(canonical_job(exported), canonical_job(written_job(nodefilters=nodefilters))) == ["excludeFilterUncheck"]
    assert differences(canonical_job(exported), canonical_job(written_job(nodefilters=nodefilters, excludeFilterUncheck=True))) == []


def test_a_reference_by_name_stays_by_name_whatever_its_flag_says():
    # JobExec.toMap writes useName only when true, and without a UUID the name is used anyway.
    written = written_job(sequence={"commands": [{"jobref": {"name": "smoke", "useName": False}}]})
    exported = exported_job(sequence={"commands": [{"jobref": {"group": "", "name": "smoke"}}],
                                      "keepgoing": False, "strategy": "node-first"})
    assert differences(canonical_job(exported), canonical_job(written)) == []
    by_uuid = {"group": "", "name": "smoke", "uuid": "c1"}
    assert canonical_job(exported_job(sequence={"commands": [{"jobref": by_uuid}]}))["sequence"]["commands"][0]["jobref"][
        "useName"] is False


# -- definitions as people write them: keys the format has, switches as booleans --------------


def refusal(definition):
    with pytest.raises(InputError) as caught:
        check_known_keys(definition)
    return str(caught.value)


def test_every_key_the_canonical_form_and_the_sandbox_know_is_accepted_at_its_place():
    step_keys = dict((key, "x") for key in sorted(COMMAND_STEP_KEYS - {"exec", "scriptfile", "scripturl", "type"}))
    definition = dict(
        dict((key, "x") for key in JOB_FIELDS),
        id="u", uuid="u", project="p", user="admin", retryDelay="1m", retry={"retry": "1", "delay": "1m"},
        options=[dict((key, "x") for key in OPTION_KEYS | {"remoteUrlAuthenticationType"})],
        schedule={"crontab": "x", "time": {"seconds": 0, "minute": 0, "hour": 0}, "month": "*", "year": "*",
                  "dayofmonth": {"day": 1}, "weekday": {"day": "*"}},
        nodefilters={"filter": "x", "filterExclude": "y", "include": {"tags": "a"}, "exclude": {"name": "b"},
                     "dispatch": dict((key, "x") for key in DISPATCH_KEYS)},
        orchestrator={"type": "subset", "configuration": {}},
        notification=dict((trigger, [{"email": dict((key, "x") for key in EMAIL_KEYS), "urls": "u", "httpMethod": "get",
                                      "format": "json", "plugin": [{"type": "t", "configuration": {}}]}])
                          for trigger in NOTIFICATION_TRIGGERS),
        sequence={"keepgoing": True, "strategy": "s", "pluginConfig": {}, "commands": [
            step_keys,
            dict(step_keys, script=None, exec="x"),
            {"scriptfile": "x", "expandTokenInScriptFile": True},
            dict((key, "x") for key in PLUGIN_STEP_KEYS - {"errorhandler"}),
            dict(dict((key, "x") for key in JOBREF_STEP_INPUT_KEYS - {"errorhandler"}),
                 jobref=dict(dict((key, "x") for key in JOBREF_KEYS),
                             nodefilters={"filter": "x", "dispatch": dict((key, "x") for key in JOBREF_DISPATCH_KEYS)}),
                 errorhandler={"exec": "x", "nodeStep": True}),
            # A conditional step (5.20 and later) is passed on as written.
            {"conditionGroups": [], "subSteps": [], "runnerNode": "x"},
        ]})
    assert check_known_keys(definition) == []
    # Every key the sandbox's server reads on a command step, of every release.
    assert _SANDBOX_COMMAND_STEP_KEYS <= COMMAND_STEP_KEYS | {"jobref"}


@pytest.mark.parametrize("where, definition, expected", [
    ("top", {"descripton": "x"}, "unknown key 'descripton' at the top level (did you mean 'description'?)"),
    ("option", {"options": [{"name": "v", "requird": True}]}, "unknown key 'requird' in options[0] (did you mean 'required'?)"),
    ("option map", {"options": {"v": {"defaultValue": "1"}}}, "unknown key 'defaultValue' in options.v"),
    ("schedule", {"schedule": {"crontb": "0 0 0 ? * * *"}}, "unknown key 'crontb' in schedule (did you mean 'crontab'?)"),
    ("time", {"schedule": {"time": {"minutes": 5}}}, "unknown key 'minutes' in schedule.time (did you mean 'minute'?)"),
    ("dispatch", {"nodefilters": {"filter": "x", "dispatch": {"threadCount": 2}}},
     "unknown key 'threadCount' in nodefilters.dispatch (did you mean 'threadcount'?)"),
    ("retry", {"retry": {"retry": 1, "delays": "1m"}}, "unknown key 'delays' in retry (did you mean 'delay'?)"),
    ("trigger", {"notification": {"onfailur": {}}}, "unknown key 'onfailur' in notification (did you mean 'onfailure'?)"),
    ("entry", {"notification": {"onfailure": [{"recipients": "a@example.com"}]}}, "unknown key 'recipients' in notification.onfailure[0]"),
    ("email", {"notification": {"onfailure": {"email": {"recipients": "a", "atachLog": True}}}},
     "unknown key 'atachLog' in notification.onfailure.email (did you mean 'attachLog'?)"),
    ("plugin", {"notification": {"onstart": {"plugin": {"type": "t", "config": {}}}}},
     "unknown key 'config' in notification.onstart.plugin"),
    ("sequence", {"sequence": {"keepGoing": True, "commands": [{"exec": "x"}]}},
     "unknown key 'keepGoing' in sequence (did you mean 'keepgoing'?)"),
    ("plugin step", {"sequence": {"commands": [{"exec": "x"}, {"type": "t", "config": {"a": 1}}]}},
     "unknown key 'config' in sequence.commands[1] (did you mean 'configuration'?)"),
    ("error handler", {"sequence": {"commands": [{"exec": "x", "errorhandler": {"type": "t", "nodestep": True}}]}},
     "unknown key 'nodestep' in sequence.commands[0].errorhandler (did you mean 'nodeStep'?)"),
    ("beside a reference", {"sequence": {"commands": [{"jobref": {"name": "x"}, "useName": True}]}},
     "unknown key 'useName' in sequence.commands[0] (did you mean 'jobref.useName'?)"),
    ("reference", {"sequence": {"commands": [{"jobref": {"name": "x", "argString": "-a"}}]}},
     "unknown key 'argString' in sequence.commands[0].jobref;"),
    ("no kind", {"sequence": {"commands": [{"exce": "x"}]}}, "unknown key 'exce' in sequence.commands[0] (did you mean 'exec'?)"),
])
def test_a_key_the_format_does_not_have_is_refused_with_where_it_is_and_what_was_meant(where, definition, expected):
    job = dict({"name": "deploy", "group": "ops", "sequence": {"commands": [{"exec": "x"}]}}, **definition)
    message = refusal(job)
    assert message.startswith("definition (job ops/deploy): ")
    assert expected in message


def test_a_step_that_runs_nothing_is_refused_with_the_kinds_of_steps():
    message = refusal({"name": "a", "sequence": {"commands": [{"description": "no kind"}]}})
    assert "the step at sequence.commands[0] has none of the keys that say what it runs (exec, script," in message


def test_a_command_step_keeps_keys_of_its_own_and_a_near_miss_is_a_warning():
    definition = {"name": "a", "sequence": {"commands": [{"script": "x", "team": "web", "fileExtention": "sh"}]}}
    warnings = check_known_keys(definition, "jobs[3]")
    assert warnings == ["jobs[3] (job a): unknown key 'fileExtention' in sequence.commands[0] (did you mean 'fileExtension'?); "
                        "Rundeck 5.6 and later keep it beside the step unused, earlier releases drop it"]


def test_switches_written_as_text_become_booleans_everywhere_and_the_definition_is_left_as_it_was():
    definition = {
        "name": "a", "executionEnabled": "false", "scheduleEnabled": " TRUE ", "multipleExecutions": "False",
        "nodefilters": {"filter": "x", "dispatch": {"keepgoing": "true", "excludePrecedence": "false", "rankOrder": "ascending"}},
        "options": [{"name": "v", "required": "false", "secure": "true", "label": "false"}],
        "notification": {"onfailure": [{"email": {"recipients": "a", "attachLogInline": "true"}}],
                         "onsuccess": {"email": {"recipients": "a", "attachLog": "false"}}},
        "sequence": {"keepgoing": "true", "commands": [
            {"scriptfile": "/x", "expandTokenInScriptFile": "false", "interpreterArgsQuoted": "true", "keepgoingOnSuccess": "false"},
            {"jobref": {"name": "b", "useName": "false", "ignoreNotifications": "true",
                        "nodefilters": {"dispatch": {"nodeIntersect": "false"}}}, "failOnDisable": "true",
             "errorhandler": {"type": "t", "nodeStep": "true"}},
        ]},
    }
    before = copy.deepcopy(definition)
    document = with_real_booleans(definition)
    assert definition == before
    assert (document["executionEnabled"], document["scheduleEnabled"], document["multipleExecutions"]) == (False, True, False)
    assert document["nodefilters"]["dispatch"] == {"keepgoing": True, "excludePrecedence": False, "rankOrder": "ascending"}
    assert document["options"][0] == {"name": "v", "required": False, "secure": True, "label": "false"}
    assert document["notification"]["onfailure"][0]["email"]["attachLogInline"] is True
    assert document["notification"]["onsuccess"]["email"]["attachLog"] is False
    first, second = document["sequence"]["commands"]
    assert document["sequence"]["keepgoing"] is True
    assert (first["expandTokenInScriptFile"], first["interpreterArgsQuoted"], first["keepgoingOnSuccess"]) == (False, True, False)
    assert second["jobref"]["useName"] is False and second["jobref"]["ignoreNotifications"] is True
    assert second["jobref"]["nodefilters"]["dispatch"]["nodeIntersect"] is False
    assert second["failOnDisable"] is True and second["errorhandler"]["nodeStep"] is True
    # Sent as booleans, the switches compare as the server stores them.
    assert canonical_job(document)["executionEnabled"] is False


def test_switches_written_as_1_and_0_become_booleans_and_other_values_are_refused():
    document = with_real_booleans({"name": "a", "multipleExecutions": 1, "sequence": {"keepgoing": 0, "commands": []}})
    assert document["multipleExecutions"] is True and document["sequence"]["keepgoing"] is False
    with pytest.raises(InputError) as caught:
        with_real_booleans({"name": "a", "options": [{"name": "v", "required": 2, "secure": ["x"]}]})
    assert "options[0].required is 2, options[0].secure is ['x']" in str(caught.value)


def test_a_switch_written_as_other_text_is_refused_with_where_it_is():
    with pytest.raises(InputError) as caught:
        with_real_booleans({"name": "a", "sequence": {"commands": [{"exec": "x", "keepgoingOnSuccess": "yes"}]}}, "jobs[0]")
    assert str(caught.value) == ("jobs[0] (job a): a switch takes true or false, but sequence.commands[0].keepgoingOnSuccess is 'yes'; "
                                 "nothing was sent")


def test_the_older_structured_node_filters_compare_as_the_filter_text_the_server_makes():
    written = {"name": "a", "sequence": {"commands": [{"exec": "x"}]},
               "nodefilters": {"include": {"tags": "web", "colour": "red"}, "exclude": {"name": "web 3"}}}
    exported = {"name": "a", "sequence": {"commands": [{"exec": "x"}]}, "nodesSelectedByDefault": True,
                "nodefilters": {"filter": 'tags: web !name: "web 3"', "dispatch": {"threadcount": "1", "keepgoing": False,
                                "successOnEmptyNodeFilter": False, "excludePrecedence": True, "rankOrder": "ascending"}}}
    assert differences(canonical_job(exported), canonical_job(written)) == []
    assert structured_filter_text({"tags": 0, "os-name": "Linux"}, None) == "os-name: Linux"
    assert canonical_job(dict(written, nodefilters={"include": {"colour": "red"}})).get("nodefilters") is None
