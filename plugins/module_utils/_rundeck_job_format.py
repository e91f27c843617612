# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck job definitions in one canonical form.

Rundeck does not give back the definition it was sent: it adds ids and default flags, writes
numbers as strings, turns a crontab into its structured schedule, drops false flags, adds
option delimiters and reshapes notifications. ``canonical_job`` brings a definition written by a
person and one exported by the server to the same form, so that equal forms mean the server has
nothing to change. The form is itself a valid definition for Rundeck's job import.

``check_known_keys`` and ``with_real_booleans`` take a definition as a person wrote it, before
anything is sent: the first refuses keys the format does not have, the second turns switches
written as text into the booleans they mean. Both read the same tables as the canonical form.
"""

from __future__ import annotations

import difflib
import json

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import unique

#: Identity and audit fields of an export; they are not part of what a definition says.
SERVER_FIELDS = ("id", "uuid", "project", "user")

#: Top-level fields the server always exports, with the value it stores when one is missing.
EXPORTED_DEFAULTS = (
    ("description", ""),
    ("loglevel", "INFO"),
    ("executionEnabled", True),
    ("scheduleEnabled", True),
    ("nodeFilterEditable", True),
)

#: Every top-level field of Rundeck's job format. A field outside this list that only the
#: server's side has is something a newer server added, not a difference to correct.
JOB_FIELDS = frozenset([
    "name", "group", "description", "loglevel", "executionEnabled", "scheduleEnabled",
    "nodeFilterEditable", "nodesSelectedByDefault", "excludeFilterUncheck", "multipleExecutions", "maxMultipleExecutions",
    "timeout", "timeZone", "defaultTab", "retry", "loglimit", "loglimitAction", "loglimitStatus",
    "options", "schedule", "nodefilters", "notification", "notifyAvgDurationThreshold",
    "orchestrator", "plugins", "sequence",
])

#: Option flags the server exports only when true.
OPTION_FLAGS = ("required", "enforced", "multivalued", "secure", "valueExposed", "isDate", "hidden",
                "sortValues", "multivalueAllSelected")
#: Job reference flags the server exports only when true.
JOBREF_OPTIONAL_FLAGS = ("importOptions", "failOnDisable", "childNodes", "ignoreNotifications")
#: Job reference flags the server always exports (as the strings "true"/"false").
JOBREF_FLAGS = ("nodeStep", "useName")
#: Every key of an option the server reads; it ignores others.
OPTION_KEYS = frozenset(["name", "type", "config", "sortIndex", "label", "description", "value", "storagePath",
                         "valuesUrl", "configRemoteUrl", "regex", "values", "valuesListDelimiter", "delimiter",
                         "optionValuesPluginType", "dateFormat"] + list(OPTION_FLAGS))
#: Option settings the server stores as text.
OPTION_TEXT_FIELDS = ("label", "description", "value", "regex", "storagePath", "valuesUrl", "dateFormat")
SCRIPT_STEP_KEYS = ("script", "scriptfile", "scripturl")
#: Keys of a command step that only a script or script file takes; the server drops them from a command.
SCRIPT_ONLY_KEYS = ("args", "scriptInterpreter", "interpreterArgsQuoted", "fileExtension", "expandTokenInScriptFile")
#: Step keys the server reads for itself and never exports on a command or script step.
COMMAND_STEP_DROPPED_KEYS = ("nodeStep", "configuration", "type")
#: The keys a plugin step keeps; anything else on it is dropped on import.
PLUGIN_STEP_KEYS = frozenset(["type", "nodeStep", "configuration", "description", "keepgoingOnSuccess", "errorhandler", "plugins"])
#: The keys a job reference step keeps, and the keys inside its ``jobref``.
JOBREF_STEP_KEYS = frozenset(["jobref", "description", "keepgoingOnSuccess", "errorhandler", "plugins"])
JOBREF_KEYS = frozenset(["group", "name", "project", "uuid", "args", "nodeStep", "useName", "nodefilters"]
                        + list(JOBREF_OPTIONAL_FLAGS))
#: Job reference settings older documents put beside the ``jobref``; the server moves them into it.
JOBREF_OUTER_KEYS = ("project", "failOnDisable", "childNodes", "importOptions")
#: The ways an e-mail notification attaches the log; the server picks the file when none is set.
EMAIL_ATTACH_FLAGS = ("attachLog", "attachLogInFile", "attachLogInline")

# The keys of each part of the format, for refusing a misspelled one before anything is sent.
# A key Rundeck reads at any release from 5.0 on is known: the format's tables above, plus
# keys the server reads and then stores elsewhere or drops.
#: Top level: the fields, the identity an export carries, and the delay beside a plain retry count.
JOB_KEYS = JOB_FIELDS | frozenset(SERVER_FIELDS) | frozenset(["retryDelay"])
#: Option keys: those compared, and 6.1's authentication type of remote values (merged into
#: configRemoteUrl by the server, so not compared on its own).
OPTION_INPUT_KEYS = OPTION_KEYS | frozenset(["remoteUrlAuthenticationType"])
SCHEDULE_KEYS = frozenset(["crontab", "time", "month", "year", "dayofmonth", "weekday"])
SCHEDULE_TIME_KEYS = frozenset(["seconds", "minute", "hour"])
SCHEDULE_DAY_KEYS = frozenset(["day"])
#: Node filters: ``include``/``exclude`` are the older structured filters, still read.
NODEFILTER_KEYS = frozenset(["filter", "filterExclude", "dispatch", "include", "exclude"])
DISPATCH_KEYS = frozenset(["threadcount", "keepgoing", "excludePrecedence", "rankAttribute", "rankOrder",
                           "successOnEmptyNodeFilter"])
RETRY_KEYS = frozenset(["retry", "delay"])
ORCHESTRATOR_KEYS = frozenset(["type", "configuration"])
#: The triggers Rundeck fires notifications on (NotificationConstants).
NOTIFICATION_TRIGGERS = frozenset(["onsuccess", "onfailure", "onstart", "onavgduration", "onretryablefailure"])
NOTIFICATION_ENTRY_KEYS = frozenset(["email", "urls", "httpMethod", "format", "plugin"])
EMAIL_KEYS = frozenset(["recipients", "subject"] + list(EMAIL_ATTACH_FLAGS))
NOTIFICATION_PLUGIN_KEYS = frozenset(["type", "configuration"])
SEQUENCE_KEYS = frozenset(["keepgoing", "strategy", "pluginConfig", "commands"])
#: The key that says what a step is; exactly one per step.
STEP_KIND_KEYS = ("exec",) + SCRIPT_STEP_KEYS + ("jobref", "type")
#: Keys every kind of step has.
STEP_COMMON_KEYS = frozenset(["description", "keepgoingOnSuccess", "errorhandler", "plugins"])
#: Keys a command or script step reads (the script settings and the keys it reads and drops).
COMMAND_STEP_KEYS = (frozenset(("exec",) + SCRIPT_STEP_KEYS + SCRIPT_ONLY_KEYS + COMMAND_STEP_DROPPED_KEYS)
                     | STEP_COMMON_KEYS)
JOBREF_STEP_INPUT_KEYS = JOBREF_STEP_KEYS | frozenset(JOBREF_OUTER_KEYS)
JOBREF_NODEFILTER_KEYS = frozenset(["filter", "dispatch"])
JOBREF_DISPATCH_KEYS = frozenset(["threadcount", "keepgoing", "rankOrder", "rankAttribute", "nodeIntersect"])

# Switches, part by part, for turning the texts "true" and "false" into booleans before an
# import: most are read with Groovy truth, where the text "false" counts as true.
JOB_SWITCHES = ("executionEnabled", "scheduleEnabled", "nodeFilterEditable", "multipleExecutions",
                "nodesSelectedByDefault", "excludeFilterUncheck")
DISPATCH_SWITCHES = ("keepgoing", "excludePrecedence", "successOnEmptyNodeFilter")
SEQUENCE_SWITCHES = ("keepgoing",)
STEP_SWITCHES = ("keepgoingOnSuccess", "nodeStep", "interpreterArgsQuoted", "expandTokenInScriptFile")
JOBREF_SWITCHES = JOBREF_FLAGS + JOBREF_OPTIONAL_FLAGS
JOBREF_DISPATCH_SWITCHES = ("keepgoing", "nodeIntersect")


def canonical_job(definition):
    """The canonical form of one job definition (a dict in Rundeck's job format)."""
    job = _clean(definition)
    for key in SERVER_FIELDS:
        job.pop(key, None)
    for key, default in EXPORTED_DEFAULTS:
        job[key] = flag(job.get(key), default) if isinstance(default, bool) else _text(job.get(key, default))
    job["loglevel"] = job["loglevel"].upper()
    job["group"] = group_path(job.get("group"))
    job["multipleExecutions"] = flag(job.get("multipleExecutions"), False) or None
    for key in ("maxMultipleExecutions", "timeout", "timeZone", "defaultTab"):
        job[key] = _set_text(job.get(key))
    job["retry"] = _retry(job.get("retry"))
    if not _set_text(job.get("loglimit")):
        job["loglimit"] = None
        job.pop("loglimitAction", None)
        job.pop("loglimitStatus", None)
    else:
        job["loglimit"] = _text(job["loglimit"])
        job["loglimitAction"] = _text(job.get("loglimitAction")) or "halt"
        job["loglimitStatus"] = _text(job.get("loglimitStatus")) or "failed"
    job["plugins"] = _plugins(job.get("plugins"))
    job["schedule"] = canonical_schedule(job.get("schedule"))
    job["nodefilters"] = _nodefilters(job.get("nodefilters"))
    # Without a node filter the job runs on the server, and the flag has no meaning.
    job["nodesSelectedByDefault"] = flag(job.get("nodesSelectedByDefault"), True) if job["nodefilters"] else None
    # Exported only when true, and only for a node filter with exclusions.
    excludes = isinstance(job["nodefilters"], dict) and job["nodefilters"].get("filterExclude")
    job["excludeFilterUncheck"] = (flag(job.get("excludeFilterUncheck"), False) or None) if excludes else None
    job["options"] = canonical_options(job.get("options"))
    job["notification"] = canonical_notification(job.get("notification"))
    # The threshold is kept, as text, only next to notifications.
    job["notifyAvgDurationThreshold"] = _text(job.get("notifyAvgDurationThreshold")) if job["notification"] else None
    job["orchestrator"] = _orchestrator(job.get("orchestrator"))
    if "sequence" in job:
        job["sequence"] = _sequence(job["sequence"])
    return _drop_empty(job, keep=[key for key, default in EXPORTED_DEFAULTS])


def canonical_pair(current, desired):
    """``current`` and ``desired`` canonical forms, minus fields only a newer server knows.

    Fields outside JOB_FIELDS that only the server's side has are left out of the comparison.
    """
    extra = [key for key in current if key not in desired and key not in JOB_FIELDS]
    if not extra:
        return current, desired
    return dict((k, v) for k, v in current.items() if k not in extra), desired


def differences(current, desired):
    """Top-level fields whose canonical values differ, sorted (empty when the jobs are the same)."""
    have, want = canonical_pair(current, desired)
    return sorted(key for key in set(have) | set(want) if have.get(key) != want.get(key))


def flag(value, default):
    """A boolean from a boolean, a "true"/"false" string (as some exports have) or nothing."""
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def group_path(group):
    """A group path as Rundeck saves it: without leading or trailing slashes; "" at top level."""
    return _text(group).strip("/") if group is not None else ""


def in_group(group, scope):
    """Whether a job of ``group`` lies in the group ``scope`` or one of its subgroups ("" is all)."""
    group, scope = group_path(group), group_path(scope)
    return not scope or group == scope or group.startswith(scope + "/")


def job_path(group, name):
    """``group/name``, or ``name`` at the top level: how a person names a job."""
    group = group_path(group)
    return "%s/%s" % (group, name) if group else name


def canonical_schedule(schedule):
    """The structured schedule the server exports, from a crontab or a structured schedule."""
    if _empty(schedule):
        return None
    if not isinstance(schedule, dict):
        return schedule
    if schedule.get("crontab"):
        crontab = _text(schedule["crontab"])
        fields = crontab.split()
        if len(fields) not in (6, 7):
            # Not a Quartz expression; the server will say so.
            return schedule
        # The server stores the fields of a split on single spaces, so doubled or leading spaces
        # shift them (ScheduledExecution.parseCrontabString).
        stored = crontab.split(" ")
        while len(stored) > 1 and stored[-1] == "":
            stored.pop()
        if len(stored) >= 6:
            fields = stored[:7]
        seconds, minute, hour, day_of_month, month, day_of_week = fields[:6]
        year = fields[6] if len(fields) == 7 else "*"
    else:
        time = schedule.get("time") or {}
        seconds = _text(time.get("seconds", "0"))
        minute = _text(time.get("minute", "0"))
        hour = _text(time.get("hour", "0"))
        month = _text(schedule.get("month", "*"))
        year = _text(schedule.get("year", "*"))
        day_of_month = _text((schedule.get("dayofmonth") or {}).get("day")) or None
        day_of_week = _text((schedule.get("weekday") or {}).get("day")) or None
        if day_of_month in (None, "?"):
            day_of_month, day_of_week = "?", day_of_week or "*"
    result = dict(time=dict(seconds=seconds, minute=minute, hour=hour), month=month, year=year)
    if day_of_month == "?":
        result["weekday"] = dict(day=day_of_week)
    else:
        result["dayofmonth"] = dict(day=day_of_month)
    return result


def canonical_options(options):
    """Options as the ordered list the server exports.

    A list keeps its order (the server shows options in that order); the older mapping form,
    keyed by option name, comes back sorted by name.
    """
    if _empty(options):
        return None
    if isinstance(options, dict):
        options = [dict(value or {}, name=name) for name, value in sorted(options.items())]
    if not isinstance(options, list):
        return options
    return [_option(option) if isinstance(option, dict) else option for option in options]


def _option(option):
    option = dict((key, value) for key, value in option.items() if key in OPTION_KEYS)
    option.pop("sortIndex", None)
    # Multi-valued only as true or "true" (Option.fromMap).
    multivalued = groovy_true(option.get("multivalued")) or None
    for key in OPTION_FLAGS:
        option[key] = flag(option.get(key), False) or None
    option["multivalued"] = multivalued
    if not multivalued:
        # Exported only inside a multi-valued option (Option.toMap).
        option.pop("multivalueAllSelected", None)
    if not option.get("secure"):
        option.pop("valueExposed", None)
    if not option.get("isDate"):
        option.pop("dateFormat", None)
    delimiter = _text(option.get("valuesListDelimiter")) or ","
    values = option.get("values")
    if isinstance(values, list):
        # Stored joined with the delimiter and split again: an item holding it becomes several.
        values = delimiter.join(_text(v) for v in values)
    if isinstance(values, str):
        values = values.split(delimiter)
    if isinstance(values, list):
        values = unique(v for v in (_text(v).strip() for v in values) if v)
        if option.get("sortValues"):
            values.sort()
    option["values"] = values or None
    option["valuesListDelimiter"] = delimiter if values else None
    option["delimiter"] = (_text(option.get("delimiter")) or ",") if option.get("multivalued") else None
    # Read only when set by Groovy's rules: a number 0 is no value (Option.fromMap).
    for key in ("value", "storagePath", "valuesUrl"):
        option[key] = _set_text(option.get(key))
    for key in OPTION_TEXT_FIELDS:
        if option.get(key) is not None:
            option[key] = _text(option[key])
    if option.get("type") == "text":
        option.pop("type")
    return _drop_empty(option)


def canonical_notification(notification):
    """Each trigger as a sorted list of single notifications (Rundeck's list form).

    The server picks the map or the list form depending on how many notifications a trigger
    has; both say the same, so both become the list form here.
    """
    if _empty(notification) or not isinstance(notification, dict):
        return notification or None
    result = {}
    for trigger, entries in notification.items():
        entries = entries if isinstance(entries, list) else [entries]
        singles = []
        for entry in entries:
            singles.extend(_single_notifications(entry) if isinstance(entry, dict) else [entry])
        if singles:
            result[trigger] = sorted(singles, key=_sort_key)
    return result or None


def _single_notifications(entry):
    singles = []
    email = entry.get("email")
    if isinstance(email, dict) and email:
        singles.append(dict(email=_email(email)))
    elif not _empty(email):
        # Not a notification the server can read; left for it to refuse.
        singles.append(dict(email=email))
    if not _empty(entry.get("urls")):
        # Stored as written: the server sends json and get only for those exact words, and
        # treats a missing value as post and xml.
        singles.append(dict(urls=entry["urls"],
                            httpMethod=_text(entry.get("httpMethod")) or "post",
                            format=_text(entry.get("format")) or "xml"))
    plugins = entry.get("plugin")
    for plugin in plugins if isinstance(plugins, list) else [plugins] if plugins else []:
        if isinstance(plugin, dict):
            plugin = dict(plugin, configuration=plugin.get("configuration") or {})
        singles.append(dict(plugin=plugin))
    # Any other key of an entry (a bare ``recipients`` too) is not read by the server.
    return singles


def _email(email):
    """An e-mail notification as the server stores it."""
    email = dict(email)
    if isinstance(email.get("recipients"), str):
        email["recipients"] = address_list(email["recipients"])
    for key in EMAIL_ATTACH_FLAGS:
        email[key] = groovy_true(email.get(key)) or None
    # A log attached without saying how is attached as a file.
    if email["attachLog"] and not email["attachLogInline"]:
        email["attachLogInFile"] = True
    return _drop_empty(email)


def address_list(text):
    """Comma-separated addresses as the server saves them: each one trimmed, trailing empty ones gone."""
    pieces = text.split(",")
    while len(pieces) > 1 and pieces[-1] == "":
        pieces.pop()
    return ",".join(piece.strip() for piece in pieces)


def groovy_true(value):
    """A flag the server reads as ``value in ['true', true]``: only true and the exact text "true"."""
    return value is True or value == "true"


def _sequence(sequence):
    if not isinstance(sequence, dict):
        return sequence
    sequence = dict(sequence)
    sequence["keepgoing"] = flag(sequence.get("keepgoing"), False)
    sequence["strategy"] = _text(sequence.get("strategy")) or "node-first"
    sequence["pluginConfig"] = _workflow_plugin_config(sequence.get("pluginConfig"), sequence["strategy"])
    commands = sequence.get("commands")
    if isinstance(commands, list):
        sequence["commands"] = [canonical_step(step) if isinstance(step, dict) else step for step in commands]
    return _drop_empty(sequence, keep=["keepgoing", "strategy"])


def _workflow_plugin_config(config, strategy):
    """Workflow plugin settings as exported: of the strategy settings only the active strategy's, if set."""
    if not isinstance(config, dict):
        return config or None
    config = dict(config)
    strategies = config.pop("WorkflowStrategy", None)
    if isinstance(strategies, dict) and not _empty(strategies.get(strategy)):
        config["WorkflowStrategy"] = {strategy: strategies[strategy]}
    elif strategies is not None and not isinstance(strategies, dict):
        config["WorkflowStrategy"] = strategies
    return config or None


def canonical_step(step):
    """One workflow step (or error handler) as the server exports it."""
    step = dict(step)
    handler = step.get("errorhandler")
    step["errorhandler"] = canonical_step(handler) if isinstance(handler, dict) and handler else None
    # With an error handler the step's own keepgoingOnSuccess is not exported.
    step["keepgoingOnSuccess"] = None if step["errorhandler"] else (flag(step.get("keepgoingOnSuccess"), False) or None)
    step["plugins"] = _plugins(step.get("plugins"))
    if "jobref" in step:
        step = _jobref_step(step)
    elif "type" in step and not any(key in step for key in ("exec",) + SCRIPT_STEP_KEYS):
        step = dict((key, value) for key, value in step.items() if key in PLUGIN_STEP_KEYS)
        step["nodeStep"] = flag(step.get("nodeStep"), False)
    elif "exec" in step or any(key in step for key in SCRIPT_STEP_KEYS):
        # Other keys of a command or script step are kept by the server (since 5.6).
        for key in COMMAND_STEP_DROPPED_KEYS:
            step.pop(key, None)
        if "exec" in step:
            for key in SCRIPT_ONLY_KEYS:
                step.pop(key, None)
        else:
            if step.get("scriptInterpreter"):
                step["interpreterArgsQuoted"] = flag(step.get("interpreterArgsQuoted"), False)
            else:
                step.pop("interpreterArgsQuoted", None)
            if "script" in step:
                # Only a script file or URL keeps the token expansion switch.
                step.pop("expandTokenInScriptFile", None)
            else:
                step["expandTokenInScriptFile"] = flag(step.get("expandTokenInScriptFile"), False)
    return _drop_empty(step, keep=["interpreterArgsQuoted", "expandTokenInScriptFile", "nodeStep"])


def _jobref_step(step):
    ref = step.get("jobref")
    if isinstance(ref, dict):
        ref = dict(ref)
        for key in JOBREF_OUTER_KEYS:
            # Beside the reference counts only when the reference itself does not say.
            if _empty(ref.get(key)) and not _empty(step.get(key)):
                ref[key] = step[key]
        step = dict((key, value) for key, value in step.items() if key in JOBREF_STEP_KEYS)
        step["jobref"] = _jobref(dict((key, value) for key, value in ref.items() if key in JOBREF_KEYS))
    return step


def _jobref(ref):
    ref = dict(ref)
    ref["group"] = group_path(ref.get("group"))
    ref["nodeStep"] = groovy_true(ref.get("nodeStep"))
    # A reference without a UUID can only be by name whatever the flag says; the server exports
    # the flag only when true, so an explicit false reads back as unset, which means true.
    ref["useName"] = groovy_true(ref.get("useName")) or not ref.get("uuid")
    for key in JOBREF_OPTIONAL_FLAGS:
        ref[key] = groovy_true(ref.get(key)) or None
    ref["nodefilters"] = _jobref_nodefilters(ref.get("nodefilters"))
    return _drop_empty(ref, keep=["group"] + list(JOBREF_FLAGS))


def _jobref_nodefilters(nodefilters):
    """A job reference's node filter as the server exports it: thread count a number, flags booleans,
    and of the dispatch settings only nodeIntersect without a filter."""
    if not isinstance(nodefilters, dict):
        return nodefilters or None
    result = _drop_empty(nodefilters)
    dispatch = dict(result.get("dispatch") or {})
    if "filter" not in result:
        dispatch = dict((key, value) for key, value in dispatch.items() if key == "nodeIntersect")
    dispatch["threadcount"] = _jobref_threadcount(dispatch.get("threadcount"))
    if "rankOrder" in dispatch:
        dispatch["rankOrder"] = _rank_order(dispatch["rankOrder"])
    for key in ("keepgoing", "nodeIntersect"):
        if key in dispatch:
            dispatch[key] = groovy_true(dispatch[key])
    result["dispatch"] = _drop_empty(dispatch)
    return _drop_empty(result) or None


def _rank_order(value):
    """Only the exact word "ascending" is ascending; any other given value is descending."""
    return "ascending" if value is None or value == "ascending" else "descending"


def _jobref_threadcount(value):
    """A job reference's thread count as exported: a number above 0, or none.

    The server takes a number as it is and parses a text, turning "0" into 1 (JobExec.updateFromMap);
    it exports only counts above 0. Text that is not a number is left for the server to refuse.
    """
    if isinstance(value, bool) or not value:
        return None
    if not isinstance(value, int):
        try:
            value = int(_text(value)) or 1
        except ValueError:
            return value
    return value if value > 0 else None


def _nodefilters(nodefilters):
    if not isinstance(nodefilters, dict):
        return nodefilters or None
    result = dict(nodefilters)
    structured = [result.pop(key, None) for key in ("include", "exclude")]
    if _empty(result.get("filter")) and any(structured):
        # The older structured filters are stored as the filter text they make.
        result["filter"] = structured_filter_text(*structured)
    if _empty(result.get("filter")):
        # No filter: the job does not dispatch to nodes, and the server exports nothing.
        return None
    dispatch = dict(result.get("dispatch") or {})
    dispatch["threadcount"] = _set_text(dispatch.get("threadcount")) or "1"
    dispatch["keepgoing"] = flag(dispatch.get("keepgoing"), False)
    dispatch["successOnEmptyNodeFilter"] = flag(dispatch.get("successOnEmptyNodeFilter"), False)
    dispatch["excludePrecedence"] = flag(dispatch.get("excludePrecedence"), True)
    dispatch["rankOrder"] = _rank_order(dispatch.get("rankOrder"))
    result["dispatch"] = _drop_empty(dispatch, keep=["keepgoing", "successOnEmptyNodeFilter", "excludePrecedence"])
    return _drop_empty(result)


#: The node attributes the older structured node filters may name; others are left out.
STRUCTURED_FILTER_ATTRIBUTES = ("hostname", "tags", "os-name", "os-family", "os-arch", "os-version", "name")


def structured_filter_text(include, exclude):
    """The filter text the server makes of the older ``include``/``exclude`` node filter maps:
    ``key: value`` per set include, ``!key: value`` per exclude, in the order written; a word
    with a space, a quote or a line break is double-quoted, its double quotes doubled."""
    words = []
    for prefix, part in (("", include), ("!", exclude)):
        for key, value in (part.items() if isinstance(part, dict) else ()):
            if key in STRUCTURED_FILTER_ATTRIBUTES and _set_text(value):
                words += [prefix + key + ":", _text(value)]
    return " ".join(word if word and not any(char in word for char in " \"'\n\r") else '"%s"' % word.replace('"', '""')
                    for word in words)


def _plugins(plugins):
    """Plugin settings without the empty entries the server leaves out."""
    if not isinstance(plugins, dict):
        return plugins or None
    kept = dict((kind, config) for kind, config in plugins.items() if not _empty(config))
    return kept or None


def _orchestrator(orchestrator):
    """The orchestrator without an empty configuration, which the server does not export."""
    if not isinstance(orchestrator, dict):
        return orchestrator or None
    return _drop_empty(orchestrator) or None


def _retry(retry):
    if isinstance(retry, dict):
        count = _text(retry.get("retry"))
        delay = _text(retry.get("delay"))
        return dict(retry=count, delay=delay) if delay else count or None
    return _text(retry) or None


def _clean(value):
    """A deep copy without null values, with Unix line endings in every string.

    Runs once per job and side of every comparison, so it is kept lean: scalars other than
    text (numbers, booleans) are immutable and shared, not copied.
    """
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    return value


def _text(value):
    """A value as the string the server stores (it stores numbers and flags as text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _set_text(value):
    """A field the server reads only when Groovy counts it as set (not 0, false or empty), as text."""
    if value is None or value is False or value == 0 or _empty(value):
        return None
    return _text(value)


def _empty(value):
    return value is None or value == "" or value == {} or value == []


def _drop_empty(mapping, keep=()):
    """``mapping`` without empty values; ``keep`` names keys kept when empty ("" or false), never when null."""
    return dict((k, v) for k, v in mapping.items() if (k in keep and v is not None) or not _empty(v))


def _sort_key(value):
    return json.dumps(value, sort_keys=True, default=str)


# -- a definition as a person wrote it: known keys, real booleans ---------------------------


def check_known_keys(definition, where="definition"):
    """Refuse a definition with keys Rundeck's job format does not have; return warnings.

    Every part the format defines is checked (job, options, schedule, node filters, retry,
    orchestrator, notifications, sequence, steps and their error handlers, job references,
    plugin steps), and the message names each key, where it is, and the known keys it comes
    close to. A command or script step may carry keys of its own (Rundeck keeps them beside
    the step since 5.6), so there only a key close to one the step reads gives a warning.
    Raises InputError; returns the warnings, each a sentence.
    """
    if not isinstance(definition, dict):
        return []
    unknown, near = [], []
    _check_job_keys(definition, unknown, near)
    label = _label(where, definition)
    if unknown:
        raise InputError("%s: %s; remove or correct them, nothing was sent"
                         % (label, "; ".join(_describe_key(*item) for item in unknown)))
    return ["%s: %s; Rundeck 5.6 and later keep it beside the step unused, earlier releases drop it"
            % (label, _describe_key(*item)) for item in near]


def with_real_booleans(definition, where="definition"):
    """A copy of ``definition`` whose switches written as the text "true" or "false" (or the
    numbers 1 and 0) are booleans.

    Rundeck reads most switches with Groovy truth, where any non-empty text, "false" too, is
    true; some compare with the text "true" only, and a few parse the text. A boolean means
    the same to all of them, and to the comparison. Any other value for a switch is refused
    (InputError), since the server would read it as true or false depending on the switch.
    """
    if not isinstance(definition, dict):
        return definition
    bad = []
    document = _switches(definition, JOB_SWITCHES, "", bad)
    nodefilters = document.get("nodefilters")
    if isinstance(nodefilters, dict) and isinstance(nodefilters.get("dispatch"), dict):
        document["nodefilters"] = dict(nodefilters, dispatch=_switches(
            nodefilters["dispatch"], DISPATCH_SWITCHES, "nodefilters.dispatch", bad))
    options = document.get("options")
    if isinstance(options, list):
        document["options"] = [_switches(option, OPTION_FLAGS, "options[%d]" % index, bad)
                               for index, option in enumerate(options)]
    elif isinstance(options, dict):
        document["options"] = dict((name, _switches(option, OPTION_FLAGS, "options.%s" % name, bad))
                                   for name, option in options.items())
    notification = document.get("notification")
    if isinstance(notification, dict):
        document["notification"] = dict((trigger, _notification_switches(entries, "notification.%s" % trigger, bad))
                                        for trigger, entries in notification.items())
    sequence = document.get("sequence")
    if isinstance(sequence, dict):
        sequence = _switches(sequence, SEQUENCE_SWITCHES, "sequence", bad)
        if isinstance(sequence.get("commands"), list):
            sequence["commands"] = [_step_switches(step, "sequence.commands[%d]" % index, bad)
                                    for index, step in enumerate(sequence["commands"])]
        document["sequence"] = sequence
    if bad:
        raise InputError("%s: a switch takes true or false, but %s; nothing was sent" % (
            _label(where, definition), ", ".join("%s is %r" % (path, value) for path, value in bad)))
    return document


def _label(where, definition):
    """Where a definition is, and the job it names, for a message."""
    name = definition.get("name")
    return "%s (job %s)" % (where, job_path(definition.get("group"), name)) if isinstance(name, str) and name else where


def _switches(part, switches, path, bad):
    """A copy of ``part`` with its ``switches`` as booleans; text that is no boolean goes to ``bad``."""
    if not isinstance(part, dict):
        return part
    part = dict(part)
    for key in switches:
        value = part.get(key)
        if value is None or isinstance(value, bool):
            continue
        word = value.strip().lower() if isinstance(value, str) else value
        if word in ("true", "false"):
            part[key] = word == "true"
        elif isinstance(word, int) and word in (0, 1):
            # Groovy reads 1 as true and 0 as false; the comparison would show the number.
            part[key] = word == 1
        else:
            bad.append((_join(path, key), value))
    return part


def _notification_switches(entries, path, bad):
    listed = entries if isinstance(entries, list) else [entries]
    converted = []
    for index, entry in enumerate(listed):
        if isinstance(entry, dict) and isinstance(entry.get("email"), dict):
            where = "%s[%d].email" % (path, index) if isinstance(entries, list) else path + ".email"
            entry = dict(entry, email=_switches(entry["email"], EMAIL_ATTACH_FLAGS, where, bad))
        converted.append(entry)
    return converted if isinstance(entries, list) else converted[0]


def _step_switches(step, path, bad):
    if not isinstance(step, dict):
        return step
    step = _switches(step, STEP_SWITCHES + tuple(key for key in JOBREF_OUTER_KEYS if key != "project"), path, bad)
    ref = step.get("jobref")
    if isinstance(ref, dict):
        ref = _switches(ref, JOBREF_SWITCHES, path + ".jobref", bad)
        nodefilters = ref.get("nodefilters")
        if isinstance(nodefilters, dict) and isinstance(nodefilters.get("dispatch"), dict):
            ref["nodefilters"] = dict(nodefilters, dispatch=_switches(
                nodefilters["dispatch"], JOBREF_DISPATCH_SWITCHES, path + ".jobref.nodefilters.dispatch", bad))
        step["jobref"] = ref
    if isinstance(step.get("errorhandler"), dict):
        step["errorhandler"] = _step_switches(step["errorhandler"], path + ".errorhandler", bad)
    return step


def _check_job_keys(job, unknown, near):
    _check_keys(job, JOB_KEYS, "", unknown)
    options = job.get("options")
    if isinstance(options, list):
        for index, option in enumerate(options):
            _check_keys(option, OPTION_INPUT_KEYS, "options[%d]" % index, unknown)
    elif isinstance(options, dict):
        for name, option in options.items():
            _check_keys(option, OPTION_INPUT_KEYS, "options.%s" % name, unknown)
    schedule = job.get("schedule")
    if _check_keys(schedule, SCHEDULE_KEYS, "schedule", unknown):
        _check_keys(schedule.get("time"), SCHEDULE_TIME_KEYS, "schedule.time", unknown)
        for key in ("dayofmonth", "weekday"):
            _check_keys(schedule.get(key), SCHEDULE_DAY_KEYS, "schedule." + key, unknown)
    nodefilters = job.get("nodefilters")
    if _check_keys(nodefilters, NODEFILTER_KEYS, "nodefilters", unknown):
        _check_keys(nodefilters.get("dispatch"), DISPATCH_KEYS, "nodefilters.dispatch", unknown)
    _check_keys(job.get("retry"), RETRY_KEYS, "retry", unknown)
    _check_keys(job.get("orchestrator"), ORCHESTRATOR_KEYS, "orchestrator", unknown)
    notification = job.get("notification")
    if _check_keys(notification, NOTIFICATION_TRIGGERS, "notification", unknown):
        for trigger, entries in notification.items():
            listed = entries if isinstance(entries, list) else [entries]
            for index, entry in enumerate(listed):
                where = "notification.%s[%d]" % (trigger, index) if isinstance(entries, list) else "notification." + trigger
                if _check_keys(entry, NOTIFICATION_ENTRY_KEYS, where, unknown):
                    _check_keys(entry.get("email"), EMAIL_KEYS, where + ".email", unknown)
                    plugins = entry.get("plugin")
                    for number, plugin in enumerate(plugins if isinstance(plugins, list) else [plugins]):
                        plugin_where = where + (".plugin[%d]" % number if isinstance(plugins, list) else ".plugin")
                        _check_keys(plugin, NOTIFICATION_PLUGIN_KEYS, plugin_where, unknown)
    sequence = job.get("sequence")
    if _check_keys(sequence, SEQUENCE_KEYS, "sequence", unknown) and isinstance(sequence.get("commands"), list):
        for index, step in enumerate(sequence["commands"]):
            _check_step_keys(step, "sequence.commands[%d]" % index, unknown, near)


def _check_step_keys(step, path, unknown, near):
    if not isinstance(step, dict) or "conditionGroups" in step:
        # A conditional step (Rundeck 5.20 and later) is passed on as written.
        return
    kinds = [key for key in STEP_KIND_KEYS if key in step]
    if "jobref" in step:
        beside = []
        _check_keys(step, JOBREF_STEP_INPUT_KEYS, path, beside)
        # A setting of the reference written beside it instead of inside it.
        inside = sorted(JOBREF_KEYS - JOBREF_STEP_INPUT_KEYS)
        for where, key, close in beside:
            meant = _close_keys(str(key), inside)[:1]
            unknown.append((where, key, ["jobref." + meant[0]] if meant else close))
        ref = step["jobref"]
        if _check_keys(ref, JOBREF_KEYS, path + ".jobref", unknown):
            nodefilters = ref.get("nodefilters")
            if _check_keys(nodefilters, JOBREF_NODEFILTER_KEYS, path + ".jobref.nodefilters", unknown):
                _check_keys(nodefilters.get("dispatch"), JOBREF_DISPATCH_KEYS, path + ".jobref.nodefilters.dispatch", unknown)
    elif "type" in step and not any(key in step for key in ("exec",) + SCRIPT_STEP_KEYS):
        _check_keys(step, PLUGIN_STEP_KEYS, path, unknown)
    elif kinds:
        # Keys of its own are kept beside a command or script step: only near misses are told.
        found = []
        _check_keys(step, COMMAND_STEP_KEYS, path, found)
        near.extend(item for item in found if item[2])
    else:
        known = COMMAND_STEP_KEYS | JOBREF_STEP_INPUT_KEYS | PLUGIN_STEP_KEYS
        _check_keys(step, known, path, unknown)
        unknown.append((path, None, list(STEP_KIND_KEYS)))
    handler = step.get("errorhandler")
    if isinstance(handler, dict):
        _check_step_keys(handler, path + ".errorhandler", unknown, near)


def _check_keys(part, known, path, unknown):
    """Add ``(path, key, close known keys)`` for each key of ``part`` not in ``known``; whether ``part`` is a mapping."""
    if not isinstance(part, dict):
        return False
    for key in part:
        if key not in known:
            unknown.append((path, key, _close_keys(str(key), known)))
    return True


def _close_keys(key, known):
    """The known keys ``key`` is likely a misspelling of: alike letter by letter, or else those it
    begins, in any case (``config`` for ``configuration``)."""
    close = difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.75)
    if not close and len(key) >= 4:
        close = [name for name in sorted(known) if name.lower().startswith(key.lower())][:3]
    return close


def _describe_key(path, key, close):
    if key is None:
        return "the step at %s has none of the keys that say what it runs (%s)" % (path, ", ".join(close))
    text = "unknown key %r %s" % (key, "in " + path if path else "at the top level")
    if close:
        text += " (did you mean %s?)" % " or ".join(repr(name) for name in close)
    return text


def _join(path, key):
    return "%s.%s" % (path, key) if path else key
