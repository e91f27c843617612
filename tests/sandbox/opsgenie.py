# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Opsgenie REST API: the Deployment API (/v2/deployments) and its request status endpoint.

Checks, in this order: the rate limit, the API key (paths under /v2/), the
route, write access, then the request itself. Create, update state and
update run only the checks that need nothing stored, answer 202 and leave
the rest to the processing of the request (opsgenie_state.py), whose
outcome the request status endpoint shows, as on the server.
"""

import hmac
import json
import math
import re
import time
import uuid
from http import HTTPStatus

from flask import Flask, g, has_app_context, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .control import ProcessDue, method_not_allowed

from .opsgenie_state import (
    CREATE,
    ENVIRONMENT_TYPES,
    EXTERNAL_ID_EXISTS,
    OMITTABLE_FIELDS,
    STATES,
    WORKSPACE_FORMS,
    UPDATE,
    UPDATE_STATE,
    OpsgenieState,
    bare_uuid,
    parse_time,
    render_time,
)

BASE = "/v2/deployments"
CONTENT_TYPE = "application/json"
NOT_FOUND = "Could not find the requested resource."
UNAUTHORIZED = "Could not authenticate"
READ_ONLY = "Api key does not have create and update access"
UNPROCESSABLE = "Request body is not processable. Please check the errors."
INVALID_JSON = "Invalid JSON body"
ACCEPTED = "Request will be processed"
REQUEST_NOT_FOUND = "Request not found. It might not be processed, yet."
DEPLOYMENT_NOT_FOUND = "Deployment not found with identifier: %s"
THROTTLED = "You are making too many requests! To avoid errors, we recommend you limit requests."
IDENTIFIER_TYPES = ("id", "api", "pipelines")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_WRITES = ("POST", "PUT", "PATCH", "DELETE")

# Reasons in a 422's "errors", per field.
NOT_NULL = "must not be null"
NOT_BLANK = "must not be blank"
NOT_EMPTY = "must not be empty"
NOT_TEXT = "must be a string"
NOT_OBJECT = "must be an object"
NOT_LIST = "must be a list"
NOT_JSON_OBJECT = "must be a JSON object"
NOT_DATE = "must be an ISO-8601 date-time, e.g. 2020-03-26T14:05:07.594Z"
_INTEGER_RE = re.compile(r"[+-]?\d+\Z")


class Rejected(Exception):
    """An error answer, raised from anywhere in a view: status, message and maybe per-field errors."""

    def __init__(self, status, message, errors=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


def _unprocessable(errors):
    return Rejected(422, UNPROCESSABLE, errors)


def _reason(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP %d" % status


def _took():
    # Seconds spent on the request, as Opsgenie reports them; 0.001 outside a request of the app.
    if has_app_context() and "started" in g:
        return round(max(time.monotonic() - g.started, 0.001), 3)
    return 0.001


def _answer(body, status=200, request_id=None):
    """A vendor answer: the body, then the time taken and the request id Opsgenie adds to every one,
    which its standard headers X-Request-ID and X-Response-Time repeat."""
    body = dict(body, took=_took(), requestId=request_id or str(uuid.uuid4()))
    response = Response(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    response.headers["X-Request-ID"] = body["requestId"]
    response.headers["X-Response-Time"] = "%s" % body["took"]
    return response


def opsgenie_error(status, request=None, message=None, errors=None):
    """Opsgenie's error body for a status: {"message", "errors"?, "took", "requestId"}."""
    if message is None:
        message = NOT_FOUND if status == 404 else _reason(status)
    body = {"message": message}
    if errors:
        body["errors"] = errors
    return _answer(body, status)


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type=CONTENT_TYPE)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _same(left, right):
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))


# -- request bodies: checks that need nothing stored ---------------------------------------


def _choice(container, key, path, choices, errors):
    value = container.get(key)
    if value is None:
        errors[path] = NOT_NULL
        return None
    if not isinstance(value, str) or value not in choices:
        errors[path] = "must be one of: " + ", ".join(choices)
        return None
    return value


def _optional_text(container, key, path, errors):
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        errors[path] = NOT_TEXT
        return None
    return value


