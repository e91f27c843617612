# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rundeck API: checks, ACL policies (system and project), routes; projects, jobs and keys in their own files.

The release emulated (``rundeck_version``, default the newest) sets the API
versions answered; see rundeck_versions.py.
"""

import hmac
import json
import re
import threading
import time
from datetime import datetime, timezone
from http import HTTPStatus
from urllib.parse import quote

from flask import Flask, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Response

from .aclpolicy import is_valid_policy_path, validate_policy, validation_body
from .rundeck_executions import ExecutionApi, ExecutionStore
from .rundeck_jobs import JobApi, JobStore
from .rundeck_keys import KeyApi, KeyStore
from .rundeck_projects import ProjectApi, new_project_properties, project_missing
from .rundeck_versions import CONFIG_KEY, DEFAULT_RELEASE, EARLIEST_API_VERSION, error, parse_release, server_api_version

SEED_PROJECT = "sandbox"
SEED_DESCRIPTION = "Seeded by the sandbox"
# How long a deletion in the background (deferred, API 45+) takes here, on a monotonic clock.
DEFERRED_DELETE_SECONDS = 0.5
# Rundeck runs on Jetty, which refuses a request line longer than its 8 KiB buffer.
MAX_REQUEST_URI_BYTES = 8192

_YAML_TYPES = ("application/yaml", "text/yaml", "application/x-yaml")
_TEXT_TYPES = _YAML_TYPES + ("text/plain",)
_ERROR_CODES = {
    400: "api.error.invalid.request",
    403: "unauthorized",
    404: "api.error.item.doesnotexist",
    409: "api.error.item.alreadyexists",
}


def error_response(status, request=None):
    """Rundeck's JSON error for a bare status, used by faults."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "HTTP %d" % status
    return error(status, _ERROR_CODES.get(status, "api.error.unknown"), reason)


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type="application/json")


def _now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class RundeckState:
    """Projects, policies, jobs and stored keys of one Rundeck server."""

    def __init__(self):
        self.lock = threading.RLock()
        self.projects = {}
        self.deleting = {}
        self.system_acls = {}
        self.project_acls = {}
        self.jobs = JobStore()
        self.keys = KeyStore()
        self.executions = ExecutionStore(self.lock)

    def reset(self):
        with self.lock:
            self.projects = {}
            self.deleting = {}
            self.system_acls = {}
            self.project_acls = {}
            self.jobs.clear()
            self.keys.clear()
            self.executions.clear()
            self.add_project(SEED_PROJECT, {"project.description": SEED_DESCRIPTION})

    def add_project(self, name, config):
        self.projects[name] = {"name": name, "config": new_project_properties(name, config), "created": _now()}
        self.project_acls[name] = {}
        return self.projects[name]

    def remove_project(self, name):
        # The project's ACL policies and jobs go with it.
        del self.projects[name]
        del self.project_acls[name]
        self.deleting.pop(name, None)
        self.jobs.delete_project(name)
        self.executions.delete_project(name)

    def schedule_deletion(self, name):
        self.deleting.setdefault(name, time.monotonic() + DEFERRED_DELETE_SECONDS)

    def finish_deletions(self):
        """Remove the projects whose deletion in the background is done by now."""
        with self.lock:
            moment = time.monotonic()
            for name in sorted(name for name, due in self.deleting.items() if due <= moment):
                self.remove_project(name)

    def acls(self, project):
        """The policy store of the system (project None) or of a project."""
        return self.system_acls if project is None else self.project_acls[project]


