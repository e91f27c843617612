# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Octopus Deploy REST API: root and space documents, spaces, machines and what they refer to."""

import hmac
import json
from http import HTTPStatus

from flask import Flask, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import octopus_collections as collections
from .octopus_machines import (
    Rejected,
    connection_status,
    endpoint_style_changes,
    health_check,
    health_state,
    parse_machine,
    pin_health,
    render,
    unpin_health,
)
from .octopus_state import SEED_TIME, USER_ID, USERNAME, OctopusState, SettingsError

VERSION = "2025.2.0"
API_VERSION = "3.0.0"
INSTALLATION_ID = "5c3b0e0a-5d7e-4a4f-9a63-2f7d8c1e4b90"
API_KEY_HEADER = "X-Octopus-ApiKey"
UNAUTHORIZED = "Either your API key is invalid, or your account has been disabled. Please contact your Octopus administrator."
FORBIDDEN = "You do not have permission to perform this action. Please see your Octopus administrator."
OTHER_SPACE = "Resource is not found or it doesn't exist in the current space context."
INVALID = "There was a problem with your request."
# A PUT whose endpoint has another CommunicationStyle than the stored one.
ENDPOINT_TYPE_CHANGE = "Model Endpoint type does not match incoming type"
NO_DEFAULT_SPACE = (
    "This server has no default space, so this route, which means the default space, cannot be used. "
    "Use the route of a space, /api/{spaceId}/..."
)
# Collections a test can add to; the others only hold the seed.
CREATABLE = ("environments", "machinepolicies", "tenants", "tagsets")
_LABELS = {
    "environments": ("environment", "An environment"),
    "machinepolicies": ("machine policy", "A machine policy"),
    "tenants": ("tenant", "A tenant"),
    "tagsets": ("tag set", "A tag set"),
}
# Route prefixes of space-scoped paths: the older /api/{spaceId}, the current
# /api/spaces/{spaceId}, and the legacy one that means the default space.
_PREFIXES = (("/api/<space_id>", "space"), ("/api/spaces/<space_id>", "spaces"), ("/api", "default"))


def _reason(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP %d" % status


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type="application/json")


def octopus_error(status, request=None, message=None, errors=(), full_exception=None):
    """Octopus's error body: ErrorMessage and Errors, plus FullException on a 500."""
    if message is None:
        if status == 401:
            message = UNAUTHORIZED
        elif status == 403:
            message = FORBIDDEN
        elif status == 404:
            # Two dots: the server's own text when it does not say what is missing.
            message = "The resource '%s' was not found." % request.path if request is not None else "The resource was not found.."
        else:
            message = _reason(status)
    body = {"ErrorMessage": message, "Errors": list(errors)}
    if status == 500:
        body["FullException"] = full_exception or message
    return _json(body, status)


def _not_found(resource_id):
    return Rejected(404, "The resource '%s' was not found." % resource_id)


