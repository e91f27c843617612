# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Opsgenie Deployment API client: GenieKey authentication, Opsgenie's errors, asynchronous writes.

Opsgenie accepts a write with 202 and a request id; whether it worked is read later from the
request status endpoint (see ``_opsgenie_wait``).
"""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.opsforge.delivery.plugins.module_utils._client import ServiceClient
from ansible_collections.opsforge.delivery.plugins.module_utils._options import connection_spec, env_option

SERVICE = "Opsgenie"
DEFAULT_URL = "https://api.opsgenie.com"
#: How Opsgenie names the kinds of identifier a deployment can be found by (its ``type`` query).
IDENTIFIER_TYPES = ("id", "api", "pipelines")
#: The largest page the lookup asks for (Opsgenie's paging limit is at most 100).
SEARCH_PAGE_SIZE = 100

OPSGENIE_SPEC = connection_spec(dict(
    url=env_option(["OPSGENIE_URL"], type="str", default=DEFAULT_URL),
    api_key=env_option(["OPSGENIE_API_KEY"], type="str", needed=True, no_log=True),
))

_STATUS_HINTS = {
    401: "check api_key: the key of an Opsgenie API integration",
    403: "the API integration of api_key needs read access, and create and update access for writes",
    429: "Opsgenie's rate limit; retries are bounded by retries",
}


class OpsgenieClient(ServiceClient):
    """The deployment endpoints of one Opsgenie account (``url`` picks the US or EU instance)."""

    service = SERVICE
    api_path = "/v2/deployments"

    def api_url(self, params):
        return (params.get("url") or DEFAULT_URL).rstrip("/") + self.api_path

    def headers(self, params):
        return {"Authorization": "GenieKey %s" % params["api_key"]}

    @classmethod
    def describe_error(cls, response, body):
        """Opsgenie's error body in its own words: ``message``, each of ``errors``, a hint for the status."""
        message = str(body["message"])
        errors = body.get("errors")
        if isinstance(errors, dict) and errors:
            message += ": " + "; ".join("%s: %s" % (field, reason) for field, reason in sorted(errors.items()))
        hint = _STATUS_HINTS.get(response.status_code)
        if response.status_code == 429 and response.headers.get("X-RateLimit-Reason"):
            hint += " (limit reached: %s)" % response.headers["X-RateLimit-Reason"]
        if hint:
            message += " (%s)" % hint
        details = dict(request_id=body["requestId"]) if body.get("requestId") else None
        return message, details

    @staticmethod
    def _path(identifier, *rest):
        # External ids are free text: a slash or a brace must stay inside the one path segment.
        return "/".join((quote(identifier, safe=""),) + rest)

    def get(self, identifier, identifier_type="api"):
        """The deployment (``data``) with this identifier, or None when Opsgenie has none."""
        action = "read deployment %s%s" % (identifier, "" if identifier_type == "id" else " (%s)" % identifier_type)
        params = None if identifier_type == "id" else {"type": identifier_type}
        return (self.read(self._path(identifier), action, missing_ok=True, params=params) or {}).get("data")

    def create(self, body):
        """Submit a new deployment; returns the id of the request that will create it."""
        action = "create deployment %s" % body.get("externalId", "")
        return self._submit("POST", "", action, body)

    def update_state(self, deployment_id, state, completed_at):
        action = "set the state of deployment %s to %s" % (deployment_id, state)
        return self._submit("PATCH", self._path(deployment_id, "updateState"), action,
                            {"state": state, "completedAt": completed_at})

    def update(self, deployment_id, fields):
        action = "update %s of deployment %s" % (", ".join(sorted(fields)), deployment_id)
        return self._submit("PATCH", self._path(deployment_id, "update"), action, fields)

    def _submit(self, method, path, action, body):
        return (self.write(method, path, action, expected=(202,), json=body) or {}).get("requestId")

    def request_status(self, request_id):
        """The outcome of an asynchronous write, or None while Opsgenie has not processed it.

        Opsgenie answers 404 both for a request not processed yet and for an unknown id.
        """
        action = "read the status of request %s" % request_id
        return (self.read("requests/%s" % quote(request_id, safe=""), action, missing_ok=True) or {}).get("data")

    def search(self, service_ids, environment_ids=None, start_time=None, end_time=None, page_size=SEARCH_PAGE_SIZE):
        """Every deployment of the services matching the filters, following ``paginationKey``."""
        action = "search the deployments of services %s" % ", ".join(service_ids)
        params = {"serviceIds": ",".join(service_ids), "limit": page_size}
        if environment_ids:
            params["environmentIds"] = ",".join(environment_ids)
        if start_time:
            params["startTime"] = start_time
        if end_time:
            params["endTime"] = end_time
        deployments, seen, start = [], set(), 0
        while True:
            params["paginationKey"] = start
            page = (self.read("search", action, params=params) or {}).get("data") or []
            # The answer carries no paging links and the reference does not say that a page shorter
            # than the limit is the last one: only an empty page ends the search. A page of nothing
            # new ends it too, so that a server ignoring paginationKey cannot loop forever.
            new = [deployment for deployment in page if _search_key(deployment) not in seen]
            if not new:
                return deployments
            seen.update(_search_key(deployment) for deployment in new)
            deployments.extend(new)
            start += len(page)


def _search_key(deployment):
    return deployment.get("id") if isinstance(deployment, dict) and deployment.get("id") else repr(deployment)