class RundeckApi:
    """Views of the Rundeck API; ``version`` is the one given in the URL."""

    def __init__(self, state, token):
        self.state = state
        self.token = token

    # -- checks every API request goes through, in the server's order ------

    def before_request(self):
        # Deletions in the background finish between requests, so a test sees no race.
        self.state.finish_deletions()
        path = request.path
        if not path.startswith("/api/"):
            return None
        # The version is checked before the token: a bad version and a bad token get the 400.
        # "/api/49/projects" -> "49"; the server knows the versions as text, so "049" is unknown.
        version = path.split("/")[2]
        current = server_api_version()
        if version not in {str(number) for number in range(EARLIEST_API_VERSION, current + 1)}:
            reason = "Current version: %d" % current
            message = 'Unsupported API Version "%s". API Request: %s. Reason: %s' % (version, path, reason)
            return error(400, "api.error.api-version.unsupported", message, [version, path, reason])
        # Then the project a request names (in its path or a "project" parameter) must exist, still
        # before the token is looked at; creating one is the exception.
        project = _named_project(path)
        if project is not None and not (request.method == "POST" and path.rstrip("/").endswith("/projects")):
            with self.state.lock:
                missing = project not in self.state.projects
            if missing:
                return error(404, "api.error.project.missing", "Project does not exist: %s" % project, [project])
        # The authtoken parameter wins over the header.
        presented = request.args.get("authtoken") or request.headers.get("X-Rundeck-Auth-Token") or ""
        if not hmac.compare_digest(presented.encode("utf-8"), self.token.encode("utf-8")):
            # The server names the token by its first five characters only.
            who = "(Token:%s****)" % (presented[:5] if len(presented) > 5 else "") if presented else "(unauthenticated)"
            return error(403, "unauthorized", "%s is not authorized for: %s" % (who, path))
        return None

    def http_error(self, exc):
        if exc.code == 404 and request.path.startswith("/api/"):
            # The server maps every other /api/V/... path to an "invalid request" answer.
            return error(404, "api.error.invalid.request", "Invalid API Request: %s" % request.path, [request.path])
        if exc.code == 404:
            # Outside the API the server shows its web interface, which the sandbox does not have.
            return error(404, "api.error.item.doesnotexist", "Resource does not exist: %s" % request.path)
        if exc.code == 405:
            response = error(405, "api.error.invalid.request", "Method not allowed: %s %s" % (request.method, request.path))
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods or ()))
            return response
        return error_response(exc.code)

    # -- ACL policies ---------------------------------------------------------

    def _acl_base(self, version, project):
        # Links at the server's current API version, whatever the URL's.
        current = server_api_version()
        if project is None:
            return "%sapi/%d/system/acl/" % (request.host_url, current)
        return "%sapi/%d/project/%s/acl/" % (request.host_url, current, quote(project, safe=""))

    def list_acls(self, version, project=None):
        with self.state.lock:
            if project is not None and project not in self.state.projects:
                return project_missing(project)
            base = self._acl_base(version, project)
            names = sorted(self.state.acls(project))
        return _json(
            {
                "path": "",
                "type": "directory",
                "href": base,
                "resources": [
                    {"path": name, "type": "file", "name": name, "href": base + quote(name, safe="")} for name in names
                ],
            }
        )

    def acl(self, version, policy, project=None):
        with self.state.lock:
            # The project comes first: nothing else is checked under a missing one.
            if project is not None and project not in self.state.projects:
                return project_missing(project)
            if not is_valid_policy_path(policy):
                args = [policy, "path", "Must refer to a file ending in .aclpolicy"]
                return error(400, "api.error.parameter.invalid", 'The value "%s" for parameter "%s" is not valid: %s' % tuple(args), args)
            store = self.state.acls(project)
            exists = policy in store
            # The server names the file differently per method and scope.
            if project is None:
                kind, named = "System ACL Policy File", policy
            else:
                kind, named = "Project ACL Policy File", "%s for project %s" % (policy, project)
            if request.method in ("GET", "HEAD"):
                return _policy_response(store[policy]) if exists else _item_missing("resource", policy)
            if request.method == "DELETE":
                if not exists:
                    return _item_missing(kind, named)
                del store[policy]
                return Response(status=204)
            if request.method == "POST" and exists:
                return error(409, "api.error.item.alreadyexists", "%s already exists: %s" % (kind, named), [kind, named])
            if request.method == "PUT" and not exists:
                return _item_missing(kind, named)
            text, problem = _read_policy_text()
            if problem is not None:
                return problem
            errors = validate_policy(text, project=project, name=policy)
            if errors:
                return _json(validation_body(errors), 400)
            # Stored exactly as sent: the server never re-serializes policies.
            store[policy] = text
            return _policy_response(text, 201 if request.method == "POST" else 200)


