# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Running a Rundeck job: the job found, started, followed to its end, its outcome and the tail of its log.

A run is always a change: ``read()`` finds the job and returns None, so the engine plans a create,
which starts the execution and follows it; check mode starts nothing.
"""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, ServiceFailure, scrub, write_may_have_taken_effect
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import Resource
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_execution_api import (
    RUNNING,
    SUCCEEDED,
    ExecutionWaiter,
    RundeckExecutions,
    execution_view,
    option_values,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import group_path, job_path

CHECK_MODE_WARNING = "check mode: job %s was found but not run; a run starts a new execution every time"


class ExecutionFailed(ServiceFailure):
    """An execution that ended otherwise than ``succeeded``, or was still running when the wait ended."""

    def __init__(self, message, execution, log_lines):
        super(ExecutionFailed, self).__init__(message)
        self.execution = execution
        self.log_lines = log_lines

    def to_result(self):
        return dict(msg=scrub(str(self)), execution=self.execution, log_lines=[scrub(line) for line in self.log_lines])


class RundeckJobRun(Resource):
    """One run of a job; its representation is the execution (see ``execution_view``)."""

    result_key = "execution"

    def __init__(self, executions, params, check_mode=False, waiter=None):
        super(RundeckJobRun, self).__init__()
        self.executions = executions
        self.uuid = params.get("uuid")
        self.project = params.get("project")
        self.name = params.get("name")
        self.group = group_path(params.get("group"))
        self.options = option_values(params.get("options"))
        self.node_filter = params.get("node_filter")
        self.log_level = params.get("log_level")
        self.as_user = params.get("as_user")
        self.wait = params.get("wait", True)
        self.wait_timeout = _seconds(params.get("wait_timeout", 600))
        self.abort_on_timeout = params.get("abort_on_timeout", False)
        self.fail_on_failure = params.get("fail_on_failure", True)
        self.lines = params.get("log_lines", 20)
        self.check_mode = check_mode
        self.waiter = waiter or ExecutionWaiter(executions, self.wait_timeout)
        self.job = None
        self.started = None
        self.log_lines = []

    def label(self):
        return self.uuid if self.uuid else job_path(self.group, self.name)

    def read(self):
        # A UUID needs no lookup to run: Rundeck answers 404 for a job it does not have. Check mode
        # starts nothing, so it asks for the job to say whether a run would find it.
        if self.uuid and not self.check_mode:
            self.job = {"id": self.uuid}
        else:
            self.job = self.executions.resolve_job(self.uuid, self.project, self.name, self.group)
        return None

    def desired(self, current):
        if self.check_mode:
            self.warnings.append(CHECK_MODE_WARNING % self.label())
        job = self.job or {}
        return dict(
            id=None, status=None, href=None, permalink=None, project=job.get("project") or self.project,
            user=self.as_user, date_started=None, date_ended=None, argstring=None, options=dict(self.options),
            job=dict(id=job.get("id"), name=job.get("name"), group=job.get("group") or "", project=job.get("project"),
                     permalink=job.get("permalink")),
            successful_nodes=[], failed_nodes=[],
        )

    def created_meanwhile(self, error):
        # A 409 to a run is Rundeck's conflict with a running execution, never another run's object.
        return False

    def _body(self):
        body = {}
        if self.options:
            body["options"] = self.options
        if self.node_filter is not None:
            body["filter"] = self.node_filter
        if self.log_level:
            body["loglevel"] = self.log_level
        if self.as_user:
            body["asUser"] = self.as_user
        return body

    def create(self, desired):
        try:
            started = self.executions.run(self.job["id"], self._body())
        except ApiError as exc:
            if self.uuid and exc.status == 404 and "Job ID does not exist" in (exc.message or ""):
                raise InputError("Rundeck has no job with the UUID %s" % self.uuid)
            raise
        self.started = started
        if not self.wait:
            return execution_view(started)
        execution = self.waiter.follow(started)
        aborted = None
        if execution.get("status") == RUNNING and self.abort_on_timeout:
            aborted = self.executions.abort(execution["id"])
            execution = self.executions.execution(execution["id"])
        self.log_lines = self.executions.tail(execution["id"], self.lines)
        view = execution_view(execution)
        status = view["status"]
        if status == RUNNING:
            if aborted is not None:
                reason = (aborted.get("abort") or {}).get("reason")
                raise ExecutionFailed("Rundeck: execution %s of job %s was still running after %s seconds (wait_timeout) "
                                      "and Rundeck did not abort it yet (abort %s%s): %s"
                                      % (view["id"], self.label(), self.wait_timeout,
                                         (aborted.get("abort") or {}).get("status"), ": %s" % reason if reason else "",
                                         view["permalink"]), view, self.log_lines)
            raise ExecutionFailed("Rundeck: execution %s of job %s was still running after %s seconds (wait_timeout); it "
                                  "goes on: follow it at %s, or set abort_on_timeout to stop it"
                                  % (view["id"], self.label(), self.wait_timeout, view["permalink"]), view, self.log_lines)
        if status != SUCCEEDED and self.fail_on_failure:
            timed_out = " after the wait of %s seconds (wait_timeout)" % self.wait_timeout if aborted is not None else ""
            tail = " | ".join(self.log_lines[-5:])
            raise ExecutionFailed("Rundeck: execution %s of job %s ended %s%s: %s%s"
                                  % (view["id"], self.label(), status, timed_out, view["permalink"],
                                     ". Log ends: %s" % tail if tail else ""), view, self.log_lines)
        return view

    def changed_by_failure(self, error):
        return self.started is not None or write_may_have_taken_effect(self.executions.http, error)

    def extra_result(self):
        return dict(log_lines=list(self.log_lines))

    def diff_view(self, representation):
        if not representation:
            return {}
        return dict(job=representation.get("job"), options=representation.get("options"))


def _seconds(value):
    """A number of seconds as a person writes it: 600, not 600.0."""
    return int(value) if value is not None and float(value).is_integer() else value


def build_job_run(module):
    """The RundeckJobRun the module's options describe; raises InputError before any request."""
    params = module.params
    if not params.get("uuid") and not (params.get("name") and params.get("project")):
        raise InputError("give the job's uuid, or its name (and group) with its project")
    if params.get("wait_timeout") is not None and params["wait_timeout"] <= 0:
        raise InputError("wait_timeout must be a positive number of seconds")
    if params.get("log_lines") is not None and params["log_lines"] < 0:
        raise InputError("log_lines must be 0 or more")
    if params.get("node_filter") is not None and not params["node_filter"].strip():
        raise InputError("node_filter must not be empty: omit it to run on the job's own nodes")
    return RundeckJobRun(RundeckExecutions(params), params, module.check_mode)
