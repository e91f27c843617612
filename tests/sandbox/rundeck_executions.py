# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rundeck API: running jobs and following their executions (run, info, output, state, abort, listings).

A job's steps run in order on a thread of their own. Each command is simulated, not run:
``false`` or ``exit N`` (N > 0) fails, ``sleep N`` takes N seconds, ``echo ARGS`` writes ARGS to
the log, anything else succeeds at once. ``${option.NAME}``, ``@option.NAME@`` and
``${node.name}`` are expanded before a command runs. See PROVENANCE.md (RDX rows).
"""

import json
import re
import shlex
import threading
import time
from datetime import datetime, timezone
from urllib.parse import quote

from flask import request
from werkzeug.wrappers import Response

from . import jobformat, rundeck_versions

#: The one node of the sandbox: the Rundeck server itself, where local commands run.
SERVER_NODE = "localhost"
#: The user the sandbox's API token belongs to.
TOKEN_USER = "admin"
#: The statuses the listings' ``status`` filter takes.
STATUS_FILTERS = ("running", "succeeded", "failed", "aborted", "timedout")
#: The page size of a listing without ``max`` (the server's ``pagination.default.max``).
DEFAULT_PAGE_SIZE = 20
LOG_LEVELS = ("DEBUG", "VERBOSE", "INFO", "WARN", "ERROR")
#: Characters that make the server quote a value in an argument string.
_QUOTED_CHARACTERS = (" ", '"', "'", "\r", "\n")
_TOKEN_RE = re.compile(r"\$\{(option|node)\.([^}\s]+)\}|@(option|node)\.([^@\s]+)@")
_TIMEOUT_RE = re.compile(r"^\s*(?:(\d+)\s*([smhd]?)\s*)+$")
_TIMEOUT_PART_RE = re.compile(r"(\d+)\s*([smhd]?)")


def _error(status, code, message, args=None):
    return rundeck_versions.error(status, code, message, args)


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type="application/json")


def _ms():
    return int(time.time() * 1000)


def _w3c(ms):
    return datetime.fromtimestamp(ms / 1000.0, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def join_arguments(options):
    """An argument string from option values: ``-name value``, a value quoted when it needs it."""
    words = []
    for name, value in options.items():
        words.append("-" + name)
        words.append(_escape(value))
    return " ".join(words)


def _escape(value):
    if value != "" and not any(c in value for c in _QUOTED_CHARACTERS):
        return value
    return '"' + value.replace('"', '""') + '"'


def parse_arguments(text):
    """Option values from an argument string (``-name value ...``); a name without a value is empty."""
    try:
        words = shlex.split(text or "")
    except ValueError:
        words = (text or "").split()
    values = {}
    position = 0
    while position < len(words):
        word = words[position]
        if word.startswith("-") and len(word) > 1:
            following = words[position + 1] if position + 1 < len(words) else None
            if following is not None and not (following.startswith("-") and len(following) > 1):
                values[word[1:]] = following
                position += 2
                continue
            values[word[1:]] = ""
        position += 1
    return values


def timeout_seconds(text):
    """A job's ``timeout`` (``"30"``, ``"2m"``, ``"1h30m"``) in seconds, or None."""
    if not text or not _TIMEOUT_RE.match(str(text)):
        return None
    units = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
    return sum(int(number) * units[unit] for number, unit in _TIMEOUT_PART_RE.findall(str(text)))


class Execution:
    """One run of a job: what it was asked, its log, its outcome."""

    def __init__(self, execution_id, record, user, options, argstring, loglevel, nodes):
        self.id = execution_id
        self.job_id = record["id"]
        self.project = record["project"]
        self.job = jobformat.export_map(record["job"])
        self.user = user
        self.options = options
        self.argstring = argstring
        self.loglevel = loglevel
        self.nodes = nodes
        self.started = _ms()
        self.ended = None
        self.status = "running"
        self.abortedby = None
        self.timed_out = False
        self.succeeded_nodes = []
        self.failed_nodes = []
        self.entries = []
        self.last_modified = self.started
        self.step_states = []
        self.stop = threading.Event()
        self.thread = None

    @property
    def state(self):
        if self.abortedby is not None and self.ended is not None:
            return "aborted"
        if self.ended is None:
            return "running"
        if self.timed_out:
            return "timedout"
        return self.status

    def log(self, text, level="NORMAL", node=SERVER_NODE, stepctx=None):
        self.entries.append({
            "time": _ms(), "level": level, "log": text, "node": node, "stepctx": stepctx, "user": self.user,
        })
        self.last_modified = _ms()


