# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rundeck API: job definitions (list, import, export, delete, toggles).

Job documents are JSON (API 44 and later) or YAML. The sandbox does not
emulate the XML job format: asking for XML, or sending it, gets a 415.
"""

import json
import re
import uuid as uuidlib
from urllib.parse import quote

import yaml
from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Response

from . import jobformat, rundeck_versions

# JSON job documents arrived with this API version; YAML works from 14.
JSON_JOBS_MIN_API_VERSION = 44
# Job metadata and the bulk toggles are younger than the API itself.
JOB_INFO_MIN_API_VERSION = 18
BULK_TOGGLE_MIN_API_VERSION = 16
DUPE_OPTIONS = ("skip", "create", "update")
UUID_OPTIONS = ("preserve", "remove")

_YAML_TYPES = ("application/yaml", "text/yaml", "application/x-yaml")
_XML_TYPES = ("application/xml", "text/xml")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_JOB_ID_RE = re.compile(jobformat.UUID_PATTERN)


def _error(status, code, message, args=None):
    return rundeck_versions.error(status, code, message, args)


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type="application/json")


def _media_type(value):
    return (value or "").split(";", 1)[0].strip().lower()


def _version_too_low(version, minimum):
    """The server's error for an endpoint or format younger than the URL's version."""
    if int(version) >= minimum:
        return None
    reason = "Minimum supported version: %d" % minimum
    message = 'Unsupported API Version "%s". API Request: %s. Reason: %s' % (version, request.path, reason)
    return _error(400, "api.error.api-version.unsupported", message, [int(version), request.path, reason])


def _unsupported_format(fmt, status=415):
    if fmt in ("xml",):
        # The server reads and writes XML; the sandbox does not emulate it.
        return _error(415, "api.error.item.unsupported-format", "The format is not supported: xml (the sandbox emulates JSON and YAML job documents only)")
    return _error(status, "api.error.item.unsupported-format", "The format is not valid: %s" % fmt, [fmt])


def _project_missing(name):
    return _error(404, "api.error.item.doesnotexist", "Project does not exist: %s" % name)


def _job_missing(job_id):
    return _error(404, "api.error.item.doesnotexist", "Job ID does not exist: %s" % job_id, ["Job ID", job_id])


class JobStore:
    """Stored jobs of every project, by uuid, in the order they were created.

    Each job also has its database id, a number counted from 1, which the
    server accepts wherever it takes a job id.
    """

    def __init__(self):
        self.jobs = {}
        self.last_database_id = 0

    def clear(self):
        self.jobs = {}
        self.last_database_id = 0

    def get(self, job_id):
        """The job of that uuid or database id."""
        record = self.jobs.get(job_id)
        if record is None and str(job_id).isdigit():
            record = next((found for found in self.jobs.values() if str(found["database_id"]) == str(job_id)), None)
        return record

    def in_project(self, project):
        return [record for record in self.jobs.values() if record["project"] == project]

    def by_uuid(self, project, job_id):
        record = self.jobs.get(job_id)
        return record if record is not None and record["project"] == project else None

    def by_name(self, project, name, group):
        """The job of that name and group, only when exactly one has them."""
        found = [
            record for record in self.in_project(project) if record["job"]["name"] == name and record["job"]["group"] == group
        ]
        return found[0] if len(found) == 1 else None

    def save(self, project, job):
        # Replacing keeps the job's place and its database id: an update is the same job.
        existing = self.jobs.get(job["uuid"])
        if existing is None:
            self.last_database_id += 1
            database_id = self.last_database_id
        else:
            database_id = existing["database_id"]
        self.jobs[job["uuid"]] = {"id": job["uuid"], "database_id": database_id, "project": project, "job": job}
        return self.jobs[job["uuid"]]

    def delete(self, job_id):
        record = self.get(job_id)
        return self.jobs.pop(record["id"]) if record is not None else None

    def delete_project(self, project):
        for record in self.in_project(project):
            del self.jobs[record["id"]]


class JobApi:
    """Views of the job endpoints; ``version`` is the one given in the URL."""

    def __init__(self, state):
        self.state = state

    # -- links ------------------------------------------------------------------

    @staticmethod
    def _links(job_id, project):
        # The server writes job links at its own current API version, whatever the URL's.
        return {
            "href": "%sapi/%d/job/%s" % (request.host_url, rundeck_versions.server_api_version(), quote(job_id, safe="")),
            "permalink": "%sproject/%s/job/show/%s" % (request.host_url, quote(project, safe=""), quote(job_id, safe="")),
        }

    def _summary(self, version, record):
        item = jobformat.list_item(record["job"])
        summary = {
            "id": record["id"],
            "name": item["name"],
            "group": item["group"],
            "project": record["project"],
            "description": item["description"],
        }
        summary.update(self._links(record["id"], record["project"]))
        summary.update(scheduled=item["scheduled"], scheduleEnabled=item["scheduleEnabled"], enabled=item["enabled"])
        return summary

    # -- listing and export -------------------------------------------------------

    def _select(self, project, exact=True):
        """The project's jobs that match the query's filters, by group then name."""
        args = request.args
        records = self.state.jobs.in_project(project)
        idlist = args.get("idlist")
        if idlist:
            # Each id is a uuid or a database id.
            wanted = {job_id.strip() for job_id in idlist.split(",")}
            records = [record for record in records if record["id"] in wanted or str(record["database_id"]) in wanted]
        group_path = args.get("groupPath")
        if group_path and group_path != "*":
            if group_path == "-":
                records = [record for record in records if not record["job"]["group"]]
            else:
                group_path = group_path.strip("/")
                records = [record for record in records if _in_group(record["job"]["group"], group_path)]
        job_filter = args.get("jobFilter")
        if job_filter:
            records = [record for record in records if job_filter.lower() in record["job"]["name"].lower()]
        if exact:
            exact_group = args.get("groupPathExact")
            if exact_group:
                wanted_group = None if exact_group == "-" else exact_group
                records = [record for record in records if record["job"]["group"] == wanted_group]
            exact_name = args.get("jobExactFilter")
            if exact_name:
                records = [record for record in records if record["job"]["name"] == exact_name]
            scheduled = args.get("scheduledFilter")
            if scheduled in ("true", "false"):
                records = [record for record in records if (record["job"]["schedule"] is not None) == (scheduled == "true")]
        return sorted(records, key=lambda record: (record["job"]["group"] or "", record["job"]["name"]))

    def list_jobs(self, version, project):
        args = request.args
        if args.get("groupPath") and args.get("groupPathExact"):
            return _error(400, "api.error.invalid.request", "groupPathExact cannot be combined with groupPath")
        paging = {}
        for key in ("max", "offset"):
            value = args.get(key)
            if value:
                if not re.fullmatch(r"[0-9]+", value):
                    # The server's code has no message text of its own, so the code is the message;
                    # the reason (a data binding error) is the sandbox's wording.
                    reason = "Invalid parameter %s value: %s, Reason: must be a positive integer" % (key, value)
                    return _error(400, "api.error.parameter.error", "api.error.parameter.error", [reason])
                paging[key] = int(value)
        with self.state.lock:
            if project not in self.state.projects:
                return _project_missing(project)
            records = self._select(project)
            start = paging.get("offset", 0)
            end = start + paging["max"] if "max" in paging else None
            records = records[start:end]
            return _json([self._summary(version, record) for record in records])

    def export_jobs(self, version, project):
        with self.state.lock:
            if project not in self.state.projects:
                return _project_missing(project)
            fmt, problem = _export_format(version, 406)
            if problem is not None:
                return problem
            documents = [jobformat.export_map(record["job"]) for record in self._select(project, exact=False)]
        return _document_response(documents, fmt)

    def job(self, version, job_id):
        with self.state.lock:
            if request.method == "GET":
                # The format is checked before the job is looked for.
                fmt, problem = _export_format(version, 415)
                if problem is not None:
                    return problem
            record = self.state.jobs.get(job_id)
            if record is None:
                return _job_missing(job_id)
            if request.method == "DELETE":
                self.state.jobs.delete(job_id)
                return Response(status=204)
            # A single job comes back as a list of one, like an export.
            return _document_response([jobformat.export_map(record["job"])], fmt)

    def job_info(self, version, job_id):
        problem = _version_too_low(version, JOB_INFO_MIN_API_VERSION)
        if problem is not None:
            return problem
        with self.state.lock:
            record = self.state.jobs.get(job_id)
            if record is None:
                return _job_missing(job_id)
            # No averageDuration: the sandbox never runs a job.
            return _json(self._summary(version, record))

    # -- import ---------------------------------------------------------------------

    def import_jobs(self, version, project):
        with self.state.lock:
            if project not in self.state.projects:
                return _project_missing(project)
        params = request.values if _media_type(request.content_type) in _FORM_TYPES else request.args
        choices = {}
        # The server checks neither: any other dupeOption creates, any other uuidOption preserves.
        for name, allowed, default in (("dupeOption", DUPE_OPTIONS, "create"), ("uuidOption", UUID_OPTIONS, "preserve")):
            value = params.get(name)
            choices[name] = value if value in allowed else default
        text, fmt, problem = _import_document(version, params)
        if problem is not None:
            return problem
        documents, problem = _parse_jobs(text, fmt)
        if problem is not None:
            return problem
        with self.state.lock:
            # The project may have gone while the document was read.
            if project not in self.state.projects:
                return _project_missing(project)
            result = {"succeeded": [], "failed": [], "skipped": []}
            for index, document in enumerate(documents, start=1):
                status, entry = self._load(version, project, document, choices["dupeOption"], choices["uuidOption"])
                result[status].append(dict({"index": index}, **entry))
        # Always 200, even when every job failed.
        return _json(result)

    def _load(self, version, project, document, dupe_option, uuid_option):
        """Create, update or skip one job of an import, as the server's loadJobs does."""
        document = dict(document)
        # The URL's project wins over the document's.
        document["project"] = project
        if uuid_option == "remove":
            document.pop("uuid", None)
        wanted_uuid, name, lookup_group = jobformat.lookup_key(document)
        existing = None
        if dupe_option in ("update", "skip"):
            # A uuid decides alone; without one, name and group must point at a single job.
            if wanted_uuid:
                existing = self.state.jobs.by_uuid(project, wanted_uuid)
            elif name:
                existing = self.state.jobs.by_name(project, name, lookup_group)
        if dupe_option == "skip" and existing is not None:
            # The entry describes the imported definition, given the existing job's database id:
            # its id is the definition's uuid when it has one, else that database id.
            external_id = wanted_uuid or str(existing["database_id"])
            entry = {
                "id": external_id,
                "error": "A Job named '%s' already exists" % name,
                "name": name,
                "group": lookup_group or "",
                "project": project,
            }
            entry.update(self._links(external_id, project))
            return "skipped", entry
        job, errors = jobformat.from_map(document)
        if existing is not None:
            # A full replacement: only the uuid survives, even a rename keeps it.
            job["uuid"] = existing["id"]
        elif job["uuid"] is None:
            job["uuid"] = str(uuidlib.uuid4())
        elif self.state.jobs.get(job["uuid"]) is not None:
            errors.append(
                "Cannot create a Job with UUID %s: a Job already exists with this UUID. Change the UUID or delete the other Job."
                % job["uuid"]
            )
        if errors:
            entry = {
                "error": "Validation errors: " + "; ".join(errors),
                "name": job["name"],
                "group": job["group"] or "",
                "project": project,
            }
            return "failed", entry
        record = self.state.jobs.save(project, job)
        entry = {"id": record["id"], "name": job["name"], "group": job["group"] or "", "project": project}
        entry.update(self._links(record["id"], project))
        return "succeeded", entry

    # -- delete and toggles -----------------------------------------------------------

    def bulk_delete(self, version):
        ids, problem = _requested_ids()
        if problem is not None:
            return problem
        succeeded, failed = [], []
        with self.state.lock:
            for job_id in ids:
                record = self.state.jobs.delete(job_id)
                if record is None:
                    failed.append({"id": job_id, "errorCode": "notfound", "message": "Job ID does not exist: %s" % job_id})
                else:
                    # The job's uuid, also when it was asked for by its database id.
                    job = record["job"]
                    message = "Job was successfully deleted: [%s] %s/%s" % (record["id"], job["group"] or "", job["name"])
                    succeeded.append({"id": record["id"], "message": message})
        return _json(_bulk_result(ids, succeeded, failed))

    def toggle(self, version, job_id, flag, action):
        with self.state.lock:
            record = self.state.jobs.get(job_id)
            if record is None:
                return _job_missing(job_id)
            record["job"][_FLAGS[flag]] = action == "enable"
        return _json({"success": True})

    def bulk_toggle(self, version, flag, action):
        problem = _version_too_low(version, BULK_TOGGLE_MIN_API_VERSION)
        if problem is not None:
            return problem
        ids, problem = _requested_ids()
        if problem is not None:
            return problem
        enabled = action == "enable"
        succeeded, failed = [], []
        with self.state.lock:
            for job_id in ids:
                record = self.state.jobs.get(job_id)
                if record is None:
                    # The server has neither a code nor a message for a job it did not find here.
                    failed.append({"id": job_id, "errorCode": None, "message": None})
                    continue
                record["job"][_FLAGS[flag]] = enabled
                message = "Job %s was %s for: {{Job %s}}" % (flag.capitalize(), "enabled" if enabled else "disabled", record["id"])
                succeeded.append({"id": job_id, "message": message})
        result = _bulk_result(ids, succeeded, failed)
        result = dict({"requestCount": result.pop("requestCount"), "enabled": enabled}, **result)
        return _json(result)


