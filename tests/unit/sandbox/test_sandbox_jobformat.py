# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Job documents in and out: what the emulated server keeps, adds and changes."""

import os

import pytest
import yaml

from tests.sandbox.jobformat import export_map, from_map

UUID = "3b8a6e54-69fb-42b7-b98f-f82e59238478"
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
# A job exported by a Rundeck 5 server (community.general's test_job.yaml).
with open(os.path.join(FIXTURES, "rundeck_exported_test_job.yaml"), encoding="utf-8") as fixture:
    TEST_JOB_YAML = fixture.read()
EXEC = {"exec": "uptime"}


def job(**fields):
    document = {"name": "deploy", "sequence": {"commands": [dict(EXEC)]}}
    document.update(fields)
    return document


def export(document, version=None):
    stored, errors = from_map(document, version)
    assert errors == []
    if stored["uuid"] is None:
        stored["uuid"] = UUID
    return export_map(stored, version)


def errors_of(document):
    return from_map(document)[1]


def sorted_everywhere(value):
    if isinstance(value, dict):
        return list(value) == sorted(value) and all(sorted_everywhere(item) for item in value.values())
    if isinstance(value, list):
        return all(sorted_everywhere(item) for item in value)
    return True


# -- whole jobs -------------------------------------------------------------------


def test_an_export_of_a_real_server_comes_back_as_it_was_except_null_plugins():
    document = yaml.safe_load(TEST_JOB_YAML)[0]
    expected = dict(document)
    del expected["plugins"]
    assert export(document) == expected


def test_the_smallest_job_gets_the_server_defaults():
    assert export({"name": "deploy", "sequence": {"commands": [EXEC]}}) == {
        "description": "",
        "executionEnabled": True,
        "id": UUID,
        "loglevel": "INFO",
        "name": "deploy",
        "nodeFilterEditable": True,
        "scheduleEnabled": True,
        "sequence": {"commands": [EXEC], "keepgoing": False, "strategy": "node-first"},
        "uuid": UUID,
    }


def test_keys_are_sorted_at_every_level_and_line_endings_normalized():
    document = job(
        description="line one\r\nline two\rline three",
        options=[{"name": "b", "required": True, "description": "x\r\ny"}],
        notification={"onsuccess": {"email": {"recipients": "ops@example.com"}}},
    )
    exported = export(document)
    assert sorted_everywhere(exported)
    assert exported["description"] == "line one\nline two\nline three"
    assert exported["options"][0]["description"] == "x\ny"


def test_project_user_and_unknown_keys_are_not_exported():
    exported = export(job(project="elsewhere", user="alice", nosuchkey=1, id="ignored"))
    assert {"project", "user", "nosuchkey"}.isdisjoint(exported)
    assert exported["id"] == exported["uuid"] == UUID


# -- job level ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, True, "false", "no"])
def test_flags_are_true_unless_false(value):
    # Null means true, and like the server any non-empty text counts as true.
    exported = export(job(executionEnabled=value, scheduleEnabled=value, nodeFilterEditable=value))
    assert (exported["executionEnabled"], exported["scheduleEnabled"], exported["nodeFilterEditable"]) == (True, True, True)


def test_false_flags_stay_false():
    exported = export(job(executionEnabled=False, scheduleEnabled=False, nodeFilterEditable=False))
    assert (exported["executionEnabled"], exported["scheduleEnabled"], exported["nodeFilterEditable"]) == (False, False, False)


def test_numbers_become_text():
    exported = export(
        job(retry=3, timeout=3600, maxMultipleExecutions=2, nodefilters={"filter": "tags: web", "dispatch": {"threadcount": 4}})
    )
    assert (exported["retry"], exported["timeout"], exported["maxMultipleExecutions"]) == ("3", "3600", "2")
    assert exported["nodefilters"]["dispatch"]["threadcount"] == "4"


@pytest.mark.parametrize(
    "retry, expected",
    [
        ({"retry": 3, "delay": "PT30S"}, {"retry": "3", "delay": "PT30S"}),
        ({"retry": "2"}, "2"),
        ("${option.retries}", "${option.retries}"),
        (0, "0"),
    ],
)
def test_retry(retry, expected):
    assert export(job(retry=retry))["retry"] == expected


def test_a_retry_delay_next_to_the_retry():
    assert export(job(retry=1, retryDelay="10s"))["retry"] == {"retry": "1", "delay": "10s"}


@pytest.mark.parametrize(
    "key",
    [
        "group",
        "multipleExecutions",
        "maxMultipleExecutions",
        "timeout",
        "timeZone",
        "defaultTab",
        "orchestrator",
        "loglimit",
        "plugins",
        "notification",
        "options",
        "schedule",
        "nodefilters",
    ],
)
@pytest.mark.parametrize("empty", [None, "", False, {}, []])
def test_empty_values_are_omitted(key, empty):
    assert key not in export(job(**{key: empty}))


@pytest.mark.parametrize("empty", [None, "", {}, {"delay": "10s"}])
def test_no_retry(empty):
    assert "retry" not in export(job(retry=empty))