class ExecutionStore:
    """Every execution of the server, by id, counted from 1."""

    def __init__(self, lock):
        self.lock = lock
        self.executions = {}
        self.last_id = 0
        self.run_as_allowed = True

    def clear(self):
        for execution in list(self.executions.values()):
            execution.stop.set()
        self.executions = {}
        self.last_id = 0
        self.run_as_allowed = True

    def delete_project(self, project):
        for key in [key for key, found in self.executions.items() if found.project == project]:
            self.executions.pop(key).stop.set()

    def new(self, record, user, options, argstring, loglevel, nodes):
        self.last_id += 1
        execution = Execution(self.last_id, record, user, options, argstring, loglevel, nodes)
        self.executions[execution.id] = execution
        return execution

    def get(self, execution_id):
        text = str(execution_id)
        return self.executions.get(int(text)) if text.isdigit() else None


def expand(text, execution, node):
    """``text`` with the option and node tokens replaced; an unknown option becomes empty, as in a job."""
    def replace(match):
        kind = match.group(1) or match.group(3)
        name = match.group(2) or match.group(4)
        if kind == "node":
            return node if name == "name" else match.group(0)
        return execution.options.get(name, "")
    return _TOKEN_RE.sub(replace, text)


def _step_commands(step):
    """The commands of a step, and whether a failure stops the rest (a command line stops, a script goes on)."""
    if "exec" in step:
        return [part.strip() for part in re.split(r"&&|;|\n", step["exec"]) if part.strip()], True
    if "script" in step:
        return [line.strip() for line in step["script"].splitlines() if line.strip() and not line.strip().startswith("#")], False
    return [], True


class Runner:
    """Runs an execution's steps on a thread of its own."""

    def __init__(self, store, execution, timeout):
        self.store = store
        self.execution = execution
        self.deadline = time.monotonic() + timeout if timeout else None

    def start(self):
        thread = threading.Thread(target=self.run, name="rundeck-execution-%d" % self.execution.id, daemon=True)
        self.execution.thread = thread
        thread.start()

    def _wait(self, seconds):
        """Sleep ``seconds``; False when stopped (aborted or timed out) meanwhile."""
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            limit = self.deadline - time.monotonic() if self.deadline is not None else None
            if limit is not None and limit <= 0:
                with self.store.lock:
                    self.execution.timed_out = True
                return False
            if left <= 0:
                return not self.execution.stop.is_set()
            pause = min(left, limit) if limit is not None else left
            if self.execution.stop.wait(min(pause, 0.05)):
                return False

    def _command(self, command, node, stepctx):
        """Simulate one command; its exit code, or None when the execution was stopped."""
        execution = self.execution
        words = command.split(None, 1)
        name = words[0] if words else ""
        rest = words[1] if len(words) > 1 else ""
        if name == "sleep":
            try:
                seconds = float(rest.split()[0])
            except (IndexError, ValueError):
                seconds = 0
            return 0 if self._wait(seconds) else None
        if not self._wait(0.02):
            return None
        with self.store.lock:
            if name == "echo":
                try:
                    text = " ".join(shlex.split(rest))
                except ValueError:
                    text = rest
                execution.log(text, node=node, stepctx=stepctx)
                return 0
            if name == "false":
                return 1
            if name == "exit":
                try:
                    return int(rest.split()[0])
                except (IndexError, ValueError):
                    return 0
        return 0

    def run(self):
        execution = self.execution
        sequence = execution.job.get("sequence") or {}
        steps = sequence.get("commands") or []
        keepgoing = bool(sequence.get("keepgoing"))
        failed = False
        stopped = False
        if not execution.nodes:
            with self.store.lock:
                execution.log("No nodes matched for the filters: %s" % execution.filter_text, level="ERROR")
            failed = True
        for index, step in enumerate(steps if not failed else [], start=1):
            stepctx = str(index)
            commands, stop_on_failure = _step_commands(step)
            step_failed_nodes = []
            for node in execution.nodes:
                code = 0
                for command in commands:
                    code = self._command(expand(command, execution, node), node, stepctx)
                    if code is None:
                        stopped = True
                        break
                    if code != 0 and (stop_on_failure or command.split(None, 1)[0] == "exit"):
                        break
                if stopped:
                    break
                if code != 0:
                    step_failed_nodes.append(node)
                    with self.store.lock:
                        execution.log("Result code was %d" % code, level="ERROR", node=node, stepctx=stepctx)
                        execution.log("Failed: NonZeroResultCode: Result code was %d" % code, level="ERROR",
                                      node=node, stepctx=stepctx)
            with self.store.lock:
                execution.step_states.append("FAILED" if step_failed_nodes else "SUCCEEDED")
                for node in step_failed_nodes:
                    if node not in execution.failed_nodes:
                        execution.failed_nodes.append(node)
            if stopped:
                break
            if step_failed_nodes:
                failed = True
                if not keepgoing:
                    break
        with self.store.lock:
            if execution.ended is not None:
                return
            execution.ended = _ms()
            if stopped and execution.timed_out:
                execution.log("Execution timed out", level="ERROR")
            execution.status = "failed" if failed or stopped else "succeeded"
            execution.succeeded_nodes = [node for node in execution.nodes if node not in execution.failed_nodes] \
                if not stopped else []
            execution.last_modified = _ms()


