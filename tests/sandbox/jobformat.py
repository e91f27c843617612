# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rundeck job definitions: import document -> stored job -> export document.

``from_map()`` reads one job of an import document the way the server's
ScheduledExecution.fromMap does and checks it the way the server does before
saving; ``export_map()`` writes a stored job the way toMap and the JSON/YAML
job formats do. Between the two, a job takes the shape the server gives it:
numbers become strings, defaults are filled in, a crontab becomes Quartz
fields, unknown keys are dropped. So an export differs from a naive import
document in the same ways as on a real server.

Values are read with Groovy's rules, since that is what the server's code
does: ``if (value)`` is false for null, false, 0, "" and empty collections
(so the string "false" is true), and numbers assigned to text fields become
their decimal text.
"""

import copy
import datetime
import json
import re

UUID_PATTERN = r"^[-_a-zA-Z0-9+][-\._a-zA-Z0-9+]*$"
OPTION_NAME_PATTERN = r"^[a-zA-Z_0-9.-]+$"
LOG_LEVELS = ("DEBUG", "VERBOSE", "INFO", "WARN", "ERROR")
WORKFLOW_STRATEGIES = ("node-first", "step-first", "parallel", "sequential")
JOB_NAME_MAX_LENGTH = 1024
GROUP_PATH_MAX_LENGTH = 2048
LOG_LIMIT_ACTIONS = ("halt", "truncate")

_UUID_RE = re.compile(UUID_PATTERN)
_OPTION_NAME_RE = re.compile(OPTION_NAME_PATTERN)
# jobDefinitionBasic trims slashes around the group with this pattern; a group
# made only of slashes keeps one, which the path check then refuses.
_GROUP_TRIM_RE = re.compile(r"^/*(.+?)/*$", re.DOTALL)
_ABSOLUTE_GROUP_RE = re.compile(r"^(?:[/\\]|[A-Za-z]:[/\\])")
_SCRIPT_URL_RE = re.compile(r"^(?i:https?|file):.*$", re.DOTALL)
_LINE_ENDINGS_RE = re.compile(r"\r\n|\r")
_STEP_KINDS = ("exec", "script", "scriptfile", "scripturl", "jobref", "type")
# Keys of a command or script step the server reads itself; since 5.6 any other key of such
# a step is kept beside them and exported again (PluginStep.LOCAL_CONFIG_KEYS and
# LEGACY_BUILTIN_STEP_KEYS_MAP).
_COMMAND_STEP_KEYS = frozenset(
    ("nodeStep", "type", "configuration", "keepgoingOnSuccess", "description", "plugins", "errorhandler", "jobref",
     "args", "exec", "script", "scriptfile", "scripturl", "scriptInterpreter", "fileExtension",
     "interpreterArgsQuoted", "expandTokenInScriptFile")
)

#: The newest server release emulated; ``version`` arguments default to it.
NEWEST_VERSION = (6, 1, 0)
# Releases where the job format changed in a way an export shows.
_OPTIONS_BOUND = (5, 2, 0)  # Option.fromMap through data binding: multivalued only as true or "true"
_STEPS_AS_PLUGINS = (5, 6, 0)  # command steps stored as step plugins, extra keys kept, flags parsed
_EXPORTS_USER = (5, 17, 0)  # ScheduledExecution.toMap writes the schedule owner
_EXPORT_UNSET_FLAGS = (5, 20, 0)  # expandTokenInScriptFile and empty args exported when stored
_GROUP_PATH_CHECKED = (6, 0, 0)  # absolute and traversing group paths refused
_EMPTY_FILTER_DISPATCHES = (6, 1, 0)  # ScheduledExecution.fromMap: containsKey('filter')

# Quartz cron fields: name, lowest value, highest value, names allowed.
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_CRON_FIELDS = (
    ("seconds", 0, 59, ()),
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("dayOfMonth", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("dayOfWeek", 1, 7, _DAYS),
    ("year", 1970, 2199, ()),
)
# The server's own checks of each stored schedule field (ScheduledExecution constraints).
_SCHEDULE_FIELD_PATTERNS = {
    "seconds": r"^[0-9*\/,-]*$",
    "minute": r"^[0-9*\/,-]*$",
    "hour": r"^[0-9*\/,-]*$",
    "dayOfMonth": r"^[0-9*\/,?LW-]*$",
    "month": r"^[0-9a-zA-z*\/,-]*$",
    "dayOfWeek": r"^[0-9a-zA-z*\/?,L#-]*$",
    "year": r"^[0-9*\/,-]*$",
}


def parse_version(version):
    """A server release as a tuple: "5.0.0", "v5.20.1", (5, 0) or None (the newest)."""
    if version is None:
        return NEWEST_VERSION
    if isinstance(version, (tuple, list)):
        return tuple(int(part) for part in version)
    numbers = re.findall(r"[0-9]+", str(version))
    if not numbers:
        raise ValueError("not a Rundeck version: %r" % (version,))
    return tuple(int(part) for part in numbers[:3])


# -- Groovy values -------------------------------------------------------------


def _truthy(value):
    """Groovy truth: what ``if (value)`` means in the server's code."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, (str, list, tuple, dict)):
        return len(value) > 0
    return True


def _text(value):
    """A value assigned to a text field: numbers and booleans become their text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return json.dumps(_plain(value), sort_keys=True)


def _is_true(value):
    # Fields the server compares with `in ['true', true]`.
    return value is True or value == "true"


def _parse_boolean(value):
    # Java's Boolean.parseBoolean of a value's text: "true" in any case, nothing else.
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _split_on_spaces(text):
    """Java's ``text.split(" ")``: empty pieces kept between spaces, trailing ones dropped."""
    pieces = text.split(" ")
    while len(pieces) > 1 and pieces[-1] == "":
        pieces.pop()
    return pieces