def _item_missing(kind, named):
    return error(404, "api.error.item.doesnotexist", "%s does not exist: %s" % (kind, named), [kind, named])


def _media_type(value):
    return (value or "").split(";", 1)[0].strip().lower()


def _read_policy_text():
    """The policy text of a POST or PUT: raw YAML/text, or JSON {"contents"}."""
    raw = request.get_data()
    if not raw:
        return None, _no_content()
    try:
        charset = request.mimetype_params.get("charset", "utf-8")
        body = raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None, error(400, "api.error.invalid.request", "Invalid request content: it is not %s text" % charset)
    if _media_type(request.content_type) in _TEXT_TYPES:
        return body, None
    # JSON is the default request format of the API.
    try:
        data = json.loads(body)
    except ValueError:
        return None, error(400, "api.error.invalid.request", "Invalid JSON request content")
    contents = data.get("contents") if isinstance(data, dict) else None
    if contents is None or contents == "":
        return None, _no_content()
    if not isinstance(contents, str):
        return None, error(
            400, "api.error.invalid.request", "Invalid request content: 'contents' must be the policy text as a string"
        )
    return contents, None


def _no_content():
    # The server gives this message without a code of its own.
    return error(400, "api.error.unknown", "No content")


def uri_too_long():
    """Jetty's answer to a request line over its buffer, before Rundeck sees the request."""
    environ = request.environ
    uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if uri is None:
        query = environ.get("QUERY_STRING", "")
        uri = environ.get("PATH_INFO", "") + ("?" + query if query else "")
    # The WSGI server hands the raw URI over as latin-1: one character per byte.
    if len(uri) <= MAX_REQUEST_URI_BYTES:
        return None
    return Response(
        b"<h1>Bad Message 414</h1><pre>reason: URI Too Long</pre>", status=414, content_type="text/html;charset=iso-8859-1"
    )


def _response_text_type():
    """The text media type the client asked for, or None for JSON."""
    accept = request.headers.get("Accept")
    if not accept:
        # With no Accept header the API answers in the request's own format.
        if request.method in ("POST", "PUT") and _media_type(request.content_type) in _TEXT_TYPES:
            accept = _media_type(request.content_type)
        else:
            return None
    wanted = [value.lower() for value, quality in parse_accept_header(accept, MIMEAccept) if quality > 0]
    if "application/json" in wanted:
        return None
    for value in wanted:
        if value in _YAML_TYPES:
            return "application/yaml"
        if value == "text/plain":
            return "text/plain"
    return None


_PROJECT_PATH_RE = re.compile(r"^/api/[^/]+/project/([^/]+)")


def _named_project(path):
    """The project a request names: the path's, else the ``project`` parameter, else None."""
    match = _PROJECT_PATH_RE.match(path)
    if match:
        return match.group(1)
    return request.values.get("project") or None


def _policy_response(text, status=200):
    text_type = _response_text_type()
    if text_type is None:
        return _json({"contents": text}, status)
    return Response(text.encode("utf-8"), status=status, content_type=text_type + ";charset=utf-8")


