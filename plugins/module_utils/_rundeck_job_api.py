# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck's job endpoints: list, export, import, delete, and the execution/schedule switches."""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, describe_outcome
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import SERVICE, RundeckService
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import canonical_job, group_path, job_path

#: Job import and export in JSON arrived with API version 44.
MIN_JOB_API_VERSION = 44
#: Past this many ids, one export of the whole project replaces an ``idlist``: Rundeck's web
#: server refuses request lines over 8 KiB, and 100 ids take about 3.7 KiB.
MAX_IDLIST = 100
#: Rundeck's name for the top level in the group filters.
TOP_LEVEL = "-"


def _q(value):
    return quote(value, safe="")


def list_jobs(service, project, name=None, group=None):
    """Summaries (id, name, group, href, permalink, flags) of a project's jobs, optionally one name and
    group, through ``service`` (a RundeckService): the job listing has been in the API since long before 44."""
    params = {}
    if name is not None:
        params["jobExactFilter"] = name
        params["groupPathExact"] = group_path(group) or TOP_LEVEL
    where = " named %s" % job_path(group, name) if name is not None else ""
    action = "list the jobs%s of project %s" % (where, project)
    return service.read("project/%s/jobs" % _q(project), action, params=params)


def _names(items):
    return ", ".join(job_path(item.get("group"), item.get("name")) for item in items)


def describe_import_failures(project, failures, succeeded):
    """Rundeck's reason for each job an import refused, and what it imported, in one message."""
    lines = []
    for item in failures:
        reason = item.get("error") or item.get("message") or "no reason given"
        lines.append("%s (definition #%s): %s" % (job_path(item.get("group"), item.get("name")), item.get("index"), reason))
    total = len(failures) + len(succeeded)
    text = "Rundeck refused %d job definition(s) and imported %d of the %d sent to project %s. Refused: %s" % (
        len(failures), len(succeeded), total, project, " | ".join(lines))
    if succeeded:
        text += ". Imported: %s" % _names(succeeded)
    return text


class ImportRefused(ApiError):
    """An import Rundeck answered with refused jobs; ``succeeded`` lists those it imported all the same."""

    succeeded = ()