def _trim_address_list(text):
    """Notification.beforeValidate: each comma-separated address trimmed.

    Java's split drops trailing empty pieces before the trim, so "a, b," becomes "a,b".
    """
    pieces = text.split(",")
    while len(pieces) > 1 and pieces[-1] == "":
        pieces.pop()
    return ",".join(piece.strip() for piece in pieces)


def _plain(value):
    """Free-form plugin configuration as JSON-compatible data (YAML may hold dates)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return _text(value)


def canonical(value):
    """The server's canonicalMap: keys sorted at every level, line endings as \\n."""
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    if isinstance(value, str):
        return _LINE_ENDINGS_RE.sub("\n", value)
    return value


# -- import: document -> stored job ----------------------------------------------


def lookup_key(data):
    """The uuid, name and group an import uses to find the job it replaces.

    The server looks them up before the group is trimmed, so "/ops/" does not
    find a job stored in group "ops".
    """
    uuid, group = data.get("uuid"), data.get("group")
    return (_text(uuid) if _truthy(uuid) else None), _text(data.get("name")), (_text(group) if _truthy(group) else None)


def from_map(data, version=None):
    """One job of an import document as a stored job, and what is wrong with it.

    Returns ``(job, errors)``; errors are the server's validation messages, in
    the order it reports them. The ``id`` key is ignored as on the server: only
    ``uuid`` identifies a job, and the caller decides about the project.
    ``version`` is the server release emulated (see ``parse_version``).
    """
    version = parse_version(version)
    errors = []
    job = {}
    job["name"] = _text(data.get("name"))
    group = data.get("group")
    job["group"] = _GROUP_TRIM_RE.match(_text(group)).group(1) if _truthy(group) else None
    job["description"] = _text(data.get("description"))
    uuid = data.get("uuid")
    job["uuid"] = _text(uuid) if _truthy(uuid) else None
    job["loglevel"] = _text(data["loglevel"]) if _truthy(data.get("loglevel")) else "INFO"
    # A missing or null flag means true.
    for flag in ("scheduleEnabled", "executionEnabled", "nodeFilterEditable"):
        job[flag] = data.get(flag) is None or _truthy(data.get(flag))
    job["loglimit"] = job["loglimitAction"] = job["loglimitStatus"] = None
    if _truthy(data.get("loglimit")):
        job["loglimit"] = _text(data["loglimit"])
        # The action is stored as given, null when missing (the runner then halts).
        job["loglimitAction"] = _text(data.get("loglimitAction"))
        job["loglimitStatus"] = _text(data["loglimitStatus"]) if _truthy(data.get("loglimitStatus")) else "failed"
    for key in ("timeout", "timeZone", "defaultTab", "maxMultipleExecutions"):
        job[key] = _text(data[key]) if _truthy(data.get(key)) else None
    retry = data.get("retry")
    if isinstance(retry, dict):
        job["retry"], job["retryDelay"] = _text(retry.get("retry")), _text(retry.get("delay"))
    else:
        job["retry"], job["retryDelay"] = _text(retry), _text(data.get("retryDelay"))
    job["multipleExecutions"] = _truthy(data.get("multipleExecutions"))
    job["orchestrator"] = _orchestrator_from_map(data.get("orchestrator"))
    job["options"] = _options_from_map(data.get("options"), errors, version) if _truthy(data.get("options")) else []
    job["sequence"] = _workflow_from_map(data.get("sequence"), errors, version) if _truthy(data.get("sequence")) else None
    job["schedule"] = _schedule_from_map(data.get("schedule"), errors) if _truthy(data.get("schedule")) else None
    _nodefilters_from_map(job, data, version)
    job["notifications"] = []
    job["notifyAvgDurationThreshold"] = None
    if _truthy(data.get("notification")):
        job["notifications"] = _notifications_from_map(data["notification"], errors)
        job["notifyAvgDurationThreshold"] = _text(data.get("notifyAvgDurationThreshold"))
    plugins = data.get("plugins")
    job["plugins"] = _plain(plugins) if isinstance(plugins, dict) else None
    return job, _validate(job, version) + errors


def _orchestrator_from_map(data):
    if not isinstance(data, dict) or not _truthy(data.get("type")):
        return None
    configuration = data.get("configuration")
    return {"type": _text(data["type"]), "configuration": _plain(configuration) if isinstance(configuration, dict) else {}}


