# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Gitea across versions: two-factor codes, the create answer, tokens without scope, the version setting.

Also restates, as our own cases, what Gitea's own API tests (tests/integration/api_token_test.go) pin.
"""

import base64
import hashlib
import hmac
import os
import struct
import subprocess
import sys
import time

import pytest
import requests

from tests.sandbox import Sandbox, gitea_totp

ALICE = ("alice", "alice-password")
ADMIN = ("sandbox-admin", "sandbox-password")
# RFC 6238's test secret, which the control endpoint enrols by default (base32 of these bytes).
RFC_SECRET = b"12345678901234567890"


def rfc6238(key, when, digits=6):
    """A TOTP code (SHA-1, 30-second steps), written from RFC 6238 and independent of the sandbox's."""
    message = struct.pack(">Q", int(when // 30))
    digest = hmac.new(key, message, hashlib.sha1).digest()
    start = digest[19] & 15
    value = int.from_bytes(digest[start:start + 4], "big") & 0x7FFFFFFF
    return "%0*d" % (digits, value % 10 ** digits)


def current_code(key=RFC_SECRET):
    return rfc6238(key, time.time())


def error(gitea, status, message):
    return status, {"message": message, "url": gitea + "/api/swagger"}


def answer(response):
    return response.status_code, response.json()


@pytest.fixture
def version(gitea):
    def set_version(name):
        response = requests.put(gitea + "/__sandbox__/gitea/settings", json={"version": name})
        assert response.status_code == 200, response.text
        return response.json()

    return set_version


@pytest.fixture
def enrol(gitea):
    def enrol(user, **extra):
        response = requests.post(gitea + "/__sandbox__/gitea/totp", json=dict(extra, user=user))
        assert response.status_code == 201, response.text
        return response.json()

    return enrol


# -- the code itself -------------------------------------------------------------------------


def test_the_sandbox_codes_are_rfc_6238_codes():
    # RFC 6238 appendix B, SHA-1, time 59 and 1111111109: 94287082 and 07081804 (8 digits).
    secret = gitea_totp.DEFAULT_SECRET
    assert base64.b32decode(secret) == RFC_SECRET
    assert gitea_totp.code_at(secret, 59, digits=8) == "94287082" == rfc6238(RFC_SECRET, 59, 8)
    assert gitea_totp.code_at(secret, 1111111109, digits=8) == "07081804" == rfc6238(RFC_SECRET, 1111111109, 8)


def test_the_step_before_and_after_are_accepted_and_no_other():
    secret, now = gitea_totp.DEFAULT_SECRET, 1700000000
    for shift, accepted in ((-60, False), (-30, True), (0, True), (30, True), (60, False)):
        assert gitea_totp.is_valid(secret, rfc6238(RFC_SECRET, now + shift), when=now) is accepted, shift
    assert not gitea_totp.is_valid(secret, "", when=now)
    assert not gitea_totp.is_valid(secret, "12345", when=now)


# -- enrolment through the control endpoint --------------------------------------------------


def test_enrolment_control_endpoint(gitea, enrol):
    assert enrol("Alice") == {"user": "alice", "secret": gitea_totp.DEFAULT_SECRET}
    assert enrol("bob", secret="JBSWY3DPEHPK3PXP") == {"user": "bob", "secret": "JBSWY3DPEHPK3PXP"}
    assert requests.get(gitea + "/__sandbox__/gitea/totp").json() == [
        {"user": "alice", "secret": gitea_totp.DEFAULT_SECRET},
        {"user": "bob", "secret": "JBSWY3DPEHPK3PXP"},
    ]
    assert requests.post(gitea + "/__sandbox__/gitea/totp", json={"user": "nobody"}).status_code == 404
    assert requests.post(gitea + "/__sandbox__/gitea/totp", json={"user": "bob", "secret": "not base32!"}).status_code == 400
    assert requests.post(gitea + "/__sandbox__/gitea/totp", json={"user": "bob", "other": 1}).status_code == 400
    requests.post(gitea + "/__sandbox__/reset")
    assert requests.get(gitea + "/__sandbox__/gitea/totp").json() == []


# -- two-factor authentication, 1.20.6 and later: checked at sign-in -------------------------


@pytest.mark.parametrize("code", [None, "", "000000x", "wrong"])
def test_a_missing_or_wrong_code_fails_sign_in_on_every_route(gitea, gitea_api, enrol, code):
    enrol("alice")
    headers = {} if code is None else {"X-Gitea-OTP": code}
    for method, path in (("GET", "/users/alice/tokens"), ("POST", "/users/alice/tokens"), ("GET", "/user")):
        response = requests.request(method, gitea_api + path, auth=ALICE, headers=headers, json={"name": "t", "scopes": ["read:user"]})
        assert answer(response) == error(gitea, 401, "invalid provided OTP"), path


def test_a_current_code_signs_in(gitea_api, enrol):
    enrol("alice")
    headers = {"X-Gitea-OTP": current_code()}
    assert requests.get(gitea_api + "/users/alice/tokens", auth=ALICE, headers=headers).status_code == 200
    created = requests.post(gitea_api + "/users/alice/tokens", auth=ALICE, headers=headers, json={"name": "ci", "scopes": ["read:user"]})
    assert created.status_code == 201
    # The header name is not case-sensitive; the code may be used again within its step.
    again = requests.get(gitea_api + "/user", auth=ALICE, headers={"x-gitea-otp": headers["X-Gitea-OTP"]})
    assert again.status_code == 200


def test_a_token_as_basic_credentials_needs_no_code(gitea_api, enrol, gitea_token):
    enrol("alice")
    secret = gitea_token("alice", "mine", ["write:user"])["sha1"]
    assert requests.get(gitea_api + "/users/alice/tokens", auth=("alice", secret)).status_code == 200


def test_with_sudo_the_code_is_that_of_the_user_who_signs_in(gitea, gitea_api, enrol):
    # The admin has no second factor: acting for alice needs no code, although alice has one.
    enrol("alice")
    response = requests.get(gitea_api + "/users/alice/tokens", auth=ADMIN, headers={"Sudo": "alice"})
    assert response.status_code == 200
    # An enrolled admin needs the admin's own code.
    enrol("sandbox-admin", secret="JBSWY3DPEHPK3PXP")
    refused = requests.get(gitea_api + "/users/alice/tokens", auth=ADMIN, headers={"Sudo": "alice", "X-Gitea-OTP": current_code()})
    assert answer(refused) == error(gitea, 401, "invalid provided OTP")
    admin_code = rfc6238(base64.b32decode("JBSWY3DPEHPK3PXP"), time.time())
    accepted = requests.get(gitea_api + "/users/alice/tokens", auth=ADMIN, headers={"Sudo": "alice", "X-Gitea-OTP": admin_code})
    assert accepted.status_code == 200


# -- two-factor authentication, 1.20.0 to 1.20.5: checked on the token routes -----------------


def test_before_1_20_6_the_token_routes_check_the_code_after_sign_in(gitea, gitea_api, enrol, version):
    version("1.20.5")
    enrol("alice")
    # Other routes take the password alone.
    assert requests.get(gitea_api + "/user", auth=ALICE).status_code == 200
    for method in ("GET", "POST"):
        response = requests.request(method, gitea_api + "/users/alice/tokens", auth=ALICE, json={"name": "t", "scopes": ["read:user"]})
        assert answer(response) == error(gitea, 401, "%!s(<nil>)")
    response = requests.delete(gitea_api + "/users/alice/tokens/1", auth=ALICE)
    assert answer(response) == error(gitea, 401, "%!s(<nil>)")
    ok = requests.get(gitea_api + "/users/alice/tokens", auth=ALICE, headers={"X-Gitea-OTP": current_code()})
    assert ok.status_code == 200


def test_before_1_20_6_sudo_needs_the_impersonated_users_code(gitea, gitea_api, enrol, version):
    version("1.20.0")
    enrol("alice")
    refused = requests.get(gitea_api + "/users/alice/tokens", auth=ADMIN, headers={"Sudo": "alice"})
    assert answer(refused) == error(gitea, 401, "%!s(<nil>)")
    accepted = requests.get(gitea_api + "/users/alice/tokens", auth=ADMIN, headers={"Sudo": "alice", "X-Gitea-OTP": current_code()})
    assert accepted.status_code == 200
    # Without sudo the admin acts as itself, which has no second factor.
    assert requests.get(gitea_api + "/users/alice/tokens", auth=ADMIN).status_code == 200


# -- what else differs between versions ------------------------------------------------------


@pytest.mark.parametrize("name, echoed", [("1.20.0", False), ("1.21.11", False), ("1.22.0", True), ("1.22.3", True)])
def test_the_create_answer_lists_the_scopes_from_1_22(gitea_api, version, name, echoed):
    version(name)
    created = requests.post(gitea_api + "/users/alice/tokens", auth=ALICE, json={"name": "ci", "scopes": ["read:user", "write:user"]})
    assert created.status_code == 201
    assert ("scopes" in created.json()) is echoed
    if echoed:
        assert created.json()["scopes"] == ["write:user"]
    # The list shows them in every version.
    listed = requests.get(gitea_api + "/users/alice/tokens", auth=ALICE).json()
    assert listed[0]["scopes"] == ["write:user"]
    assert requests.get(gitea_api + "/version").json() == {"version": name}


def test_a_token_without_scope_before_1_22_is_stored(gitea, gitea_api, version):
    version("1.21.0")
    created = requests.post(gitea_api + "/users/alice/tokens", auth=ALICE, json={"name": "bare"})
    assert created.status_code == 201
    listed = requests.get(gitea_api + "/users/alice/tokens", auth=ALICE).json()
    # Listed as Go splits an empty string at commas: one empty name.
    assert listed[0]["scopes"] == [""]
    version("1.22.0")
    refused = requests.post(gitea_api + "/users/alice/tokens", auth=ALICE, json={"name": "bare2"})
    assert answer(refused) == error(gitea, 400, "access token must have a scope")


def test_the_list_pages_with_a_total_and_no_link_in_every_version(gitea_api, version, gitea_token):
    for index in range(3):
        gitea_token("alice", "t%d" % index, ["read:user"])
    for name in ("1.20.0", "1.22.3"):
        version(name)
        response = requests.get(gitea_api + "/users/alice/tokens", auth=ALICE, params={"limit": 2, "page": 1})
        assert len(response.json()) == 2
        assert response.headers["X-Total-Count"] == "3"
        assert "Link" not in response.headers


@pytest.mark.parametrize("name, deleted", [("1.20.0", False), ("1.21.11", False), ("1.22.0", True)])
def test_an_admin_without_sudo_deletes_another_users_token_from_1_22(gitea_api, version, gitea_token, name, deleted):
    version(name)
    token = gitea_token("alice", "ci", ["read:user"])
    by_id = requests.delete(gitea_api + "/users/alice/tokens/%d" % token["id"], auth=ADMIN)
    assert by_id.status_code == (204 if deleted else 404)
    # With sudo the admin acts as alice, and every version deletes it.
    if not deleted:
        assert requests.delete(gitea_api + "/users/alice/tokens/ci", auth=ADMIN, headers={"Sudo": "alice"}).status_code == 204


def test_scope_names_and_normalization_are_the_same_in_every_version(gitea, gitea_api, version):
    for name in ("1.20.0", "1.22.3"):
        version(name)
        requests.post(gitea + "/__sandbox__/reset")
        version(name)
        # The names 1.19 used were migrated by 1.20 and are unknown since.
        for old in ("repo", "sudo", "admin:org"):
            response = requests.post(gitea_api + "/users/alice/tokens", auth=ALICE, json={"name": old, "scopes": [old]})
            assert answer(response) == error(gitea, 400, "invalid access token scope provided: invalid access token scope: %s" % old)
        categories = ("activitypub", "admin", "misc", "notification", "organization", "package", "issue", "repository", "user")
        every_write = ["write:%s" % category for category in categories]
        created = requests.post(gitea_api + "/users/alice/tokens", auth=ALICE,
                                json={"name": "every", "scopes": every_write + ["public-only"]})
        assert created.status_code == 201
        assert requests.get(gitea_api + "/users/alice/tokens", auth=ALICE).json()[0]["scopes"] == ["public-only", "all"]


def test_the_version_setting(gitea, version):
    assert requests.get(gitea + "/__sandbox__/gitea/settings").json() == {"version": "1.22.3"}
    assert version("v1.21") == {"version": "1.21.0"}
    refused = requests.put(gitea + "/__sandbox__/gitea/settings", json={"version": "1.19.4"})
    assert refused.status_code == 400
    assert "before 1.20 access token scopes had other names" in refused.json()["error"]
    assert requests.put(gitea + "/__sandbox__/gitea/settings", json={"version": "latest"}).status_code == 400
    assert requests.put(gitea + "/__sandbox__/gitea/settings", json={"colour": "red"}).status_code == 400
    # A reset comes back to the version chosen at start-up.
    requests.post(gitea + "/__sandbox__/reset")
    assert requests.get(gitea + "/__sandbox__/gitea/settings").json() == {"version": "1.22.3"}


def test_the_start_up_version_comes_from_the_gitea_version_setting():
    with Sandbox(ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}, credentials={"gitea_version": "1.20.2"}) as sandbox:
        assert requests.get(sandbox.urls["gitea"] + "/api/v1/version").json() == {"version": "1.20.2"}
    with pytest.raises(ValueError, match="before 1.20"):
        Sandbox(ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}, credentials={"gitea_version": "1.19.0"}).start()