def _required_text(container, key, path, errors):
    value = container.get(key)
    if value is not None and not isinstance(value, str):
        errors[path] = NOT_TEXT
        return None
    if not (value or "").strip():
        errors[path] = NOT_BLANK
        return None
    return value


def _object(container, key, path, errors):
    value = container.get(key)
    if value is None:
        errors[path] = NOT_NULL
        return None
    if not isinstance(value, dict):
        errors[path] = NOT_OBJECT
        return None
    return value


def _time(container, key, path, errors, required=False):
    value = container.get(key)
    if value is None:
        if required:
            errors[path] = NOT_NULL
        return None
    moment = parse_time(value)
    if moment is None:
        errors[path] = NOT_DATE
    return moment


def _releases(value, errors):
    if value is None or value == []:
        errors["releases"] = NOT_EMPTY
        return []
    if not isinstance(value, list):
        errors["releases"] = NOT_LIST
        return []
    releases = []
    for index, item in enumerate(value):
        path = "releases[%d]" % index
        if not isinstance(item, dict):
            errors[path] = NOT_NULL if item is None else NOT_OBJECT
            continue
        kind = item.get("type")
        if kind is None:
            errors[path + ".type"] = NOT_NULL
        elif kind != "bbc":
            errors[path + ".type"] = "must be bbc"
        workspace = workspace_type = slug = sha = None
        repository = _object(item, "repository", path + ".repository", errors)
        if repository is not None:
            found = _object(repository, "workspace", path + ".repository.workspace", errors)
            if found is not None:
                workspace = _required_text(found, "identifier", path + ".repository.workspace.identifier", errors)
                workspace_type = found.get("type")
                if workspace_type is not None and workspace_type != "bbcUuid":
                    errors[path + ".repository.workspace.type"] = "must be bbcUuid"
            slug = _required_text(repository, "repoSlug", path + ".repository.repoSlug", errors)
        commit = _object(item, "commit", path + ".commit", errors)
        if commit is not None:
            sha = _required_text(commit, "sha", path + ".commit.sha", errors)
        releases.append({"workspace": workspace, "workspaceType": workspace_type, "repoSlug": slug, "sha": sha})
    return releases


def check_create(body):
    """The fields of a create body and the problems found, {JSON path: reason}; unknown keys are ignored."""
    errors = {}
    fields = {"state": _choice(body, "state", "state", STATES, errors)}
    environment = _object(body, "environment", "environment", errors)
    if environment is not None:
        kind = _choice(environment, "type", "environment.type", ENVIRONMENT_TYPES, errors)
        environment_id = _required_text(environment, "id", "environment.id", errors)
        display_name = _optional_text(environment, "displayName", "environment.displayName", errors)
        fields["environment"] = {
            "type": kind,
            "id": environment_id,
            "displayName": environment_id if display_name is None else display_name,
        }
    fields["startedAt"] = _time(body, "startedAt", "startedAt", errors, required=True)
    fields["completedAt"] = _time(body, "completedAt", "completedAt", errors)
    texts = {key: _optional_text(body, key, key, errors) for key in ("message", "externalId", "description", "externalLink")}
    # The reference's own sample payload sends the link as "reference".
    reference = _optional_text(body, "reference", "reference", errors)
    if texts["externalLink"] is None:
        texts["externalLink"] = reference
    # An empty text is no text: no message, and the default external id.
    fields.update((key, value or None) for key, value in texts.items())
    fields["releases"] = _releases(body.get("releases"), errors)
    return fields, errors


def check_update_state(body):
    errors = {}
    fields = {
        "state": _choice(body, "state", "state", STATES, errors),
        "completedAt": _time(body, "completedAt", "completedAt", errors, required=True),
    }
    return fields, errors


def check_update(body):
    """Only the keys given (and not null) are changes; an empty text clears the field."""
    errors, changes = {}, {}
    for key in ("externalLink", "description", "message", "externalId"):
        value = _optional_text(body, key, key, errors)
        if value is not None:
            changes[key] = value
    started = _time(body, "startedAt", "startedAt", errors)
    if started is not None:
        changes["startedAt"] = started
    return changes, errors


