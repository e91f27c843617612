# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Gitea API client for access tokens: basic authentication, sudo, paging, Gitea's errors."""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.opsforge.delivery.plugins.module_utils._client import ServiceClient
from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError, connection_spec, env_option

SERVICE = "Gitea"
#: The largest page Gitea serves (MAX_RESPONSE_ITEMS); an unchanged run costs one request per page.
PAGE_SIZE = 50
#: Scope categories in Gitea's own order (models/auth/access_token_scope.go), which is the order of a stored scope.
CATEGORIES = ("activitypub", "admin", "misc", "notification", "organization", "package", "issue", "repository", "user")
ALL = "all"
#: Limits a token to public repositories and organizations; it grants no permission of its own.
PUBLIC_ONLY = "public-only"
#: What may be shown of a token: everything but its secret.
PUBLIC_KEYS = ("id", "name", "scopes", "token_last_eight")
#: The scopes that grant permissions.
SCOPES = (ALL,) + tuple("%s:%s" % (level, category) for category in CATEGORIES for level in ("read", "write"))
#: Every scope name Gitea takes (1.20 and later).
KNOWN_SCOPES = SCOPES + (PUBLIC_ONLY,)
#: The header of the two-factor code (Gitea's TOTPHeader).
OTP_HEADER = "X-Gitea-OTP"
# What Gitea answers to a missing or wrong two-factor code: 1.20.6 and later at sign-in, earlier
# versions on the token routes (a nil message printed by Go's fmt).
_OTP_REFUSALS = ("invalid provided OTP", "%!s(<nil>)")

#: Gitea's answer on a user's route to a user it does not have (UserAssignmentAPI).
USER_MISSING = "user redirect does not exist"

GITEA_SPEC = connection_spec(dict(
    url=env_option(["GITEA_URL"], type="str", needed=True),
    username=env_option(["GITEA_USERNAME"], type="str", needed=True),
    password=env_option(["GITEA_PASSWORD"], type="str", needed=True, no_log=True),
    otp=env_option(["GITEA_OTP"], type="str", no_log=True),
))


def stored_scopes(token):
    """A listed token's scopes without empty names: Gitea lists a token stored without any scope
    (1.20 and 1.21 allow one) as a single empty name, and skips empty names when it parses scopes."""
    return [scope for scope in token.get("scopes") or [] if scope]


def public_token(token):
    """A token without its secret (empty for no token), its scopes without empty names."""
    if not token:
        return {}
    shown = dict((key, token.get(key)) for key in PUBLIC_KEYS)
    shown["scopes"] = stored_scopes(token)
    return shown


def check_token_name(name, option="name"):
    """Refuse, before any request, a token name that is empty or only blanks (``option`` names where it came from)."""
    text = "" if name is None else str(name)
    if not text.strip():
        raise InputError("%s is %s; give the name of the token" % (option, "only blanks" if text else "empty"))


def describe_scopes(scopes):
    """Scopes for a message; a token stored without any (Gitea 1.20 and 1.21 allow it) says so."""
    named = [scope for scope in scopes or [] if scope]
    return ", ".join(named) if named else "(none)"


def check_scopes(scopes):
    """Refuse, before any request, scope names Gitea does not know and lists that grant nothing."""
    unknown = [scope for scope in scopes if scope not in KNOWN_SCOPES]
    if unknown:
        raise InputError("unknown scope(s) %s; Gitea's scopes are all, public-only, and read: or write: followed by "
                         "one of %s" % (", ".join(unknown), ", ".join(sorted(CATEGORIES))))
    if not scopes:
        raise InputError("scopes must name at least one scope: Gitea refuses a token without one")
    if not granted(scopes) - set([PUBLIC_ONLY]):
        raise InputError("scopes must name at least one permission besides public-only, which only limits the "
                         "others to public repositories and organizations")


def _grants(scope):
    """The permissions one scope name stands for: ``all`` is every one, ``write:X`` includes ``read:X``."""
    if scope == ALL:
        return set("%s:%s" % (level, category) for category in CATEGORIES for level in ("read", "write"))
    if scope.startswith("write:"):
        return set((scope, "read:" + scope.split(":", 1)[1]))
    return set((scope,))


def granted(scopes):
    """What a list of scopes allows, as a set; ``public-only`` is kept as the limit it is."""
    result = set()
    for scope in scopes or []:
        # Gitea skips empty names, and lists a token without scope as one empty name.
        if scope:
            result.update(_grants(scope))
    return frozenset(result)


