# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gitea: the store of users, their access tokens and repositories, and its seed.

Names are looked up without case, as Gitea does with its lower_name
columns. Token ids and repository ids are global counters, like database
ids; a deleted id is never given again until a reset.
"""

import hmac
import secrets
import threading
from datetime import datetime, timezone

from .gitea_versions import NEWEST, GiteaVersion

SEED_TIME = "2025-01-01T00:00:00Z"


def now():
    """A timestamp as Gitea's JSON shows one in UTC, e.g. 2025-06-01T10:00:00Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _same(left, right):
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))


class GiteaState:
    """Users, tokens, repositories and two-factor enrolments; every access goes through ``lock``."""

    def __init__(self, credentials):
        self.credentials = credentials
        self.lock = threading.RLock()
        # The version chosen at start-up; a reset comes back to it.
        self.startup_version = GiteaVersion(credentials.get("gitea_version") or NEWEST)
        self.version = self.startup_version
        self.users = {}
        self.tokens = {}
        self.repos = {}
        # User id -> base32 TOTP secret of the users enrolled in two-factor authentication.
        self.totp = {}
        self.counters = {}

    def next_id(self, kind):
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]

    # -- users -------------------------------------------------------------

    def user(self, name):
        """The user with that login (any case), or None."""
        wanted = (name or "").lower()
        return next((user for user in self.users.values() if user["login"].lower() == wanted), None)

    def user_by_id(self, user_id):
        return self.users.get(user_id)

    def user_by_email(self, email):
        wanted = email.strip().lower()
        return next((user for user in self.users.values() if user["email"].lower() == wanted), None)

    @staticmethod
    def password_matches(user, password):
        return _same(password, user["password"])

    def add_user(self, login, password, full_name, is_admin=False, created=SEED_TIME):
        user_id = self.next_id("user")
        user = {
            "id": user_id,
            "login": login,
            "password": password,
            "full_name": full_name,
            "email": "%s@example.com" % login.lower(),
            "is_admin": is_admin,
            "created": created,
            "last_login": created,
            "language": "en-US",
            "location": "",
            "website": "",
            "description": "",
            "visibility": "public",
        }
        self.users[user_id] = user
        return user

    # -- tokens ------------------------------------------------------------

    def token_by_secret(self, secret):
        """The token whose value is ``secret``, or None; Gitea ignores values under 8 characters."""
        if not secret or len(secret) < 8:
            return None
        return next((token for token in self.tokens.values() if _same(secret, token["secret"])), None)

    def tokens_of(self, user_id, name=None):
        """The user's tokens, newest first (Gitea sorts by creation time, descending)."""
        found = [token for token in self.tokens.values() if token["uid"] == user_id and (name is None or token["name"] == name)]
        return sorted(found, key=lambda token: token["id"], reverse=True)

    def add_token(self, user_id, name, scope, secret=None):
        """Store a token; no check of the name. Returns it with its value."""
        # 20 random bytes in hex, like Gitea's tokens.
        secret = secret or secrets.token_hex(20)
        token = {"id": self.next_id("token"), "uid": user_id, "name": name, "scope": scope, "secret": secret, "created": now()}
        self.tokens[token["id"]] = token
        return token

    def delete_token(self, token_id, user_id):
        """Delete the user's token with that id; False when the user has none with it."""
        token = self.tokens.get(token_id)
        if token is None or token["uid"] != user_id:
            return False
        del self.tokens[token_id]
        return True

    # -- repositories ------------------------------------------------------

    def repo(self, owner_id, name):
        wanted = (name or "").lower()
        return next(
            (repo for repo in self.repos.values() if repo["owner_id"] == owner_id and repo["name"].lower() == wanted), None
        )

    def repos_of(self, owner_id):
        """The user's repositories by name, as Gitea's repository search orders them."""
        found = [repo for repo in self.repos.values() if repo["owner_id"] == owner_id]
        return sorted(found, key=lambda repo: (repo["name"].lower(), repo["id"]))

    def add_repo(self, owner_id, name, description="", private=False, auto_init=False, default_branch="", created=None):
        created = created or now()
        repo = {
            "id": self.next_id("repo"),
            "owner_id": owner_id,
            "name": name,
            "description": description,
            "private": private,
            # Without auto_init Gitea creates an empty repository.
            "empty": not auto_init,
            "default_branch": default_branch or "main",
            "created": created,
        }
        self.repos[repo["id"]] = repo
        return repo

    # -- seed --------------------------------------------------------------

    def reset(self):
        with self.lock:
            self.users = {}
            self.tokens = {}
            self.repos = {}
            self.totp = {}
            self.counters = {}
            self.version = self.startup_version
            self._seed()

    def _seed(self):
        credentials = self.credentials
        admin = self.add_user(
            credentials["gitea_admin_username"], credentials["gitea_admin_password"], "Sandbox Admin", is_admin=True
        )
        alice = self.add_user("alice", credentials["gitea_alice_password"], "Alice Example")
        bob = self.add_user("bob", credentials["gitea_bob_password"], "Bob Example")
        token = self.add_token(admin["id"], "sandbox-admin-token", "all", secret=credentials["gitea_admin_token"])
        token["created"] = SEED_TIME
        self.add_repo(admin["id"], "infra", "Infrastructure code", private=True, auto_init=True, created=SEED_TIME)
        self.add_repo(alice["id"], "alice-repo", "Alice's public repository", auto_init=True, created=SEED_TIME)
        self.add_repo(bob["id"], "bob-repo", "Bob's private repository", private=True, auto_init=True, created=SEED_TIME)