def test_retry_is_text_so_false_is_not_a_number():
    # The server turns the value into text before checking it.
    assert errors_of(job(retry=False)) == ['The retry value must be a valid integer, or contain an option reference: "false"']


def test_group_slashes_are_trimmed():
    assert export(job(group="/ops/deploy/"))["group"] == "ops/deploy"


def test_multiple_executions_and_their_limit():
    exported = export(job(multipleExecutions=True, maxMultipleExecutions="3"))
    assert (exported["multipleExecutions"], exported["maxMultipleExecutions"]) == (True, "3")


def test_log_limit_defaults():
    exported = export(job(loglimit="100MB"))
    assert (exported["loglimit"], exported["loglimitAction"], exported["loglimitStatus"]) == ("100MB", None, "failed")
    exported = export(job(loglimit=1000, loglimitAction="truncate", loglimitStatus="custom"))
    assert (exported["loglimit"], exported["loglimitAction"], exported["loglimitStatus"]) == ("1000", "truncate", "custom")
    assert "loglimitAction" not in export(job(loglimitAction="truncate"))


def test_plugins():
    assert "plugins" not in export(job(plugins={"ExecutionLifecycle": None}))
    configured = {"ExecutionLifecycle": {"killhandler": {"killChilds": "true"}}}
    assert export(job(plugins=configured))["plugins"] == configured


def test_orchestrator():
    assert export(job(orchestrator={"type": "subset", "configuration": {"count": 1}}))["orchestrator"] == {
        "type": "subset",
        "configuration": {"count": 1},
    }
    assert export(job(orchestrator={"type": "rankTiered"}))["orchestrator"] == {"type": "rankTiered"}


# -- schedule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "crontab, expected",
    [
        (
            "0 30 2 ? * MON-FRI *",
            {"month": "*", "time": {"hour": "2", "minute": "30", "seconds": "0"}, "weekday": {"day": "MON-FRI"}, "year": "*"},
        ),
        (
            "0 0 12 1 * ?",
            {"dayofmonth": {"day": "1"}, "month": "*", "time": {"hour": "12", "minute": "0", "seconds": "0"}, "year": "*"},
        ),
        (
            "15 0/5 8-18 L JAN,JUL ? 2030",
            {
                "dayofmonth": {"day": "L"},
                "month": "JAN,JUL",
                "time": {"hour": "8-18", "minute": "0/5", "seconds": "15"},
                "year": "2030",
            },
        ),
    ],
)
def test_a_crontab_is_exported_in_the_structured_form(crontab, expected):
    assert export(job(schedule={"crontab": crontab}))["schedule"] == expected


def test_structured_schedule_defaults():
    assert export(job(schedule={"time": {"hour": 4}}))["schedule"] == {
        "month": "*",
        "time": {"hour": "4", "minute": "0", "seconds": "0"},
        "weekday": {"day": "*"},
        "year": "*",
    }
    schedule = {"time": {"hour": "1", "minute": "5"}, "month": 6, "dayofmonth": {"day": 15}}
    assert export(job(schedule=schedule))["schedule"] == {
        "dayofmonth": {"day": "15"},
        "month": "6",
        "time": {"hour": "1", "minute": "5", "seconds": "0"},
        "year": "*",
    }
    # A "?" day of the month is no day of the month.
    schedule = {"time": {"hour": "1"}, "dayofmonth": {"day": "?"}, "weekday": {"day": "SUN"}}
    assert export(job(schedule=schedule))["schedule"]["weekday"] == {"day": "SUN"}


@pytest.mark.parametrize(
    "crontab",
    [
        "0 0 12 * * *",
        "0 0 12 ? * ?",
        "0 0 25 ? * *",
        "0 61 1 ? * *",
        "0 0 1 ? *",
        "0 0 1 ? * * 2030 x",
        "every day",
        "0 0 1 ? FOO *",
    ],
)
def test_invalid_crontabs(crontab):
    assert errors_of(job(schedule={"crontab": crontab})) == ["Crontab string format was invalid: %s" % crontab]


def test_invalid_structured_schedule():
    errors = errors_of(job(schedule={"time": {"hour": "noon"}}))
    assert errors == [
        "Property [hour] of class [class rundeck.ScheduledExecution] with value [noon] does not match the required pattern [^[0-9*\\/,-]*$]"
    ]
    assert errors_of(job(schedule={"time": {"hour": "30"}})) == ["Crontab string format was invalid: 0 0 30 ? * * *"]


# -- node dispatch ----------------------------------------------------------------------


def test_nodefilters_defaults():
    exported = export(job(nodefilters={"filter": "tags: web"}))
    assert exported["nodefilters"] == {
        "dispatch": {
            "excludePrecedence": True,
            "keepgoing": False,
            "rankOrder": "ascending",
            "successOnEmptyNodeFilter": False,
            "threadcount": "1",
        },
        "filter": "tags: web",
    }
    assert exported["nodesSelectedByDefault"] is True