class ExecutionApi:
    """Views of the execution endpoints; ``version`` is the one given in the URL."""

    def __init__(self, state):
        self.state = state

    @property
    def store(self):
        return self.state.executions

    # -- rendering ----------------------------------------------------------------

    @staticmethod
    def _links(execution):
        current = rundeck_versions.server_api_version()
        return {
            "href": "%sapi/%d/execution/%d" % (request.host_url, current, execution.id),
            "permalink": "%sproject/%s/execution/show/%d" % (request.host_url, quote(execution.project, safe=""), execution.id),
        }

    def render(self, execution):
        """An execution as the server renders it (the JSON renderer's fields, in its order)."""
        data = {"id": execution.id}
        data.update(self._links(execution))
        data.update(status=execution.state, project=execution.project, executionType="user", user=execution.user)
        data["date-started"] = {"unixtime": execution.started, "date": _w3c(execution.started)}
        if execution.ended is not None:
            data["date-ended"] = {"unixtime": execution.ended, "date": _w3c(execution.ended)}
        if execution.abortedby is not None and execution.ended is not None:
            data["abortedby"] = execution.abortedby
        job = execution.job
        current = rundeck_versions.server_api_version()
        rendered_job = {
            "id": execution.job_id,
            "name": job.get("name"),
            "group": job.get("group") or "",
            "project": execution.project,
            "description": job.get("description") or "",
        }
        if execution.argstring:
            rendered_job["options"] = parse_arguments(execution.argstring)
        rendered_job["href"] = "%sapi/%d/job/%s" % (request.host_url, current, quote(execution.job_id, safe=""))
        rendered_job["permalink"] = "%sproject/%s/job/show/%s" % (
            request.host_url, quote(execution.project, safe=""), quote(execution.job_id, safe=""))
        data["job"] = rendered_job
        data["description"] = _summary(job)
        data["argstring"] = execution.argstring or None
        if execution.succeeded_nodes:
            data["successfulNodes"] = list(execution.succeeded_nodes)
        if execution.failed_nodes:
            data["failedNodes"] = list(execution.failed_nodes)
        data["jobDeleted"] = self.state.jobs.get(execution.job_id) is None
        return data

    def _listing(self, executions):
        args = request.args
        status = args.get("status") if request.path.endswith("/executions") and "/job/" in request.path \
            else args.get("statusFilter")
        problem = None
        try:
            offset = int(args.get("offset") or 0)
            max_items = int(args.get("max")) if args.get("max") else None
        except ValueError:
            problem = _error(400, "api.error.parameter.invalid", "max and offset must be integers")
        if problem is not None:
            return problem
        if status:
            executions = [found for found in executions if found.state == status]
        # Newest first.
        executions = sorted(executions, key=lambda found: found.id, reverse=True)
        total = len(executions)
        page = executions[offset:offset + max_items] if max_items and max_items > 0 else executions[offset:]
        paging = {"count": len(page), "total": total, "offset": offset,
                  "max": max_items if max_items else DEFAULT_PAGE_SIZE}
        return _json({"paging": paging, "executions": [self.render(found) for found in page]})

    # -- run ----------------------------------------------------------------------------

    def run_job(self, version, job_id):
        with self.state.lock:
            record = self.state.jobs.get(job_id)
            if record is None:
                return _error(404, "api.error.item.doesnotexist", "Job ID does not exist: %s" % job_id, ["Job ID", job_id])
            data, problem = _run_request()
            if problem is not None:
                return problem
            user = TOKEN_USER
            as_user = data.get("asUser")
            if as_user:
                if not self.store.run_as_allowed:
                    args = ["Run as User", "Job ID", job_id]
                    return _error(403, "api.error.item.unauthorized", 'Not authorized for action "%s" for %s %s' % tuple(args), args)
                user = as_user
            job = jobformat.export_map(record["job"])
            if job.get("executionEnabled") is False:
                return _error(400, "api.error.job.disabled", "Job execution is disabled: %s" % job_id)
            given = data.get("options")
            if isinstance(given, dict) and given and int(version) >= 18:
                values = dict((str(key), _option_text(value)) for key, value in given.items())
            else:
                values = parse_arguments(data.get("argString")) if data.get("argString") else {}
            values, invalid = _with_defaults(job, values)
            if invalid:
                return _error(400, "api.error.job.options-invalid", "Job options were not valid: %s" % invalid, [invalid])
            loglevel = data.get("loglevel") or job.get("loglevel") or "INFO"
            if str(loglevel).upper() not in LOG_LEVELS:
                loglevel = "INFO"
            if not job.get("multipleExecutions") and any(
                    found.job_id == record["id"] and found.ended is None for found in self.store.executions.values()):
                reason = "Job '%s' is currently being executed and does not allow multiple executions" % job.get("name")
                return _error(409, "api.error.execution.conflict", "Execution had a conflict: %s" % reason, [reason])
            node_filter = data.get("filter")
            if node_filter is None:
                node_filter = (job.get("nodefilters") or {}).get("filter")
            nodes = _select_nodes(node_filter)
            execution = self.store.new(record, user, values, join_arguments(values), str(loglevel).upper(), nodes)
            execution.filter_text = node_filter or ""
            Runner(self.store, execution, timeout_seconds(job.get("timeout"))).start()
            return _json(self.render(execution))

    # -- one execution --------------------------------------------------------------------

    def _find(self, execution_id):
        found = self.store.get(execution_id)
        if found is None:
            return None, _error(404, "api.error.item.doesnotexist", "Execution does not exist: %s" % execution_id,
                                ["Execution", execution_id])
        return found, None

    def execution(self, version, execution_id):
        with self.state.lock:
            found, problem = self._find(execution_id)
            if problem is not None:
                return problem
            if request.method == "DELETE":
                if found.ended is None:
                    return _error(409, "api.error.exec.delete.failed",
                                  "Failed to delete execution %s: the execution is currently running" % execution_id)
                del self.store.executions[found.id]
                return Response(status=204)
            return _json(self.render(found))

    def abort(self, version, execution_id):
        with self.state.lock:
            found, problem = self._find(execution_id)
            if problem is not None:
                return problem
            if found.ended is None:
                found.abortedby = request.args.get("asUser") or TOKEN_USER
                found.ended = _ms()
                found.status = "failed"
                found.stop.set()
                report = {"status": "aborted"}
            else:
                report = {"status": "failed", "reason": "Job is not running"}
            links = self._links(found)
            return _json({
                "abort": report,
                "execution": {"id": str(execution_id), "status": found.state, "href": links["href"],
                              "permalink": links["permalink"]},
            })

    def output(self, version, execution_id, fmt=None):
        with self.state.lock:
            found, problem = self._find(execution_id)
            if problem is not None:
                return problem
            args = request.args
            try:
                offset = int(args.get("offset") or 0)
                if offset < 0:
                    raise ValueError
            except ValueError:
                given = args.get("offset")
                return _error(400, "api.error.parameter.invalid",
                              'The value "%s" for parameter "offset" is not valid: Not an integer offset' % given,
                              [given, "offset", "Not an integer offset"])
            try:
                lastmod = int(args.get("lastmod") or 0)
                maxlines = max(0, int(args.get("maxlines") or 0))
                lastlines = int(args.get("lastlines") or 0)
            except ValueError:
                return _error(400, "api.error.parameter.invalid", "lastmod, maxlines and lastlines must be integers")
            completed_execution = found.ended is not None
            total = len(found.entries)
            base = {
                "id": str(found.id), "offset": str(offset), "completed": False, "execCompleted": completed_execution,
                "hasFailedNodes": bool(found.failed_nodes), "execState": found.state,
                "lastModified": str(found.last_modified), "execDuration": (found.ended or _ms()) - found.started,
            }
            if lastmod and found.last_modified <= lastmod and (offset == 0 or total <= offset):
                data = dict(base, message="Unmodified", unmodified=True, completed=completed_execution,
                            totalSize=total)
                return _json(_ordered(data, []))
            # The offset counts entries here: the server's byte offsets are as opaque to a client.
            if lastlines > 0:
                entries = found.entries[-lastlines:]
                position = total
            else:
                entries = found.entries[offset:]
                if maxlines:
                    entries = entries[:maxlines]
                position = offset + len(entries)
            completed = completed_execution and position >= total
            data = dict(base, offset=str(position), completed=completed,
                        percentLoaded=100.0 * (float(position) / total if total else 0), totalSize=total)
            if fmt == "text" or (fmt is None and "text/plain" in (request.headers.get("Accept") or "")
                                 and "json" not in (request.headers.get("Accept") or "")):
                text = "".join(entry["log"] + "\n" for entry in entries)
                return Response(text, content_type="text/plain;charset=UTF-8")
            return _json(_ordered(data, [_entry(item) for item in entries]))

    def state_view(self, version, execution_id):
        with self.state.lock:
            found, problem = self._find(execution_id)
            if problem is not None:
                return problem
            steps = (found.job.get("sequence") or {}).get("commands") or []
            states = list(found.step_states)
            state = found.state.upper()
            step_list = []
            for index in range(len(steps)):
                if index < len(states):
                    step_state = states[index]
                elif found.ended is None and index == len(states):
                    step_state = "RUNNING"
                else:
                    step_state = "NOT_STARTED" if found.ended is None or state == "SUCCEEDED" else "ABORTED" \
                        if state == "ABORTED" else "NOT_STARTED"
                step_list.append({"id": str(index + 1), "stepctx": str(index + 1), "executionState": step_state,
                                  "nodeStep": True})
            data = {
                "executionId": found.id,
                "serverNode": SERVER_NODE,
                "executionState": state,
                "completed": found.ended is not None,
                "startTime": _w3c(found.started),
                "endTime": _w3c(found.ended) if found.ended else None,
                "updateTime": _w3c(found.last_modified),
                "stepCount": len(steps),
                "allNodes": list(found.nodes),
                "targetNodes": list(found.nodes),
                "nodes": dict((node, []) for node in found.nodes),
                "steps": step_list,
            }
            return _json(data)

    # -- listings ---------------------------------------------------------------------------

    def job_executions(self, version, job_id):
        with self.state.lock:
            record = self.state.jobs.get(job_id)
            if record is None:
                return _error(404, "api.error.item.doesnotexist", "Job ID does not exist: %s" % job_id, ["Job ID", job_id])
            return self._listing([found for found in self.store.executions.values() if found.job_id == record["id"]])

    def project_executions(self, version, project):
        with self.state.lock:
            found = [item for item in self.store.executions.values() if item.project == project]
            user = request.args.get("userFilter")
            if user:
                found = [item for item in found if item.user == user]
            job_id = request.args.get("jobIdListFilter")
            if job_id:
                found = [item for item in found if item.job_id == job_id]
            return self._listing(found)


