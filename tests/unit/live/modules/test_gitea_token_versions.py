"""gitea_token against the emulated Gitea 1.20 to 1.22: two-factor codes, public-only, create answers without scopes."""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import time

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import GITEA_SPEC, canonical_scopes
from ansible_collections.opsforge.delivery.plugins.modules.gitea_token import main as gitea_token_main

EVERY_CATEGORY_REVERSED = ("user", "repository", "issue", "package", "organization", "notification", "misc", "admin",
                           "activitypub")
# RFC 6238's test secret, which the sandbox enrols by default.
RFC_SECRET = b"12345678901234567890"


def totp(key=RFC_SECRET, when=None):
    """The current RFC 6238 code (SHA-1, 30-second steps, 6 digits)."""
    when = time.time() if when is None else when
    digest = hmac.new(key, struct.pack(">Q", int(when // 30)), hashlib.sha1).digest()
    start = digest[19] & 15
    return "%06d" % ((int.from_bytes(digest[start:start + 4], "big") & 0x7FFFFFFF) % 10 ** 6)


@pytest.fixture
def gitea(sandbox):
    url = sandbox.urls["gitea"]

    class Gitea:
        def version(self, name):
            assert requests.put(url + "/__sandbox__/gitea/settings", json={"version": name}).status_code == 200

        def enrol(self, user):
            assert requests.post(url + "/__sandbox__/gitea/totp", json={"user": user}).status_code == 201

        def writes(self):
            log = requests.get(url + "/__sandbox__/requests").json()
            return [entry for entry in log if entry["method"] not in ("GET", "HEAD")]

        def tokens(self, user):
            return [token for token in requests.get(url + "/__sandbox__/gitea/tokens").json() if token["user"] == user]

    Gitea.url = url
    return Gitea()


def alice(gitea, **args):
    return dict(dict(url=gitea.url, username="alice", password="alice-password", retries=0, name="ci"), **args)


def admin(gitea, **args):
    return dict(dict(url=gitea.url, username="sandbox-admin", password="sandbox-password", retries=0, name="ci"), **args)


# -- two-factor authentication -----------------------------------------------------------------


def test_otp_is_a_secret_option_with_an_environment_fallback():
    assert GITEA_SPEC["otp"]["no_log"] is True
    assert GITEA_SPEC["otp"]["fallback"][1] == ["GITEA_OTP"]
    assert not GITEA_SPEC["otp"].get("required")


def test_an_enrolled_account_without_a_code_fails_with_a_hint_and_writes_nothing(gitea, module_runner):
    gitea.enrol("alice")
    result = module_runner(gitea_token_main, alice(gitea, scopes=["read:user"]))
    assert result["failed"] is True
    assert result["status"] == 401
    assert "invalid provided OTP" in result["msg"]
    assert "set otp, or GITEA_OTP" in result["msg"]
    assert gitea.writes() == []


def test_a_current_code_creates_the_token_and_a_second_run_changes_nothing(gitea, module_runner):
    gitea.enrol("alice")
    created = module_runner(gitea_token_main, alice(gitea, scopes=["read:user"], otp=totp()))
    assert created["changed"] is True, created
    assert len(gitea.tokens("alice")) == 1
    again = module_runner(gitea_token_main, alice(gitea, scopes=["read:user"], otp=" %s\n" % totp()))
    assert again["changed"] is False, again


def test_a_wrong_code_says_so(gitea, module_runner):
    gitea.enrol("alice")
    code = "%06d" % ((int(totp()) + 500000) % 10 ** 6)
    result = module_runner(gitea_token_main, alice(gitea, scopes=["read:user"], otp=code))
    assert result["failed"] is True
    assert "refused the two-factor code in otp" in result["msg"]
    assert code not in json.dumps(result)


def test_the_code_comes_from_gitea_otp_and_an_empty_variable_counts_as_unset(gitea, module_runner, monkeypatch):
    gitea.enrol("alice")
    monkeypatch.setenv("GITEA_OTP", totp())
    assert module_runner(gitea_token_main, alice(gitea, scopes=["read:user"]))["changed"] is True
    monkeypatch.setenv("GITEA_OTP", "")
    result = module_runner(gitea_token_main, alice(gitea, scopes=["read:user"]))
    assert result["failed"] is True and "set otp, or GITEA_OTP" in result["msg"]


def test_sudo_needs_no_code_of_the_user_acted_for_from_1_20_6(gitea, module_runner):
    gitea.enrol("alice")
    result = module_runner(gitea_token_main, admin(gitea, user="alice", scopes=["read:user"]))
    assert result["changed"] is True, result


def test_sudo_before_1_20_6_needs_the_code_of_the_user_acted_for(gitea, module_runner):
    gitea.version("1.20.5")
    gitea.enrol("alice")
    refused = module_runner(gitea_token_main, admin(gitea, user="alice", scopes=["read:user"]))
    assert refused["failed"] is True
    assert "%!s(<nil>)" in refused["msg"] and "set otp, or GITEA_OTP" in refused["msg"]
    assert gitea.writes() == []
    created = module_runner(gitea_token_main, admin(gitea, user="alice", scopes=["read:user"], otp=totp()))
    assert created["changed"] is True, created


# -- public-only ---------------------------------------------------------------------------------


def test_public_only_is_accepted_and_compared(gitea, module_runner):
    created = module_runner(gitea_token_main, alice(gitea, scopes=["read:repository", "public-only"], recreate="on_change"))
    assert created["changed"] is True, created
    assert created["token"]["scopes"] == ["public-only", "read:repository"]
    same = module_runner(gitea_token_main, alice(gitea, scopes=["public-only", "read:repository", "read:repository"],
                                                 recreate="on_change"))
    assert same["changed"] is False, same
    lifted = module_runner(gitea_token_main, alice(gitea, scopes=["read:repository"], recreate="on_change"), diff=True)
    assert lifted["changed"] is True
    assert lifted["diff"]["before"]["scopes"] == ["public-only", "read:repository"]
    assert lifted["diff"]["after"]["scopes"] == ["read:repository"]


def test_public_only_alone_is_refused_before_any_request(gitea, module_runner):
    result = module_runner(gitea_token_main, alice(gitea, scopes=["public-only"]))
    assert result["failed"] is True
    assert "at least one permission besides public-only" in result["msg"]
    assert requests.get(gitea.url + "/__sandbox__/requests").json() == []


# -- a create answer without scopes (before 1.22) ------------------------------------------------


@pytest.mark.parametrize("version", ["1.20.0", "1.21.11", "1.22.3"])
def test_every_version_returns_the_scopes_as_stored_and_a_second_run_changes_nothing(gitea, module_runner, version):
    gitea.version(version)
    scopes = ["read:user", "write:package", "write:user", "public-only"]
    predicted = module_runner(gitea_token_main, alice(gitea, scopes=scopes), check_mode=True)
    created = module_runner(gitea_token_main, alice(gitea, scopes=scopes))
    assert created["changed"] is True, created
    stored = gitea.tokens("alice")[0]["scopes"]
    assert created["token"]["scopes"] == stored == predicted["token"]["scopes"] == ["public-only", "write:package", "write:user"]
    again = module_runner(gitea_token_main, alice(gitea, scopes=scopes, recreate="on_change"))
    assert again["changed"] is False, again


@pytest.mark.parametrize("scopes, stored", [
    (["write:user", "read:user"], ["write:user"]),
    (["read:issue", "read:activitypub"], ["read:activitypub", "read:issue"]),
    (["all", "read:user"], ["all"]),
    (["all", "public-only"], ["public-only", "all"]),
    (["write:%s" % c for c in EVERY_CATEGORY_REVERSED], ["all"]),
])
def test_normalize_scopes_is_what_the_server_stores(gitea, scopes, stored):
    assert canonical_scopes(scopes) == stored
    response = requests.post(gitea.url + "/api/v1/users/alice/tokens", auth=("alice", "alice-password"),
                             json={"name": "n", "scopes": scopes})
    assert response.json()["scopes"] == stored
