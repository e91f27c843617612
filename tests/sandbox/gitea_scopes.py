# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gitea access token scopes (1.20 and later): names, normalization, checks.

Follows models/auth/access_token_scope.go: a scope list is parsed into the
set of permissions it grants (``write:X`` grants ``read:X`` too, ``all``
grants every ``write:``), and written back in Gitea's canonical order with
nothing redundant, so ``read:user,write:user,read:user`` is stored as
``write:user`` and every ``write:`` together as ``all``.
"""

# In Gitea's order; ``misc`` is kept although no route needs it any more.
CATEGORIES = ("activitypub", "admin", "misc", "notification", "organization", "package", "issue", "repository", "user")
ALL = "all"
# Limits a token to public resources; not a permission of its own.
PUBLIC_ONLY = "public-only"
# Every scope name a token may be given, besides ``public-only``.
SCOPES = (ALL,) + tuple("%s:%s" % (level, category) for category in CATEGORIES for level in ("read", "write"))

# The canonical order of a stored scope: parents before children.
_ORDER = (PUBLIC_ONLY,) + tuple("%s:%s" % (level, category) for category in CATEGORIES for level in ("write", "read"))
_ALL_WRITE = ",".join("write:%s" % category for category in CATEGORIES)


class InvalidScope(ValueError):
    """A scope name Gitea does not know; the message is Gitea's."""

    def __init__(self, scope):
        super().__init__("invalid access token scope: %s" % scope)
        self.scope = scope


def _grants(scope):
    """The permissions one scope name grants, or None for an unknown name."""
    if scope == ALL:
        return frozenset("%s:%s" % (level, category) for category in CATEGORIES for level in ("read", "write"))
    if scope == PUBLIC_ONLY:
        return frozenset((PUBLIC_ONLY,))
    level, sep, category = scope.partition(":")
    if not sep or category not in CATEGORIES:
        return None
    if level == "read":
        return frozenset((scope,))
    if level == "write":
        return frozenset((scope, "read:" + category))
    return None


def parse(scope):
    """The set of permissions of a stored (comma separated) scope; raises InvalidScope."""
    granted = set()
    for name in (scope or "").split(","):
        # Empty items, as in "a,,b" or a trailing comma, are skipped like Gitea does.
        if not name:
            continue
        grants = _grants(name)
        if grants is None:
            raise InvalidScope(name)
        granted |= grants
    return granted


def normalize(scopes):
    """The stored form of a list of scope names, e.g. ["read:user", "write:user"] -> "write:user".

    Items are joined with commas first, as Gitea does, so an item may itself
    hold several names. Returns "" when nothing is granted.
    """
    granted = parse(",".join(scopes))
    kept, covered = [], set()
    for name in _ORDER:
        grants = _grants(name)
        if grants <= granted and not grants <= covered:
            kept.append(name)
            covered |= grants
    return ",".join(kept).replace(_ALL_WRITE, ALL)


def as_list(scope):
    """A stored scope as the API lists it (AccessTokenScope.StringSlice): split at commas, so an
    empty scope, which Gitea 1.20 and 1.21 store, is listed as one empty name."""
    return (scope or "").split(",")


def required(method, categories):
    """The scopes a request needs: write for POST, PUT, PATCH and DELETE, read otherwise."""
    level = "write" if method in ("POST", "PUT", "PATCH", "DELETE") else "read"
    return ["%s:%s" % (level, category) for category in categories]


def allows(scope, needed):
    """Whether a stored scope grants every scope in ``needed``."""
    granted = parse(scope)
    return all(_grants(name) <= granted for name in needed)


def missing_message(needed):
    """Gitea 1.22's refusal; Go prints the list as [a b]."""
    return "token does not have at least one of required scope(s): [%s]" % " ".join(needed)