# -- answers ------------------------------------------------------------------------------


def render_deployment(deployment, omit=(), workspace_form="as_sent"):
    """A deployment as GET /v2/deployments/{identifier} shows it: the pipelines or the other tools shape.

    ``omit`` names texts left out even when set, ``workspace_form`` how a release names its workspace
    (as sent, by name or by UUID): the reference shows neither for certain, so both readings can be had.
    """
    pipelines = deployment["type"] == "pipelines"
    workspace_key = {"as_sent": "workspace", "name": "workspaceName", "uuid": "workspaceUuid"}[workspace_form]
    environment = deployment["environment"]
    data = {
        "id": deployment["id"],
        "externalId": deployment["externalId"],
        "state": deployment["state"],
        "environment": {
            "environmentType": environment["type"],
            "identifier": environment["id"],
            "displayName": environment["displayName"],
        },
        "type": deployment["type"],
        "startedAt": render_time(deployment["startedAt"]),
    }
    if deployment["completedAt"] is not None:
        data["completedAt"] = render_time(deployment["completedAt"])
    data["releases"] = [
        {
            "commit": {"sha": release["sha"]},
            "type": "bbc",
            # Bitbucket Pipelines reports the repository and workspace by UUID.
            "repository": {
                "repoSlug": release["repoUuid"] if pipelines else release["repoSlug"],
                "workspace": release["workspaceUuid"] if pipelines else release[workspace_key],
            },
        }
        for release in deployment["releases"]
    ]
    if pipelines:
        data.update(
            createdOn=render_time(deployment["createdOn"]),
            fullname=deployment["fullname"],
            deployableName=deployment["deployableName"],
            commitMessage=deployment["commitMessage"],
        )
    else:
        for key in ("message", "description", "externalLink"):
            if deployment[key] and key not in omit:
                data[key] = deployment[key]
    return data


def render_summary(deployment):
    """A deployment as the search shows it (environment as type/id, not environmentType/identifier)."""
    data = {
        "id": deployment["id"],
        "externalId": deployment["externalId"],
        "type": deployment["type"],
        "state": deployment["state"],
        "startedAt": render_time(deployment["startedAt"]),
    }
    if deployment["completedAt"] is not None:
        data["completedAt"] = render_time(deployment["completedAt"])
    for key in ("message", "description"):
        if deployment[key]:
            data[key] = deployment[key]
    data["environment"] = dict(deployment["environment"])
    return data


def render_outcome(outcome):
    return dict(outcome, processedAt=render_time(outcome["processedAt"]))


def _identifier_type(errors):
    """The ``type`` query parameter: None for the Opsgenie id, else api or pipelines."""
    value = request.args.get("type", "")
    if value in ("", "id"):
        return None
    if value not in IDENTIFIER_TYPES:
        errors["type"] = "must be one of: " + ", ".join(IDENTIFIER_TYPES)
        return None
    return value


def _body(errors):
    raw = request.get_data(as_text=True)
    try:
        data = json.loads(raw)
    except ValueError:
        # A syntax error is a 400 of its own ("Bad Request (Syntax Error only)"), before any other check.
        raise Rejected(400, INVALID_JSON)
    if not isinstance(data, dict):
        errors["body"] = NOT_JSON_OBJECT
        return {}
    return data


def _list_parameter(name):
    """A Set<String> parameter: repeated, comma-separated, or both; blanks dropped."""
    return [value.strip() for raw in request.args.getlist(name) for value in raw.split(",") if value.strip()]


def _integer_parameter(name, default, minimum, maximum, reason, errors):
    value = request.args.get(name, "").strip()
    if not value:
        return default
    number = int(value) if _INTEGER_RE.match(value) else None
    if number is None or number < minimum or (maximum is not None and number > maximum):
        errors[name] = reason
        return default
    return number


def _time_parameter(name, errors):
    value = request.args.get(name, "")
    if not value:
        return None
    moment = parse_time(value)
    if moment is None:
        errors[name] = NOT_DATE
    return moment