def _ordered(data, entries):
    keys = ("id", "offset", "completed", "empty", "unmodified", "error", "message", "pending", "execCompleted",
            "hasFailedNodes", "execState", "lastModified", "execDuration", "percentLoaded", "totalSize")
    result = dict((key, data[key]) for key in keys if data.get(key) is not None)
    result["entries"] = entries
    return result


def _entry(item):
    moment = datetime.fromtimestamp(item["time"] / 1000.0, timezone.utc)
    entry = {"time": moment.strftime("%H:%M:%S"), "absolute_time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "log": item["log"], "level": item["level"], "user": item["user"], "node": item["node"]}
    if item.get("stepctx"):
        entry["stepctx"] = item["stepctx"]
    return entry


def _summary(job):
    steps = (job.get("sequence") or {}).get("commands") or []
    if not steps:
        return ""
    first = steps[0]
    text = first.get("exec") or first.get("description") or ("script" if "script" in first else "step")
    return text + (" [... %d steps]" % len(steps) if len(steps) > 1 else "")


def _option_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_option_text(item) for item in value)
    return "" if value is None else str(value)


def _with_defaults(job, values):
    """The values with the job's defaults added (in the job's option order, others after, sorted); a problem or None."""
    ordered = {}
    for option in job.get("options") or []:
        name = option.get("name")
        value = values.get(name)
        if value in (None, "") and option.get("value") not in (None, ""):
            value = str(option.get("value"))
        if value in (None, ""):
            if option.get("required"):
                return values, "Option '%s' is required." % name
            continue
        allowed = option.get("values")
        if option.get("enforced") and allowed and value not in [str(item) for item in allowed]:
            return values, "Option %s value: %s was not in the allowed values: %s" % (name, value, list(allowed))
        ordered[name] = value
    for name in sorted(values):
        if name not in ordered and values[name] not in (None, ""):
            ordered[name] = values[name]
    return ordered, None