def _nodefilters_from_map(job, data, version):
    job.update(
        filter=None,
        filterExclude=None,
        excludeFilterUncheck=_truthy(data.get("excludeFilterUncheck")),
        nodesSelectedByDefault=True,
        threadcount=None,
        nodeKeepgoing=False,
        excludePrecedence=True,
        rankAttribute=None,
        rankOrderAscending=None,
        successOnEmptyNodeFilter=False,
    )
    nodefilters = data.get("nodefilters")
    if not _truthy(nodefilters) or not isinstance(nodefilters, dict):
        return
    selected = data.get("nodesSelectedByDefault")
    job["nodesSelectedByDefault"] = True if selected is None else _truthy(selected)
    dispatch = nodefilters.get("dispatch")
    if _truthy(dispatch) and isinstance(dispatch, dict):
        threadcount = dispatch.get("threadcount")
        job["threadcount"] = _text(threadcount) if _truthy(threadcount) else "1"
        # Only the keys that are given change the defaults, even when null.
        if "keepgoing" in dispatch:
            job["nodeKeepgoing"] = _truthy(dispatch["keepgoing"])
        if "excludePrecedence" in dispatch:
            job["excludePrecedence"] = _truthy(dispatch["excludePrecedence"])
        if "rankAttribute" in dispatch:
            job["rankAttribute"] = _text(dispatch["rankAttribute"])
        if "rankOrder" in dispatch:
            job["rankOrderAscending"] = dispatch["rankOrder"] == "ascending"
        if "successOnEmptyNodeFilter" in dispatch:
            job["successOnEmptyNodeFilter"] = _truthy(dispatch["successOnEmptyNodeFilter"])
    if _truthy(nodefilters.get("filter")):
        job["filter"] = _text(nodefilters["filter"])
    elif version >= _EMPTY_FILTER_DISPATCHES and "filter" in nodefilters:
        # Since 6.1 a filter key, even empty, keeps the job dispatching to nodes.
        job["filter"] = ""
    elif _truthy(nodefilters.get("include")) or _truthy(nodefilters.get("exclude")):
        # The older structured filters dispatch too, as the filter text they make.
        job["filter"] = _structured_filter_text(nodefilters)
    job["nodeDispatch"] = job["filter"] is not None
    if _truthy(nodefilters.get("filterExclude")):
        job["filterExclude"] = _text(nodefilters["filterExclude"])


# The node attributes the older structured filters may name (BaseNodeFilters.filterKeys).
_STRUCTURED_FILTER_KEYS = ("hostname", "tags", "os-name", "os-family", "os-arch", "os-version", "name")


def _structured_filter_text(nodefilters):
    """BaseNodeFilters.asFilter: ``key: value`` for each set include, ``!key: value`` for each
    exclude, in the order written, unknown attributes left out, each word quoted as OptsUtil.join does."""
    words = []
    for prefix, part in (("", nodefilters.get("include")), ("!", nodefilters.get("exclude"))):
        if isinstance(part, dict):
            for key, value in part.items():
                if key in _STRUCTURED_FILTER_KEYS and _truthy(value):
                    words += [prefix + key + ":", _text(value)]
    return " ".join(_quoted_word(word) for word in words)


def _quoted_word(word):
    # OptsUtil.escapeChars: a word with a space, a quote or a line break (or empty) goes in double
    # quotes, its double quotes doubled.
    if word and not any(char in word for char in " \"'\r\n"):
        return word
    return '"' + word.replace('"', '""') + '"'


def _schedule_from_map(data, errors):
    if not isinstance(data, dict):
        errors.append("Crontab string format was invalid: %s" % _text(data))
        return None
    if _truthy(data.get("crontab")):
        crontab = _text(data["crontab"])
        fields = crontab.split()
        if len(fields) not in (6, 7) or not _valid_cron(fields):
            errors.append("Crontab string format was invalid: %s" % crontab)
            return None
        # Quartz checks the text as written, but the stored fields come from a split on single
        # spaces (parseCrontabString): doubled or leading spaces shift them.
        stored = _split_on_spaces(crontab)[:7]
        if len(stored) >= 6:
            fields = stored
        schedule = dict(zip([field[0] for field in _CRON_FIELDS], fields + ["*"] * (7 - len(fields))))
        # The stored fields still go through the field checks.
        _check_schedule_fields(schedule, errors)
        return schedule
    schedule = {"seconds": "0", "minute": "0", "hour": "0"}
    time = data.get("time")
    if _truthy(time) and isinstance(time, dict):
        for key in ("seconds", "minute", "hour"):
            if time.get(key) is not None:
                schedule[key] = _text(time[key])
    schedule["month"] = _text(data["month"]) if data.get("month") is not None else "*"
    schedule["year"] = _text(data["year"]) if data.get("year") is not None else "*"
    dayofmonth, weekday = data.get("dayofmonth"), data.get("weekday")
    if isinstance(dayofmonth, dict) and dayofmonth.get("day") is not None and dayofmonth["day"] != "?":
        schedule["dayOfMonth"], schedule["dayOfWeek"] = _text(dayofmonth["day"]), "?"
    elif isinstance(weekday, dict) and weekday.get("day") is not None:
        schedule["dayOfMonth"], schedule["dayOfWeek"] = "?", _text(weekday["day"])
    else:
        schedule["dayOfMonth"], schedule["dayOfWeek"] = "?", "*"
    bad = _check_schedule_fields(schedule, errors)
    # The server checks the crontab its fields make, with the weekday dropped
    # whenever a day of the month is set.
    expression = [
        schedule["seconds"] or "0",
        schedule["minute"],
        schedule["hour"],
        schedule["dayOfMonth"].upper(),
        schedule["month"].upper(),
        schedule["dayOfWeek"].upper() if schedule["dayOfMonth"] == "?" else "?",
        schedule["year"] or "*",
    ]
    if not bad and not _valid_cron(expression):
        errors.append("Crontab string format was invalid: %s" % " ".join(expression))
    return schedule


def _check_schedule_fields(schedule, errors):
    """The server's pattern checks of the stored schedule fields; returns the fields that fail."""
    bad = [key for key, pattern in _SCHEDULE_FIELD_PATTERNS.items() if not re.match(pattern, schedule[key])]
    for key in bad:
        errors.append(
            "Property [%s] of class [class rundeck.ScheduledExecution] with value [%s] does not match the required pattern [%s]"
            % (key, schedule[key], _SCHEDULE_FIELD_PATTERNS[key])
        )
    return bad


