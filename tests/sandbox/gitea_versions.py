# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gitea versions the sandbox emulates, and what differs between them for the token endpoints.

Only what the collection depends on is versioned here: whether a create answer
lists the scopes, whether a token without any scope is refused, and where the
two-factor code is checked. Everything else is the same from 1.20 on.
"""

import re

#: The newest version the sandbox emulates, and its default.
NEWEST = "1.22.3"
#: Gitea 1.20 brought the scope model the collection uses (read:/write: categories, public-only).
OLDEST = (1, 20, 0)
_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?\Z")


class UnsupportedVersion(ValueError):
    """A version the sandbox does not emulate; the message says why."""


def parse(version):
    """(major, minor, patch) of "1.21", "1.21.4" or "v1.21.4"; refuses what is not such a version or too old."""
    match = _VERSION_RE.match(str(version).strip())
    if not match:
        raise UnsupportedVersion("not a Gitea version: %r (expected e.g. 1.21.4)" % (version,))
    parsed = (int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
    if parsed < OLDEST:
        raise UnsupportedVersion(
            "Gitea %s is not emulated: before 1.20 access token scopes had other names (repo, admin:org, sudo, ...), "
            "which 1.20 migrated; use 1.20.0 or later" % version
        )
    return parsed


class GiteaVersion:
    """The behaviours of one emulated version."""

    def __init__(self, version=NEWEST):
        self.number = parse(version)
        self.name = "%d.%d.%d" % self.number

    @property
    def echoes_scopes_on_create(self):
        # The create answer has no scopes before 1.22 (routers/api/v1/user/app.go CreateAccessToken).
        return self.number >= (1, 22, 0)

    @property
    def refuses_token_without_scope(self):
        # 1.20 and 1.21 store a token with an empty scope; later versions answer 400.
        return self.number >= (1, 22, 0)

    @property
    def deletes_only_the_doers_tokens(self):
        # DeleteAccessToken before 1.22 deleted by id for ctx.Doer, not for the user in the path, so an
        # admin without sudo got a 404 for another user's token; later versions use the path's user.
        return self.number < (1, 22, 0)

    @property
    def checks_otp_at_sign_in(self):
        # Since 1.20.6 and 1.21.0 the basic method itself checks the code of the user who signs in;
        # before, the token routes checked the code of the acting (possibly impersonated) user.
        return self.number >= (1, 20, 6)
