# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gitea REST API (/api/v1) of servers 1.20 to 1.22: authentication, sudo, users, repositories, access tokens.

Each view runs the checks of Gitea's route in the order Gitea chains its
middlewares (routers/api/v1/api.go), so a request that fails several of
them gets the same error as from the server.
"""

import base64
import binascii
import hashlib
import json
import re
from http import HTTPStatus
from urllib.parse import quote, urlencode

from flask import Flask, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import gitea_scopes as scopes
from . import gitea_totp, gitea_versions
from .gitea_state import GiteaState, now

VERSION = gitea_versions.NEWEST
API_PREFIX = "/api/v1"
CONTENT_TYPE = "application/json;charset=utf-8"
NOT_FOUND = "The target couldn't be found."
OTP_HEADER = "X-Gitea-OTP"
# What the basic method answers, from 1.20.6 on, when an enrolled user's code is missing or wrong.
OTP_REFUSED_AT_SIGN_IN = "invalid provided OTP"
# Before 1.20.6 the token routes answered 401 through ctx.Error with a nil message, which Go's
# fmt prints as this.
OTP_REFUSED_ON_ROUTE = "%!s(<nil>)"
# Go's zero time, shown for fields a caller may not see.
ZERO_TIME = "0001-01-01T00:00:00Z"
NO_REPLY_DOMAIN = "noreply.localhost"
# setting.API.DefaultPagingNum and MaxResponseItems.
DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 50
QUERY_TOKEN_WARNING = (
    "token and access_token API authentication is deprecated and will be removed in gitea 1.23. "
    "Please use AuthorizationHeaderToken instead. Existing queries will continue to work but without authorization."
)
# Query parameters that carry credentials: never copied into a Link header.
_CREDENTIAL_PARAMETERS = ("token", "access_token")
_INT64 = (-(2**63), 2**63 - 1)
_GO_INT_RE = re.compile(r"[+-]?[0-9A-Za-z_]+\Z")
_DECIMAL_RE = re.compile(r"[+-]?[0-9]+\Z")
_NOT_ALPHA_DASH_DOT = re.compile(r"[^\d\w\-_.]", re.ASCII)
_RESERVED_REPO_NAMES = (".", "..", "-")
_USER_NAME_RE = re.compile(r"[\da-zA-Z](?:[\w.-]*[\da-zA-Z])?\Z", re.ASCII)
_RESERVED_REPO_SUFFIXES = (".git", ".wiki", ".rss", ".atom")
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "bool", int: "number", float: "number"}

# Request bodies: (JSON key, Go field, Go type, binding rules), in the order of the Go struct.
TOKEN_FORM = ("CreateAccessTokenOption", (("name", "Name", "string", ("Required",)), ("scopes", "Scopes", "[]string", ())))
REPO_FORM = (
    "CreateRepoOption",
    (
        ("name", "Name", "string", ("Required", "AlphaDashDot", "MaxSize(100)")),
        ("description", "Description", "string", ("MaxSize(2048)",)),
        ("private", "Private", "bool", ()),
        ("auto_init", "AutoInit", "bool", ()),
        ("default_branch", "DefaultBranch", "string", ("MaxSize(100)",)),
    ),
)


class Rejected(Exception):
    """An error answer, raised from anywhere in a view.

    ``body`` is the JSON body without its ``url``; ``with_url`` is False for
    the few answers Gitea writes as a bare ``{"message": ...}``.
    """

    def __init__(self, status, body, with_url=True):
        super().__init__(body.get("message"))
        self.status = status
        self.body = body
        self.with_url = with_url


def _error(status, message):
    # ctx.Error: {"message", "url"}.
    return Rejected(status, {"message": message})


def _not_found(message=NOT_FOUND, errors=None):
    # ctx.NotFound: {"errors", "message", "url"}, errors null unless an error was given.
    return Rejected(404, {"errors": errors, "message": message})


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type=CONTENT_TYPE)


def _control_post_body(control_request):
    """The JSON body of a control POST, or the answer refusing the request (other method, bad JSON)."""
    if control_request.method != "POST":
        response = _json({"error": "method not allowed, use GET or POST"}, 405)
        response.headers["Allow"] = "GET, POST"
        return None, response
    try:
        return json.loads(control_request.get_data(as_text=True) or "null"), None
    except ValueError as exc:
        return None, _json({"error": "the body is not valid JSON: %s" % exc}, 400)


def _reason(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP %d" % status


def swagger_url(req):
    """setting.API.SwaggerURL: the server's root URL followed by api/swagger."""
    return (req.host_url if req is not None else "/") + "api/swagger"