def test_nodefilters_in_full():
    dispatch = {
        "threadcount": "${option.threads}",
        "keepgoing": True,
        "excludePrecedence": False,
        "rankAttribute": "rank",
        "rankOrder": "descending",
        "successOnEmptyNodeFilter": True,
    }
    exported = export(
        job(nodefilters={"filter": "tags: web", "filterExclude": "name: db1", "dispatch": dispatch}, nodesSelectedByDefault=False)
    )
    assert exported["nodefilters"] == {"dispatch": dispatch, "filter": "tags: web", "filterExclude": "name: db1"}
    assert exported["nodesSelectedByDefault"] is False


def test_without_a_filter_there_is_no_node_dispatch():
    exported = export(job(nodefilters={"dispatch": {"threadcount": 3}}, nodesSelectedByDefault=False))
    assert "nodefilters" not in exported
    assert "nodesSelectedByDefault" not in exported


# -- options ----------------------------------------------------------------------------


def test_options_keep_the_list_order():
    exported = export(job(options=[{"name": "zeta"}, {"name": "alpha", "sortIndex": 9}, {"name": "mid"}]))
    assert [option["name"] for option in exported["options"]] == ["zeta", "alpha", "mid"]
    assert all("sortIndex" not in option for option in exported["options"])


def test_options_in_the_map_form_are_sorted_by_name():
    exported = export(job(options={"zeta": {"value": "1"}, "alpha": {"required": True}}))
    assert exported["options"] == [{"name": "alpha", "required": True}, {"name": "zeta", "value": "1"}]


def test_false_and_empty_option_fields_are_dropped():
    option = {
        "name": "env",
        "required": False,
        "enforced": False,
        "multivalued": False,
        "secure": False,
        "valueExposed": True,
        "isDate": False,
        "dateFormat": "YYYY",
        "hidden": False,
        "sortValues": False,
        "description": "",
        "label": "",
        "value": "",
        "regex": "",
        "values": [],
        "multivalueAllSelected": True,
    }
    assert export(job(options=[option]))["options"] == [{"name": "env"}]


def test_option_fields_that_depend_on_others():
    options = [
        {"name": "password", "secure": True, "valueExposed": True, "storagePath": "keys/db"},
        {"name": "when", "isDate": True, "dateFormat": "YYYY-MM-DD"},
        {"name": "hosts", "multivalued": True, "multivalueAllSelected": True},
        {"name": "ports", "multivalued": "true", "delimiter": " "},
    ]
    assert export(job(options=options))["options"] == [
        {"name": "password", "secure": True, "valueExposed": True, "storagePath": "keys/db"},
        {"name": "when", "isDate": True, "dateFormat": "YYYY-MM-DD"},
        {"name": "hosts", "multivalued": True, "delimiter": ",", "multivalueAllSelected": True},
        {"name": "ports", "multivalued": True, "delimiter": " "},
    ]


@pytest.mark.parametrize(
    "option, values, delimiter",
    [
        ({"values": ["b", " a ", "", "b", "c"]}, ["b", "a", "c"], ","),
        ({"values": "prod, test,,prod"}, ["prod", "test"], ","),
        ({"values": "x|y", "valuesListDelimiter": "|"}, ["x", "y"], "|"),
        ({"values": ["10", "9", "100"], "sortValues": True}, ["9", "10", "100"], ","),
        ({"values": ["b", "a", "10"], "sortValues": True}, ["10", "a", "b"], ","),
        ({"values": [3, 1]}, ["3", "1"], ","),
    ],
)
def test_option_values(option, values, delimiter):
    exported = export(job(options=[dict(option, name="choice")]))["options"][0]
    assert (exported["values"], exported["valuesListDelimiter"]) == (values, delimiter)


def test_option_defaults_become_text_and_the_rest_is_kept():
    option = {
        "name": "count",
        "value": 5,
        "label": "Count",
        "description": "How many",
        "regex": "^[0-9]+$",
        "enforced": True,
        "required": True,
        "values": ["5", "10"],
        "valuesUrl": "https://example.com/values",
        "hidden": True,
        "type": "text",
    }
    assert export(job(options=[option]))["options"] == [dict(option, value="5", valuesListDelimiter=",")]


@pytest.mark.parametrize(
    "options, message",
    [
        ([{"name": "has space"}], "Invalid Option definition: has space"),
        ([{"label": "no name"}], "Option name cannot be blank"),
        ([{"name": "env"}, {"name": "env"}], 'Option with name "env" already exists'),
    ],
)
def test_invalid_options(options, message):
    assert errors_of(job(options=options)) == [message]


# -- workflow steps ----------------------------------------------------------------------


def commands_of(*commands, **sequence):
    return export(job(sequence=dict(sequence, commands=list(commands))))["sequence"]["commands"]


