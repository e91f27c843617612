# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Jira Cloud for an on-premises integration: the OAuth 2.0 token endpoint, a site's tenant info and
the Deployments API as the Atlassian API gateway serves it (/jira/deployments/0.1/cloud/{cloudId}/...).

Checks, in this order, for the API paths: the bearer token, the cloud id, the route, then the request.
Submissions and deletions answer 202 at once and are applied later (jira_state.py); a read shows
what is stored, never what is pending.
"""

import hmac
import json
from http import HTTPStatus
from urllib.parse import parse_qs

from flask import Flask, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .control import ProcessDue, method_not_allowed

from .jira_checks import INT64, ISSUE_ASSOCIATIONS, ISSUE_KEY, RequestRejected, check_deployment, check_request, deployment_key
from .jira_state import SCOPE, JiraState, key_of

API_PREFIX = "/jira/deployments/0.1/cloud/"
TOKEN_PATH = "/oauth/token"
AUDIENCE = "api.atlassian.com"
GRANT_TYPE = "client_credentials"
CONTENT_TYPE = "application/json"
ONLY_UNKNOWN = "The deployment is associated only with issues or services this site does not know, so it is not stored"
NOT_FOUND = "No deployment is stored for pipeline %s, environment %s and sequence number %s"


class Rejected(Exception):
    """An error answer, raised from anywhere in a view: its status and JSON body."""

    def __init__(self, status, body):
        super().__init__(str(body))
        self.status = status
        self.body = body


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type=CONTENT_TYPE)


def _reason(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP %d" % status


def gateway_error(status, message=None):
    """What the API gateway answers for a request it does not pass on (no token, no route)."""
    return Rejected(status, {"code": status, "message": message or _reason(status)})


def error_messages(status, *messages):
    """Jira's ErrorMessages body: a list of {"message"}."""
    return Rejected(status, [{"message": message} for message in messages])


def oauth_error(status, error, description):
    return Rejected(status, {"error": error, "error_description": description})


def error_response(status, request=None):
    """The service's own error body for a status (used by faults that give no body)."""
    path = request.path if request is not None else ""
    if path == TOKEN_PATH:
        error = oauth_error(status, "server_error" if status >= 500 else "invalid_request", _reason(status))
    elif status == 400 or (status == 404 and path.startswith(API_PREFIX)):
        error = error_messages(status, _reason(status))
    else:
        error = gateway_error(status)
    return _json(error.body, error.status)


def _same(left, right):
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))


def _form_or_json():
    """The token request's fields: the reference's clients send a form or JSON, both are read."""
    raw = request.get_data(as_text=True)
    if request.mimetype == "application/json":
        try:
            data = json.loads(raw or "null")
        except ValueError:
            raise oauth_error(400, "invalid_request", "The request body is not valid JSON")
        if not isinstance(data, dict):
            raise oauth_error(400, "invalid_request", "The request body must be a JSON object")
        return data
    return {key: values[0] for key, values in parse_qs(raw, keep_blank_values=True).items()}


