# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck API client: URL layout, token header, Rundeck's error bodies."""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible_collections.opsforge.delivery.plugins.module_utils._client import ServiceClient
from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, HttpClient, excerpt
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError, connection_spec, env_option

SERVICE = "Rundeck"
DEFAULT_API_VERSION = 49
#: The oldest API version that has every endpoint this collection uses (ACLs arrived in 14).
MIN_API_VERSION = 14
ACL_SUFFIX = ".aclpolicy"
NOT_FOUND_CODE = "api.error.item.doesnotexist"
#: What Rundeck answers, before any endpoint runs, for a request that names a missing project.
PROJECT_MISSING_CODE = "api.error.project.missing"
#: What Rundeck answers, before anything else, for an API version it does not serve.
VERSION_UNSUPPORTED_CODE = "api.error.api-version.unsupported"
#: The reason Rundeck gives in that answer: its own current API version.
_CURRENT_VERSION_RE = re.compile(r"Current version: (\d+)")
#: Rundeck names a refused token by its first characters; a message must carry no part of it.
_TOKEN_NAMED_RE = re.compile(r"\(Token:[^)\s]*\)")
TOKEN_MASKED = "(Token:****)"

RUNDECK_SPEC = connection_spec(dict(
    url=env_option(["RUNDECK_URL"], type="str", needed=True),
    api_token=env_option(["RUNDECK_API_TOKEN"], type="str", needed=True, no_log=True),
    # No default here: an unset version may follow the server down to its own (RundeckHttp).
    api_version=dict(type="int"),
))


#: ACL entries whose values are sets: order and repetition carry no meaning, and a single value
#: means the same as a list of that value.
ACL_SET_KEYS = frozenset(["allow", "deny", "group", "username", "urn"])


def canonical_acl_documents(documents):
    """ACL policy documents in canonical form (see ACL_SET_KEYS)."""
    return [_canonical_acl_node(doc) for doc in documents]


def _canonical_acl_node(node, key=None):
    if isinstance(node, dict):
        return dict((k, _canonical_acl_node(v, k)) for k, v in node.items())
    if key in ACL_SET_KEYS and isinstance(node, (str, int, float, bool, list)):
        values = node if isinstance(node, list) else [node]
        if all(isinstance(v, (str, int, float, bool)) for v in values):
            return sorted(set(str(v) for v in values))
    if isinstance(node, list):
        return [_canonical_acl_node(item) for item in node]
    return node


def acl_file_name(name):
    """The policy file name Rundeck stores: ``name`` with the ``.aclpolicy`` suffix exactly once."""
    return name if name.endswith(ACL_SUFFIX) else name + ACL_SUFFIX


def invalid_acl_name(name):
    """Why Rundeck would refuse this policy name, or None."""
    base = name[:-len(ACL_SUFFIX)] if name.endswith(ACL_SUFFIX) else name
    if not base:
        return "the ACL policy name must not be empty"
    if "/" in name:
        return "the ACL policy name must not contain '/'"
    return None


def project_missing(error):
    """Whether an ApiError is Rundeck's answer for a request naming a project that does not exist."""
    return error.status == 404 and PROJECT_MISSING_CODE in (error.message or "")


def missing_project_warning(project):
    """What check mode says when it predicts for a project that does not exist yet."""
    return ("Rundeck has no project %s yet; check mode predicts what a run would do once it exists (created by "
            "an earlier task, for example); a run while it is still missing fails" % project)


def server_current_version(error):
    """The current API version a refusal of the requested version names, or None."""
    if error.status != 400 or VERSION_UNSUPPORTED_CODE not in (error.message or ""):
        return None
    found = _CURRENT_VERSION_RE.search(error.message)
    return int(found.group(1)) if found else None


class RundeckHttp(HttpClient):
    """The transport at ``<url>/api/<version>/``; an unset ``api_version`` follows an older server.

    When the version was not set and Rundeck refuses the default one, naming its own current
    version N (Rundeck 5.0 to 5.5 serve up to 46, 47 or 48), the request is sent once more at N,
    and N is kept for the rest of the task. A version the user set is never changed.
    """

    def __init__(self, service, server_url, api_version, adaptable, minimum, **kwargs):
        self.server_url = server_url
        self.api_version = api_version
        self.adaptable = adaptable
        self.minimum = minimum
        HttpClient.__init__(self, service, self._base(api_version), **kwargs)

    def _base(self, version):
        return "%s/api/%d" % (self.server_url, version)

    def request(self, method, path, action, **kwargs):
        try:
            return HttpClient.request(self, method, path, action, **kwargs)
        except ApiError as exc:
            version = server_current_version(exc) if self.adaptable else None
            if version is None or version >= self.api_version or version < self.minimum:
                raise
        # The refusal came before the server read anything: nothing was changed by it.
        self.adaptable = False
        self.api_version = version
        self.base_url = self._base(version)
        return HttpClient.request(self, method, path, action, **kwargs)