def test_command_steps():
    assert commands_of({"exec": "uptime", "args": "-x", "scriptInterpreter": "bash", "description": "load"}) == [
        {"exec": "uptime", "description": "load"}
    ]
    assert commands_of({"script": "echo hi", "args": "a b", "scriptInterpreter": "bash -c", "fileExtension": "sh"}) == [
        {
            "script": "echo hi",
            "args": "a b",
            "scriptInterpreter": "bash -c",
            "interpreterArgsQuoted": False,
            "fileExtension": "sh",
        }
    ]
    assert commands_of({"script": "echo hi", "interpreterArgsQuoted": True}) == [{"script": "echo hi"}]
    assert commands_of({"scriptfile": "/opt/run.sh", "args": "now"}) == [
        {"scriptfile": "/opt/run.sh", "args": "now", "expandTokenInScriptFile": False}
    ]
    assert commands_of({"scripturl": "https://example.com/run.sh", "expandTokenInScriptFile": True}) == [
        {"scripturl": "https://example.com/run.sh", "expandTokenInScriptFile": True}
    ]


def test_the_path_decides_between_scriptfile_and_scripturl():
    assert commands_of({"scriptfile": "file:/opt/run.sh"}) == [
        {"scripturl": "file:/opt/run.sh", "expandTokenInScriptFile": False}
    ]
    assert commands_of({"scripturl": "/opt/run.sh"}) == [{"scriptfile": "/opt/run.sh", "expandTokenInScriptFile": False}]


def test_plugin_steps():
    assert commands_of({"type": "copyfile", "configuration": {}}) == [{"type": "copyfile", "nodeStep": False}]
    configuration = {"source": "/a", "destination": "/b"}
    assert commands_of({"type": "copyfile", "nodeStep": True, "configuration": configuration}) == [
        {"type": "copyfile", "nodeStep": True, "configuration": configuration}
    ]


def test_job_references():
    assert commands_of({"jobref": {"name": "child"}}) == [
        {"jobref": {"name": "child", "group": "", "useName": "true"}}
    ]
    ref = {
        "uuid": "c1",
        "group": "ops",
        "project": "other",
        "args": "-x 1",
        "nodeStep": True,
        "importOptions": True,
        "failOnDisable": "true",
        "childNodes": False,
        "ignoreNotifications": True,
        "nodefilters": {"filter": "tags: db", "dispatch": {"threadcount": "2", "keepgoing": True}},
    }
    assert commands_of({"jobref": ref}) == [
        {
            "jobref": {
                "uuid": "c1",
                "name": None,
                "group": "ops",
                "project": "other",
                "args": "-x 1",
                "nodeStep": "true",
                "importOptions": True,
                "failOnDisable": True,
                "ignoreNotifications": True,
                "nodefilters": {"filter": "tags: db", "dispatch": {"threadcount": 2, "keepgoing": True}},
            }
        }
    ]


def test_error_handlers_and_step_descriptions():
    step = {
        "exec": "deploy",
        "description": "ship it",
        "errorhandler": {"exec": "rollback", "keepgoingOnSuccess": True},
        "keepgoingOnSuccess": True,
    }
    assert commands_of(step) == [
        {"exec": "deploy", "description": "ship it", "errorhandler": {"exec": "rollback", "keepgoingOnSuccess": True}}
    ]
    assert commands_of({"exec": "x", "errorhandler": {"script": "y", "keepgoingOnSuccess": False}}) == [
        {"exec": "x", "errorhandler": {"script": "y"}}
    ]


def test_workflow_flags():
    sequence = export(job(sequence={"commands": [EXEC], "keepgoing": True, "strategy": "parallel"}))["sequence"]
    assert (sequence["keepgoing"], sequence["strategy"]) == (True, "parallel")


# -- notifications -------------------------------------------------------------------------


def test_one_notification_of_each_kind_uses_the_map_form():
    notification = {
        "onsuccess": {
            "email": {"recipients": "ops@example.com", "subject": "done", "attachLog": False},
            "urls": "https://hooks.example.com/a",
        },
        "onfailure": [{"plugin": {"type": "slack", "configuration": {"channel": "#ops"}}}],
        "onstart": {"plugin": [{"type": "pagerduty"}]},
    }
    exported = export(job(notification=notification))
    assert exported["notification"] == {
        "onsuccess": {
            "email": {"recipients": "ops@example.com", "subject": "done"},
            "format": None,
            "httpMethod": None,
            "urls": "https://hooks.example.com/a",
        },
        "onfailure": {"plugin": {"type": "slack", "configuration": {"channel": "#ops"}}},
        "onstart": {"plugin": {"type": "pagerduty", "configuration": {}}},
    }
    assert exported["notifyAvgDurationThreshold"] is None