class OpsgenieApi:
    """Views of the Opsgenie Deployment API, and the service's control endpoints."""

    def __init__(self, state, api_key, read_only_api_key=None):
        self.state = state
        self.api_key = api_key
        self.read_only_api_key = read_only_api_key

    # -- checks and errors -------------------------------------------------------

    def before_request(self):
        g.started = time.monotonic()
        if self.state.throttled():
            response = opsgenie_error(429, message=THROTTLED)
            period = self.state.rate_limit["period"]
            response.headers["X-RateLimit-State"] = "THROTTLED"
            response.headers["X-RateLimit-Reason"] = "INTEGRATION"
            response.headers["X-RateLimit-Period-In-Sec"] = "%d" % period if float(period).is_integer() else "%s" % period
            return response
        if request.path != "/v2" and not request.path.startswith("/v2/"):
            return None
        access = self._access()
        if access is None:
            raise Rejected(401, UNAUTHORIZED)
        if access == "read" and request.routing_exception is None and request.method in _WRITES:
            raise Rejected(403, READ_ONLY)
        return None

    def _access(self):
        """What the key in ``Authorization: GenieKey <key>`` (scheme in any case) may do: full, read or None."""
        scheme, _sep, key = request.headers.get("Authorization", "").strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "geniekey" or not key:
            return None
        if _same(key, self.api_key):
            return "full"
        if self.read_only_api_key and _same(key, self.read_only_api_key):
            return "read"
        return None

    @staticmethod
    def after_request(response):
        response.headers.setdefault("X-RateLimit-State", "OK")
        return response

    @staticmethod
    def http_error(exc):
        response = opsgenie_error(exc.code)
        if exc.code == 405:
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods or ()))
        return response

    @staticmethod
    def rejected(exc):
        return opsgenie_error(exc.status, message=exc.message, errors=exc.errors)

    # -- deployments ----------------------------------------------------------------

    def create(self):
        errors = {}
        body = _body(errors)
        fields = {}
        if not errors:
            fields, errors = check_create(body)
        if errors:
            raise _unprocessable(errors)
        with self.state.lock:
            request_id = self.state.accept(CREATE, fields)
        return _answer({"result": ACCEPTED}, 202, request_id)

    def _update(self, identifier, action, check):
        errors = {}
        identifier_type = _identifier_type(errors)
        body = _body(errors)
        fields = {}
        if "body" not in errors:
            fields, problems = check(body)
            errors.update(problems)
        if errors:
            raise _unprocessable(errors)
        # Whether the deployment exists is only known when the request is processed.
        with self.state.lock:
            request_id = self.state.accept(action, fields, identifier, identifier_type)
        return _answer({"result": ACCEPTED}, 202, request_id)

    def update_state(self, identifier):
        return self._update(identifier, UPDATE_STATE, check_update_state)

    def update(self, identifier):
        return self._update(identifier, UPDATE, check_update)

    def get_deployment(self, identifier):
        errors = {}
        identifier_type = _identifier_type(errors)
        if errors:
            raise _unprocessable(errors)
        with self.state.lock:
            deployment = self.state.find(identifier, identifier_type)
            if deployment is None:
                raise Rejected(404, DEPLOYMENT_NOT_FOUND % identifier)
            shown = render_deployment(deployment, self.state.read_omits, self.state.workspace_shown_as)
            return _answer({"data": shown})

    def request_status(self, request_id):
        with self.state.lock:
            record = self.state.requests.get(request_id)
            # Not processed yet and unknown look the same, as on the server.
            if record is None or record["outcome"] is None:
                raise Rejected(404, REQUEST_NOT_FOUND)
            # The answer's requestId is this status request's own, as in every answer.
            return _answer({"data": render_outcome(record["outcome"])})

    def search(self):
        errors = {}
        service_ids = set(_list_parameter("serviceIds"))
        if not service_ids:
            errors["serviceIds"] = NOT_EMPTY
        environment_ids = set(_list_parameter("environmentIds"))
        start = _time_parameter("startTime", errors)
        end = _time_parameter("endTime", errors)
        offset = _integer_parameter("paginationKey", 0, 0, None, "must be an integer, 0 or more", errors)
        limit = _integer_parameter("limit", DEFAULT_LIMIT, 1, MAX_LIMIT, "must be an integer from 1 to %d" % MAX_LIMIT, errors)
        if errors:
            raise _unprocessable(errors)
        with self.state.lock:
            found = [
                deployment
                for deployment in self.state.deployments.values()
                if self.state.services_of(deployment) & service_ids
                and (not environment_ids or deployment["environment"]["id"] in environment_ids)
                and (start is None or deployment["startedAt"] >= start)
                and (end is None or deployment["startedAt"] <= end)
            ]
            # Newest first; the id breaks ties so that pages never overlap.
            found.sort(key=lambda deployment: deployment["id"])
            found.sort(key=lambda deployment: deployment["startedAt"], reverse=True)
            # search_page_cap: a server that silently serves fewer than the limit asked for.
            page = found[offset:][: min(limit, self.state.search_page_cap or limit)]
            return _answer({"data": [render_summary(deployment) for deployment in page]})

    # -- control API ---------------------------------------------------------------------

    def control(self, control_request, rest):
        """/__sandbox__/opsgenie/settings, deployments, workspaces, requests and process."""
        name = rest.strip("/")
        method = control_request.method
        reading = method in ("GET", "HEAD")
        with self.state.lock:
            if name == "settings":
                if reading:
                    return _json(self.state.settings())
                if method == "PUT":
                    return self._control_settings(control_request)
                return method_not_allowed("GET", "PUT")
            if name == "deployments":
                if reading:
                    return _json([render_deployment(deployment) for deployment in self.state.deployments.values()])
                if method == "POST":
                    return self._control_deployments(control_request)
                return method_not_allowed("GET", "POST")
            if name == "workspaces":
                if reading:
                    return _json([_control_workspace_json(workspace) for workspace in self.state.workspaces])
                if method == "POST":
                    return self._control_workspaces(control_request)
                return method_not_allowed("GET", "POST")
            if name == "requests":
                if reading:
                    return _json([_control_request_json(record) for record in self.state.requests.values()])
                return method_not_allowed("GET")
            if name == "process":
                if method == "POST":
                    return _json({"processed": self.state.process_due(force=True)})
                return method_not_allowed("POST")
        return _json(
            {
                "error": "no such control endpoint: %s (use /__sandbox__/opsgenie/settings, deployments, workspaces, requests or process)"
                % control_request.path
            },
            404,
        )

    def _control_settings(self, control_request):
        data, problem = _control_body(control_request)
        if problem is None and not isinstance(data, dict):
            problem = "expected a JSON object with any of: %s" % ", ".join(SETTINGS)
        if problem is None:
            problem = _settings_problem(data)
        if problem is not None:
            return _json({"error": problem}, 400)
        if "processing_delay" in data:
            self.state.processing_delay = data["processing_delay"]
        if "rate_limit" in data:
            self.state.set_rate_limit(data["rate_limit"])
        for key in ("unique_external_ids", "read_omits", "workspace_shown_as", "search_page_cap"):
            if key in data:
                setattr(self.state, key, list(data[key]) if key == "read_omits" else data[key])
        return _json(self.state.settings())

    def _control_deployments(self, control_request):
        data, problem = _control_body(control_request)
        items = data if isinstance(data, list) else [data]
        if problem is None and (not items or not all(isinstance(item, dict) for item in items)):
            problem = "expected a deployment object or a non-empty list of them"
        if problem is not None:
            return _json({"error": problem}, 400)
        prepared = []
        ids = set(self.state.deployments)
        external_ids = {deployment["externalId"] for deployment in self.state.deployments.values()}
        for position, item in enumerate(items, start=1):
            entry, problem = self._control_deployment(item, ids, external_ids)
            if problem is not None:
                return _json({"error": "deployment %d: %s" % (position, problem)}, 400)
            prepared.append(entry)
        stored = [
            self.state.add_deployment(fields, releases, kind, deployment_id) for fields, releases, kind, deployment_id in prepared
        ]
        return _json([render_deployment(deployment) for deployment in stored], 201)

    def _control_deployment(self, item, ids, external_ids):
        """A deployment of the control endpoint checked like a create, and at once like its processing."""
        fields, errors = check_create(item)
        kind = item.get("type", "api")
        if kind not in ("api", "pipelines"):
            errors["type"] = "must be api or pipelines"
        deployment_id = item.get("id")
        if deployment_id is not None:
            deployment_id = _required_text(item, "id", "id", errors)
        for key in ("commitMessage", "deployableName"):
            fields[key] = _optional_text(item, key, key, errors)
        if errors:
            return None, "; ".join("%s: %s" % problem for problem in errors.items())
        releases = []
        for release in fields["releases"]:
            resolved, failure = self.state.resolve_release(release)
            if failure:
                return None, failure
            releases.append(resolved)
        deployment_id = deployment_id or str(uuid.uuid4())
        if deployment_id in ids:
            return None, "another deployment has the id %s" % deployment_id
        if not fields["externalId"]:
            fields["externalId"] = deployment_id if kind == "api" else "{%s}" % uuid.uuid4()
        if self.state.unique_external_ids and fields["externalId"] in external_ids:
            return None, EXTERNAL_ID_EXISTS % fields["externalId"]
        ids.add(deployment_id)
        external_ids.add(fields["externalId"])
        return (fields, releases, kind, deployment_id), None

    def _control_workspaces(self, control_request):
        data, problem = _control_body(control_request)
        items = data if isinstance(data, list) else [data]
        if problem is None and (not items or not all(isinstance(item, dict) for item in items)):
            problem = "expected a workspace object or a non-empty list of them"
        if problem is not None:
            return _json({"error": problem}, 400)
        names = {workspace["name"].lower() for workspace in self.state.workspaces}
        uuids = {bare_uuid(workspace["uuid"]) for workspace in self.state.workspaces}
        prepared = []
        for position, item in enumerate(items, start=1):
            problem = _workspace_problem(item, names, uuids)
            if problem is not None:
                return _json({"error": "workspace %d: %s" % (position, problem)}, 400)
            workspace_uuid = item.get("uuid") or "{%s}" % uuid.uuid4()
            names.add(item["name"].lower())
            uuids.add(bare_uuid(workspace_uuid))
            repositories = [
                (repository["slug"], repository.get("uuid") or "{%s}" % uuid.uuid4(), repository.get("services", []))
                for repository in item["repositories"]
            ]
            prepared.append((item["name"], workspace_uuid, repositories))
        stored = [self.state.add_workspace(*workspace) for workspace in prepared]
        return _json([_control_workspace_json(workspace) for workspace in stored], 201)