# -- facts pinned by Gitea's own API tests (tests/integration/api_token_test.go) --------------


def test_a_token_just_created_can_be_deleted_by_its_id(gitea_api):
    for name in ("test-key-1", "test-key-2"):
        created = requests.post(gitea_api + "/users/sandbox-admin/tokens", auth=ADMIN, json={"name": name, "scopes": ["all"]})
        assert created.status_code == 201
        token_id = created.json()["id"]
        assert requests.delete(gitea_api + "/users/sandbox-admin/tokens/%d" % token_id, auth=ADMIN).status_code == 204
        assert all(token["id"] != token_id for token in requests.get(gitea_api + "/users/sandbox-admin/tokens", auth=ADMIN).json())


def test_deleting_an_id_that_does_not_exist_is_not_found(gitea_api):
    assert requests.delete(gitea_api + "/users/sandbox-admin/tokens/%d" % 10 ** 9, auth=ADMIN).status_code == 404


@pytest.mark.parametrize(
    "method, path, category",
    [("GET", "/user", "user"), ("GET", "/users/alice", "user"), ("GET", "/repos/alice/alice-repo", "repository"),
     ("GET", "/repos/sandbox-admin/infra", "repository")],
)
def test_a_token_with_every_scope_but_the_routes_own_is_forbidden(gitea_api, method, path, category):
    categories = ("activitypub", "admin", "misc", "notification", "organization", "package", "issue", "repository", "user")
    others = ["write:%s" % other for other in categories if other != category]
    created = requests.post(gitea_api + "/users/sandbox-admin/tokens", auth=ADMIN, json={"name": "test-token", "scopes": others})
    secret = created.json()["sha1"]
    response = requests.request(method, gitea_api + path, params={"token": secret})
    assert response.status_code == 403
    assert response.json()["message"].startswith("token does not have at least one of required scope(s): [read:%s]" % category)


def test_the_command_line_refuses_a_version_before_1_20():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    ports = ["--%s-port=0" % service for service in ("rundeck", "opsgenie", "octopus", "gitea")]
    done = subprocess.run([sys.executable, "-m", "tests.sandbox", "--gitea-version", "1.19.4"] + ports, cwd=root,
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 1
    assert "sandbox: cannot start: Gitea 1.19.4 is not emulated" in done.stderr