def test_two_of_a_kind_switch_every_trigger_to_the_list_form():
    notification = {
        "onsuccess": {"plugin": [{"type": "zeta"}, {"type": "alpha", "configuration": {"a": "1"}}]},
        "onfailure": {
            "email": {"recipients": "ops@example.com", "attachLog": True, "attachLogInFile": True},
            "urls": "https://x",
            "httpMethod": "get",
            "format": "json",
        },
    }
    exported = export(job(notification=notification, notifyAvgDurationThreshold="+30"))
    assert exported["notification"] == {
        "onsuccess": [{"plugin": [{"type": "alpha", "configuration": {"a": "1"}}, {"type": "zeta", "configuration": {}}]}],
        "onfailure": [
            {"email": {"recipients": "ops@example.com", "attachLog": True, "attachLogInFile": True}},
            {"format": "json", "httpMethod": "get", "urls": "https://x"},
        ],
    }
    assert exported["notifyAvgDurationThreshold"] == "+30"


def test_two_emails_in_the_list_form():
    notification = {"onsuccess": [{"email": {"recipients": "a@example.com"}}, {"email": {"recipients": "b@example.com"}}]}
    assert export(job(notification=notification))["notification"] == {
        "onsuccess": [{"email": {"recipients": "a@example.com"}}, {"email": {"recipients": "b@example.com"}}]
    }


def test_empty_triggers_mean_no_notification():
    exported = export(job(notification={"onsuccess": {}, "onfailure": None}, notifyAvgDurationThreshold="10"))
    assert "notification" not in exported
    assert "notifyAvgDurationThreshold" not in exported


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": None}, "Job Name was not entered"),
        ({"name": ""}, "Job Name was not entered"),
        ({"name": "a/b"}, 'Job Name cannot have a "/" character'),
        (
            {"name": "x" * 1025},
            "Property [jobName] of class [class rundeck.ScheduledExecution] with value [%s] exceeds the maxim size of [1024]"
            % ("x" * 1025),
        ),
        ({"group": "ops/../secrets"}, "Group path must not contain path traversal sequences (.. or .)"),
        ({"group": "./ops"}, "Group path must not contain path traversal sequences (.. or .)"),
        ({"group": "C:\\jobs"}, "Group path must not be an absolute path"),
        ({"group": "///"}, "Group path must not be an absolute path"),
        ({"uuid": "has space"}, "UUID cannot have spaces"),
        ({"uuid": ".hidden"}, "UUID cannot have spaces"),
        ({"loglevel": "TRACE"}, 'Log level "TRACE" is not valid, it must be one of: DEBUG, VERBOSE, INFO, WARN, ERROR'),
        ({"retry": "twice"}, 'The retry value must be a valid integer, or contain an option reference: "twice"'),
        ({"sequence": None}, "Workflow must have at least one step"),
        ({"sequence": {"commands": []}}, "Workflow must have at least one step"),
        (
            {"sequence": {"commands": [EXEC], "strategy": "random"}},
            'Workflow strategy "random" is not valid, it must be one of: node-first, step-first, parallel, sequential',
        ),
    ],
)
def test_validation(changes, message):
    assert errors_of(job(**changes)) == [message]


def test_a_name_of_1024_characters_is_fine():
    assert errors_of(job(name="x" * 1024)) == []


@pytest.mark.parametrize(
    "command, problem",
    [
        (
            {"exec": "a", "script": "b"},
            "1: only one of exec, script, scriptfile, scripturl, jobref, type can be given, not exec, script",
        ),
        ({"description": "nothing to run"}, "1: a step needs one of exec, script, scriptfile, scripturl, jobref, type"),
        ({"exec": ""}, "1: A Command string must be specified"),
        ({"jobref": {"group": "ops"}}, "1: Job Name must be specified"),
    ],
)
def test_invalid_steps(command, problem):
    errors = errors_of(job(sequence={"commands": [EXEC, command]}))
    assert errors == ["Workflow has one or more invalid steps: [%s]" % problem.replace("1:", "2:", 1)]


def test_several_problems_are_all_reported():
    assert errors_of({"name": "a/b", "loglevel": "LOUD"}) == [
        'Job Name cannot have a "/" character',
        'Log level "LOUD" is not valid, it must be one of: DEBUG, VERBOSE, INFO, WARN, ERROR',
        "Workflow must have at least one step",
    ]


# -- e-mail notifications (Notification.fromMap, beforeValidate; NotificationSpec) ------------------


def email_of(email):
    exported = export(job(notification={"onsuccess": {"email": email}}))
    return exported["notification"]["onsuccess"]["email"]


@pytest.mark.parametrize(
    "flags, stored",
    [
        ({"attachLog": True}, {"attachLog": True, "attachLogInFile": True}),
        ({"attachLog": "true"}, {"attachLog": True, "attachLogInFile": True}),
        ({"attachLog": True, "attachLogInline": True}, {"attachLog": True, "attachLogInline": True}),
        ({"attachLog": True, "attachLogInFile": True}, {"attachLog": True, "attachLogInFile": True}),
        # A false flag is not set at all, so the default still applies.
        ({"attachLog": True, "attachLogInFile": False}, {"attachLog": True, "attachLogInFile": True}),
        ({"attachLog": True, "attachLogInline": False}, {"attachLog": True, "attachLogInFile": True}),
        # The text "false" is set, as false, and keeps the default away.
        ({"attachLog": True, "attachLogInFile": "false"}, {"attachLog": True, "attachLogInFile": False}),
        ({"attachLog": "false"}, {"attachLog": False}),
        ({"attachLog": "yes"}, {"attachLog": False}),
        ({"attachLog": False}, {}),
        # The ways to attach are kept without attachLog too.
        ({"attachLog": False, "attachLogInFile": True}, {"attachLogInFile": True}),
    ],
)
def test_how_an_email_attaches_the_log(flags, stored):
    assert email_of(dict(flags, recipients="ops@example.com")) == dict(stored, recipients="ops@example.com")