class _MethodOverride:
    """POST with X-HTTP-Method-Override: PUT or DELETE, as the .NET clients send updates and deletes."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        override = environ.get("HTTP_X_HTTP_METHOD_OVERRIDE", "").strip().upper()
        if environ.get("REQUEST_METHOD") == "POST" and override in ("PUT", "DELETE"):
            environ["REQUEST_METHOD"] = override
        return self.app(environ, start_response)


class OctopusApi:
    """Views of the Octopus API."""

    def __init__(self, state, api_key, viewer_api_key=None, access_token=None):
        self.state = state
        self.api_key = api_key
        self.viewer_api_key = viewer_api_key
        self.access_token = access_token

    # -- checks and errors ---------------------------------------------------

    def before_request(self):
        if request.path != "/api" and not request.path.startswith("/api/"):
            return None
        presented = request.headers.get(API_KEY_HEADER) or ""
        if not presented:
            presented = next((value for key, value in request.args.items() if key.lower() == "apikey"), "")
        if not presented:
            # An access token from an OIDC exchange, as go-octopusdeploy sends one: "Bearer <token>".
            scheme, dummy, token = (request.headers.get("Authorization") or "").partition(" ")
            if scheme.lower() == "bearer" and token.strip() and self.access_token:
                if hmac.compare_digest(token.strip().encode("utf-8"), self.access_token.encode("utf-8")):
                    return None
            return octopus_error(401)
        # Never echo what was presented: it may be a real key sent here by mistake.
        if hmac.compare_digest(presented.encode("utf-8"), self.api_key.encode("utf-8")):
            return None
        if self.viewer_api_key and hmac.compare_digest(presented.encode("utf-8"), self.viewer_api_key.encode("utf-8")):
            method = request.headers.get("X-HTTP-Method-Override", request.method).upper()
            return None if method in ("GET", "HEAD") else octopus_error(403)
        return octopus_error(401)

    def http_error(self, exc):
        if exc.code == 404:
            return octopus_error(404, request)
        if exc.code == 405:
            response = octopus_error(405, message="The HTTP method %s is not supported by %s." % (request.method, request.path))
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods or ()))
            return response
        if exc.code >= 500:
            return octopus_error(
                exc.code, full_exception=getattr(exc, "original_exception", None) and repr(exc.original_exception)
            )
        return octopus_error(exc.code)

    @staticmethod
    def rejected(exc):
        return octopus_error(exc.status, message=exc.message, errors=exc.errors, full_exception=exc.full_exception)

    # -- helpers -----------------------------------------------------------------

    def _space(self, space_id):
        """The space of a request; the default one for the legacy routes."""
        if space_id is None:
            space = self.state.default_space()
            if space is None:
                raise Rejected(404, NO_DEFAULT_SPACE)
            return space
        space = self.state.space(space_id)
        if space is None:
            raise _not_found(space_id)
        return space

    def _one(self, collection, space, resource_id):
        resource = self.state.find(collection, resource_id)
        if resource is None:
            raise _not_found(resource_id)
        if resource["SpaceId"] != space["Id"]:
            raise Rejected(404, OTHER_SPACE)
        return resource

    @staticmethod
    def _body():
        raw = request.get_data(as_text=True)
        if not raw.strip():
            raise Rejected(400, "Model validation failed.", ["No request body was supplied."])
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise Rejected(400, "Model validation failed.", ["The request body is not valid JSON: %s" % exc]) from None
        if body is None:
            raise Rejected(400, "Model validation failed.", ["No request body was supplied."])
        if not isinstance(body, dict):
            raise Rejected(400, "Model validation failed.", ["The request body must be a JSON object."])
        return body

    # -- root, spaces and the current user -------------------------------------

    def root(self):
        links = {
            "Self": "/api",
            "SpaceHome": "/api/{spaceId}",
            "Spaces": "/api/spaces{/id}" + collections.SPACES.query,
            "CurrentUser": "/api/users/me",
        }
        with self.state.lock:
            default = self.state.default_space()
        # The space-scoped links point into the default space; without one, the root has none.
        if default is not None:
            links.update(collections.space_links(default["Id"]))
        return _json(
            {
                "Application": "Octopus Deploy",
                "Version": VERSION,
                "ApiVersion": API_VERSION,
                "InstallationId": INSTALLATION_ID,
                "Links": links,
            }
        )

    def space_root(self, space_id):
        with self.state.lock:
            space = self._space(space_id)
            links = {"Self": "/api/%s" % space["Id"]}
            links.update(collections.space_links(space["Id"]))
            return _json({"Id": space["Id"], "Name": space["Name"], "Links": links})

    def _sorted_spaces(self):
        return sorted(self.state.spaces.values(), key=lambda space: space["Name"].lower())

    def list_spaces(self):
        query = collections.Query(request.args)
        with self.state.lock:
            spaces = collections.common_filter(self._sorted_spaces(), query, collections.SPACES.name_match)
            meta = collections.SPACES
            return _json(collections.page(spaces, query, "/api/spaces", meta.item_type, meta.default_take, meta.query))

    def all_spaces(self):
        query = collections.Query(request.args)
        with self.state.lock:
            return _json(collections.ids_filter(self._sorted_spaces(), query))

    def get_space(self, space_id):
        with self.state.lock:
            return _json(self._space(space_id))

    @staticmethod
    def _user():
        return {
            "Id": USER_ID,
            "Username": USERNAME,
            "DisplayName": "Sandbox",
            "IsActive": True,
            "IsService": False,
            "EmailAddress": "sandbox@example.com",
            "CanPasswordBeEdited": True,
            "IsRequestor": True,
            "Identities": [],
            "LastModifiedOn": SEED_TIME,
            "LastModifiedBy": USERNAME,
            "Links": {"Self": "/api/users/%s" % USER_ID, "Spaces": "/api/users/%s/spaces" % USER_ID},
        }

    def current_user(self):
        return _json(self._user())

    def get_user(self, user_id):
        if user_id.lower() != USER_ID.lower():
            raise _not_found(user_id)
        return _json(self._user())

    def user_spaces(self, user_id):
        if user_id.lower() != USER_ID.lower():
            raise _not_found(user_id)
        with self.state.lock:
            return _json(self._sorted_spaces())

    # -- collections other than machines ----------------------------------------

    def _filtered(self, collection, space, query):
        items = sorted(self.state.in_space(collection, space["Id"]), key=collections.sort_key(collection))
        items = collections.common_filter(items, query, collections.COLLECTIONS[collection].name_match)
        if collection == "tenants":
            items = collections.tenant_filter(items, query, self.state.in_space("tagsets", space["Id"]))
        if collection == "accounts":
            items = collections.account_filter(items, query)
        return items

    def list_resources(self, collection, space_id=None):
        query = collections.Query(request.args)
        meta = collections.COLLECTIONS[collection]
        with self.state.lock:
            space = self._space(space_id)
            items = self._filtered(collection, space, query)
            base = "/api/%s/%s" % (space["Id"], collection)
            return _json(collections.page(items, query, base, meta.item_type, meta.default_take, meta.query))

    def all_resources(self, collection, space_id=None):
        query = collections.Query(request.args)
        with self.state.lock:
            space = self._space(space_id)
            items = sorted(self.state.in_space(collection, space["Id"]), key=collections.sort_key(collection))
            return _json(collections.ids_filter(items, query))

    def get_resource(self, collection, resource_id, space_id=None):
        with self.state.lock:
            return _json(self._one(collection, self._space(space_id), resource_id))

    def create_resource(self, collection, space_id=None):
        with self.state.lock:
            space = self._space(space_id)
            body = self._body()
            self._check_resource(collection, space, body)
            body = dict(body, Name=body["Name"].strip())
            add = {
                "environments": self.state.add_environment,
                "machinepolicies": self.state.add_machine_policy,
                "tenants": self.state.add_tenant,
                "tagsets": self.state.add_tag_set,
            }[collection]
            return _json(add(space["Id"], body), 201)

    def _check_resource(self, collection, space, body):
        label, article = _LABELS[collection]
        name = body.get("Name")
        if name is not None and not isinstance(name, str):
            raise Rejected(400, INVALID, ["Error converting value %s to type 'System.String'. Path 'Name'." % json.dumps(name)])
        errors = []
        if not (name or "").strip():
            errors.append("Please provide a name for the %s." % label)
        elif self.state.named(collection, space["Id"], name.strip()) is not None:
            errors.append("%s with this name already exists. Please choose a different name." % article)
        for key in ("SortOrder",):
            if key in body and (not isinstance(body[key], int) or isinstance(body[key], bool)):
                errors.append("Error converting value %s to type 'System.Int32'. Path '%s'." % (json.dumps(body[key]), key))
        for key in ("UseGuidedFailure", "AllowDynamicInfrastructure", "IsDisabled"):
            if key in body and not isinstance(body[key], bool):
                errors.append("Error converting value %s to type 'System.Boolean'. Path '%s'." % (json.dumps(body[key]), key))
        if collection == "tenants":
            tags = body.get("TenantTags") or []
            known = self.state.tag_names(space["Id"])
            if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
                errors.append(
                    "Error converting value %s to type 'Octopus.Client.Model.ReferenceCollection'. Path 'TenantTags'."
                    % json.dumps(tags)
                )
            else:
                errors += ["The tenant tag '%s' was not found in this space." % tag for tag in tags if tag.lower() not in known]
        if collection == "tagsets":
            errors += _tag_errors(body.get("Tags"))
        if errors:
            raise Rejected(400, INVALID, errors)

    # -- machines ---------------------------------------------------------------------

    def _health_checked(self, space):
        """Every machine of the space as stored, by name, after one more health check each."""
        machines = self.state.in_space("machines", space["Id"])
        for machine in machines:
            health_check(self.state, machine)
        return sorted(machines, key=collections.sort_key("machines"))

    def _checked_machines(self, space):
        """Every machine of the space after one more health check, as a listing shows them."""
        return [render(self.state, machine) for machine in self._health_checked(space)]

    def list_machines(self, space_id=None):
        query = collections.Query(request.args)
        meta = collections.COLLECTIONS["machines"]
        with self.state.lock:
            space = self._space(space_id)
            # Bad paging or flags are refused before anything is read.
            query.number("skip", 0)
            query.number("take", meta.default_take)
            query.flag("isDisabled")
            base = "/api/%s/machines" % space["Id"]
            # Names and ids are stored as they are shown: filtered before the (costly) rendering.
            machines = collections.common_filter(self._health_checked(space), query, meta.name_match)
            if query.has("healthStatuses") or query.has("shellNames"):
                # These filters read what the health check found: every candidate is rendered first.
                machines = collections.machine_filter([render(self.state, machine) for machine in machines], query)
                return _json(collections.page(machines, query, base, meta.item_type, meta.default_take, meta.query))
            # Every other filter reads stored fields: only the page's machines need rendering.
            result = collections.page(collections.machine_filter(machines, query), query, base, meta.item_type,
                                      meta.default_take, meta.query)
            result["Items"] = [render(self.state, machine) for machine in result["Items"]]
            return _json(result)

    def all_machines(self, space_id=None):
        query = collections.Query(request.args)
        with self.state.lock:
            machines = collections.ids_filter(self._checked_machines(self._space(space_id)), query)
            thumbprint = query.value("thumbprint")
            if thumbprint:
                machines = [
                    machine for machine in machines if (machine["Endpoint"].get("Thumbprint") or "").lower() == thumbprint.lower()
                ]
            return _json(machines)

    def get_machine(self, machine_id, space_id=None):
        with self.state.lock:
            machine = self._one("machines", self._space(space_id), machine_id)
            health_check(self.state, machine)
            return _json(render(self.state, machine))

    def create_machine(self, space_id=None):
        with self.state.lock:
            space = self._space(space_id)
            machine = self.state.save("machines", parse_machine(self.state, space["Id"], self._body()))
            return _json(render(self.state, machine), 201)

    def update_machine(self, machine_id, space_id=None):
        with self.state.lock:
            space = self._space(space_id)
            existing = self._one("machines", space, machine_id)
            body = self._body()
            if endpoint_style_changes(existing, body):
                # The server maps the body onto the stored endpoint's own type and refuses another one.
                raise Rejected(400, INVALID, [ENDPOINT_TYPE_CHANGE])
            machine = self.state.save("machines", parse_machine(self.state, space["Id"], body, existing))
            return _json(render(self.state, machine))

    def delete_machine(self, machine_id, space_id=None):
        with self.state.lock:
            machine = self._one("machines", self._space(space_id), machine_id)
            self.state.delete("machines", machine["Id"])
        # 200 with an empty body, as the server's Ok().
        response = Response(b"", status=200)
        del response.headers["Content-Type"]
        return response

    def machine_connection(self, machine_id, space_id=None):
        with self.state.lock:
            machine = self._one("machines", self._space(space_id), machine_id)
            return _json(connection_status(self.state, machine))

    # -- control API: the server's settings ------------------------------------------

    def control_settings(self, control_request, rest):
        """GET or PUT /__sandbox__/settings: PUT sets them, clears the state and seeds it again."""
        if control_request.method in ("GET", "HEAD"):
            with self.state.lock:
                return _json(dict(self.state.settings))
        if control_request.method in ("PUT", "POST"):
            try:
                data = json.loads(control_request.get_data(as_text=True) or "{}")
                self.state.reset(data)
            except (ValueError, SettingsError) as exc:
                return _json({"error": str(exc)}, 400)
            with self.state.lock:
                return _json(dict(self.state.settings))
        response = _json({"error": "method not allowed, use GET or PUT"}, 405)
        response.headers["Allow"] = "GET, PUT"
        return response

    # -- control API: the health a machine shows ------------------------------------

    def control_health(self, control_request, rest):
        """GET, PUT or DELETE /__sandbox__/health/<machine id>."""
        with self.state.lock:
            machine = self.state.find("machines", rest.strip("/"))
            if machine is None:
                return _json({"error": "no machine with the id '%s' in any space" % rest}, 404)
            if control_request.method in ("GET", "HEAD"):
                return _json(health_state(self.state, machine))
            if control_request.method == "DELETE":
                unpin_health(self.state, machine)
                return Response(status=204)
            if control_request.method in ("PUT", "POST"):
                try:
                    data = json.loads(control_request.get_data(as_text=True) or "null")
                except ValueError as exc:
                    return _json({"error": "the body is not valid JSON: %s" % exc}, 400)
                problem = pin_health(self.state, machine, data)
                if problem:
                    return _json({"error": problem}, 400)
                return _json(health_state(self.state, machine))
        response = _json({"error": "method not allowed, use GET, PUT or DELETE"}, 405)
        response.headers["Allow"] = "GET, PUT, DELETE"
        return response


def _tag_errors(tags):
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(tag, dict) for tag in tags):
        return [
            "Error converting value %s to type 'System.Collections.Generic.List`1[Octopus.Client.Model.TagResource]'. Path 'Tags'."
            % json.dumps(tags)
        ]
    errors, seen = [], set()
    for position, tag in enumerate(tags, start=1):
        name = tag.get("Name")
        if not isinstance(name, str) or not name.strip():
            errors.append("Please provide a name for tag %d." % position)
        elif name.strip().lower() in seen:
            errors.append("The tag set already has a tag named '%s'." % name.strip())
        else:
            seen.add(name.strip().lower())
    return errors


def create_app(control, credentials):
    """The Flask app of the Octopus Deploy service, behind the control layer."""
    # Settings given at start-up (python -m tests.sandbox --octopus-no-default-space), set on the control object.
    state = OctopusState(getattr(control, "settings", None))
    api = OctopusApi(state, credentials["octopus_api_key"], credentials.get("octopus_viewer_api_key"),
                     credentials.get("octopus_access_token"))
    app = Flask(__name__, static_folder=None)
    # Keep paths as sent, and take them with or without a final slash.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.before_request(api.before_request)
    app.register_error_handler(HTTPException, api.http_error)
    app.register_error_handler(Rejected, api.rejected)

    def route(rule, endpoint, view, methods, **defaults):
        app.add_url_rule(rule, endpoint=endpoint, view_func=view, methods=methods, defaults=defaults or None)

    route("/api", "root", api.root, ["GET"])
    route("/api/spaces", "list_spaces", api.list_spaces, ["GET"])
    route("/api/spaces/all", "all_spaces", api.all_spaces, ["GET"])
    route("/api/spaces/<space_id>", "get_space", api.get_space, ["GET"])
    route("/api/users/me", "current_user", api.current_user, ["GET"])
    route("/api/users/<user_id>", "get_user", api.get_user, ["GET"])
    route("/api/users/<user_id>/spaces", "user_spaces", api.user_spaces, ["GET"])
    route("/api/<space_id>", "space_root", api.space_root, ["GET"])

    # Static collection names in every rule: they rank above /api/<space_id>.
    for prefix, kind in _PREFIXES:
        for collection in collections.COLLECTIONS:
            if collection == "machines":
                continue
            base = "%s/%s" % (prefix, collection)
            methods = ["GET", "POST"] if collection in CREATABLE else ["GET"]
            route(base, "%s_%s_list" % (kind, collection), _list_or_create(api, collection), methods)
            route(base + "/all", "%s_%s_all" % (kind, collection), api.all_resources, ["GET"], collection=collection)
            route(base + "/<resource_id>", "%s_%s_get" % (kind, collection), api.get_resource, ["GET"], collection=collection)
        base = prefix + "/machines"
        route(base, "%s_machines_list" % kind, api.list_machines, ["GET"])
        route(base, "%s_machines_create" % kind, api.create_machine, ["POST"])
        route(base + "/all", "%s_machines_all" % kind, api.all_machines, ["GET"])
        route(base + "/<machine_id>", "%s_machines_get" % kind, api.get_machine, ["GET"])
        route(base + "/<machine_id>", "%s_machines_update" % kind, api.update_machine, ["PUT"])
        route(base + "/<machine_id>", "%s_machines_delete" % kind, api.delete_machine, ["DELETE"])
        route(base + "/<machine_id>/connection", "%s_machines_connection" % kind, api.machine_connection, ["GET"])

    app.wsgi_app = _MethodOverride(app.wsgi_app)
    endpoints = {"health": api.control_health, "settings": api.control_settings}
    return control.install(app, reset=state.reset, error_response=octopus_error, endpoints=endpoints, state=state)


def _list_or_create(api, collection):
    def view(space_id=None):
        if request.method == "POST":
            return api.create_resource(collection, space_id)
        return api.list_resources(collection, space_id)

    view.__name__ = "%s_list_or_create" % collection
    return view
