"""Properties of the canonical form of Rundeck job definitions, against what the server does to a job.

The server's side is the sandbox's own job format (``tests/sandbox/jobformat.py``): a definition is
read as the server reads an import and written back as the server exports it.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import (
    canonical_job,
    check_known_keys,
    differences,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_document import import_document
from ansible_collections.opsforge.delivery.plugins.modules.rundeck_job import main as rundeck_job_main
from tests.sandbox import jobformat

JOB_UUID = "5e0c7a52-8a3b-4f7e-9d61-2b3c4d5e6f70"
TRIGGERS = ("onsuccess", "onfailure", "onstart", "onavgduration", "onretryablefailure")

# -- what a person writes ----------------------------------------------------------------
# Strategies are built once, at import: building them inside each draw costs more than the draw.

words = st.sampled_from(["a", "b", "web", "db", "deploy", "Ops", "x-1", "build_2"])
# Free text varies character by character, with every kind of line ending: the server keeps \n only.
free_text = st.text(alphabet="ab .:#'\"\t\r\n", max_size=12)
short_text = st.sampled_from(["x", "Deploy", "two words", "v1.2", " padded "])
job_names = st.one_of(st.sampled_from(["deploy", "nightly cleanup", "smoke-test", "a.b"]),
                      st.text(alphabet="ab -_.", min_size=1, max_size=6).filter(str.strip))
# Flags the server reads with Groovy's truth: written as booleans.
flags = st.booleans()
# Flags the server compares with "true" (job references): booleans or their text.
text_flags = st.sampled_from([True, False, "true", "false"])
group_paths = st.builds(
    lambda lead, segments, trail: lead + "/".join(segments) + trail,
    st.sampled_from(["", "/"]), st.lists(words, min_size=1, max_size=3), st.sampled_from(["", "/"]))
small_maps = st.dictionaries(words, short_text, min_size=1, max_size=2)


def numbers_or_text(low, high):
    """A number as YAML gives it, or as text: the server stores both as text."""
    return st.one_of(st.integers(low, high), st.integers(low, high).map(str))


# Option values: padded, repeated and empty items, as a list or as delimited text.
# An item may hold the delimiter: the server splits it.
value_items = st.one_of(st.sampled_from(["", " ", "a", "b", " prod ", "staging", "x,y"]), words, st.integers(1, 99))
option_value_lists = st.lists(value_items, min_size=1, max_size=5)
option_fields = st.fixed_dictionaries(
    {"name": st.sampled_from(["version", "env", "hosts", "a.b", "_x-1", "Z"])},
    optional={
        "label": st.one_of(short_text, st.integers(1, 99)),
        "description": free_text,
        "value": st.one_of(short_text, st.integers(0, 999)),
        "required": flags,
        "enforced": flags,
        "hidden": flags,
        "regex": st.sampled_from(["", "^[a-z]+$", "[0-9]+"]),
        "valuesUrl": st.just("https://values.example.com/list.json"),
        "values": option_value_lists,
        "valuesListDelimiter": st.sampled_from([",", ";", "|"]),
        "valuesAsText": st.just(True),
        "sortValues": flags,
        "multivalued": text_flags,
        "delimiter": st.sampled_from([",", " ", ";"]),
        "multivalueAllSelected": flags,
        "secure": flags,
        "valueExposed": flags,
        "storagePath": st.sampled_from(["keys/project/db", "keys/deploy.key"]),
        "isDate": flags,
        "dateFormat": st.sampled_from(["YYYY-MM-DD", "MM/DD/YYYY hh:mm a"]),
        "type": st.sampled_from(["text", "file"]),
        "config": st.fixed_dictionaries({"maxSize": st.sampled_from(["1MB", "10MB"])}),
        # Not an option setting: the server ignores it.
        "colour": short_text,
    })


def _option(fields):
    """An option as a person writes it: settings that only mean something next to another come with it."""
    option = dict(fields)
    if "values" in option and option.pop("valuesAsText", False):
        option["values"] = option.get("valuesListDelimiter", ",").join(str(item) for item in option["values"])
    option.pop("valuesAsText", None)
    if "values" not in option:
        option.pop("valuesListDelimiter", None)
        option.pop("sortValues", None)
    if not option.get("multivalued"):
        option.pop("delimiter", None)
        option.pop("multivalueAllSelected", None)
    if "secure" not in option:
        option.pop("valueExposed", None)
        option.pop("storagePath", None)
    if "isDate" not in option:
        option.pop("dateFormat", None)
    if option.get("type") != "file":
        option.pop("config", None)
    return option


options = option_fields.map(_option)
# A list keeps its order; the older map form is keyed by name.
option_lists = st.lists(options, min_size=1, max_size=4, unique_by=lambda option: option["name"])
option_collections = st.one_of(option_lists, option_lists.map(
    lambda listed: dict((option["name"], dict((k, v) for k, v in option.items() if k != "name")) for option in listed)))

# Quartz expressions: exactly one of the two day fields is "?".
# Separated by single spaces, or with a trailing one as typed by hand (a doubled one shifts the
# stored fields, which the server may then refuse: see the unit tests).
crontabs = st.builds(
    lambda seconds, minute, hour, month, days, year, tail: {
        "crontab": " ".join([seconds, minute, hour, days[0], month, days[1]] + year) + tail},
    st.sampled_from(["0", "30", "*/15"]),
    st.sampled_from(["0", "5", "*/10", "0,30"]),
    st.sampled_from(["*", "2", "9-17", "*/6"]),
    st.sampled_from(["*", "1", "JAN", "6-8"]),
    st.one_of(st.tuples(st.just("?"), st.sampled_from(["*", "MON-FRI", "2", "SAT,SUN"])),
              st.tuples(st.sampled_from(["*", "1", "15", "L"]), st.just("?"))),
    st.sampled_from([[], ["*"], ["2030"], ["2026-2030"]]),
    st.sampled_from(["", "", " "]))
structured_schedules = st.builds(
    lambda schedule, day: dict(schedule, **day),
    st.fixed_dictionaries(
        {"time": st.fixed_dictionaries({"hour": st.one_of(numbers_or_text(0, 23), st.just("*/2")),
                                        "minute": numbers_or_text(0, 59)},
                                       optional={"seconds": numbers_or_text(0, 59)})},
        optional={"month": st.sampled_from(["*", "3", "JAN-MAR", 7]), "year": st.sampled_from(["*", "2031", 2032])}),
    st.one_of(
        st.just({}),
        # "?" for the day of the month means "any day of the week".
        st.fixed_dictionaries({"dayofmonth": st.fixed_dictionaries({"day": st.sampled_from(["1", "L", "*", 15, "?"])})}),
        st.fixed_dictionaries({"weekday": st.fixed_dictionaries({"day": st.sampled_from(["*", "MON-FRI", "2"])})})))

node_dispatch = st.fixed_dictionaries({}, optional={
    "threadcount": numbers_or_text(0, 8),
    "keepgoing": flags,
    "excludePrecedence": flags,
    # Any word but "ascending" means descending to the server.
    "rankOrder": st.sampled_from(["ascending", "descending", "Ascending", "desc"]),
    "rankAttribute": st.sampled_from(["nodename", "rank"]),
    "successOnEmptyNodeFilter": flags,
})
node_filters = st.fixed_dictionaries(
    {"filter": st.sampled_from(["tags: web", "name: node1", ".*", "tags: db !name: db3"])},
    optional={"filterExclude": st.sampled_from(["name: web3", "tags: retired"]), "dispatch": node_dispatch})

# Addresses as people type them: spaces around commas, a trailing comma.
emails = st.fixed_dictionaries(
    {"recipients": st.sampled_from(["ops@example.com", "a@example.com,b@example.com", "a@example.com, b@example.com ",
                                    "ops@example.com,"])},
    optional={"subject": short_text, "attachLog": text_flags, "attachLogInFile": text_flags, "attachLogInline": text_flags})
notification_plugins = st.fixed_dictionaries({"type": words}, optional={"configuration": st.dictionaries(words, short_text, max_size=2)})
notification_entries = st.fixed_dictionaries({}, optional={
    "email": emails,
    "urls": st.sampled_from(["https://hooks.example.com/a", "https://a.example.com/x,https://b.example.com/y"]),
    "httpMethod": st.sampled_from(["post", "get", "POST"]),
    "format": st.sampled_from(["xml", "json", "JSON"]),
    "plugin": st.one_of(notification_plugins, st.lists(notification_plugins, min_size=1, max_size=3)),
    # The prose of the format reference names it, but the server reads recipients only under email.
    "recipients": st.just("x@example.com"),
}).map(lambda entry: entry if "urls" in entry else dict((k, v) for k, v in entry.items() if k not in ("httpMethod", "format"))
       ).filter(bool)
notifications = st.dictionaries(
    st.sampled_from(TRIGGERS),
    st.one_of(notification_entries, st.lists(notification_entries, min_size=1, max_size=3)),
    min_size=1, max_size=3)

log_filters = st.fixed_dictionaries({"LogFilter": st.lists(st.fixed_dictionaries(
    {"type": st.sampled_from(["mask-passwords", "key-value-data"])},
    optional={"config": st.dictionaries(st.sampled_from(["regex", "logData"]), short_text, max_size=2)}), min_size=1, max_size=2)})

script_settings = {
    "args": st.sampled_from(["", "${option.version}", "-v --dry-run"]),
    "scriptInterpreter": st.sampled_from(["", "sh -e", "sudo -u deploy"]),
    "interpreterArgsQuoted": flags,
    "fileExtension": st.sampled_from(["sh", ".ps1"]),
}
file_settings = dict(script_settings, expandTokenInScriptFile=flags)
script_steps = st.one_of(
    st.fixed_dictionaries({"script": st.sampled_from(["#!/bin/sh\necho hi\n", "echo one\r\necho two", "exit 0"])},
                          optional=script_settings),
    st.fixed_dictionaries({"scriptfile": st.sampled_from(["/srv/bin/check", "C:\\scripts\\run.ps1", "${option.path}"])},
                          optional=file_settings),
    st.fixed_dictionaries({"scripturl": st.sampled_from(["https://scripts.example.com/run.sh", "file:/srv/bin/run.sh"])},
                          optional=file_settings),
).map(lambda step: step if "scriptInterpreter" in step else dict((k, v) for k, v in step.items() if k != "interpreterArgsQuoted"))
jobref_filters = st.fixed_dictionaries(
    {"filter": st.sampled_from(["tags: web", "name: node2"])},
    optional={"dispatch": st.fixed_dictionaries({}, optional={
        "threadcount": numbers_or_text(0, 8),
        "keepgoing": text_flags,
        "rankOrder": st.sampled_from(["ascending", "descending", "ASC"]),
        "rankAttribute": st.just("rank"),
        "nodeIntersect": text_flags,
    })})
jobref_steps = st.fixed_dictionaries({"jobref": st.fixed_dictionaries({"name": job_names}, optional={
    "group": group_paths,
    "project": words,
    "uuid": st.uuids().map(str),
    "args": st.sampled_from(["", "-version ${option.version}"]),
    "nodeStep": text_flags,
    "importOptions": text_flags,
    "failOnDisable": text_flags,
    "childNodes": text_flags,
    "ignoreNotifications": text_flags,
    "useName": text_flags,
    "nodefilters": jobref_filters,
})})
plugin_steps = st.fixed_dictionaries(
    {"type": st.sampled_from(["localexec", "copyfile", "com.example.notify"])},
    optional={"nodeStep": flags, "configuration": st.dictionaries(words, st.one_of(short_text, st.integers(0, 9)), max_size=3)})
# Keys that do not apply to a step's kind, or that no kind knows: the server drops them or, on a
# command or script step, keeps the unknown ones beside the step.
stray_keys = st.fixed_dictionaries({}, optional={"colour": short_text, "expandTokenInScriptFile": flags, "nodeStep": flags})
command_steps = st.fixed_dictionaries({"exec": short_text}, optional=dict(script_settings, expandTokenInScriptFile=flags))
simple_steps = st.tuples(st.one_of(command_steps, script_steps, jobref_steps, plugin_steps), stray_keys).map(
    lambda pair: dict(pair[1], **pair[0]))
step_settings = {"description": short_text, "plugins": log_filters}
steps = st.one_of(
    st.tuples(simple_steps, st.fixed_dictionaries({}, optional=dict(step_settings, keepgoingOnSuccess=flags))),
    # With an error handler, the step's own keepgoingOnSuccess is not kept.
    st.tuples(simple_steps, st.fixed_dictionaries({"errorhandler": st.tuples(
        simple_steps, st.fixed_dictionaries({}, optional={"keepgoingOnSuccess": flags})).map(lambda pair: dict(pair[0], **pair[1]))},
        optional=dict(step_settings, keepgoingOnSuccess=flags))),
).map(lambda pair: dict(pair[0], **pair[1]))
strategy_names = st.sampled_from(["node-first", "step-first", "parallel", "sequential"])
# Settings for several strategies: only the active one's is kept.
workflow_plugins = st.fixed_dictionaries({}, optional={
    "WorkflowStrategy": st.dictionaries(strategy_names, st.one_of(st.just({}), small_maps), max_size=3),
    "LogFilter": log_filters.map(lambda filters: filters["LogFilter"]),
})
sequences = st.fixed_dictionaries(
    {"commands": st.lists(steps, min_size=1, max_size=4)},
    optional={"keepgoing": flags, "strategy": strategy_names, "pluginConfig": workflow_plugins})

job_fields = st.fixed_dictionaries({"name": job_names, "sequence": sequences}, optional={
    "group": st.one_of(st.just(""), group_paths),
    "description": free_text,
    "loglevel": st.sampled_from(jobformat.LOG_LEVELS),
    "executionEnabled": flags,
    "scheduleEnabled": flags,
    "nodeFilterEditable": flags,
    "multipleExecutions": flags,
    "maxMultipleExecutions": numbers_or_text(0, 5),
    # Empty text means unset, as on the server.
    "timeout": st.sampled_from(["30m", "1h", "PT90S", "${option.timeout}", ""]),
    "timeZone": st.sampled_from(["UTC", "Europe/Paris", "America/New_York", ""]),
    "defaultTab": st.sampled_from(["nodes", "output", "html", "summary", ""]),
    "retry": st.one_of(numbers_or_text(0, 5), st.fixed_dictionaries(
        {"retry": st.integers(1, 5)}, optional={"delay": st.sampled_from(["PT30S", "1m", ""])})),
    "loglimit": st.one_of(st.sampled_from(["100", "10MB", "1000/node", ""]), st.integers(1, 500)),
    "loglimitAction": st.sampled_from(["halt", "truncate"]),
    "loglimitStatus": st.sampled_from(["failed", "aborted", "too-long"]),
    "options": option_collections,
    "schedule": st.one_of(crontabs, structured_schedules),
    "nodefilters": node_filters,
    "nodesSelectedByDefault": flags,
    "excludeFilterUncheck": flags,
    "notification": notifications,
    "notifyAvgDurationThreshold": st.sampled_from(["+30", "30s", "10%", 30]),
    "orchestrator": st.fixed_dictionaries({"type": st.sampled_from(["subset", "rankTiered"])},
                                          optional={"configuration": st.one_of(st.just({}), small_maps)}),
    "plugins": st.sampled_from([{"ExecutionLifecycle": None}, {"ExecutionLifecycle": {}},
                                {"ExecutionLifecycle": {"killhandler": {"killChilds": "true"}}}]),
    "uuid": st.just(JOB_UUID),
})

# Settings that only mean something next to another: a person writes them together.
DEPENDENT_FIELDS = (
    ("maxMultipleExecutions", "multipleExecutions"),
    ("loglimitAction", "loglimit"),
    ("loglimitStatus", "loglimit"),
    ("nodesSelectedByDefault", "nodefilters"),
    ("notifyAvgDurationThreshold", "notification"),
)


def _job(fields):
    job = dict(fields)
    for key, needs in DEPENDENT_FIELDS:
        if not job.get(needs):
            job.pop(key, None)
    if job.get("excludeFilterUncheck") and not job.get("nodefilters", {}).get("filterExclude"):
        # Unchecking the exclusions by default means something only when there are exclusions.
        del job["excludeFilterUncheck"]
    return job


#: A job as a person writes it: only the fields they care about, in the forms the job format allows.
job_definitions = job_fields.map(_job)


# -- what the server does with it --------------------------------------------------------


def server_export(document):
    """The job the server stores for an import of ``document``, as it exports it."""
    stored, errors = jobformat.from_map(copy.deepcopy(document))
    assert errors == [], "the sandbox refused a valid definition: %s" % errors
    stored["uuid"] = stored["uuid"] or JOB_UUID
    return jobformat.export_map(stored)


def record(exported):
    return dict(id=exported["id"], definition=canonical_job(exported))


# -- properties ------------------------------------------------------------------------------


@given(job_definitions)
def test_normalizing_twice_changes_nothing_and_leaves_the_definition_as_it_was(definition):
    before = copy.deepcopy(definition)
    for job in (definition, server_export(definition)):
        once = canonical_job(job)
        assert canonical_job(once) == once
    assert definition == before


@given(job_definitions)
def test_a_definition_equals_its_own_server_round_trip(definition):
    document = import_document(definition, None)
    current = record(server_export(document))
    assert differences(current["definition"], canonical_job(document)) == []
    # The next run sends the job's UUID and current switches along: still nothing to change.
    again = import_document(definition, current)
    assert differences(current["definition"], canonical_job(again)) == []
    # The canonical form is itself a definition the server imports as the same job.
    canonical = canonical_job(definition)
    assert differences(canonical_job(server_export(canonical)), canonical) == []


def _portable(definition):
    """The definition without what releases read differently: step keys that servers before 5.6
    drop and later ones keep, multivalued as text (Groovy truth before 5.2)."""
    def clean(step):
        step = dict((key, value) for key, value in step.items() if key != "colour")
        if isinstance(step.get("errorhandler"), dict):
            step["errorhandler"] = clean(step["errorhandler"])
        return step
    sequence = dict(definition["sequence"], commands=[clean(step) for step in definition["sequence"]["commands"]])
    definition = dict(definition, sequence=sequence)
    options = definition.get("options")
    for option in (options.values() if isinstance(options, dict) else options or []):
        if isinstance(option.get("multivalued"), str):
            option["multivalued"] = option["multivalued"] == "true"
    return definition


@given(job_definitions.map(_portable), st.sampled_from(["5.0.0", "5.6.0", "5.19.0", "5.20.0"]))
def test_a_definition_equals_its_round_trip_on_older_servers(definition, version):
    document = import_document(definition, None)
    stored, errors = jobformat.from_map(copy.deepcopy(document), version)
    assert errors == []
    stored["uuid"] = stored["uuid"] or JOB_UUID
    current = record(jobformat.export_map(stored, version))
    assert differences(current["definition"], canonical_job(document)) == []


def _mutations(definition):
    """(field, changed definition) for each field the user set that a change is sure to show in."""
    found = [("name", dict(definition, name=definition["name"] + "x"))]
    sequence = dict(definition["sequence"], commands=definition["sequence"]["commands"] + [{"exec": "echo after"}])
    found.append(("sequence", dict(definition, sequence=sequence)))
    if "description" in definition:
        found.append(("description", dict(definition, description=definition["description"] + " (changed)")))
    if "loglevel" in definition:
        other = jobformat.LOG_LEVELS[(jobformat.LOG_LEVELS.index(definition["loglevel"]) + 1) % len(jobformat.LOG_LEVELS)]
        found.append(("loglevel", dict(definition, loglevel=other)))
    for key in ("executionEnabled", "scheduleEnabled", "nodeFilterEditable"):
        if key in definition:
            found.append((key, dict(definition, **{key: not definition[key]})))
    if "timeout" in definition:
        found.append(("timeout", dict(definition, timeout="2h")))
    if definition.get("excludeFilterUncheck"):
        found.append(("excludeFilterUncheck", dict((k, v) for k, v in definition.items() if k != "excludeFilterUncheck")))
    if "options" in definition:
        options_list = definition["options"]
        if isinstance(options_list, dict):
            changed = dict(options_list, extra={"value": "x"})
        else:
            changed = options_list + [{"name": "extra-option-x"}]
        found.append(("options", dict(definition, options=changed)))
    return found


@given(job_definitions, st.data())
def test_a_change_to_a_field_the_user_set_is_a_difference(definition, data):
    current = record(server_export(import_document(definition, None)))
    field, changed = data.draw(st.sampled_from(_mutations(definition)), label="mutation")
    assert field in differences(current["definition"], canonical_job(import_document(changed, current)))


@settings(max_examples=50)
@given(job_definitions, st.randoms(use_true_random=False))
def test_the_order_of_notifications_and_of_option_map_keys_does_not_matter(definition, random):
    shuffled = copy.deepcopy(definition)
    for entries in (shuffled.get("notification") or {}).values():
        if isinstance(entries, list):
            random.shuffle(entries)
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry.get("plugin"), list):
                random.shuffle(entry["plugin"])
    if isinstance(shuffled.get("options"), dict):
        names = list(shuffled["options"])
        random.shuffle(names)
        shuffled["options"] = dict((name, shuffled["options"][name]) for name in names)
    assert canonical_job(shuffled) == canonical_job(definition)


def _nulls(value):
    if isinstance(value, dict):
        return any(_nulls(item) for item in value.values())
    if isinstance(value, list):
        return any(_nulls(item) for item in value)
    return value is None


@given(job_definitions.map(_portable), st.sampled_from(["5.0.0", "5.6.0", "5.19.0", "5.20.0", "6.1.0"]))
def test_the_canonical_form_holds_no_null_on_either_side(definition, version):
    stored, errors = jobformat.from_map(import_document(definition, None), version)
    stored["uuid"] = JOB_UUID
    for job in (definition, jobformat.export_map(stored, version)):
        assert not _nulls(canonical_job(job))


def _as_the_format_allows(definition):
    """``definition`` without the keys the module refuses: keys no part of the format has, on options,
    notifications, job references and plugin steps (a command or script step may keep its own)."""
    definition = copy.deepcopy(definition)
    options = definition.get("options")
    for option in (options.values() if isinstance(options, dict) else options or []):
        option.pop("colour", None)
    for entries in (definition.get("notification") or {}).values():
        for entry in entries if isinstance(entries, list) else [entries]:
            entry.pop("recipients", None)

    def clean(step):
        if "jobref" in step or "type" in step:
            for key in ("colour", "expandTokenInScriptFile") + (("nodeStep",) if "jobref" in step else ()):
                step.pop(key, None)
        if isinstance(step.get("errorhandler"), dict):
            clean(step["errorhandler"])
    for step in definition["sequence"]["commands"]:
        clean(step)
    return definition


@given(job_definitions.map(_as_the_format_allows))
def test_definitions_in_the_job_format_pass_the_key_check_without_warnings(definition):
    assert check_known_keys(definition) == []


# module_runner holds no state: sharing it between examples is safe.
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(job_definitions.map(_as_the_format_allows))
def test_the_module_leaves_a_job_it_just_wrote_alone(sandbox_server, module_runner, definition):
    sandbox_server.reset()
    connection = dict(url=sandbox_server.urls["rundeck"], api_token=sandbox_server.credentials["rundeck_token"], retries=0)
    args = dict(connection, project="sandbox", definition=definition)
    created = module_runner(rundeck_job_main, args)
    assert created.get("failed") is not True, created
    assert created["changed"] is True and not created.get("warnings"), created
    again = module_runner(rundeck_job_main, args)
    assert again["changed"] is False, again


# Definitions that once showed a change on every run, each for a rule the server applies on import.
SETTLED_DEFINITIONS = {
    "log attached by default as a file": {"notification": {"onfailure": {"email": {"recipients": "ops@example.com", "attachLog": True}}}},
    "addresses trimmed": {"notification": {"onfailure": {"email": {"recipients": "a@example.com, b@example.com"}}}},
    "inline script without token expansion": {"sequence": {"commands": [{"script": "echo hi", "expandTokenInScriptFile": True}]}},
    "keepgoingOnSuccess beside an error handler": {"sequence": {"commands": [
        {"exec": "deploy", "keepgoingOnSuccess": True, "errorhandler": {"exec": "rollback"}}]}},
    "settings of a strategy not in use": {"sequence": {"commands": [{"exec": "x"}], "strategy": "parallel", "pluginConfig": {
        "WorkflowStrategy": {"parallel": {"threads": "2"}, "node-first": {"a": "b"}}}}},
    "reference by name with useName false": {"sequence": {"commands": [{"jobref": {"name": "other", "useName": False}}]}},
}


@pytest.mark.parametrize("name", sorted(SETTLED_DEFINITIONS))
def test_the_module_leaves_these_jobs_alone_on_the_second_run(sandbox_server, module_runner, name):
    sandbox_server.reset()
    definition = dict({"name": "settled", "uuid": JOB_UUID, "sequence": {"commands": [{"exec": "x"}]}}, **SETTLED_DEFINITIONS[name])
    connection = dict(url=sandbox_server.urls["rundeck"], api_token=sandbox_server.credentials["rundeck_token"], retries=0)
    args = dict(connection, project="sandbox", definition=definition)
    created = module_runner(rundeck_job_main, args)
    assert created["changed"] is True and not created.get("warnings"), created
    assert module_runner(rundeck_job_main, args)["changed"] is False


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(job_definitions.map(_as_the_format_allows))
def test_check_mode_predicts_the_real_run_field_for_field(sandbox_server, module_runner, definition):
    sandbox_server.reset()
    connection = dict(url=sandbox_server.urls["rundeck"], api_token=sandbox_server.credentials["rundeck_token"], retries=0)
    args = dict(connection, project="sandbox", definition=definition)
    predicted = module_runner(rundeck_job_main, args, check_mode=True, diff=True)
    real = module_runner(rundeck_job_main, args, diff=True)
    if "uuid" not in definition:
        # Only the server knows the UUID it gives a new job.
        for key in ("id", "href", "permalink"):
            assert predicted["job"].pop(key) is None
            real["job"].pop(key)
    assert predicted == real