@pytest.mark.parametrize(
    "recipients, stored",
    [
        ("a@example.com, b@example.com", "a@example.com,b@example.com"),
        (" a@example.com ,b@example.com , ", "a@example.com,b@example.com,"),
        ("a@example.com,b@example.com,,", "a@example.com,b@example.com"),
        ("a@example.com,,b@example.com", "a@example.com,,b@example.com"),
    ],
)
def test_email_addresses_are_trimmed(recipients, stored):
    assert email_of({"recipients": recipients})["recipients"] == stored


def test_an_address_list_alone_is_not_an_email_notification():
    assert errors_of(job(notification={"onsuccess": {"email": "ops@example.com"}})) == [
        "Unable to create Job: No such property: recipients for class: java.lang.String"
    ]


def test_a_webhook_keeps_its_method_and_format_as_written():
    notification = {"onsuccess": {"urls": "https://x", "httpMethod": "GET", "format": "JSON"}}
    assert export(job(notification=notification))["notification"]["onsuccess"] == {
        "urls": "https://x",
        "httpMethod": "GET",
        "format": "JSON",
    }


# -- steps: what each kind keeps (CommandExec, JobExec, PluginStep, Workflow) -----------------------


def test_an_inline_script_drops_the_token_expansion_switch():
    assert commands_of({"script": "echo hi", "expandTokenInScriptFile": True}) == [{"script": "echo hi"}]


def test_keepgoing_on_success_is_not_exported_next_to_an_error_handler():
    handler = {"exec": "rollback"}
    assert commands_of(
        {"exec": "a", "keepgoingOnSuccess": True, "errorhandler": handler},
        {"jobref": {"name": "child"}, "keepgoingOnSuccess": True, "errorhandler": handler},
        {"type": "copyfile", "keepgoingOnSuccess": True, "errorhandler": handler},
        {"exec": "b", "keepgoingOnSuccess": True},
    ) == [
        {"exec": "a", "errorhandler": handler},
        {"jobref": {"name": "child", "group": "", "useName": "true"}, "errorhandler": handler},
        {"type": "copyfile", "nodeStep": False, "errorhandler": handler},
        {"exec": "b", "keepgoingOnSuccess": True},
    ]


@pytest.mark.parametrize(
    "strategy, config, exported",
    [
        ("parallel", {"WorkflowStrategy": {"parallel": {"n": "2"}, "node-first": {"x": "y"}}},
         {"WorkflowStrategy": {"parallel": {"n": "2"}}}),
        ("node-first", {"WorkflowStrategy": {"parallel": {"n": "2"}}}, None),
        ("node-first", {"WorkflowStrategy": {"node-first": {}}, "LogFilter": [{"type": "mask"}]},
         {"LogFilter": [{"type": "mask"}]}),
        ("node-first", {}, None),
    ],
)
def test_only_the_active_strategy_keeps_its_settings(strategy, config, exported):
    sequence = export(job(sequence={"commands": [EXEC], "strategy": strategy, "pluginConfig": config}))["sequence"]
    assert sequence.get("pluginConfig") == exported


def test_a_plugin_step_and_a_job_reference_drop_unknown_keys():
    assert commands_of({"type": "copyfile", "colour": "red"}, {"jobref": {"name": "child", "colour": "red"}, "shape": 1}) == [
        {"type": "copyfile", "nodeStep": False},
        {"jobref": {"name": "child", "group": "", "useName": "true"}},
    ]


# -- releases: what changed between 5.0 and 6.1 ------------------------------------------------------


def test_since_5_6_unknown_keys_of_a_command_step_are_kept():
    step = {"exec": "uptime", "colour": "red", "nodeStep": True, "args": "-x"}
    assert commands_of(step) == [{"exec": "uptime", "colour": "red"}]
    assert export(job(sequence={"commands": [step]}), "5.6.0")["sequence"]["commands"] == [{"exec": "uptime", "colour": "red"}]
    assert export(job(sequence={"commands": [step]}), "5.5.0")["sequence"]["commands"] == [{"exec": "uptime"}]
    assert export(job(sequence={"commands": [step]}), "5.0.0")["sequence"]["commands"] == [{"exec": "uptime"}]