class JiraApi:
    """Views of the token endpoint, the tenant info and the Deployments API, and the control endpoints."""

    def __init__(self, state):
        self.state = state

    # -- checks and errors -------------------------------------------------------

    def before_request(self):
        if not request.path.startswith(API_PREFIX):
            return None
        scheme, _sep, token = request.headers.get("Authorization", "").strip().partition(" ")
        with self.state.lock:
            valid = scheme.lower() == "bearer" and self.state.token_valid(token.strip())
        if not valid:
            raise gateway_error(401)
        cloud_id = request.path[len(API_PREFIX):].split("/", 1)[0]
        if cloud_id != self.state.cloud_id:
            raise gateway_error(404, "No site with cloud id %s" % cloud_id)
        return None

    @staticmethod
    def http_error(exc):
        if exc.code == 405:
            response = _json(gateway_error(405).body, 405)
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods or ()))
            return response
        return _json(gateway_error(exc.code).body, exc.code)

    @staticmethod
    def rejected(exc):
        return _json(exc.body, exc.status)

    # -- token and tenant info ----------------------------------------------------

    def token(self):
        fields = _form_or_json()
        if fields.get("grant_type") != GRANT_TYPE:
            raise oauth_error(400, "unsupported_grant_type", "The grant type must be %s" % GRANT_TYPE)
        if fields.get("audience") != AUDIENCE:
            raise oauth_error(403, "access_denied", "Service not found: %s" % (fields.get("audience") or ""))
        client_id, client_secret = str(fields.get("client_id") or ""), str(fields.get("client_secret") or "")
        if not (_same(client_id, self.state.client_id) and _same(client_secret, self.state.client_secret)):
            raise oauth_error(401, "access_denied", "Unauthorized")
        with self.state.lock:
            token, lifetime = self.state.issue_token()
        return _json({"access_token": token, "scope": SCOPE, "expires_in": lifetime, "token_type": "Bearer"})

    def tenant_info(self):
        return _json({"cloudId": self.state.cloud_id})

    # -- deployments ----------------------------------------------------------------

    def submit(self, cloud_id):
        try:
            body = json.loads(request.get_data(as_text=True) or "null")
        except ValueError:
            raise error_messages(400, "The request body is not valid JSON")
        try:
            deployments = check_request(body)
        except RequestRejected as exc:
            raise error_messages(400, *exc.messages)
        answer = {"acceptedDeployments": [], "rejectedDeployments": [], "unknownIssueKeys": [], "unknownAssociations": []}
        with self.state.lock:
            for deployment in deployments:
                problems = check_deployment(deployment)
                if problems:
                    answer["rejectedDeployments"].append(
                        {"key": deployment_key(deployment), "errors": [{"message": problem} for problem in problems]})
                    continue
                unknown = self.state.unknown_associations(deployment)
                _add_unknown(answer, unknown)
                stored = self.state.stored_form(deployment, unknown)
                if not self.state.has_associations(stored):
                    answer["rejectedDeployments"].append({"key": deployment_key(deployment), "errors": [{"message": ONLY_UNKNOWN}]})
                    continue
                self.state.accept_submission(stored)
                answer["acceptedDeployments"].append(deployment_key(deployment))
        return _json(answer, 202)

    def deployment(self, cloud_id, pipeline_id, environment_id, sequence_number):
        key = key_of(pipeline_id, environment_id, _sequence_number(sequence_number))
        with self.state.lock:
            if request.method == "DELETE":
                # Accepted whether or not anything is stored: Jira removes it later, if it exists.
                self.state.accept_deletion(key)
                return Response(status=202)
            stored = self.state.deployments.get(key)
            if stored is None:
                raise error_messages(404, NOT_FOUND % key)
            return _json(render(stored))

    # -- control API ---------------------------------------------------------------------

    def control(self, control_request, rest):
        """/__sandbox__/jira/settings, deployments, process and tokens."""
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
            if name == "deployments" and reading:
                return _json([render(deployment) for deployment in self.state.deployments.values()])
            if name == "process" and method == "POST":
                return _json({"processed": self.state.process_due(force=True)})
            if name == "tokens":
                if reading:
                    return _json({"tokens": sorted(self.state.tokens)})
                if method == "DELETE":
                    self.state.expire_tokens()
                    return Response(status=204)
                return method_not_allowed("GET", "DELETE")
        return _json({"error": "no such control endpoint: %s (use /__sandbox__/jira/settings, GET deployments, "
                               "POST process, or tokens)" % control_request.path}, 404)

    def _control_settings(self, control_request):
        try:
            data = json.loads(control_request.get_data(as_text=True) or "null")
        except ValueError as exc:
            return _json({"error": "the body is not valid JSON: %s" % exc}, 400)
        problem = _settings_problem(data)
        if problem:
            return _json({"error": problem}, 400)
        for key in ("processing_delay", "token_lifetime"):
            if key in data:
                setattr(self.state, key, data[key])
        if "issues" in data:
            self.state.set_issues(data["issues"])
        if "services" in data:
            self.state.services = list(data["services"])
        return _json(self.state.settings())