def canonical_scopes(scopes):
    """The scope list as Gitea stores and lists it (AccessTokenScope.Normalize).

    Gitea's order (public-only, then each category's write before read), nothing another entry
    already grants, and every write scope together written as ``all``.
    """
    wanted, kept, covered = granted(scopes), [], set()
    for scope in (PUBLIC_ONLY,) + tuple("%s:%s" % (level, category) for category in CATEGORIES
                                        for level in ("write", "read")):
        grants = _grants(scope)
        if grants <= wanted and not grants <= covered:
            kept.append(scope)
            covered |= grants
    every_write = ["write:%s" % category for category in CATEGORIES]
    if all(scope in kept for scope in every_write):
        kept = [scope for scope in kept if scope not in every_write] + [ALL]
    return kept


class GiteaClient(ServiceClient):
    """The token endpoints of a Gitea server, as ``username``, acting for ``user`` (sudo when another)."""

    service = SERVICE
    api_path = "/api/v1"

    def __init__(self, params, user=None):
        self.username = params["username"]
        # A blank user would be sent as an empty or invalid Sudo header; it means the login itself.
        self.user = (user or "").strip() or self.username
        ServiceClient.__init__(self, params)

    def headers(self, params):
        headers = {}
        if self.acts_for_another:
            # Only site administrators may act for another user; Gitea says so if not.
            headers["Sudo"] = self.user
        otp = (params.get("otp") or "").strip()
        if otp:
            headers[OTP_HEADER] = otp
        return headers

    def basic_auth(self, params):
        return (params["username"], params["password"])

    @classmethod
    def describe_error(cls, response, body):
        """Gitea's error body in its own words: ``message``, with what to do about a refused login."""
        message = str(body["message"])
        if response.status_code == 401 and message in _OTP_REFUSALS:
            sent = getattr(response, "request", None)
            if sent is not None and sent.headers.get(OTP_HEADER):
                message += " (Gitea refused the two-factor code in otp: it is valid for about 30 seconds; give a current one)"
            else:
                message += (" (the account has two-factor authentication: set otp, or GITEA_OTP, to a current code "
                            "of its authenticator)")
        elif response.status_code == 401:
            message += " (check username and password; Gitea's token endpoints take basic authentication with a password)"
        return message, None

    @property
    def acts_for_another(self):
        """Whether requests act for ``user`` through sudo (Gitea's user names ignore case)."""
        return self.user.lower() != self.username.lower()

    def _tokens_path(self):
        return "users/%s/tokens" % quote(self.user, safe="")

    def list_tokens(self):
        """Every token of the user (no secrets), in pages of PAGE_SIZE, stopping at the total."""
        action = "list the access tokens of %s" % self.user
        tokens, page = [], 1
        while True:
            response = self._list_page(action, page)
            items = self.decode(response, action) or []
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
            if self.acts_for_another:
                hint = "Gitea has no user %s; check user" % self.user
            else:
                hint = "check that url is the address of the Gitea server"
            raise exc.with_message("%s (%s)" % (exc.message, hint))

    def user_missing(self):
        """Whether Gitea confirms it has no user ``user``, asked as the login itself (without sudo).

        Sudo to a missing user and a wrong address both answer a bare 404; the user's own route
        answers a missing user with a message that names it, which a wrong address cannot give.
        """
        action = "look up user %s" % self.user
        try:
            # A header set to None is left out of this request only.
            self.http.request("GET", "users/%s" % quote(self.user, safe=""), action, headers={"Sudo": None})
        except ApiError as exc:
            return exc.status == 404 and USER_MISSING in (exc.message or "")
        return False

    def create_token(self, name, scopes):
        action = "create access token %s of %s" % (name, self.user)
        created = self.write("POST", self._tokens_path(), action, expected=(201,),
                             json={"name": name, "scopes": list(scopes)})
        if isinstance(created, dict) and "scopes" not in created:
            # Gitea before 1.22 leaves the scopes out of this answer; they are stored normalized.
            created["scopes"] = canonical_scopes(scopes)
        return created

    def delete_token(self, token_id, name):
        action = "delete access token %s (id %s) of %s" % (name, token_id, self.user)
        self.http.request("DELETE", "%s/%s" % (self._tokens_path(), token_id), action, expected=(204,))


def name_taken(error):
    """Whether a create failed because the user already has a token of that name."""
    return error.status in (400, 422) and "has been used already" in (error.message or "")