def render(rejected, req=None):
    body = dict(rejected.body)
    if rejected.with_url:
        body["url"] = swagger_url(req)
    return _json(body, rejected.status)


def gitea_error(status, request=None, message=None):
    """Gitea's error body for a status; a 404 gets the not-found body of ctx.NotFound."""
    if status == 404 and message is None:
        return render(_not_found(), request)
    return render(_error(status, message or _reason(status)), request)


def _atoi(value):
    """Go's strconv.Atoi as ctx.FormInt uses it: 0 for anything that is not a whole number."""
    if value is None or not _DECIMAL_RE.match(value):
        return 0
    number = int(value)
    return number if _INT64[0] <= number <= _INT64[1] else 0


def _parse_token_id(value):
    """Go's strconv.ParseInt(value, 0, 64): 0x, 0o, 0b prefixes, a leading 0 for octal; 0 when it fails."""
    if not _GO_INT_RE.match(value):
        return 0
    sign, digits = "", value
    if value[0] in "+-":
        sign, digits = value[0], value[1:]
    if len(digits) > 1 and digits[0] == "0" and digits[1] not in "xXoObB":
        digits = "0o" + digits[1:]
    try:
        number = int(sign + digits, 0)
    except ValueError:
        return 0
    return number if _INT64[0] <= number <= _INT64[1] else 0


class _Auth:
    """Who a request acts as, and how it proved it."""

    def __init__(self, doer=None, is_basic=False, token=None):
        self.doer = doer
        self.is_basic = is_basic
        # The access token the request authenticated with, if any: its scope is enforced.
        self.token = token