def _workspace_problem(item, names, uuids):
    """Why a workspace of the control endpoint cannot be stored, or None."""
    unknown = sorted(set(item) - {"name", "uuid", "repositories"})
    if unknown:
        return "unknown keys: %s (allowed: name, uuid, repositories)" % ", ".join(unknown)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        return "'name' must be a non-empty string"
    if name.lower() in names:
        return "a workspace named '%s' is already connected" % name
    workspace_uuid = item.get("uuid")
    if workspace_uuid is not None and (not isinstance(workspace_uuid, str) or not workspace_uuid.strip()):
        return "'uuid' must be a non-empty string"
    if workspace_uuid is not None and bare_uuid(workspace_uuid) in uuids:
        return "another workspace has the uuid %s" % workspace_uuid
    repositories = item.get("repositories")
    if not isinstance(repositories, list) or not repositories:
        return "'repositories' must be a non-empty list"
    slugs = set()
    for number, repository in enumerate(repositories, start=1):
        if not isinstance(repository, dict) or set(repository) - {"slug", "uuid", "services"}:
            return 'repository %d: expected {"slug", "uuid"?, "services"?}' % number
        slug = repository.get("slug")
        if not isinstance(slug, str) or not slug.strip():
            return "repository %d: 'slug' must be a non-empty string" % number
        if slug.lower() in slugs:
            return "repository %d: the slug %s is listed twice" % (number, slug)
        slugs.add(slug.lower())
        if repository.get("uuid") is not None and not isinstance(repository["uuid"], str):
            return "repository %d: 'uuid' must be a string" % number
        services = repository.get("services", [])
        if not isinstance(services, list) or not all(isinstance(service, str) and service for service in services):
            return "repository %d: 'services' must be a list of service ids" % number
    return None