def _workflow_from_map(data, errors, version):
    if not isinstance(data, dict):
        errors.append("Invalid sequence: expected a map with the key 'commands'")
        return None
    plugin_config = data.get("pluginConfig")
    workflow = {
        "keepgoing": _truthy(data.get("keepgoing")),
        "strategy": _text(data["strategy"]) if _truthy(data.get("strategy")) else "node-first",
        "pluginConfig": _plain(plugin_config) if isinstance(plugin_config, dict) else None,
        "commands": [],
    }
    commands = data.get("commands")
    if not _truthy(commands):
        return workflow
    if not isinstance(commands, list):
        errors.append("Workflow has one or more invalid steps: [commands must be a list of steps]")
        return workflow
    problems = []
    for position, command in enumerate(commands, start=1):
        step = _step_from_map(command, problems, position, version)
        if step is None:
            continue
        if isinstance(command, dict) and _truthy(command.get("errorhandler")):
            step["errorhandler"] = _step_from_map(
                command["errorhandler"], problems, "%d (error handler)" % position, version
            )
        workflow["commands"].append(step)
    if problems:
        errors.append("Workflow has one or more invalid steps: [%s]" % "; ".join(problems))
    return workflow


def _step_from_map(data, problems, position, version):
    if not isinstance(data, dict):
        problems.append("%s: a step must be a map" % position)
        return None
    kinds = [kind for kind in _STEP_KINDS if data.get(kind) is not None]
    if len(kinds) != 1:
        if kinds:
            problems.append("%s: only one of %s can be given, not %s" % (position, ", ".join(_STEP_KINDS), ", ".join(kinds)))
        else:
            problems.append("%s: a step needs one of %s" % (position, ", ".join(_STEP_KINDS)))
        return None
    kind = kinds[0]
    plugins = data.get("plugins")
    step = {
        "description": _text(data.get("description")),
        "keepgoingOnSuccess": _truthy(data.get("keepgoingOnSuccess")),
        "plugins": _plain(plugins) if _truthy(plugins) else None,
        "errorhandler": None,
    }
    if kind == "jobref":
        step.update(_jobref_from_map(data, problems, position))
    elif kind == "type":
        configuration = data.get("configuration")
        step.update(
            kind="plugin",
            type=_text(data["type"]),
            nodeStep=_truthy(data.get("nodeStep")),
            configuration=_plain(configuration) if isinstance(configuration, dict) else None,
        )
        if not step["type"]:
            problems.append("%s: Type name must be specified" % position)
    else:
        step.update(kind="exec" if kind == "exec" else "script" if kind == "script" else "file", text=_text(data[kind]))
        if not step["text"]:
            what = {"exec": "A Command string", "script": "Script"}.get(step["kind"], "A Script file path")
            problems.append("%s: %s must be specified" % (position, what))
        # Before 5.6 flags are read with Groovy truth ("false" is true); since, with
        # Boolean.parseBoolean.
        read_flag = _parse_boolean if version >= _STEPS_AS_PLUGINS else _truthy
        # Only scripts take arguments and an interpreter; a command ignores them.
        if kind != "exec":
            step["args"] = _text(data.get("args"))
            step["scriptInterpreter"] = _text(data.get("scriptInterpreter"))
            step["interpreterArgsQuoted"] = read_flag(data.get("interpreterArgsQuoted"))
            step["fileExtension"] = _text(data.get("fileExtension"))
        # An inline script never keeps expandTokenInScriptFile (CommandExec.updateFromMap).
        if kind in ("scriptfile", "scripturl"):
            step["expandTokenInScriptFile"] = read_flag(data.get("expandTokenInScriptFile"))
        step["extra"] = None
        if version >= _STEPS_AS_PLUGINS:
            extra = {_text(key): _plain(value) for key, value in data.items() if key not in _COMMAND_STEP_KEYS}
            step["extra"] = extra or None
    return step


def _jobref_from_map(data, problems, position):
    ref = data["jobref"] if isinstance(data["jobref"], dict) else {}
    project = ref.get("project") if _truthy(ref.get("project")) else data.get("project")
    step = {
        "kind": "jobref",
        "name": _text(ref.get("name")),
        "group": _text(ref.get("group")),
        "project": _text(project) if _truthy(project) else None,
        "uuid": _text(ref["uuid"]) if _truthy(ref.get("uuid")) else None,
        "args": _text(ref["args"]) if _truthy(ref.get("args")) else None,
        "nodeStep": _is_true(ref.get("nodeStep")),
        "ignoreNotifications": _is_true(ref.get("ignoreNotifications")),
        "nodefilters": None,
    }
    for flag in ("failOnDisable", "childNodes", "importOptions"):
        # Older documents put these next to the jobref instead of inside it.
        step[flag] = _is_true(ref[flag] if _truthy(ref.get(flag)) else data.get(flag))
    use_name = ref.get("useName")
    step["useName"] = _is_true(use_name) or (use_name is None and _truthy(ref.get("name")) and not _truthy(ref.get("uuid")))
    nodefilters = ref.get("nodefilters")
    if isinstance(nodefilters, dict):
        step["nodefilters"] = _jobref_nodefilters(nodefilters, problems, position)
    if not step["name"] and not step["uuid"]:
        problems.append("%s: Job Name must be specified" % position)
    return step