# Toggle URL word -> flag of the stored job.
_FLAGS = {"execution": "executionEnabled", "schedule": "scheduleEnabled"}


def _in_group(group, wanted):
    return group is not None and (group == wanted or group.startswith(wanted + "/"))


def _bulk_result(ids, succeeded, failed):
    result = {"requestCount": len(ids), "allsuccessful": len(succeeded) == len(ids)}
    # The server leaves an empty list out rather than sending [].
    if succeeded:
        result["succeeded"] = succeeded
    if failed:
        result["failed"] = failed
    return result


def _requested_ids():
    """Job ids of a bulk request: ``ids`` (repeated) and ``idlist``, in the query or a JSON body."""
    ids = list(request.args.getlist("ids"))
    idlists = [request.args.get("idlist")]
    if _media_type(request.content_type) == "application/json" and request.get_data():
        try:
            body = json.loads(request.get_data(as_text=True))
        except ValueError:
            return None, _error(400, "api.error.invalid.request", "Invalid JSON request content")
        if isinstance(body, dict):
            body_ids = body.get("ids") or []
            ids.extend(body_ids if isinstance(body_ids, list) else [body_ids])
            idlists.append(body.get("idlist"))
    for idlist in idlists:
        if isinstance(idlist, str):
            ids.extend(idlist.split(","))
    ids = sorted({str(job_id).strip() for job_id in ids if str(job_id).strip()})
    if not ids:
        return None, _error(400, "api.error.parameter.required", 'parameter "Any of: ids, idlist" is required', ["Any of: ids, idlist"])
    bad = [job_id for job_id in ids if not _JOB_ID_RE.match(job_id)]
    if bad:
        message = "The ids must be a list of valid IDs, matching: [-_a-zA-Z0-9+][-\\._a-zA-Z0-9+]*"
        return None, _error(400, "api.error.invalid.request", message)
    return ids, None


