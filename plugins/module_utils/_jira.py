# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Jira Cloud Deployments API client for an on-premises integration: OAuth 2.0 client credentials,
the site's cloud id, the API gateway's paths, Jira's error bodies.

An on-premises integration gets a bearer token from ``<url>/oauth/token`` with the OAuth credentials
a site admin created, and calls ``<url>/jira/deployments/0.1/cloud/<cloudId>/...``. The cloud id can
be read from the site itself (``https://<site>/_edge/tenant_info``). Both are looked up once per
process and kept for its later requests: a module run, or a lookup's task.
"""

from __future__ import annotations

import hashlib
import time
from urllib.parse import quote, urlsplit, urlunsplit

from ansible_collections.opsforge.delivery.plugins.module_utils._client import ServiceClient
from ansible_collections.opsforge.delivery.plugins.module_utils._http import (
    ApiError,
    HttpClient,
    decode_json,
    describe_non_json,
    describe_outcome,
    excerpt,
    register_secret,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError, connection_spec, env_option, transport_options

SERVICE = "Jira"
DEFAULT_URL = "https://api.atlassian.com"
#: What a token for the Jira APIs is asked for (the token endpoint's ``audience``).
AUDIENCE = "api.atlassian.com"
TOKEN_PATH = "oauth/token"
TENANT_INFO_PATH = "_edge/tenant_info"
#: A token is renewed this many seconds before it expires, so that it never expires in flight.
TOKEN_MARGIN_SECONDS = 60

JIRA_SPEC = connection_spec(dict(
    url=env_option(["JIRA_URL"], type="str", default=DEFAULT_URL),
    # One of the two names of the site: its cloud id, or its address (resolved to the cloud id).
    cloud_id=env_option(["JIRA_CLOUD_ID"], type="str", credential=True),
    site=env_option(["JIRA_SITE"], type="str", credential=True),
    client_id=env_option(["JIRA_CLIENT_ID"], type="str", needed=True),
    client_secret=env_option(["JIRA_CLIENT_SECRET"], type="str", needed=True, no_log=True),
))

_STATUS_HINTS = {
    401: "the access token was refused; check that the OAuth credentials of client_id still exist",
    403: "the OAuth credentials of client_id need the Deployments permission (a site admin grants it)",
    404: "check cloud_id or site: Jira knows no site by it",
    429: "Jira's rate limit; retries are bounded by retries",
}
_TOKEN_HINTS = {
    400: "the token request was refused",
    401: "check client_id and client_secret: the OAuth credentials a site admin created for this integration",
    403: "check url: the token is asked for the audience %s" % AUDIENCE,
}
#: Tokens and cloud ids found by this process: ``{(token url, client id, digest of the secret): (token, expires)}``
#: and ``{site: cloud id}``. ``expires`` is on the monotonic clock, None when the answer gave no lifetime.
_TOKENS = {}
_CLOUD_IDS = {}


def site_address(site):
    """The site's base address: a bare host gets ``https://``, and only the scheme and host are kept
    (an address copied from the browser names a page of the site)."""
    text = site.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("site must be the address of a Jira Cloud site, such as https://example.atlassian.net")
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], "", "", ""))


def describe_jira_error(response, body, hints):
    """``(message, details)`` from any of the bodies Jira and its gateway send, with a hint for the status."""
    details = None
    if isinstance(body, list):
        messages = [str(item.get("message")) for item in body if isinstance(item, dict) and item.get("message")]
        traces = [item["errorTraceId"] for item in body if isinstance(item, dict) and item.get("errorTraceId")]
        message = "; ".join(messages) or excerpt(response.text)
        details = dict(error_trace_ids=traces) if traces else None
    elif isinstance(body, dict) and (body.get("error_description") or body.get("error")):
        message = ": ".join(str(body[key]) for key in ("error", "error_description") if body.get(key))
    elif isinstance(body, dict) and body.get("errorMessages"):
        message = "; ".join(str(item) for item in body["errorMessages"])
    elif isinstance(body, dict) and body.get("message"):
        message = str(body["message"])
    else:
        message = excerpt(response.text)
    hint = hints.get(response.status_code)
    if hint:
        message += " (%s)" % hint
    return message, details


def _parser(hints):
    def parse(response):
        try:
            body = response.json()
        except ValueError:
            return describe_non_json(response), None
        return describe_jira_error(response, body, hints)
    return parse


def resolve_cloud_id(params):
    """The cloud id of ``params``: ``cloud_id`` as given, or the one the site's tenant info names."""
    if params.get("cloud_id"):
        return params["cloud_id"].strip()
    site = site_address(params["site"])
    if site not in _CLOUD_IDS:
        http = HttpClient(SERVICE, site, error_parser=_parser({404: "check site: it is not a Jira Cloud site"}),
                          **transport_options(params))
        action = "read the cloud id of site %s" % site
        answer = decode_json(http.request("GET", TENANT_INFO_PATH, action), SERVICE, action)
        cloud_id = answer.get("cloudId") if isinstance(answer, dict) else None
        if not cloud_id:
            raise ApiError(SERVICE, action, "GET", http.url(TENANT_INFO_PATH), 200,
                           "the answer names no cloudId; set cloud_id instead of site", outcome="Nothing was changed.")
        _CLOUD_IDS[site] = str(cloud_id)
    return _CLOUD_IDS[site]


class JiraClient(ServiceClient):
    """The Deployments API of one site, with the bearer token of the integration's OAuth credentials."""

    service = SERVICE
    message_key = None

    def __init__(self, params):
        self.params = params
        self.base = (params.get("url") or DEFAULT_URL).rstrip("/")
        self.cloud_id = resolve_cloud_id(params)
        ServiceClient.__init__(self, params)
        self.token_http = HttpClient(SERVICE, self.base, error_parser=_parser(_TOKEN_HINTS), **transport_options(params))
        secret = params["client_secret"].encode("utf-8")
        self.token_key = (self.base + "/" + TOKEN_PATH, params["client_id"], hashlib.sha256(secret).hexdigest())

    def api_url(self, params):
        return "%s/jira/deployments/0.1/cloud/%s" % ((params.get("url") or DEFAULT_URL).rstrip("/"), quote(self.cloud_id, safe=""))

    @classmethod
    def parse_error(cls, response):
        return _parser(_STATUS_HINTS)(response)

    # -- the token ---------------------------------------------------------------------

    def _token(self):
        """The cached token, unless it expires within the margin; a new one otherwise."""
        cached = _TOKENS.get(self.token_key)
        if cached and (cached[1] is None or cached[1] - time.monotonic() > TOKEN_MARGIN_SECONDS):
            # Found by an earlier run in this process (a loop's earlier item, in Ansible's worker), whose
            # secrets are not this run's: this run scrubs it too.
            register_secret(cached[0])
            return cached[0]
        return self._new_token()

    def _new_token(self):
        form = {"grant_type": "client_credentials", "client_id": self.params["client_id"],
                "client_secret": self.params["client_secret"], "audience": AUDIENCE}
        action = "get an access token for client %s" % self.params["client_id"]
        try:
            answer = decode_json(self.token_http.request("POST", TOKEN_PATH, action, data=form), SERVICE, action)
        except ApiError as error:
            # Asking for a token changes nothing: say what the run's own writes did instead.
            raise ApiError(SERVICE, action, error.method, error.url, error.status, error.message, error.details,
                           describe_outcome("GET", error.status, False, self.http.completed_writes)) from None
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            raise ApiError(SERVICE, action, "POST", self.token_http.url(TOKEN_PATH), 200, "the answer holds no access_token",
                           outcome=describe_outcome("GET", 200, False, self.http.completed_writes))
        register_secret(token)
        lifetime = answer.get("expires_in")
        expires = time.monotonic() + lifetime if isinstance(lifetime, (int, float)) and not isinstance(lifetime, bool) else None
        _TOKENS[self.token_key] = (token, expires)
        return token

    def _authorized(self, send):
        """``send()`` with the bearer token; once more with a new token when Jira refuses a cached one."""
        cached = _TOKENS.get(self.token_key)
        self.http.session.headers["Authorization"] = "Bearer " + self._token()
        try:
            return send()
        except ApiError as error:
            # A 401 is refused before anything is done, so even a write may be sent again.
            if error.status != 401 or cached is None:
                raise
        _TOKENS.pop(self.token_key, None)
        self.http.session.headers["Authorization"] = "Bearer " + self._token()
        return send()

    def read(self, path, action, missing_ok=False, **kwargs):
        return self._authorized(lambda: ServiceClient.read(self, path, action, missing_ok=missing_ok, **kwargs))

    def write(self, method, path, action, expected=(200,), **kwargs):
        return self._authorized(lambda: ServiceClient.write(self, method, path, action, expected=expected, **kwargs))

    # -- deployments ---------------------------------------------------------------------

    @staticmethod
    def key_path(pipeline_id, environment_id, sequence_number):
        # Ids are free text: a slash must stay inside its one path segment.
        return "pipelines/%s/environments/%s/deployments/%d" % (
            quote(pipeline_id, safe=""), quote(environment_id, safe=""), sequence_number)

    @staticmethod
    def describe_key(pipeline_id, environment_id, sequence_number):
        return "deployment %s of pipeline %s to environment %s" % (sequence_number, pipeline_id, environment_id)

    def get(self, pipeline_id, environment_id, sequence_number):
        """The deployment Jira stores for the key, or None when it stores none."""
        action = "read " + self.describe_key(pipeline_id, environment_id, sequence_number)
        return self.read(self.key_path(pipeline_id, environment_id, sequence_number), action, missing_ok=True)

    def submit(self, deployment):
        """Submit one deployment; Jira's answer (accepted, rejected and unknown associations)."""
        action = "submit " + self.describe_key(deployment["pipeline"]["id"], deployment["environment"]["id"],
                                               deployment["deploymentSequenceNumber"])
        answer = self.write("POST", "bulk", action, expected=(200, 202), json={"deployments": [deployment]})
        if not isinstance(answer, dict):
            response_error = "the answer is not a JSON object: %s" % excerpt(str(answer))
            raise ApiError(SERVICE, action, "POST", self.http.url("bulk"), 202, response_error,
                           outcome=describe_outcome("POST", 202, False, self.http.completed_writes, answered=True))
        return answer

    def delete(self, pipeline_id, environment_id, sequence_number):
        """Ask Jira to delete the deployment; it does so later."""
        action = "delete " + self.describe_key(pipeline_id, environment_id, sequence_number)
        path = self.key_path(pipeline_id, environment_id, sequence_number)
        self._authorized(lambda: self.http.request("DELETE", path, action, expected=(200, 202, 204)))