def create_app(control, credentials):
    """The Flask app of the Rundeck service, behind the control layer.

    ``credentials["rundeck_version"]`` names the release to emulate (e.g. ``"5.0"``).
    """
    release = parse_release(credentials.get("rundeck_version") or DEFAULT_RELEASE)
    state = RundeckState()
    api = RundeckApi(state, credentials["rundeck_token"])
    projects = ProjectApi(state)
    jobs = JobApi(state)
    keys = KeyApi(state)
    executions = ExecutionApi(state)
    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False
    app.config[CONFIG_KEY] = release
    # Keep paths as sent: no redirects for doubled or missing slashes.
    app.url_map.merge_slashes = False
    # Jetty's limit comes first: such a request never reaches Rundeck's own checks.
    app.before_request(uri_too_long)
    app.before_request(api.before_request)
    app.register_error_handler(HTTPException, api.http_error)

    def route(rule, view, methods, **options):
        app.add_url_rule("/api/<version>" + rule, view_func=view, methods=methods, **options)

    route("/projects", projects.list_projects, ["GET"], endpoint="list_projects")
    route("/projects", projects.create_project, ["POST"], endpoint="create_project")
    route("/project/<name>", projects.get_project, ["GET"], endpoint="get_project")
    route("/project/<name>", projects.delete_project, ["DELETE"], endpoint="delete_project")
    route("/project/<name>/config", projects.config, ["GET", "PUT"], endpoint="project_config")
    # Like the server's "config/$keypath**", a key may hold slashes.
    route("/project/<name>/config/<path:key>", projects.config_key, ["GET", "PUT", "DELETE"], endpoint="project_config_key")
    route("/system/acl/", api.list_acls, ["GET"], endpoint="list_system_acls", strict_slashes=False)
    route("/system/acl/<path:policy>", api.acl, ["GET", "POST", "PUT", "DELETE"], endpoint="system_acl")
    route("/project/<project>/acl/", api.list_acls, ["GET"], endpoint="list_project_acls", strict_slashes=False)
    route("/project/<project>/acl/<path:policy>", api.acl, ["GET", "POST", "PUT", "DELETE"], endpoint="project_acl")
    # Like the server's "storage/keys/$resourcePath**": a key path holds slashes.
    route("/storage/keys", keys.keys, ["GET", "POST", "PUT", "DELETE"], endpoint="storage_keys", strict_slashes=False)
    route("/storage/keys/<path:resource>", keys.keys, ["GET", "POST", "PUT", "DELETE"], endpoint="storage_key")
    route("/project/<project>/jobs", jobs.list_jobs, ["GET"], endpoint="list_jobs")
    route("/project/<project>/jobs/export", jobs.export_jobs, ["GET"], endpoint="export_jobs")
    route("/project/<project>/jobs/import", jobs.import_jobs, ["POST"], endpoint="import_jobs")
    route("/job/<job_id>", jobs.job, ["GET", "DELETE"], endpoint="job")
    route("/job/<job_id>/info", jobs.job_info, ["GET"], endpoint="job_info")
    route(
        "/job/<job_id>/<any(execution, schedule):flag>/<any(enable, disable):action>",
        jobs.toggle,
        ["POST"],
        endpoint="toggle_job",
    )
    route("/job/<job_id>/run", executions.run_job, ["POST"], endpoint="run_job")
    route("/job/<job_id>/executions", executions.run_job, ["POST"], endpoint="run_job_executions")
    route("/job/<job_id>/executions", executions.job_executions, ["GET"], endpoint="job_executions")
    route("/execution/<execution_id>", executions.execution, ["GET", "DELETE"], endpoint="execution")
    # The server maps abort to every method.
    route("/execution/<execution_id>/abort", executions.abort, ["GET", "POST"], endpoint="abort_execution")
    route("/execution/<execution_id>/output", executions.output, ["GET"], endpoint="execution_output")
    route("/execution/<execution_id>/output.<any(json, text):fmt>", executions.output, ["GET"], endpoint="execution_output_format")
    route("/execution/<execution_id>/state", executions.state_view, ["GET"], endpoint="execution_state")
    route("/project/<project>/executions", executions.project_executions, ["GET"], endpoint="project_executions")
    route("/jobs/delete", jobs.bulk_delete, ["POST", "DELETE"], endpoint="bulk_delete_jobs")
    route(
        "/jobs/<any(execution, schedule):flag>/<any(enable, disable):action>",
        jobs.bulk_toggle,
        ["POST"],
        endpoint="bulk_toggle_jobs",
    )

    def fault_error(status, request):
        # Faults are answered before the app sees the request: the release comes from its config.
        with app.app_context():
            return error_response(status, request)

    return control.install(app, reset=state.reset, error_response=fault_error, state=state)