def _jobref_nodefilters(nodefilters, problems, position):
    dispatch = nodefilters.get("dispatch") if isinstance(nodefilters.get("dispatch"), dict) else {}
    result = {"filter": _text(nodefilters.get("filter")) if nodefilters.get("filter") is not None else None}
    if result["filter"]:
        threadcount = dispatch.get("threadcount")
        if _truthy(threadcount):
            try:
                # A number is taken as it is; a text is parsed and 0 becomes 1 (JobExec.updateFromMap).
                if isinstance(threadcount, int) and not isinstance(threadcount, bool):
                    result["threadcount"] = threadcount
                else:
                    result["threadcount"] = int(_text(threadcount)) or 1
            except ValueError:
                problems.append("%s: Thread Count must be an integer greater than 0" % position)
        if dispatch.get("keepgoing") is not None:
            result["keepgoing"] = _is_true(dispatch["keepgoing"])
        if dispatch.get("rankOrder") is not None:
            result["rankOrder"] = "ascending" if dispatch["rankOrder"] == "ascending" else "descending"
        if _truthy(dispatch.get("rankAttribute")):
            result["rankAttribute"] = _text(dispatch["rankAttribute"])
    if dispatch.get("nodeIntersect") is not None:
        result["nodeIntersect"] = _is_true(dispatch["nodeIntersect"])
    return result


def _options_from_map(data, errors, version):
    options = []
    if isinstance(data, dict):
        # The older map form, keyed by name: no order of its own.
        for name, option in data.items():
            options.append(_option_from_map(_text(name), option if isinstance(option, dict) else {}, None, version))
    elif isinstance(data, list):
        for index, option in enumerate(data):
            option = option if isinstance(option, dict) else {}
            options.append(_option_from_map(_text(option.get("name")), option, index, version))
    else:
        errors.append("Invalid Option definition: %s" % _text(data))
        return []
    seen = set()
    for option in options:
        name = option["name"]
        if not name:
            errors.append("Option name cannot be blank")
        elif not _OPTION_NAME_RE.match(name):
            errors.append("Invalid Option definition: %s" % name)
        elif name in seen:
            errors.append('Option with name "%s" already exists' % name)
        seen.add(name)
    return options


def _option_from_map(name, data, sort_index, version):
    option = {"name": name, "sortIndex": sort_index}
    for key in ("label", "description", "value", "storagePath", "valuesUrl", "optionValuesPluginType"):
        option[key] = _text(data[key]) if _truthy(data.get(key)) else None
    if version >= _OPTIONS_BOUND:
        # Since 5.2 these are bound as given, so a number 0 is kept as "0".
        for key in ("label", "description"):
            if data.get(key) is not None:
                option[key] = _text(data[key])
    option["regex"] = _text(data.get("regex"))
    for flag in ("enforced", "required", "isDate"):
        option[flag] = _truthy(data.get(flag))
    if version >= _OPTIONS_BOUND:
        # Bound by Grails data binding, which parses text as a boolean; multivalued counts
        # only as true or "true".
        for flag in ("hidden", "sortValues"):
            option[flag] = _parse_boolean(data.get(flag))
        option["multivalued"] = _is_true(data.get("multivalued"))
    else:
        for flag in ("hidden", "sortValues", "multivalued"):
            option[flag] = _truthy(data.get(flag))
    # Secure and valueExposed count when set, parsed as booleans.
    option["secure"] = _truthy(data.get("secure")) and _parse_boolean(data.get("secure"))
    option["dateFormat"] = _text(data.get("dateFormat")) if option["isDate"] else None
    option["type"] = _text(data["type"]) if _truthy(data.get("type")) else None
    config = data.get("config")
    option["config"] = _plain(config) if option["type"] and isinstance(config, dict) and config else None
    option["valueExposed"] = option["secure"] and _parse_boolean(data.get("valueExposed"))
    option["delimiter"] = _text(data["delimiter"]) if option["multivalued"] and _truthy(data.get("delimiter")) else None
    option["multivalueAllSelected"] = option["multivalued"] and _parse_boolean(data.get("multivalueAllSelected"))
    option["values"] = None
    option["valuesListDelimiter"] = None
    if _truthy(data.get("values")):
        delimiter = _text(data["valuesListDelimiter"]) if _truthy(data.get("valuesListDelimiter")) else ","
        raw = data["values"]
        # Stored joined with the delimiter and split again on reading, so a listed item that
        # holds the delimiter becomes several values.
        joined = delimiter.join(_text(item) for item in raw) if isinstance(raw, list) else _text(raw)
        items = joined.split(delimiter)
        values = []
        for item in items:
            item = (item or "").strip()
            if item and item not in values:
                values.append(item)
        if values:
            option["values"] = _sort_values(values) if option["sortValues"] else values
            option["valuesListDelimiter"] = delimiter
    return option


def _sort_values(values):
    # All numbers sort as numbers, anything else sorts as text.
    try:
        return sorted(values, key=float)
    except ValueError:
        return sorted(values)


def _notifications_from_map(data, errors):
    if not isinstance(data, dict):
        errors.append("Invalid Notification definition: %s" % _text(data))
        return []
    notifications = []
    for trigger, entries in data.items():
        if not str(trigger).startswith("on") or not _truthy(entries):
            continue
        # The map form is one entry of the list form.
        for entry in entries if isinstance(entries, list) else [entries]:
            if not isinstance(entry, dict):
                errors.append("Invalid Notification definition: %s" % trigger)
                continue
            email = entry.get("email")
            if _truthy(email):
                if not isinstance(email, dict):
                    # Notification.fromMap reads email.recipients, which a text has not.
                    errors.append("Unable to create Job: No such property: recipients for class: java.lang.String")
                    continue
                notifications.append({"trigger": trigger, "kind": "email", "config": _email_from_map(email, errors)})
            if _truthy(entry.get("urls")):
                notifications.append(
                    {
                        "trigger": trigger,
                        "kind": "url",
                        "config": {
                            "urls": _text(entry["urls"]),
                            # Stored as given, null when absent; the sender treats null as
                            # post and xml, and compares both case-sensitively.
                            "httpMethod": _plain(entry.get("httpMethod")),
                            "format": _text(entry.get("format")),
                        },
                    }
                )
            plugins = entry.get("plugin")
            if _truthy(plugins):
                for plugin in plugins if isinstance(plugins, list) else [plugins]:
                    if not isinstance(plugin, dict) or not _truthy(plugin.get("type")):
                        errors.append("Invalid Notification definition: %s plugin needs a type" % trigger)
                        continue
                    configuration = plugin.get("configuration")
                    notifications.append(
                        {
                            "trigger": trigger,
                            "kind": "plugin",
                            "config": {
                                "type": _text(plugin["type"]),
                                "configuration": _plain(configuration) if isinstance(configuration, dict) else {},
                            },
                        }
                    )
    return notifications


