# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gitea token scopes without a server: names, normalization, checks."""

import pytest

from tests.sandbox import gitea_scopes as scopes


def test_scope_names():
    assert scopes.SCOPES[0] == "all"
    assert len(scopes.SCOPES) == 19
    for category in ("activitypub", "admin", "issue", "misc", "notification", "organization", "package", "repository", "user"):
        assert "read:" + category in scopes.SCOPES
        assert "write:" + category in scopes.SCOPES
    assert scopes.PUBLIC_ONLY not in scopes.SCOPES


@pytest.mark.parametrize(
    "given, stored",
    [
        ([], ""),
        ([""], ""),
        (["read:user"], "read:user"),
        (["read:user", "write:user"], "write:user"),
        (["write:user", "read:repository", "read:issue"], "read:issue,read:repository,write:user"),
        (["all"], "all"),
        (["all", "public-only"], "public-only,all"),
        (["write:%s" % category for category in scopes.CATEGORIES], "all"),
        (
            ["write:%s" % category for category in scopes.CATEGORIES if category != "misc"] + ["read:misc"],
            "write:activitypub,write:admin,read:misc,"
            "write:notification,write:organization,write:package,write:issue,write:repository,write:user",
        ),
    ],
)
def test_normalize(given, stored):
    assert scopes.normalize(given) == stored


def test_an_unknown_scope():
    with pytest.raises(scopes.InvalidScope) as caught:
        scopes.normalize(["read:user", "write:everything"])
    assert (str(caught.value), caught.value.scope) == ("invalid access token scope: write:everything", "write:everything")


def test_allows():
    assert scopes.allows("all", ["write:admin", "read:user"])
    assert scopes.allows("write:user", ["read:user"])
    assert not scopes.allows("read:user", ["write:user"])
    assert not scopes.allows("read:user", ["read:user", "read:repository"])
    assert not scopes.allows("public-only", ["read:user"])
    assert not scopes.allows("", ["read:user"])


def test_required_and_the_message():
    assert scopes.required("GET", ["user"]) == ["read:user"]
    assert scopes.required("DELETE", ["user", "repository"]) == ["write:user", "write:repository"]
    assert scopes.missing_message(["write:user", "write:repository"]) == (
        "token does not have at least one of required scope(s): [write:user write:repository]"
    )
    assert scopes.as_list("") == [""]
    assert scopes.as_list("read:issue,write:user") == ["read:issue", "write:user"]