def _control_workspace_json(workspace):
    repositories = sorted(workspace["repositories"].values(), key=lambda repository: repository["slug"].lower())
    return {
        "name": workspace["name"],
        "uuid": workspace["uuid"],
        "repositories": [
            {"slug": repository["slug"], "uuid": repository["uuid"], "services": list(repository["services"])}
            for repository in repositories
        ],
    }


def _control_body(control_request):
    try:
        return json.loads(control_request.get_data(as_text=True) or "null"), None
    except ValueError as exc:
        return None, "the body is not valid JSON: %s" % exc


SETTINGS = ("processing_delay", "rate_limit", "unique_external_ids", "read_omits", "workspace_shown_as", "search_page_cap")


def _settings_problem(data):
    unknown = sorted(set(data) - set(SETTINGS))
    if unknown:
        return "unknown keys: %s (allowed: %s)" % (", ".join(unknown), ", ".join(SETTINGS))
    if "unique_external_ids" in data and not isinstance(data["unique_external_ids"], bool):
        return "'unique_external_ids' must be true or false"
    omits = data.get("read_omits", [])
    if not isinstance(omits, list) or not all(isinstance(field, str) and field in OMITTABLE_FIELDS for field in omits):
        return "'read_omits' must be a list of: %s" % ", ".join(OMITTABLE_FIELDS)
    cap = data.get("search_page_cap")
    if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 1):
        return "'search_page_cap' must be null or a whole number, 1 or more"
    if "workspace_shown_as" in data and data["workspace_shown_as"] not in WORKSPACE_FORMS:
        return "'workspace_shown_as' must be one of: %s" % ", ".join(WORKSPACE_FORMS)
    if "processing_delay" in data and not (_is_number(data["processing_delay"]) and data["processing_delay"] >= 0):
        return "'processing_delay' must be a number of seconds, zero or more"
    limit = data.get("rate_limit")
    if limit is not None:
        usage = '\'rate_limit\' must be null or {"requests": <whole number, 1 or more>, "period": <seconds, more than 0>}'
        if not isinstance(limit, dict) or set(limit) != {"requests", "period"}:
            return usage
        count = limit["requests"]
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            return usage
        if not _is_number(limit["period"]) or limit["period"] <= 0:
            return usage
    return None