def _email_from_map(email, errors):
    """Notification.fromMap and beforeValidate for an e-mail notification."""
    recipients = _text(email.get("recipients"))
    config = {"recipients": _trim_address_list(recipients) if recipients else recipients}
    if _truthy(email.get("subject")):
        config["subject"] = _text(email["subject"])
    # Each flag is stored only when set (Groovy truth), as `in ['true', true]`, so a
    # string "false" is stored as false and a boolean false not at all.
    for key in ("attachLog", "attachLogInFile", "attachLogInline"):
        if _truthy(email.get(key)):
            config[key] = _is_true(email[key])
    # A log attached without saying how is attached as a file.
    if config.get("attachLog") is True and "attachLogInFile" not in config and "attachLogInline" not in config:
        config["attachLogInFile"] = True
    if not config["recipients"]:
        errors.append("Email address cannot be blank")
    return config


def _validate(job, version=NEWEST_VERSION):
    """The checks the server makes on the job itself before saving it."""
    errors = []
    name = job["name"]
    if not name:
        errors.append("Job Name was not entered")
    elif "/" in name:
        errors.append('Job Name cannot have a "/" character')
    elif len(name) > JOB_NAME_MAX_LENGTH:
        # "maxim" is the server's own spelling.
        errors.append(
            "Property [jobName] of class [class rundeck.ScheduledExecution] with value [%s] exceeds the maxim size of [%d]"
            % (name, JOB_NAME_MAX_LENGTH)
        )
    group = job["group"]
    if group:
        if len(group) > GROUP_PATH_MAX_LENGTH:
            errors.append(
                "Property [groupPath] of class [class rundeck.ScheduledExecution] with value [%s] exceeds the maxim size of [%d]"
                % (group, GROUP_PATH_MAX_LENGTH)
            )
        # Checked since 6.0 (SharedJobConstraints.groupPath).
        elif version >= _GROUP_PATH_CHECKED and _ABSOLUTE_GROUP_RE.match(group):
            errors.append("Group path must not be an absolute path")
        elif version >= _GROUP_PATH_CHECKED and any(segment in (".", "..") for segment in re.split(r"[/\\]", group)):
            errors.append("Group path must not contain path traversal sequences (.. or .)")
    if job["uuid"] is not None and not _UUID_RE.fullmatch(job["uuid"]):
        errors.append("UUID cannot have spaces")
    if job["loglevel"] not in LOG_LEVELS:
        errors.append('Log level "%s" is not valid, it must be one of: %s' % (job["loglevel"], ", ".join(LOG_LEVELS)))
    if job["loglimit"] and job["loglimitAction"] and job["loglimitAction"] not in LOG_LIMIT_ACTIONS:
        errors.append(
            "Property [logOutputThresholdAction] of class [class rundeck.ScheduledExecution] with value [%s] is not contained within the list [%s]"
            % (job["loglimitAction"], ", ".join(LOG_LIMIT_ACTIONS))
        )
    retry = job["retry"]
    if retry and "${" not in retry and not re.fullmatch(r"\+?[0-9]+", retry):
        errors.append('The retry value must be a valid integer, or contain an option reference: "%s"' % retry)
    workflow = job["sequence"]
    if workflow is None or not workflow["commands"]:
        errors.append("Workflow must have at least one step")
    elif workflow["strategy"] not in WORKFLOW_STRATEGIES:
        errors.append(
            'Workflow strategy "%s" is not valid, it must be one of: %s' % (workflow["strategy"], ", ".join(WORKFLOW_STRATEGIES))
        )
    return errors


# -- Quartz cron expressions -----------------------------------------------------


def _valid_cron(fields):
    """Whether Quartz accepts the expression (6 or 7 fields, already split)."""
    try:
        for (name, low, high, names), text in zip(_CRON_FIELDS, fields):
            for item in text.upper().split(","):
                _check_cron_item(name, item, low, high, names)
    except ValueError:
        return False
    # Quartz needs exactly one of the two day fields to be "?".
    return (fields[3] == "?") != (fields[5] == "?")


def _cron_value(text, low, high, names):
    if text in names:
        return names.index(text) + 1
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(text)
    return int(text)


def _check_cron_item(name, item, low, high, names):
    if item == "?" and name in ("dayOfMonth", "dayOfWeek"):
        return
    if name == "dayOfMonth" and (item in ("L", "LW") or re.fullmatch(r"L-[0-9]{1,2}", item)):
        return
    if name == "dayOfMonth" and item.endswith("W"):
        _cron_value(item[:-1], low, high, names)
        return
    if name == "dayOfWeek" and item == "L":
        return
    if name == "dayOfWeek" and item.endswith("L"):
        _cron_value(item[:-1], low, high, names)
        return
    if name == "dayOfWeek" and "#" in item:
        day, _sep, nth = item.partition("#")
        _cron_value(day, low, high, names)
        _cron_value(nth, 1, 5, ())
        return
    base, _sep, step = item.partition("/")
    if _sep:
        _cron_value(step, 1, high, ())
    if base == "*":
        return
    start, _sep, end = base.partition("-")
    _cron_value(start, low, high, names)
    if _sep:
        _cron_value(end, low, high, names)