# -- document formats -------------------------------------------------------------


def _accepted_format():
    accept = request.headers.get("Accept")
    if not accept:
        return "json"
    for value, quality in parse_accept_header(accept, MIMEAccept):
        value = value.lower()
        if quality <= 0:
            continue
        if value in _YAML_TYPES:
            return "yaml"
        if value in _XML_TYPES:
            return "xml"
        if value in ("application/json", "*/*", "application/*"):
            return "json"
    return "json"


def _export_format(version, refused_status):
    """The document format an export asks for: ``format`` wins over Accept.

    JSON is a format only from API 44: below, it is refused like any unknown format, with the
    endpoint's own status (406 for a project's export, 415 for one job).
    """
    fmt = (request.args.get("format") or _accepted_format()).lower()
    if fmt not in ("json", "yaml") or (fmt == "json" and int(version) < JSON_JOBS_MIN_API_VERSION):
        return None, _unsupported_format(fmt, refused_status)
    return fmt, None


def _document_response(documents, fmt):
    if fmt == "yaml":
        text = yaml.safe_dump(documents, default_flow_style=False, sort_keys=True, allow_unicode=True)
        return Response(text.encode("utf-8"), content_type="text/yaml;charset=utf-8")
    # The server writes the JSON compactly.
    return Response(json.dumps(documents, sort_keys=True, separators=(",", ":")), content_type="application/json")