class GiteaApi:
    """Views of the Gitea API."""

    def __init__(self, state):
        self.state = state

    # -- authentication and the checks Gitea's routes chain ----------------------------

    def before_request(self):
        if request.path != API_PREFIX and not request.path.startswith(API_PREFIX + "/"):
            return None
        with self.state.lock:
            g.auth = self._authenticate()
            # Sudo belongs to the routes; a path without one answers 404 whatever it asks for.
            if request.routing_exception is None:
                self._sudo()
        return None

    def _authenticate(self):
        """Gitea's auth group: the token methods first, then basic; the first failure is reported."""
        failure = None
        secret = self._presented_token()
        if secret is not None:
            token = self.state.token_by_secret(secret)
            if token is not None:
                return _Auth(self.state.user_by_id(token["uid"]), token=token)
            failure = "user does not exist [uid: 0, name: ]"
        kind, sep, encoded = request.headers.get("Authorization", "").partition(" ")
        if sep and kind.lower() == "basic":
            auth, problem = self._basic(encoded)
            if auth is not None:
                return auth
            failure = failure or problem
        if failure is not None:
            raise _error(401, failure)
        return _Auth()

    @staticmethod
    def _presented_token():
        """The token of the token= or access_token= parameter, or of an Authorization: token/bearer header."""
        for parameter in ("token", "access_token"):
            value = request.args.get(parameter, "")
            if value:
                return value
        fields = request.headers.get("Authorization", "").split()
        # Gitea wants "token" in lower case but takes "bearer" in any case.
        if len(fields) == 2 and (fields[0] == "token" or fields[0].lower() == "bearer"):
            return fields[1]
        return None

    def _basic(self, encoded):
        """Basic credentials: a token as the password (or as the username with no password), else a password."""
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            decoded = ""
        username, sep, password = decoded.partition(":")
        if not sep:
            username = password = ""
        username_is_token = password in ("", "x-oauth-basic")
        token = self.state.token_by_secret(username if username_is_token else password)
        if token is not None:
            return _Auth(self.state.user_by_id(token["uid"]), is_basic=True, token=token), None
        if "@" in username:
            user = self.state.user_by_email(username)
        else:
            user = self.state.user(username.strip()) if username.strip() else None
        if user is None:
            return None, "user does not exist [uid: 0, name: %s]" % username
        if not self.state.password_matches(user, password):
            # Gitea answers a wrong password as if the user did not exist, with the user's id.
            return None, "user does not exist [uid: %d, name: %s]" % (user["id"], user["login"])
        if self.state.version.checks_otp_at_sign_in and not self._otp_accepted(user):
            return None, OTP_REFUSED_AT_SIGN_IN
        return _Auth(user, is_basic=True), None

    def _otp_accepted(self, user):
        """Whether the user has no two-factor enrolment, or the X-Gitea-OTP header holds a valid code."""
        secret = self.state.totp.get(user["id"])
        if secret is None:
            return True
        return gitea_totp.is_valid(secret, request.headers.get(OTP_HEADER, "").strip())

    def _sudo(self):
        name = request.args.get("sudo", "") or request.headers.get("Sudo", "")
        if not name:
            return
        if g.auth.doer is None or not g.auth.doer["is_admin"]:
            raise Rejected(403, {"message": "Only administrators allowed to sudo."}, with_url=False)
        user = self.state.user(name)
        if user is None:
            raise _not_found()
        g.auth.doer = user

    @staticmethod
    def _require_scopes(*categories):
        """tokenRequiresScopes: only a request made with a token is checked."""
        token = g.auth.token
        if token is None:
            return
        needed = scopes.required(request.method, categories)
        if not scopes.allows(token["scope"], needed):
            raise _error(403, scopes.missing_message(needed))

    @staticmethod
    def _require_signed_in():
        # reqToken: any way of signing in will do.
        if g.auth.doer is None:
            raise _error(401, "token is required")

    def _context_user(self, username):
        """UserAssignmentAPI: the user named in the path."""
        doer = g.auth.doer
        if doer is not None and doer["login"].lower() == username.lower():
            return doer
        user = self.state.user(username)
        if user is None:
            raise _error(404, "user redirect does not exist [name: %s]" % username.lower())
        return user

    @staticmethod
    def _require_self_or_admin(user):
        doer = g.auth.doer
        if doer is None or (not doer["is_admin"] and doer["id"] != user["id"]):
            raise _error(403, "doer should be the site admin or be same as the contextUser")

    def _require_basic(self):
        # reqBasicOrRevProxyAuth: the token endpoints take basic credentials only.
        if not g.auth.is_basic:
            raise _error(401, "auth required")
        # Before 1.20.6 it also checked the two-factor code here, of the user the request acts as
        # (after sudo), for any basic credentials, a token sent as the password included.
        if not self.state.version.checks_otp_at_sign_in and not self._otp_accepted(g.auth.doer):
            raise _error(401, OTP_REFUSED_ON_ROUTE)

    # -- errors ----------------------------------------------------------------------

    @staticmethod
    def http_error(exc):
        if exc.code == 404:
            return render(_not_found(), request)
        response = gitea_error(exc.code, request)
        if exc.code == 405:
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods or ()))
        return response

    @staticmethod
    def rejected(exc):
        return render(exc, request)

    @staticmethod
    def after_request(response):
        if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
            response.headers["Cache-Control"] = "max-age=0, private, must-revalidate, no-transform"
            response.headers["X-Content-Type-Options"] = "nosniff"
            if request.args.get("token") or request.args.get("access_token"):
                response.headers["X-Gitea-Warning"] = QUERY_TOKEN_WARNING
        return response

    # -- request bodies ------------------------------------------------------------------

    @staticmethod
    def _bind(form):
        """The body as Gitea's binding reads it into a Go struct: 422 with the first problem."""
        struct, fields = form
        content_type = request.headers.get("Content-Type", "")
        if "form-urlencoded" in content_type or "multipart/form-data" in content_type:
            values = _form_values(fields)
        elif "json" in content_type:
            values = _json_values(struct, fields)
        else:
            raise _error(422, "[]: %s" % ("Unsupported Content-Type" if content_type else "Empty Content-Type"))
        for key, field, _go_type, rules in fields:
            value = values[key]
            for rule in rules:
                if rule == "Required" and not value:
                    raise _error(422, "[%s]: Required" % field)
                if rule == "AlphaDashDot" and _NOT_ALPHA_DASH_DOT.search(value):
                    raise _error(422, "[%s]: AlphaDashDot" % field)
                if rule.startswith("MaxSize(") and len(value) > int(rule[8:-1]):
                    raise _error(422, "[%s]: MaxSize" % field)
        return values

    # -- version, users ------------------------------------------------------------------

    def version(self):
        return _json({"version": self.state.version.name})

    def _user_json(self, user, signed, authed):
        """convert.ToUser: the e-mail only for signed-in callers, private fields only for the user and admins."""
        base = request.host_url.rstrip("/")
        return {
            "id": user["id"],
            "login": user["login"],
            "login_name": "",
            "source_id": 0,
            "full_name": user["full_name"],
            "email": user["email"] if signed else "%s@%s" % (user["login"].lower(), NO_REPLY_DOMAIN),
            "avatar_url": "%s/avatars/%s" % (base, hashlib.md5(user["email"].encode("utf-8")).hexdigest()),
            "html_url": "%s/%s" % (base, user["login"]),
            "language": user["language"] if authed else "",
            "is_admin": user["is_admin"] if authed else False,
            "last_login": user["last_login"] if authed else ZERO_TIME,
            "created": user["created"],
            "restricted": False,
            "active": authed,
            "prohibit_login": False,
            "location": user["location"],
            "website": user["website"],
            "description": user["description"],
            "visibility": user["visibility"],
            "followers_count": 0,
            "following_count": 0,
            "starred_repos_count": 0,
            "username": user["login"],
        }

    def _user_for_doer(self, user):
        doer = g.auth.doer
        authed = doer is not None and (doer["id"] == user["id"] or doer["is_admin"])
        return self._user_json(user, doer is not None, authed)

    def current_user(self):
        with self.state.lock:
            self._require_scopes("user")
            self._require_signed_in()
            return _json(self._user_for_doer(g.auth.doer))

    def get_user(self, username):
        with self.state.lock:
            self._require_scopes("user")
            return _json(self._user_for_doer(self._context_user(username)))

    # -- repositories -------------------------------------------------------------------

    def _repo_json(self, repo, owner):
        doer = g.auth.doer
        base = request.host_url.rstrip("/")
        full_name = "%s/%s" % (owner["login"], repo["name"])
        manager = doer is not None and (doer["id"] == owner["id"] or doer["is_admin"])
        return {
            "id": repo["id"],
            # convert.ToRepo shows the owner as to a signed-in reader, never its private fields.
            "owner": self._user_json(owner, True, False),
            "name": repo["name"],
            "full_name": full_name,
            "description": repo["description"],
            "empty": repo["empty"],
            "private": repo["private"],
            "fork": False,
            "template": False,
            "parent": None,
            "mirror": False,
            "size": 0 if repo["empty"] else 24,
            "language": "",
            "languages_url": "%s%s/repos/%s/languages" % (base, API_PREFIX, full_name),
            "html_url": "%s/%s" % (base, full_name),
            "url": "%s%s/repos/%s" % (base, API_PREFIX, full_name),
            "link": "",
            "ssh_url": "git@%s:%s.git" % (request.host.split(":")[0], full_name),
            "clone_url": "%s/%s.git" % (base, full_name),
            "original_url": "",
            "website": "",
            "stars_count": 0,
            "forks_count": 0,
            "watchers_count": 1,
            "open_issues_count": 0,
            "open_pr_counter": 0,
            "release_counter": 0,
            "default_branch": repo["default_branch"],
            "archived": False,
            "created_at": repo["created"],
            "updated_at": repo["created"],
            "archived_at": "1970-01-01T00:00:00Z",
            "permissions": {"admin": manager, "push": manager, "pull": True},
            "has_issues": True,
            "internal_tracker": {
                "enable_time_tracker": True,
                "allow_only_contributors_to_track_time": True,
                "enable_issue_dependencies": True,
            },
            "has_wiki": True,
            "has_pull_requests": True,
            "has_projects": True,
            "has_releases": True,
            "has_packages": True,
            "has_actions": True,
            "ignore_whitespace_conflicts": False,
            "allow_merge_commits": True,
            "allow_rebase": True,
            "allow_rebase_explicit": True,
            "allow_squash_merge": True,
            "allow_fast_forward_only_merge": True,
            "allow_rebase_update": True,
            "default_delete_branch_after_merge": False,
            "default_merge_style": "merge",
            "default_allow_maintainer_edit": False,
            "avatar_url": "",
            "internal": False,
            "mirror_interval": "",
            "object_format_name": "sha1",
            "mirror_updated": ZERO_TIME,
            "repo_transfer": None,
            "topics": None,
        }

    def my_repos(self):
        with self.state.lock:
            self._require_scopes("user")
            self._require_signed_in()
            self._require_scopes("repository")
            doer = g.auth.doer
            page, limit = _list_options()
            repos = self.state.repos_of(doer["id"])
            response = _json([self._repo_json(repo, doer) for repo in _page(repos, page, limit)])
            _set_link_header(response, len(repos), limit)
            _set_total_count(response, len(repos))
            return response

    def create_repo(self):
        with self.state.lock:
            self._require_scopes("user")
            self._require_signed_in()
            self._require_scopes("repository")
            form = self._bind(REPO_FORM)
            owner = g.auth.doer
            name = form["name"]
            usable = name.strip().lower()
            if usable in _RESERVED_REPO_NAMES:
                raise _error(422, "name is reserved [name: %s]" % usable)
            suffix = next((suffix for suffix in _RESERVED_REPO_SUFFIXES if usable.endswith(suffix)), None)
            if suffix is not None:
                raise _error(422, "name pattern is not allowed [pattern: *%s]" % suffix)
            if self.state.repo(owner["id"], name) is not None:
                raise _error(409, "The repository with the same name already exists.")
            repo = self.state.add_repo(
                owner["id"], name, form["description"], form["private"], form["auto_init"], form["default_branch"]
            )
            return _json(self._repo_json(repo, owner), 201)

    def get_repo(self, owner, repo):
        with self.state.lock:
            self._require_scopes("repository")
            doer = g.auth.doer
            if doer is not None and doer["login"].lower() == owner.lower():
                found_owner = doer
            else:
                found_owner = self.state.user(owner)
                if found_owner is None:
                    raise _not_found("GetUserByName", ["user redirect does not exist [name: %s]" % owner.lower()])
            found = self.state.repo(found_owner["id"], repo)
            # A private repository is as missing to those who cannot read it.
            readable = found is not None and (
                not found["private"] or (doer is not None and (doer["id"] == found_owner["id"] or doer["is_admin"]))
            )
            if not readable:
                raise _not_found()
            return _json(self._repo_json(found, found_owner))

    # -- access tokens -------------------------------------------------------------------

    def _token_owner(self, username):
        """The checks of the /users/{username}/tokens group, in Gitea's order; the user whose tokens these are."""
        self._require_scopes("user")
        user = self._context_user(username)
        self._require_self_or_admin(user)
        self._require_basic()
        return user

    @staticmethod
    def _token_json(token, with_secret=False, with_scopes=True):
        shown = {
            "id": token["id"],
            "name": token["name"],
            # The value is only ever shown in the answer that creates the token.
            "sha1": token["secret"] if with_secret else "",
            "token_last_eight": token["secret"][-8:],
        }
        if with_scopes:
            shown["scopes"] = scopes.as_list(token["scope"])
        return shown

    def list_tokens(self, username):
        with self.state.lock:
            user = self._token_owner(username)
            page, limit = _list_options()
            tokens = self.state.tokens_of(user["id"])
            response = _json([self._token_json(token) for token in _page(tokens, page, limit)])
            # Gitea sets no Link header on this list, only the total.
            _set_total_count(response, len(tokens))
            return response

    def create_token(self, username):
        with self.state.lock:
            user = self._token_owner(username)
            form = self._bind(TOKEN_FORM)
            self._require_signed_in()
            if self.state.tokens_of(user["id"], name=form["name"]):
                raise _error(400, "access token name has been used already")
            try:
                scope = scopes.normalize(form["scopes"])
            except scopes.InvalidScope as exc:
                raise _error(400, "invalid access token scope provided: %s" % exc) from None
            version = self.state.version
            if not scope and version.refuses_token_without_scope:
                raise _error(400, "access token must have a scope")
            token = self.state.add_token(user["id"], form["name"], scope)
            return _json(self._token_json(token, with_secret=True, with_scopes=version.echoes_scopes_on_create), 201)

    def delete_token(self, username, token):
        with self.state.lock:
            user = self._token_owner(username)
            self._require_signed_in()
            token_id = _parse_token_id(token)
            if token_id == 0:
                named = self.state.tokens_of(user["id"], name=token)
                if not named:
                    raise _not_found()
                if len(named) > 1:
                    raise _error(422, "multiple matches for token name '%s'" % token)
                token_id = named[0]["id"]
            owner = g.auth.doer if self.state.version.deletes_only_the_doers_tokens else user
            if not self.state.delete_token(token_id, owner["id"]):
                raise _not_found()
            response = Response(status=204)
            # ctx.Status writes no body and no Content-Type.
            del response.headers["Content-Type"]
            return response

    # -- control API: users and tokens made directly ------------------------------------

    def control(self, control_request, rest):
        """/__sandbox__/gitea/tokens, users, totp and settings."""
        name = rest.strip("/")
        if name == "tokens":
            return self._control_tokens(control_request)
        if name == "users":
            return self._control_users(control_request)
        if name == "totp":
            return self._control_totp(control_request)
        if name == "settings":
            return self._control_settings(control_request)
        return _json(
            {"error": "no such control endpoint: %s (use /__sandbox__/gitea/tokens, users, totp or settings)" % control_request.path},
            404,
        )

    def _control_settings(self, control_request):
        """GET, or PUT {"version": "1.21.4"}: the Gitea version emulated until the next reset."""
        with self.state.lock:
            if control_request.method not in ("GET", "HEAD", "PUT"):
                response = _json({"error": "method not allowed, use GET or PUT"}, 405)
                response.headers["Allow"] = "GET, PUT"
                return response
            if control_request.method == "PUT":
                try:
                    data = json.loads(control_request.get_data(as_text=True) or "null")
                except ValueError as exc:
                    return _json({"error": "the body is not valid JSON: %s" % exc}, 400)
                if not isinstance(data, dict) or set(data) - {"version"}:
                    return _json({"error": 'expected a JSON object: {"version"?: "1.21.4"}'}, 400)
                if "version" in data:
                    try:
                        self.state.version = gitea_versions.GiteaVersion(data["version"])
                    except gitea_versions.UnsupportedVersion as exc:
                        return _json({"error": str(exc)}, 400)
            return _json({"version": self.state.version.name})

    def _control_totp(self, control_request):
        """GET the enrolled users, or POST {"user", "secret"?} to enrol one in two-factor authentication."""
        with self.state.lock:
            if control_request.method in ("GET", "HEAD"):
                return _json(
                    [
                        {"user": self.state.user_by_id(user_id)["login"], "secret": secret}
                        for user_id, secret in sorted(self.state.totp.items())
                    ]
                )
            data, refusal = _control_post_body(control_request)
            if refusal is not None:
                return refusal
            if not isinstance(data, dict) or set(data) - {"user", "secret"} or not isinstance(data.get("user"), str):
                return _json({"error": 'expected a JSON object: {"user": "alice", "secret"?: "<base32>"}'}, 400)
            user = self.state.user(data["user"])
            if user is None:
                return _json({"error": "no user named '%s'" % data["user"]}, 404)
            secret = data.get("secret", gitea_totp.DEFAULT_SECRET)
            try:
                gitea_totp.decode_secret(secret if isinstance(secret, str) else "")
            except ValueError as exc:
                return _json({"error": "'secret' must be a base32 string: %s" % exc}, 400)
            self.state.totp[user["id"]] = secret
            return _json({"user": user["login"], "secret": secret}, 201)

    def _control_users(self, control_request):
        """GET or POST /__sandbox__/gitea/users."""
        with self.state.lock:
            if control_request.method in ("GET", "HEAD"):
                return _json([self._control_user_json(user) for user in sorted(self.state.users.values(), key=lambda u: u["id"])])
            data, refusal = _control_post_body(control_request)
            if refusal is not None:
                return refusal
            problem = self._check_control_user(data)
            if problem:
                return _json({"error": problem}, 400)
            user = self.state.add_user(
                data["login"], data["password"], data.get("full_name", ""), is_admin=data.get("admin", False), created=now()
            )
            return _json(self._control_user_json(user), 201)

    def _check_control_user(self, data):
        if not isinstance(data, dict):
            return 'expected a JSON object: {"login", "password", "full_name"?, "admin"?}'
        unknown = sorted(set(data) - {"login", "password", "full_name", "admin"})
        if unknown:
            return "unknown keys: %s (allowed: login, password, full_name, admin)" % ", ".join(unknown)
        login, password = data.get("login"), data.get("password")
        if not isinstance(login, str) or not isinstance(password, str) or not login or not password:
            return "'login' and 'password' must be non-empty strings"
        # Gitea's user names: letters, digits, '-', '_' and '.', not starting or ending with a punctuation mark.
        if not _USER_NAME_RE.match(login):
            return "'login' is not a valid Gitea user name: %s" % login
        if self.state.user(login) is not None:
            return "a user named '%s' already exists" % login
        if not isinstance(data.get("full_name", ""), str):
            return "'full_name' must be a string"
        if not isinstance(data.get("admin", False), bool):
            return "'admin' must be true or false"
        return None

    @staticmethod
    def _control_user_json(user):
        return {key: user[key] for key in ("id", "login", "full_name", "email", "is_admin", "created")}

    def _control_tokens(self, control_request):
        """GET or POST /__sandbox__/gitea/tokens."""
        with self.state.lock:
            if control_request.method in ("GET", "HEAD"):
                return _json(
                    [self._control_token_json(token) for token in sorted(self.state.tokens.values(), key=lambda t: t["id"])]
                )
            data, refusal = _control_post_body(control_request)
            if refusal is not None:
                return refusal
            # A list adds many tokens in one request (a test's setup), all or none.
            wanted = data if isinstance(data, list) and data else [data]
            for item in wanted:
                problem, status = self._check_control_token(item)
                if problem:
                    return _json({"error": problem}, status)
            added = []
            for item in wanted:
                user = self.state.user(item["user"])
                token = self.state.add_token(
                    user["id"], item["name"], scopes.normalize(item.get("scopes", [scopes.ALL])), item.get("sha1")
                )
                added.append(dict(self._control_token_json(token), sha1=token["secret"]))
            return _json(added if isinstance(data, list) else added[0], 201)

    def _check_control_token(self, data):
        if not isinstance(data, dict):
            return 'expected a JSON object: {"user", "name", "scopes"?, "sha1"?}', 400
        unknown = sorted(set(data) - {"user", "name", "scopes", "sha1"})
        if unknown:
            return "unknown keys: %s (allowed: user, name, scopes, sha1)" % ", ".join(unknown), 400
        if not isinstance(data.get("user"), str) or not isinstance(data.get("name"), str) or not data["name"]:
            return "'user' and 'name' must be non-empty strings", 400
        if self.state.user(data["user"]) is None:
            return "no user named '%s'" % data["user"], 404
        chosen = data.get("scopes", [scopes.ALL])
        if not isinstance(chosen, list) or not all(isinstance(item, str) for item in chosen):
            return "'scopes' must be a list of strings", 400
        try:
            scopes.normalize(chosen)
        except scopes.InvalidScope as exc:
            return str(exc), 400
        secret = data.get("sha1")
        if secret is not None:
            if not isinstance(secret, str) or len(secret) < 8:
                return "'sha1' must be a string of 8 characters or more", 400
            if self.state.token_by_secret(secret) is not None:
                return "another token already has that 'sha1'", 400
        return None, None

    def _control_token_json(self, token):
        return dict(self._token_json(token), user=self.state.user_by_id(token["uid"])["login"])