class RundeckJobs(RundeckService):
    """The job endpoints of one Rundeck server, in JSON (API 44 and later)."""

    minimum = MIN_JOB_API_VERSION

    def __init__(self, params):
        requested = params.get("api_version")
        if requested and requested < MIN_JOB_API_VERSION:
            raise InputError("api_version %d is too old for job definitions: Rundeck reads and writes jobs as JSON "
                             "from API version %d (Rundeck 5.0) on; set api_version to 44 or later"
                             % (requested, MIN_JOB_API_VERSION))
        RundeckService.__init__(self, params)
        self.server_url = params["url"].rstrip("/")

    def href(self, job_id):
        """The job's API address, as Rundeck gives it in listings."""
        return self.http.url("job/%s" % _q(job_id))

    def permalink(self, project, job_id):
        """The job's page in Rundeck's web interface."""
        return "%s/project/%s/job/show/%s" % (self.server_url, _q(project), _q(job_id))

    def list(self, project, name=None, group=None):
        """Summaries (id, name, group, href, permalink, flags) of a project's jobs, optionally one name and group."""
        return list_jobs(self, project, name, group)

    def export(self, project, ids=None):
        """Definitions of a project's jobs (all of them, or those in ``ids``), as Rundeck exports them.

        An ``ids`` list longer than MAX_IDLIST exports the whole project and keeps the wanted ones.
        """
        params = {"format": "json"}
        if ids is not None:
            if not ids:
                return []
            if len(ids) <= MAX_IDLIST:
                params["idlist"] = ",".join(ids)
        action = "export the job definitions of project %s" % project
        response = self.http.request("GET", "project/%s/jobs/export" % _q(project), action, params=params)
        documents = self.decode(response, action)
        if not isinstance(documents, list):
            raise self.answer_error(response, action,
                                    "expected a list of job definitions, got %s" % type(documents).__name__)
        if ids is not None and len(ids) > MAX_IDLIST:
            wanted = set(ids)
            documents = [doc for doc in documents if doc.get("id", doc.get("uuid")) in wanted]
        return documents

    def import_definitions(self, project, documents):
        """Create or update ``documents`` in one request; the ``succeeded`` entries, in order.

        ``dupeOption=update`` with the UUIDs preserved: a definition with a ``uuid`` replaces the
        job of that UUID and keeps its history; one without replaces the only job of that name
        and group, or creates it. Raises ApiError when Rundeck refuses any of them (it answers
        200 all the same).
        """
        succeeded, dummy = self._import(project, documents, "update")
        return succeeded

    def create_definitions(self, project, documents):
        """Create the jobs of ``documents`` in one request, leaving alone any that exists by then.

        Returns ``(succeeded, skipped)``: a skipped entry is a job another run created after this
        run found it missing (``dupeOption=skip``), so a race never overwrites a job twice.
        """
        return self._import(project, documents, "skip")

    def _import(self, project, documents, dupe_option):
        action = "import %d job definition(s) into project %s" % (len(documents), project)
        params = {"fileformat": "json", "dupeOption": dupe_option, "uuidOption": "preserve"}
        response = self.http.request("POST", "project/%s/jobs/import" % _q(project), action, params=params,
                                     json=documents)
        result = self.decode(response, action)
        failures = list(result.get("failed") or [])
        skipped = list(result.get("skipped") or [])
        if dupe_option != "skip":
            failures += skipped
            skipped = []
        succeeded = sorted(result.get("succeeded") or [], key=lambda item: int(item.get("index") or 0))
        if failures:
            # The import is not one write: name the jobs refused, and say what it did import.
            action = "import %s into project %s" % (_names(failures), project)
            writes_before = list(getattr(response, "writes_before", ()))
            if not succeeded:
                # Rundeck wrote none of them: this request is no write of the run.
                del self.http.completed_writes[len(writes_before):]
            outcome = (describe_outcome("POST", 400, False, writes_before) if not succeeded
                       else "Changed before this failure: %s." % ", ".join(writes_before) if writes_before else None)
            error = ImportRefused(SERVICE, action, "POST", response.request.url, response.status_code,
                                  describe_import_failures(project, failures, succeeded), details=failures,
                                  outcome=outcome)
            error.succeeded = succeeded
            raise error
        return succeeded, skipped

    def delete(self, ids):
        """Delete jobs by id in one request; a job that is already gone is not an error."""
        action = "delete %d job(s)" % len(ids)
        response = self.http.request("POST", "jobs/delete", action, json={"ids": list(ids)})
        result = self.decode(response, action)
        failed = [item for item in result.get("failed") or [] if item.get("errorCode") != "notfound"]
        if failed:
            raise self.answer_error(response, action,
                                    " | ".join("%s: %s" % (item.get("id"), item.get("message")) for item in failed),
                                    details=failed)

    def switch(self, job_id, kind, enabled):
        """Enable or disable a job's executions (``kind="execution"``) or schedule (``"schedule"``)."""
        verb = "enable" if enabled else "disable"
        action = "%s the %s of job %s" % (verb, "executions" if kind == "execution" else kind, job_id)
        self.http.request("POST", "job/%s/%s/%s" % (_q(job_id), kind, verb), action)


def job_record(jobs, project, document, job_id=None):
    """What the collection returns for a job: where it is, and its definition in canonical form.

    ``document`` is an export, or a definition about to be imported; ``job_id`` defaults to its UUID.
    """
    job_id = job_id or document.get("uuid") or document.get("id")
    definition = canonical_job(document)
    return dict(
        id=job_id,
        name=definition.get("name"),
        group=definition.get("group", ""),
        project=project,
        href=jobs.href(job_id) if job_id else None,
        permalink=jobs.permalink(project, job_id) if job_id else None,
        definition=definition,
    )