@pytest.mark.parametrize(
    "version, written, exported",
    [
        # Before 5.6 the switch is read with Groovy truth and exported only when true.
        ("5.0.0", None, None),
        ("5.0.0", False, None),
        ("5.0.0", "false", True),
        ("5.0.0", True, True),
        # From 5.6 it is parsed as a boolean; exported only when true until 5.20, always since.
        ("5.6.0", "false", None),
        ("5.6.0", "TRUE", True),
        ("5.19.0", False, None),
        ("5.20.0", None, False),
        ("6.1.0", "false", False),
        ("6.1.0", True, True),
    ],
)
def test_the_token_expansion_switch_of_a_script_file(version, written, exported):
    step = {"scriptfile": "/opt/run.sh"}
    if written is not None:
        step["expandTokenInScriptFile"] = written
    expected = {"scriptfile": "/opt/run.sh"}
    if exported is not None:
        expected["expandTokenInScriptFile"] = exported
    assert export(job(sequence={"commands": [step]}), version)["sequence"]["commands"] == [expected]


def test_empty_script_arguments_are_exported_since_5_20():
    step = {"script": "echo", "args": ""}
    assert export(job(sequence={"commands": [step]}), "5.19.0")["sequence"]["commands"] == [{"script": "echo"}]
    assert export(job(sequence={"commands": [step]}), "6.1.0")["sequence"]["commands"] == [{"script": "echo", "args": ""}]


@pytest.mark.parametrize("version", ["5.0.0", "v5.20.1", (6, 1, 0), None])
def test_versions_are_read_in_any_usual_form(version):
    assert export(job(), version)["sequence"]["commands"] == [EXEC]


# -- options and top-level fields (Option.fromMap/toMap, ScheduledExecution.fromMap/toMap) -----------


def option_of(option, version=None):
    return export(job(options=[dict(option, name="opt")]), version)["options"][0]


@pytest.mark.parametrize(
    "flags, exported",
    [
        ({"multivalued": "yes"}, {}),
        ({"multivalued": "true"}, {"multivalued": True, "delimiter": ","}),
        ({"multivalued": True, "multivalueAllSelected": "TRUE"}, {"multivalued": True, "delimiter": ",", "multivalueAllSelected": True}),
        ({"secure": "false"}, {}),
        ({"secure": "true", "valueExposed": "false"}, {"secure": True}),
        ({"hidden": "false", "sortValues": "false"}, {}),
        ({"required": "false"}, {"required": True}),
    ],
)
def test_option_flags_as_text(flags, exported):
    assert option_of(flags) == dict(exported, name="opt")


def test_before_5_2_multivalued_is_read_with_groovy_truth():
    assert option_of({"multivalued": "yes"}, "5.1.0") == {"name": "opt", "multivalued": True, "delimiter": ","}


def test_a_listed_value_that_holds_the_delimiter_becomes_several_values():
    assert option_of({"values": ["a,b", "c"]})["values"] == ["a", "b", "c"]
    assert option_of({"values": ["a,b", "c"], "valuesListDelimiter": ";"})["values"] == ["a,b", "c"]


def test_a_log_limit_action_is_not_defaulted():
    exported = export(job(loglimit="100MB"))
    assert exported["loglimitAction"] is None
    assert export(job(loglimit="100MB", loglimitAction="truncate"))["loglimitAction"] == "truncate"
    assert errors_of(job(loglimit="100MB", loglimitAction="stop")) != []


def test_the_owner_is_exported_since_5_17():
    stored, _errors = from_map(job(uuid=UUID))
    stored["user"] = "admin"
    assert export_map(stored, "5.17.0")["user"] == "admin"
    assert "user" not in export_map(stored, "5.16.0")


def test_group_paths_are_checked_since_6_0():
    assert from_map(job(group="ops/../secrets"), "5.20.0")[1] == []
    assert from_map(job(group="ops/../secrets"), "6.0.0")[1] == [
        "Group path must not contain path traversal sequences (.. or .)"
    ]


@pytest.mark.parametrize("version", ["5.0.0", "6.1.0"])
def test_the_older_structured_node_filters_become_a_filter_text(version):
    document = job(nodefilters={"include": {"tags": "web", "os-family": "unix", "colour": "red", "name": ""},
                                "exclude": {"name": "web 3", "hostname": 'say "hi"'}})
    exported = export(document, version)
    assert exported["nodefilters"]["filter"] == 'tags: web os-family: unix !name: "web 3" !hostname: "say ""hi"""'
    assert exported["nodesSelectedByDefault"] is True
    # A filter wins; since 6.1 even an empty one.
    assert export(job(nodefilters={"filter": "name: a", "include": {"tags": "web"}}), version)["nodefilters"]["filter"] == "name: a"
    empty = export(job(nodefilters={"filter": "", "include": {"tags": "web"}}), version)
    assert empty["nodefilters"]["filter"] == ("" if version == "6.1.0" else "tags: web")


def test_an_empty_filter_keeps_node_dispatch_since_6_1():
    document = job(nodefilters={"filter": "", "dispatch": {"threadcount": 3}})
    assert "nodefilters" not in export(document, "6.0.1")
    exported = export(document, "6.1.0")
    assert exported["nodefilters"] == {
        "dispatch": {
            "excludePrecedence": True,
            "keepgoing": False,
            "rankOrder": "ascending",
            "successOnEmptyNodeFilter": False,
            "threadcount": "3",
        },
        "filter": "",
    }
    assert exported["nodesSelectedByDefault"] is True


