# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Octopus Deploy API client: the API key header, links as URI templates, paging, Octopus's errors.

Octopus describes its API with links: the root document (``/api``) and each space's root hold
RFC 6570 URI templates for every collection, and collections link to their next page. The
client starts from ``/api`` and follows those links instead of building paths itself.
"""

from __future__ import annotations

import re
import traceback
from urllib.parse import urljoin

URITEMPLATE_IMPORT_ERROR = None
try:
    from uritemplate import URITemplate
except ImportError:
    URITEMPLATE_IMPORT_ERROR = traceback.format_exc()
    HAS_URITEMPLATE = False
else:
    HAS_URITEMPLATE = True

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.opsforge.delivery.plugins.module_utils._client import ServiceClient
from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError, connection_spec, env_option

SERVICE = "Octopus Deploy"
#: Octopus's own page size limit is the largest 32-bit integer; a large page keeps listings short.
LARGE_PAGE = 2000
SPACE_ID = re.compile(r"^Spaces-\d+$", re.IGNORECASE)

OCTOPUS_SPEC = connection_spec(dict(
    url=env_option(["OCTOPUS_URL"], type="str", needed=True),
    # One of the two: an API key, or an access token (Octopus 2024.1 and later, from an OIDC exchange).
    api_key=env_option(["OCTOPUS_API_KEY"], type="str", credential=True, no_log=True),
    access_token=env_option(["OCTOPUS_ACCESS_TOKEN"], type="str", credential=True, no_log=True),
    space=env_option(["OCTOPUS_SPACE"], type="str"),
))


class Space(object):
    """One space: its id, its name and the links of its root document."""

    def __init__(self, space_id, name, links):
        self.id = space_id
        self.name = name
        self.links = links


class OctopusClient(ServiceClient):
    """The Octopus API at ``url``, entered through ``/api``."""

    service = SERVICE
    message_key = "ErrorMessage"

    def __init__(self, params):
        if not HAS_URITEMPLATE:
            # Ansible's own words for a missing library, as for requests and PyYAML.
            raise InputError(missing_required_lib("uritemplate"))
        ServiceClient.__init__(self, params)
        self.base_url = params["url"].rstrip("/") + "/"
        self._root = None

    def headers(self, params):
        # As go-octopusdeploy sends each credential (pkg/client/octopusdeploy.go: ApiKey, AccessToken).
        if params.get("access_token"):
            return {"Authorization": "Bearer %s" % params["access_token"]}
        return {"X-Octopus-ApiKey": params["api_key"]}

    @classmethod
    def describe_error(cls, response, body):
        """Octopus's error body in its own words: ``ErrorMessage`` and each of ``Errors``."""
        message = body["ErrorMessage"]
        errors = [str(item) for item in body.get("Errors") or []]
        if errors:
            message += " " + " ".join(errors)
        request = getattr(response, "request", None)
        sent = (getattr(request, "headers", None) or {}).get("Authorization") or ""
        credential = "access_token" if sent.startswith("Bearer ") else "api_key"
        if response.status_code == 401:
            message += " (check %s%s)" % (credential, ": the token of an OIDC exchange expires after a while"
                                          if credential == "access_token" else "")
        elif response.status_code == 403:
            message += " (the %s's user lacks a permission this needs in this space)" % (
                "access token" if credential == "access_token" else "API key")
        return message, body

    def link_url(self, link, **variables):
        """A link's address: the template expanded with ``variables``, against the server's URL."""
        expanded = URITemplate(link).expand(**dict((k, v) for k, v in variables.items() if v is not None))
        return urljoin(self.base_url, expanded)

    def get(self, link, action, missing_ok=False, **variables):
        return self.read(self.link_url(link, **variables), action, missing_ok=missing_ok)

    def send(self, method, link, action, body=None, expected=(200, 201)):
        response = self.http.request(method, self.link_url(link), action, expected=expected,
                                     json=body if method != "DELETE" else None)
        if method == "DELETE" or not response.content:
            return None
        return self.decode(response, action)

    def root(self):
        if self._root is None:
            # Relative, so that a server under a path prefix works; its links carry the prefix.
            self._root = self.get("api", "read the API root document")
        return self._root

    def space(self, wanted=None):
        """The space named or numbered ``wanted``; the default space when it is None.

        The root document's links already point into the default space, so the default space
        costs no request of its own.
        """
        links = self.root().get("Links", {})
        if not wanted:
            if "Machines" in links:
                return Space(None, None, links)
            return self._default_space(links)
        if SPACE_ID.match(wanted):
            space_id = wanted
        else:
            found = [item for item in self.items(links["Spaces"], "list the spaces", partialName=wanted)
                     if item.get("Name", "").lower() == wanted.lower()]
            if not found:
                raise InputError("Octopus Deploy has no space named %r (or the API key may not see it)" % wanted)
            space_id = found[0]["Id"]
        document = self.get(links["SpaceHome"], "read space %s" % wanted, missing_ok=True, spaceId=space_id)
        if document is None:
            raise InputError("Octopus Deploy has no space %r (or the API key may not see it)" % wanted)
        return Space(document.get("Id", space_id), document.get("Name"), document.get("Links", {}))

    def _default_space(self, links):
        """The default space found as Octopus.Client finds it: among the current user's spaces.

        A server whose default space is disabled (or hidden from this key's user) leaves the
        space-scoped links out of its root document.
        """
        space = None
        if links.get("CurrentUser") and links.get("Spaces"):
            try:
                user = self.get(links["CurrentUser"], "read the current user")
                user_spaces = self.get(user.get("Links", {})["Spaces"], "list the current user's spaces")
            except (KeyError, ApiError) as error:
                # A key that may not read its user's spaces sees no default space, as in Octopus.Client.
                if isinstance(error, ApiError) and error.status not in (401, 403):
                    raise
                user_spaces = []
            space = next((item for item in user_spaces or [] if isinstance(item, dict) and item.get("IsDefault")), None)
        if space is None:
            raise InputError("Octopus Deploy has no default space that this API key can use (it may be disabled, "
                             "or the key's user may lack access to it): set space (or OCTOPUS_SPACE) to a space's "
                             "name or ID")
        document = self.get(links["SpaceHome"], "read the default space", spaceId=space["Id"])
        return Space(document.get("Id", space["Id"]), document.get("Name"), document.get("Links", {}))

    def items(self, link, action, **variables):
        """Every item of a collection, following ``Page.Next`` from a large first page."""
        variables.setdefault("take", LARGE_PAGE)
        page = self.get(link, action, **variables)
        found = list(page.get("Items") or [])
        while (page.get("Links") or {}).get("Page.Next"):
            page = self.get(page["Links"]["Page.Next"], action)
            found.extend(page.get("Items") or [])
        return found
