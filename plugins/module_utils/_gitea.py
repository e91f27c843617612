# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Gitea API client for access tokens: basic authentication, sudo, paging, Gitea's errors.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.
"""

from __future__ import annotations

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover - Python 2 is not supported
    pass

from ansible_collections.opsforge.delivery.plugins.module_utils._http import (
    ApiError,
    HttpClient,
    decode_json,
    describe_non_json,
    excerpt,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import (
    InputError,
    connection_spec,
    env_option,
    transport_options,
)

SERVICE = "Gitea"
#: The largest page Gitea serves (MAX_RESPONSE_ITEMS); an unchanged run costs one request per page.
PAGE_SIZE = 50
CATEGORIES = ("activitypub", "admin", "issue", "misc", "notification", "organization", "package", "repository", "user")
#: What may be shown of a token: everything but its secret.
PUBLIC_KEYS = ("id", "name", "scopes", "token_last_eight")
SCOPES = ("all",) + tuple("%s:%s" % (level, category) for category in CATEGORIES for level in ("read", "write"))

GITEA_SPEC = connection_spec(dict(
    url=env_option(["GITEA_URL"], type="str", needed=True),
    username=env_option(["GITEA_USERNAME"], type="str", needed=True),
    password=env_option(["GITEA_PASSWORD"], type="str", needed=True, no_log=True),
))


def parse_gitea_error(response):
    """Gitea's error body in its own words: ``message`` (and ``errors`` when it lists any)."""
    try:
        body = response.json()
    except ValueError:
        return describe_non_json(response), None
    if not isinstance(body, dict) or not body.get("message"):
        return excerpt(response.text), None
    message = str(body["message"])
    if response.status_code == 401:
        message += " (check username and password; Gitea's token endpoints take basic authentication with a password)"
    return message, None


def public_token(token):
    """A token without its secret (empty for no token)."""
    return dict((key, token.get(key)) for key in PUBLIC_KEYS) if token else {}


def check_scopes(scopes):
    """Refuse, before any request, scope names Gitea does not know."""
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise InputError("unknown scope(s) %s; Gitea's scopes are all, and read: or write: followed by one of %s"
                         % (", ".join(unknown), ", ".join(CATEGORIES)))
    if not scopes:
        raise InputError("scopes must name at least one scope: Gitea refuses a token without one")


def granted(scopes):
    """What a list of scopes allows: ``all`` is every scope, ``write:X`` includes ``read:X``."""
    result = set()
    for scope in scopes or []:
        if scope == "all":
            result.update(SCOPES[1:])
        elif scope.startswith("write:"):
            result.update((scope, "read:" + scope.split(":", 1)[1]))
        else:
            result.add(scope)
    return frozenset(result)


class GiteaClient(object):
    """The token endpoints of a Gitea server, as ``username``, acting for ``user`` (sudo when another)."""

    def __init__(self, params, user=None):
        self.username = params["username"]
        self.user = user or self.username
        headers = {}
        if self.user.lower() != self.username.lower():
            # Only site administrators may act for another user; Gitea says so if not.
            headers["Sudo"] = self.user
        self.http = HttpClient(
            SERVICE,
            "%s/api/v1" % params["url"].rstrip("/"),
            headers=headers,
            auth=(params["username"], params["password"]),
            error_parser=parse_gitea_error,
            **transport_options(params)
        )

    @property
    def request_count(self):
        return self.http.request_count

    def _tokens_path(self):
        return "users/%s/tokens" % quote(self.user, safe="")

    def list_tokens(self):
        """Every token of the user (no secrets), in pages of PAGE_SIZE, stopping at the total."""
        action = "list the access tokens of %s" % self.user
        tokens, page = [], 1
        while True:
            response = self._list_page(action, page)
            items = decode_json(response, SERVICE, action) or []
            tokens.extend(items)
            total = response.headers.get("X-Total-Count")
            more = response.links.get("next") if response.links else None
            if total is not None and total.isdigit():
                more = len(tokens) < int(total) and items
            elif not more:
                more = len(items) == PAGE_SIZE
            if not more:
                return tokens
            page += 1

    def _list_page(self, action, page):
        try:
            return self.http.request("GET", self._tokens_path(), action, params={"page": page, "limit": PAGE_SIZE})
        except ApiError as exc:
            if exc.status != 404:
                raise
            # Gitea answers sudo to a user that does not exist with a bare "not found".
            if self.user.lower() != self.username.lower():
                hint = "Gitea has no user %s; check user" % self.user
            else:
                hint = "check that url is the address of the Gitea server"
            raise exc.with_message("%s (%s)" % (exc.message, hint))

    def create_token(self, name, scopes):
        action = "create access token %s of %s" % (name, self.user)
        response = self.http.request("POST", self._tokens_path(), action, expected=(201,),
                                     json={"name": name, "scopes": list(scopes)})
        return decode_json(response, SERVICE, action)

    def delete_token(self, token_id, name):
        action = "delete access token %s (id %s) of %s" % (name, token_id, self.user)
        self.http.request("DELETE", "%s/%s" % (self._tokens_path(), token_id), action, expected=(204,))


def name_taken(error):
    """Whether a create failed because the user already has a token of that name."""
    return error.status in (400, 422) and "has been used already" in (error.message or "")