# -- facts pinned by the server's own tests ------------------------------------------------------------


@pytest.mark.parametrize("intersect", [True, False])
def test_a_reference_node_filter_round_trip(intersect):
    # JobExecSpec "to map with node filter" / "to map with node intersect without filter".
    ref = {"group": "group", "name": "name", "nodefilters": {"filter": "abc def", "dispatch": {"threadcount": 2, "nodeIntersect": intersect}}}
    assert commands_of({"jobref": ref, "description": "a monkey"}) == [
        {"jobref": dict(ref, useName="true"), "description": "a monkey"}
    ]
    bare = {"group": "group", "name": "name", "nodefilters": {"dispatch": {"nodeIntersect": intersect}}}
    assert commands_of({"jobref": bare}) == [{"jobref": dict(bare, useName="true")}]


@pytest.mark.parametrize(
    "uuid, use_name, exported",
    [(None, None, "true"), ("c1", None, None), (None, False, None), (None, True, "true"), ("c1", True, "true")],
)
def test_use_name_without_the_flag(uuid, use_name, exported):
    # JobExecSpec "from map use name without useName property".
    ref = {"group": "group", "name": "name"}
    if uuid:
        ref["uuid"] = uuid
    if use_name is not None:
        ref["useName"] = use_name
    assert commands_of({"jobref": ref})[0]["jobref"].get("useName") == exported


@pytest.mark.parametrize("order", [["aplugin", "bplugin", "zplugin"], ["aplugin", "zplugin", "bplugin"], ["zplugin", "aplugin", "bplugin"]])
def test_plugins_of_a_trigger_are_sorted_by_type_and_their_keys_too(order):
    # codecs/JobsYAMLCodecSpec "canonical notifications".
    plugins = [{"type": name, "configuration": {"c": "c", "z": "z", "a": "a"}} for name in order]
    exported = export(job(notification={"onsuccess": {"plugin": plugins}}))["notification"]["onsuccess"]
    assert [plugin["type"] for plugin in exported[0]["plugin"]] == ["aplugin", "bplugin", "zplugin"]
    assert all(list(plugin["configuration"]) == ["a", "c", "z"] for plugin in exported[0]["plugin"])


@pytest.mark.parametrize("written, stored", [(True, True), ("true", True), (False, None), ("false", None), (None, None)])
def test_multivalue_all_selected(written, stored):
    # OptionSpec "from map multivalue all selected" and "to map multivalue default select all".
    option = {"multivalued": True}
    if written is not None:
        option["multivalueAllSelected"] = written
    assert option_of(option).get("multivalueAllSelected") == stored


def test_a_webhook_as_the_server_spec_writes_it():
    # ScheduledExecutionSpec "from map notifications urls should include httpMethod and format".
    notification = {"onsuccess": [{"urls": "url1", "format": "JSON", "httpMethod": "POST"}]}
    assert export(job(notification=notification))["notification"]["onsuccess"] == {
        "urls": "url1",
        "format": "JSON",
        "httpMethod": "POST",
    }


def test_a_crontab_is_stored_from_a_split_on_single_spaces():
    # Quartz accepts the doubled space; ScheduledExecution.parseCrontabString then shifts the fields.
    schedule = export(job(schedule={"crontab": "0 30 2 ? * MON  2030"}))["schedule"]
    assert schedule == {"month": "*", "time": {"hour": "2", "minute": "30", "seconds": "0"}, "weekday": {"day": "MON"}, "year": ""}
    assert export(job(schedule={"crontab": "0 30 2 ? * *  "}))["schedule"]["weekday"] == {"day": "*"}


def test_a_shifted_crontab_field_can_fail_the_field_checks():
    assert errors_of(job(schedule={"crontab": "0 0  * ? * *"})) == [
        "Property [month] of class [class rundeck.ScheduledExecution] with value [?] does not match the required pattern"
        " [^[0-9a-zA-z*\\/,-]*$]"
    ]


@pytest.mark.parametrize("written, exported", [(2, 2), ("2", 2), ("0", 1), (0, None), ("-1", None), (-1, None)])
def test_a_reference_thread_count(written, exported):
    # JobExec.updateFromMap: a text "0" becomes 1, a number 0 is unset; toMap writes only counts above 0.
    ref = {"name": "child", "nodefilters": {"filter": "tags: web", "dispatch": {"threadcount": written}}}
    dispatch = commands_of({"jobref": ref})[0]["jobref"]["nodefilters"].get("dispatch", {})
    assert dispatch.get("threadcount") == exported


def test_an_option_label_of_0_is_kept_since_5_2():
    assert option_of({"label": 0, "description": 0, "value": 0}) == {"name": "opt", "label": "0", "description": "0"}
    assert option_of({"label": 0, "description": 0, "value": 0}, "5.1.0") == {"name": "opt"}