def _import_document(version, params):
    """The text and format of an import: a raw JSON or YAML body, or a form's xmlBatch."""
    media_type = _media_type(request.content_type)
    if media_type in _FORM_TYPES:
        # "format" wins over "fileformat"; the server's default is XML.
        fmt = (params.get("format") or params.get("fileformat") or "xml").lower()
        if media_type == "multipart/form-data":
            upload = request.files.get("xmlBatch")
            if upload is None:
                if "xmlBatch" in request.form:
                    # A multipart request has to send the document as a file.
                    return None, None, _error(400, "api.error.jobs.import.missing-file", "No file was uploaded")
                return None, None, _error(400, "api.error.parameter.required", 'parameter "xmlBatch" is required')
            raw = upload.read()
        else:
            text = request.form.get("xmlBatch")
            if text is None:
                return None, None, _error(400, "api.error.parameter.required", 'parameter "xmlBatch" is required')
            raw = text.encode("utf-8")
    elif media_type == "application/json":
        fmt, raw = "json", request.get_data()
    elif media_type in _YAML_TYPES:
        fmt, raw = "yaml", request.get_data()
    elif media_type in _XML_TYPES:
        fmt, raw = "xml", b""
    else:
        # Anything else is read as a form without its xmlBatch field.
        return None, None, _error(400, "api.error.parameter.required", 'parameter "xmlBatch" is required')
    if fmt == "xml":
        return None, None, _unsupported_format(fmt)
    if fmt not in ("json", "yaml"):
        return (
            None,
            None,
            _error(415, "api.error.jobs.import.format.unsupported", "The specified format is not supported: %s" % fmt),
        )
    if fmt == "json":
        problem = _version_too_low(version, JSON_JOBS_MIN_API_VERSION)
        if problem is not None:
            return None, None, problem
    try:
        return raw.decode("utf-8"), fmt, None
    except UnicodeDecodeError:
        return None, None, _invalid_document(fmt, "the content is not UTF-8 text")


def _invalid_document(fmt, reason):
    return _error(400, "api.error.jobs.import.invalid", "Jobs Document was invalid for format %s: %s" % (fmt, reason))


def _parse_jobs(text, fmt):
    """The job maps of an import document, or the server's error for it."""
    label = "Job Json Format" if fmt == "json" else "Yaml"
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except ValueError as exc:
        return None, _invalid_document(fmt, str(exc))
    except yaml.YAMLError as exc:
        return None, _invalid_document(fmt, " ".join(str(exc).split()))
    if not isinstance(data, list):
        return None, _invalid_document(fmt, "%s: Expected list data" % label)
    if not all(isinstance(item, dict) for item in data):
        return None, _invalid_document(fmt, "%s: Expected list of Maps" % label)
    return data, None