class RundeckService(ServiceClient):
    """One Rundeck server, at ``<url>/api/<api_version>/`` (RundeckHttp adds the API path).

    ``minimum`` is the oldest API version the subclass's endpoints need.
    """

    service = SERVICE
    # An answer without a message still has an errorCode, and a hint for its status.
    message_key = None
    http_class = RundeckHttp
    minimum = MIN_API_VERSION

    def __init__(self, params):
        requested = params.get("api_version")
        version = requested or DEFAULT_API_VERSION
        if version < self.minimum:
            raise InputError("api_version %s is too old: this collection needs Rundeck API version %d or later"
                             % (version, self.minimum))
        ServiceClient.__init__(self, params, api_version=version, adaptable=not requested, minimum=self.minimum)

    def headers(self, params):
        return {"X-Rundeck-Auth-Token": params["api_token"]}

    @property
    def api_version(self):
        """The version in use: the one set, else the default or the older one the server asked for."""
        return self.http.api_version

    @classmethod
    def describe_error(cls, response, body):
        """Rundeck's error body in its own words: ``message`` (with ``errorCode``), a storage ``error`` text, or
        the ACL validation list."""
        if body.get("valid") is False and isinstance(body.get("policies"), list):
            lines = ["%s: %s" % (item.get("policy"), "; ".join(item.get("errors") or [])) for item in body["policies"]]
            return "the ACL policy is not valid: " + " | ".join(lines), body["policies"]
        code = body.get("errorCode")
        # Key Storage answers some errors as {"error": "<message>"} alone.
        text = body.get("message") or (body["error"] if isinstance(body.get("error"), str) else None)
        message = _TOKEN_NAMED_RE.sub(TOKEN_MASKED, str(text or excerpt(response.text)))
        if code == VERSION_UNSUPPORTED_CODE:
            message += " (set api_version to a version this Rundeck server supports)"
        elif response.status_code in (401, 403):
            message += " (check that api_token is valid and allowed to do this)"
        return ("%s [%s]" % (message, code) if code else message), None


class RundeckClient(RundeckService):
    """The ACL policy endpoints of one Rundeck server, system-wide and per project."""
    @staticmethod
    def _acl_dir(project):
        return "project/%s/acl/" % quote(project, safe="") if project else "system/acl/"

    def _acl_path(self, name, project):
        return self._acl_dir(project) + quote(acl_file_name(name), safe="")

    @staticmethod
    def _acl_label(name, project):
        scope = "project %s" % project if project else "system"
        return "ACL policy '%s' (%s)" % (acl_file_name(name), scope)

    def list_acls(self, project=None):
        """The policy file names in a scope."""
        action = "list the ACL policies (%s)" % ("project %s" % project if project else "system")
        listing = self.read(self._acl_dir(project), action)
        return [item["name"] for item in listing.get("resources", []) if item.get("type") == "file"]

    def get_acl(self, name, project=None):
        """The policy text as stored, or None when there is no such policy.

        Rundeck answers 404 both for a missing policy and for a missing project; only the first
        means "absent". A 404 without Rundeck's error body comes from something else at that
        address (a wrong ``url``, a proxy) and is an error too.
        """
        action = "read %s" % self._acl_label(name, project)
        try:
            response = self.http.request("GET", self._acl_path(name, project), action)
        except ApiError as exc:
            if exc.status == 404 and NOT_FOUND_CODE in exc.message and not exc.message.startswith("Project "):
                return None
            raise
        return self.decode(response, action).get("contents")

    def create_acl(self, name, text, project=None):
        return self._write_acl("POST", (201,), "create", name, text, project)

    def update_acl(self, name, text, project=None):
        return self._write_acl("PUT", (200,), "update", name, text, project)

    def _write_acl(self, method, expected, verb, name, text, project):
        action = "%s %s" % (verb, self._acl_label(name, project))
        policy = self.write(method, self._acl_path(name, project), action, expected=expected, json={"contents": text})
        return policy.get("contents", text)

    def delete_acl(self, name, project=None):
        action = "delete %s" % self._acl_label(name, project)
        self.http.request("DELETE", self._acl_path(name, project), action, expected=(204,))