# -- export: stored job -> document ----------------------------------------------


def export_map(job, version=None):
    """A stored job as the server exports it, keys sorted at every level."""
    return canonical(to_map(job, version))


def to_map(job, version=None):
    """The server's toMap of a stored job (before the keys are sorted)."""
    version = parse_version(version)
    data = {
        "name": job["name"],
        "id": job["uuid"],
        "uuid": job["uuid"],
        "description": job["description"] if job["description"] is not None else "",
        "loglevel": job["loglevel"],
        "scheduleEnabled": job["scheduleEnabled"],
        "executionEnabled": job["executionEnabled"],
        "nodeFilterEditable": job["nodeFilterEditable"],
        "sequence": _workflow_to_map(job["sequence"], version),
    }
    if job["group"]:
        data["group"] = job["group"]
    # Since 5.17 the job's owner is exported too.
    if job.get("user") and version >= _EXPORTS_USER:
        data["user"] = job["user"]
    if job["loglimit"]:
        data["loglimit"] = job["loglimit"]
        data["loglimitAction"] = job["loglimitAction"]
        data["loglimitStatus"] = job["loglimitStatus"]
    for key in ("timeout", "timeZone", "defaultTab", "maxMultipleExecutions"):
        if job[key]:
            data[key] = job[key]
    if job["retry"] and job["retryDelay"]:
        data["retry"] = {"retry": job["retry"], "delay": job["retryDelay"]}
    elif job["retry"]:
        data["retry"] = job["retry"]
    if job["orchestrator"]:
        orchestrator = {"type": job["orchestrator"]["type"]}
        if job["orchestrator"]["configuration"]:
            orchestrator["configuration"] = copy.deepcopy(job["orchestrator"]["configuration"])
        data["orchestrator"] = orchestrator
    if job["options"]:
        # Listed options keep their order; the map form comes after, by name.
        ordered = sorted(job["options"], key=lambda o: (o["sortIndex"] is None, o["sortIndex"] or 0, o["name"] or ""))
        data["options"] = [_option_to_map(option) for option in ordered]
    if job["schedule"]:
        schedule = job["schedule"]
        data["schedule"] = {
            "time": {"hour": schedule["hour"], "minute": schedule["minute"], "seconds": schedule["seconds"]},
            "month": schedule["month"],
            "year": schedule["year"],
        }
        if schedule["dayOfMonth"] != "?":
            data["schedule"]["dayofmonth"] = {"day": schedule["dayOfMonth"]}
        else:
            data["schedule"]["weekday"] = {"day": schedule["dayOfWeek"]}
    if job["multipleExecutions"]:
        data["multipleExecutions"] = True
    if job.get("nodeDispatch", bool(job["filter"])):
        data["nodesSelectedByDefault"] = job["nodesSelectedByDefault"]
        dispatch = {
            "threadcount": job["threadcount"] or "1",
            "keepgoing": job["nodeKeepgoing"],
            "successOnEmptyNodeFilter": job["successOnEmptyNodeFilter"],
            "excludePrecedence": job["excludePrecedence"],
            "rankOrder": "descending" if job["rankOrderAscending"] is False else "ascending",
        }
        if job["rankAttribute"]:
            dispatch["rankAttribute"] = job["rankAttribute"]
        data["nodefilters"] = {"dispatch": dispatch, "filter": job["filter"]}
        if job["filterExclude"]:
            data["nodefilters"]["filterExclude"] = job["filterExclude"]
            if job["excludeFilterUncheck"]:
                data["excludeFilterUncheck"] = True
    if job["notifications"]:
        data["notification"] = _notifications_to_map(job["notifications"])
        data["notifyAvgDurationThreshold"] = job["notifyAvgDurationThreshold"]
    # A plugin service set to null (as in {ExecutionLifecycle: null}) is no configuration.
    plugins = {key: copy.deepcopy(value) for key, value in (job["plugins"] or {}).items() if value is not None}
    if plugins:
        data["plugins"] = plugins
    return data


def _workflow_to_map(workflow, version):
    if workflow is None:
        return None
    data = {
        "keepgoing": workflow["keepgoing"],
        "strategy": workflow["strategy"],
        "commands": [_step_to_map(step, version) for step in workflow["commands"]],
    }
    plugin_config = copy.deepcopy(workflow["pluginConfig"]) or {}
    # Only the configuration of the strategy in use is kept, and only when set.
    strategies = plugin_config.pop("WorkflowStrategy", None)
    if isinstance(strategies, dict) and strategies.get(workflow["strategy"]):
        plugin_config["WorkflowStrategy"] = {workflow["strategy"]: strategies[workflow["strategy"]]}
    if plugin_config:
        data["pluginConfig"] = plugin_config
    return data