def _select_nodes(node_filter):
    """The sandbox's nodes a filter selects: its one node unless the filter names another."""
    if not node_filter:
        return [SERVER_NODE]
    wanted = []
    for word in shlex.split(node_filter) if node_filter else []:
        key, sep, value = word.partition(":")
        if not sep:
            key, value = "name", word
        if key.strip() in ("name", "hostname", "nodename"):
            wanted.append(value.strip())
        elif key.strip().startswith("!"):
            continue
        else:
            # Other attributes (tags, os...) of the one node are not emulated: it matches.
            wanted.append(".*")
    for pattern in wanted:
        try:
            if pattern == SERVER_NODE or re.fullmatch(pattern, SERVER_NODE):
                return [SERVER_NODE]
        except re.error:
            continue
    return []


def _run_request():
    """The run request's parameters, from a JSON body or the query (a JSON body wins, as on the server)."""
    data = {}
    if request.is_json or (request.get_data() and (request.content_type or "").startswith("application/json")):
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError as exc:
            message = "Failed to parse JSON request body: %s" % exc
            return None, _error(400, "api.error.invalid.request", message, [message])
        if not isinstance(body, dict):
            body = {}
        data.update(body)
    args = request.args
    for key in ("asUser", "argString", "loglevel", "filter"):
        if not data.get(key) and args.get(key):
            data[key] = args.get(key)
    if not data.get("options"):
        options = dict((key[len("option."):], value) for key, value in args.items() if key.startswith("option."))
        if options:
            data["options"] = options
    return data, None
