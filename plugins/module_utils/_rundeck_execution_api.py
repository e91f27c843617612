# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck's execution endpoints: find a job, run it, follow its execution, read its log, abort it, list executions."""

from __future__ import annotations

import time
from urllib.parse import quote

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import NOT_FOUND_CODE, RundeckService
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_api import list_jobs
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import group_path, job_path

#: Options as a map in the run request, and the job metadata endpoint, arrived with API version 18.
MIN_EXECUTION_API_VERSION = 18
#: The status of an execution that has not ended.
RUNNING = "running"
#: The one status of an execution that worked.
SUCCEEDED = "succeeded"
#: The statuses the listings filter on.
STATUSES = ("running", "succeeded", "failed", "aborted", "timedout")
LOG_LEVELS = ("DEBUG", "VERBOSE", "INFO", "WARN", "ERROR")


def _q(value):
    # Execution ids are numbers.
    return quote(str(value), safe="")


def option_text(value):
    """An option value as the text Rundeck takes: ``true``/``false`` for booleans, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def option_values(options):
    """The ``options`` map of a run request; a list is a multi-valued option (each value as text)."""
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise InputError("options must be a mapping of option names to values")
    values = {}
    for name, value in options.items():
        if not isinstance(name, str) or not name.strip():
            raise InputError("options must be named: %r is no option name" % (name,))
        if isinstance(value, dict):
            raise InputError("option %s must be text, a number, a boolean or a list of those, not a mapping" % name)
        if value is None:
            continue
        values[name] = [option_text(item) for item in value] if isinstance(value, list) else option_text(value)
    return values


def execution_view(execution):
    """What the collection returns for an execution: Rundeck's fields, its dates as text, the job's arguments."""
    if not execution:
        return {}
    job = execution.get("job") or {}
    view = dict(
        id=execution.get("id"),
        status=execution.get("status"),
        href=execution.get("href"),
        permalink=execution.get("permalink"),
        project=execution.get("project"),
        user=execution.get("user"),
        date_started=(execution.get("date-started") or {}).get("date"),
        date_ended=(execution.get("date-ended") or {}).get("date"),
        argstring=execution.get("argstring"),
        options=dict(job.get("options") or {}),
        job=dict(id=job.get("id"), name=job.get("name"), group=job.get("group") or "", project=job.get("project"),
                 permalink=job.get("permalink")),
        successful_nodes=list(execution.get("successfulNodes") or []),
        failed_nodes=list(execution.get("failedNodes") or []),
    )
    if execution.get("abortedby"):
        view["aborted_by"] = execution["abortedby"]
    return view


class RundeckExecutions(RundeckService):
    """The run and execution endpoints of one Rundeck server."""

    minimum = MIN_EXECUTION_API_VERSION

    def job_info(self, job_id):
        """The job's summary (id, name, group, project), or None when no job has that UUID."""
        action = "read job %s" % job_id
        try:
            return self.read("job/%s/info" % _q(job_id), action)
        except ApiError as exc:
            if exc.status == 404 and NOT_FOUND_CODE in (exc.message or ""):
                return None
            raise

    def run(self, job_id, body):
        """Start the job; the execution Rundeck answers (status ``running``)."""
        return self.write("POST", "job/%s/run" % _q(job_id), "run job %s" % job_id, json=body)

    def execution(self, execution_id):
        return self.read("execution/%s" % _q(execution_id), "read execution %s" % execution_id)

    def abort(self, execution_id):
        """Ask Rundeck to abort the execution; its answer (``abort.status`` and the execution)."""
        return self.write("POST", "execution/%s/abort" % _q(execution_id), "abort execution %s" % execution_id)

    def output(self, execution_id, **params):
        """One page of the execution's log (``offset``, ``lastmod``, ``maxlines`` or ``lastlines``)."""
        return self.read("execution/%s/output" % _q(execution_id), "read the output of execution %s" % execution_id,
                         params=dict((key, value) for key, value in params.items() if value is not None))

    def tail(self, execution_id, lines):
        """The log's last ``lines`` messages, in one request (none when ``lines`` is 0)."""
        if not lines:
            return []
        page = self.output(execution_id, lastlines=lines)
        return [entry.get("log", "") for entry in page.get("entries") or []][-lines:]

    def job_executions(self, job_id, status=None, max_items=None, offset=None):
        params = dict(status=status, max=max_items, offset=offset)
        return self.read("job/%s/executions" % _q(job_id), "list the executions of job %s" % job_id,
                         params=dict((k, v) for k, v in params.items() if v is not None))

    def project_executions(self, project, status=None, user=None, begin=None, end=None, recent=None,
                           max_items=None, offset=None):
        params = dict(statusFilter=status, userFilter=user, begin=begin, end=end, recentFilter=recent,
                      max=max_items, offset=offset)
        return self.read("project/%s/executions" % _q(project), "list the executions of project %s" % project,
                         params=dict((k, v) for k, v in params.items() if v is not None))

    def resolve_job(self, uuid, project, name, group):
        """The job a task names (its summary), by UUID or by name and group in a project; InputError when there is none."""
        if uuid:
            found = self.job_info(uuid)
            if found is None:
                raise InputError("Rundeck has no job with the UUID %s" % uuid)
            if project and found.get("project") != project:
                raise InputError("job %s is in project %s, not in project %s" % (uuid, found.get("project"), project))
            return found
        found = list_jobs(self, project, name, group)
        if not found:
            raise InputError("project %s has no job %s" % (project, job_path(group_path(group), name)))
        if len(found) > 1:
            raise InputError("%d jobs of project %s are named %s (UUIDs %s); give uuid to choose one"
                             % (len(found), project, job_path(group_path(group), name),
                                ", ".join(item["id"] for item in found)))
        return found[0]


class ExecutionWaiter(object):
    """Polls an execution on a monotonic clock until it ends or the deadline passes.

    Pauses start short (most jobs end within seconds) and grow by half up to ``max_pause``;
    the last is cut so that the final poll happens at the deadline.
    """

    def __init__(self, executions, timeout, first_pause=0.5, max_pause=5.0, clock=time.monotonic, sleep=time.sleep):
        self.executions = executions
        self.timeout = timeout
        self.first_pause = first_pause
        self.max_pause = max_pause
        self.clock = clock
        self.sleep = sleep
        self.polls = 0

    def follow(self, execution):
        """The execution once it has ended, or as last read when ``timeout`` seconds passed first."""
        deadline = self.clock() + self.timeout
        pause = self.first_pause
        while execution.get("status") == RUNNING:
            left = deadline - self.clock()
            if left <= 0:
                return execution
            self.sleep(min(pause, left))
            pause = min(pause * 1.5, self.max_pause)
            execution = self.executions.execution(execution["id"])
            self.polls += 1
        return execution