def _step_to_map(step, version):
    kind = step["kind"]
    if kind == "jobref":
        data = _jobref_to_map(step)
    elif kind == "plugin":
        data = {"type": step["type"], "nodeStep": step["nodeStep"]}
        if step["configuration"]:
            data["configuration"] = copy.deepcopy(step["configuration"])
    elif kind == "exec":
        data = {"exec": step["text"]}
    else:
        if kind == "script":
            data = {"script": step["text"]}
        else:
            # The path decides: a URL is exported as scripturl whatever key brought it.
            data = {"scripturl" if _SCRIPT_URL_RE.match(step["text"]) else "scriptfile": step["text"]}
            # Since 5.20 the stored flag is exported whatever its value; before, only when true.
            if step["expandTokenInScriptFile"] or version >= _EXPORT_UNSET_FLAGS:
                data["expandTokenInScriptFile"] = step["expandTokenInScriptFile"]
        if step["scriptInterpreter"]:
            data["scriptInterpreter"] = step["scriptInterpreter"]
            data["interpreterArgsQuoted"] = step["interpreterArgsQuoted"]
        if step["fileExtension"]:
            data["fileExtension"] = step["fileExtension"]
        if step["args"] or (step["args"] is not None and version >= _EXPORT_UNSET_FLAGS):
            data["args"] = step["args"]
    if kind in ("exec", "script", "file") and step.get("extra"):
        # Keys the server does not know come back beside the step's own (PluginStep.toLegacyCommandMap).
        data.update(copy.deepcopy(step["extra"]))
    if step["errorhandler"]:
        data["errorhandler"] = _step_to_map(step["errorhandler"], version)
    elif step["keepgoingOnSuccess"]:
        data["keepgoingOnSuccess"] = True
    if step["description"]:
        data["description"] = step["description"]
    if step["plugins"]:
        data["plugins"] = copy.deepcopy(step["plugins"])
    return data


def _jobref_to_map(step):
    # JobExec.toMap writes the name always, and the two flags as "true" only when set.
    ref = {"group": step["group"] or "", "name": step["name"]}
    for key in ("nodeStep", "useName"):
        if step[key]:
            ref[key] = "true"
    for key in ("project", "uuid", "args"):
        if step[key]:
            ref[key] = step[key]
    for key in ("failOnDisable", "childNodes", "importOptions", "ignoreNotifications"):
        if step[key]:
            ref[key] = True
    nodefilters = step["nodefilters"]
    if nodefilters and nodefilters["filter"]:
        ref["nodefilters"] = {"filter": nodefilters["filter"]}
        dispatch = {
            key: nodefilters[key]
            for key in ("threadcount", "keepgoing", "rankAttribute", "rankOrder", "nodeIntersect")
            if key in nodefilters
        }
        if dispatch.get("threadcount") is not None and dispatch["threadcount"] <= 0:
            del dispatch["threadcount"]
        if dispatch:
            ref["nodefilters"]["dispatch"] = dispatch
    elif nodefilters and "nodeIntersect" in nodefilters:
        ref["nodefilters"] = {"dispatch": {"nodeIntersect": nodefilters["nodeIntersect"]}}
    return {"jobref": ref}


def _option_to_map(option):
    data = {"name": option["name"]}
    if option["type"]:
        data["type"] = option["type"]
        if option["config"]:
            data["config"] = copy.deepcopy(option["config"])
    for flag in ("enforced", "required"):
        if option[flag]:
            data[flag] = True
    if option["isDate"]:
        data["isDate"] = True
        data["dateFormat"] = option["dateFormat"]
    for key in ("label", "description", "value", "storagePath", "valuesUrl", "regex"):
        if option[key]:
            data[key] = option[key]
    if option["values"]:
        data["values"] = list(option["values"])
        data["valuesListDelimiter"] = option["valuesListDelimiter"]
    if option["multivalued"]:
        data["multivalued"] = True
        data["delimiter"] = option["delimiter"] or ","
        if option["multivalueAllSelected"]:
            data["multivalueAllSelected"] = True
    if option["secure"]:
        data["secure"] = True
        if option["valueExposed"]:
            data["valueExposed"] = True
    if option["optionValuesPluginType"]:
        data["optionValuesPluginType"] = option["optionValuesPluginType"]
    for flag in ("hidden", "sortValues"):
        if option[flag]:
            data[flag] = True
    return data


def _notifications_to_map(notifications):
    """Triggers in the map form when each has at most one of each kind, else all in the list form."""
    triggers = {}
    for notification in notifications:
        entries = triggers.setdefault(notification["trigger"], [])
        config = copy.deepcopy(notification["config"])
        if notification["kind"] == "email":
            entries.append({"email": config})
        elif notification["kind"] == "url":
            entries.append(config)
        else:
            # Every plugin of a trigger shares one entry, sorted by type.
            plugin_entry = next((entry for entry in entries if "plugin" in entry), None)
            if plugin_entry is None:
                entries.append({"plugin": [config]})
            else:
                plugin_entry["plugin"].append(config)
    for entries in triggers.values():
        for entry in entries:
            if "plugin" in entry:
                entry["plugin"].sort(key=lambda plugin: plugin["type"])
    if all(_has_one_of_each_kind(entries) for entries in triggers.values()):
        result = {}
        for trigger, entries in triggers.items():
            merged = {}
            for entry in entries:
                merged.update({"plugin": entry["plugin"][0]} if "plugin" in entry else entry)
            result[trigger] = merged
        return result
    return triggers


def _has_one_of_each_kind(entries):
    kinds = ["email" if "email" in entry else "urls" if "urls" in entry else "plugin" for entry in entries]
    plugins = sum(len(entry["plugin"]) for entry in entries if "plugin" in entry)
    return len(kinds) == len(set(kinds)) and plugins <= 1


def list_item(job):
    """The fields a job listing shows about a stored job."""
    return {
        "name": job["name"],
        "group": job["group"] or "",
        "description": job["description"] or "",
        "scheduled": job["schedule"] is not None,
        "scheduleEnabled": job["scheduleEnabled"],
        "enabled": job["executionEnabled"],
    }