def _control_request_json(record):
    data = {
        "requestId": record["requestId"],
        "action": record["action"],
        "acceptedAt": render_time(record["acceptedAt"]),
        "processed": record["outcome"] is not None,
    }
    if record["outcome"] is not None:
        data["outcome"] = render_outcome(record["outcome"])
    return data


def create_app(control, credentials):
    """The Flask app of the Opsgenie service, behind the control layer."""
    state = OpsgenieState()
    api = OpsgenieApi(state, credentials["opsgenie_api_key"], credentials.get("opsgenie_read_only_api_key"))
    app = Flask(__name__, static_folder=None)
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.before_request(api.before_request)
    app.after_request(api.after_request)
    app.register_error_handler(HTTPException, api.http_error)
    app.register_error_handler(Rejected, api.rejected)

    def route(rule, view, methods):
        app.add_url_rule(rule, endpoint=view.__name__, view_func=view, methods=methods)

    route(BASE, api.create, ["POST"])
    # Static segments rank above <identifier>: search and requests are never taken for an identifier.
    route(BASE + "/search", api.search, ["GET"])
    route(BASE + "/requests/<request_id>", api.request_status, ["GET"])
    # A path converter: external ids may hold slashes once the path is decoded.
    route(BASE + "/<path:identifier>", api.get_deployment, ["GET"])
    route(BASE + "/<path:identifier>/updateState", api.update_state, ["PATCH"])
    route(BASE + "/<path:identifier>/update", api.update, ["PATCH"])
    control.install(app, reset=state.reset, error_response=opsgenie_error, endpoints={"opsgenie": api.control}, state=state)
    app.wsgi_app = ProcessDue(state, app.wsgi_app)
    return app