# -- helpers shared by the views ---------------------------------------------------------


def _list_options():
    """utils.GetListOptions: page from 1, limit 30 by default and 50 at most."""
    page = max(_atoi(request.args.get("page")), 1)
    limit = _atoi(request.args.get("limit"))
    if limit <= 0:
        limit = DEFAULT_PAGE_SIZE
    return page, min(limit, MAX_PAGE_SIZE)


def _page(items, page, limit):
    start = (page - 1) * limit
    end = start + limit
    return items[start:end]


def _expose(response, name):
    exposed = response.headers.get("Access-Control-Expose-Headers")
    response.headers["Access-Control-Expose-Headers"] = "%s, %s" % (exposed, name) if exposed else name


def _set_total_count(response, total):
    response.headers["X-Total-Count"] = str(total)
    _expose(response, "X-Total-Count")


def _page_url(page):
    """The request's URL with another page: query keys sorted, as Go's url.Values.Encode writes them."""
    items = [(key, value) for key, value in request.args.items(multi=True) if key != "page" and key not in _CREDENTIAL_PARAMETERS]
    items.append(("page", str(page)))
    items.sort(key=lambda item: item[0])
    return "%s%s?%s" % (request.host_url, quote(request.path.lstrip("/")), urlencode(items))


def _set_link_header(response, total, page_size):
    """ctx.SetLinkHeader: next, last, first and prev, for the page asked (kept within the pages there are)."""
    pages = max((total + page_size - 1) // page_size, 1)
    current = min(max(_atoi(request.args.get("page")), 1), pages)
    links = []
    if total > current * page_size:
        links.append('<%s>; rel="next"' % _page_url(current + 1))
    is_last = total == 0 or (total > (current - 1) * page_size and total <= current * page_size)
    if not is_last:
        links.append('<%s>; rel="last"' % _page_url(pages))
    if current != 1:
        links.append('<%s>; rel="first"' % _page_url(1))
    if current > 1:
        links.append('<%s>; rel="prev"' % _page_url(current - 1))
    if links:
        response.headers["Link"] = ",".join(links)
        _expose(response, "Link")


def _form_values(fields):
    values = {}
    for key, _field, go_type, _rules in fields:
        if go_type == "[]string":
            values[key] = request.form.getlist(key)
        elif go_type == "bool":
            values[key] = request.form.get(key, "") in ("1", "t", "T", "true", "TRUE", "True")
        else:
            values[key] = request.form.get(key, "")
    return values


def _json_values(struct, fields):
    """Decode like Go's encoding/json into the struct: keys match without case, the last one wins."""
    values = {key: ([] if go_type == "[]string" else False if go_type == "bool" else "") for key, _f, go_type, _r in fields}
    raw = request.get_data(as_text=True)
    if not raw.strip():
        return values
    try:
        data = json.loads(raw)
    except ValueError as exc:
        # Go's decoder words this differently; the 422 and the [] are the same.
        raise _error(422, "[]: invalid JSON: %s" % exc) from None
    if data is None:
        return values
    if not isinstance(data, dict):
        raise _error(422, "[]: json: cannot unmarshal %s into Go value of type structs.%s" % (_json_type(data), struct))
    types = {key: go_type for key, _f, go_type, _r in fields}
    for sent, value in data.items():
        key = next((key for key in types if key.lower() == sent.lower()), None)
        if key is None or value is None:
            continue
        go_type = types[key]
        expected = {"string": str, "bool": bool, "[]string": list}[go_type]
        if not isinstance(value, expected):
            raise _error(
                422,
                "[]: json: cannot unmarshal %s into Go struct field %s.%s of type %s" % (_json_type(value), struct, key, go_type),
            )
        if go_type == "[]string":
            bad = next((item for item in value if item is not None and not isinstance(item, str)), None)
            if bad is not None:
                raise _error(
                    422,
                    "[]: json: cannot unmarshal %s into Go struct field %s.%s of type string" % (_json_type(bad), struct, key),
                )
            value = [item or "" for item in value]
        values[key] = value
    return values


def _json_type(value):
    return _JSON_TYPES.get(type(value), "value")


def create_app(control, credentials):
    """The Flask app of the Gitea service, behind the control layer."""
    state = GiteaState(credentials)
    api = GiteaApi(state)
    app = Flask(__name__, static_folder=None)
    # Gitea strips a final slash before routing.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.before_request(api.before_request)
    app.after_request(api.after_request)
    app.register_error_handler(HTTPException, api.http_error)
    app.register_error_handler(Rejected, api.rejected)

    def route(rule, view, methods):
        app.add_url_rule(API_PREFIX + rule, endpoint=view.__name__, view_func=view, methods=methods)

    route("/version", api.version, ["GET"])
    route("/user", api.current_user, ["GET"])
    route("/user/repos", api.my_repos, ["GET"])
    route("/user/repos", api.create_repo, ["POST"])
    route("/users/<username>", api.get_user, ["GET"])
    route("/users/<username>/tokens", api.list_tokens, ["GET"])
    route("/users/<username>/tokens", api.create_token, ["POST"])
    route("/users/<username>/tokens/<token>", api.delete_token, ["DELETE"])
    route("/repos/<owner>/<repo>", api.get_repo, ["GET"])
    return control.install(app, reset=state.reset, error_response=gitea_error, endpoints={"gitea": api.control}, state=state)