SETTINGS = ("processing_delay", "token_lifetime", "issues", "services")


def _settings_problem(data):
    if not isinstance(data, dict):
        return "expected a JSON object with any of: %s" % ", ".join(SETTINGS)
    unknown = sorted(set(data) - set(SETTINGS))
    if unknown:
        return "unknown keys: %s (allowed: %s)" % (", ".join(unknown), ", ".join(SETTINGS))
    delay = data.get("processing_delay", 0)
    if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
        return "'processing_delay' must be a number of seconds, zero or more"
    lifetime = data.get("token_lifetime", 0)
    if not isinstance(lifetime, int) or isinstance(lifetime, bool) or lifetime < 0:
        return "'token_lifetime' must be a whole number of seconds, zero or more"
    issues = data.get("issues", [])
    if not isinstance(issues, list) or not all(isinstance(key, str) and ISSUE_KEY.match(key) for key in issues):
        return "'issues' must be a list of issue keys such as WEB-1"
    services = data.get("services", [])
    if not isinstance(services, list) or not all(isinstance(service, str) and service for service in services):
        return "'services' must be a list of service ids or keys"
    return None


def _sequence_number(text):
    try:
        number = int(text)
    except ValueError:
        number = None
    if number is None or not INT64[0] <= number <= INT64[1]:
        raise error_messages(400, "deploymentSequenceNumber: %r is not a whole number (64 bits)" % text)
    return number


def _add_unknown(answer, unknown):
    """Name the unknown associations in the answer: issue keys in both lists, services in the second."""
    for kind, values in unknown.items():
        if kind in ISSUE_ASSOCIATIONS:
            answer["unknownIssueKeys"].extend(value for value in values if value not in answer["unknownIssueKeys"])
        entry = next((item for item in answer["unknownAssociations"] if item["associationType"] == kind), None)
        if entry is None:
            answer["unknownAssociations"].append({"associationType": kind, "values": list(values)})
        else:
            entry["values"].extend(value for value in values if value not in entry["values"])


def render(deployment):
    """A stored deployment as getDeploymentByKey shows it: what was submitted, less what a read does not
    show (triggeredBy), with the schema version the server fills in."""
    return {key: value for key, value in deployment.items() if key != "triggeredBy"}


def create_app(control, credentials):
    """The Flask app of the Jira service, behind the control layer."""
    state = JiraState(credentials["jira_client_id"], credentials["jira_client_secret"], credentials["jira_cloud_id"])
    api = JiraApi(state)
    app = Flask(__name__, static_folder=None)
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.before_request(api.before_request)
    app.register_error_handler(HTTPException, api.http_error)
    app.register_error_handler(Rejected, api.rejected)
    app.add_url_rule(TOKEN_PATH, endpoint="token", view_func=api.token, methods=["POST"])
    app.add_url_rule("/_edge/tenant_info", endpoint="tenant_info", view_func=api.tenant_info, methods=["GET"])
    app.add_url_rule(API_PREFIX + "<cloud_id>/bulk", endpoint="submit", view_func=api.submit, methods=["POST"])
    # Path converters: pipeline and environment ids are free text, a slash included once decoded.
    app.add_url_rule(
        API_PREFIX + "<cloud_id>/pipelines/<path:pipeline_id>/environments/<path:environment_id>/deployments/<sequence_number>",
        endpoint="deployment", view_func=api.deployment, methods=["GET", "DELETE"])
    control.install(app, reset=state.reset, error_response=error_response, endpoints={"jira": api.control}, state=state)
    app.wsgi_app = ProcessDue(state, app.wsgi_app)
    return app
