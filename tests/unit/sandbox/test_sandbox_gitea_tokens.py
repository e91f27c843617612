# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Gitea access token endpoints, /users/{username}/tokens, and the control endpoint that makes tokens."""

import json
import re

import pytest
import requests

ALICE = ("alice", "alice-password")
BOB = ("bob", "bob-password")
SELF_OR_ADMIN = "doer should be the site admin or be same as the contextUser"


def answer(response):
    return response.status_code, response.json()


def error(gitea, status, message):
    return status, {"message": message, "url": gitea + "/api/swagger"}


def not_found(gitea):
    return 404, {"errors": None, "message": "The target couldn't be found.", "url": gitea + "/api/swagger"}


@pytest.fixture
def create(gitea_api):
    def create(name, scopes=("read:user",), user="alice", auth=ALICE, **kwargs):
        return requests.post(
            gitea_api + "/users/%s/tokens" % user, auth=auth, json={"name": name, "scopes": list(scopes)}, **kwargs
        )

    return create


def names(response):
    assert response.status_code == 200, response.text
    return [token["name"] for token in response.json()]


# -- who may use the token endpoints -----------------------------------------------------------


def test_the_seeded_admin_token(gitea_api, gitea_admin):
    response = requests.get(gitea_api + "/users/sandbox-admin/tokens", auth=gitea_admin)
    assert answer(response) == (
        200,
        [{"id": 1, "name": "sandbox-admin-token", "sha1": "", "token_last_eight": "ea-token", "scopes": ["all"]}],
    )
    assert response.headers["X-Total-Count"] == "1"
    assert requests.get(gitea_api + "/users/alice/tokens", auth=ALICE).json() == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"headers": {"Authorization": "token sandbox-gitea-token"}},
        {"headers": {"Authorization": "bearer sandbox-gitea-token"}},
        {"params": {"token": "sandbox-gitea-token"}},
        {"params": {"access_token": "sandbox-gitea-token"}},
    ],
)
def test_token_auth_is_refused(gitea, gitea_api, kwargs):
    for method, path, body in (
        ("GET", "/users/sandbox-admin/tokens", None),
        ("POST", "/users/sandbox-admin/tokens", {"name": "x", "scopes": ["all"]}),
        ("DELETE", "/users/sandbox-admin/tokens/1", None),
        ("GET", "/users/alice/tokens", None),
    ):
        response = requests.request(method, gitea_api + path, json=body, **kwargs)
        assert answer(response) == error(gitea, 401, "auth required")
    # Nothing was created or deleted.
    assert len(requests.get(gitea_api + "/users/sandbox-admin/tokens", auth=("sandbox-admin", "sandbox-password")).json()) == 1


def test_a_token_as_basic_credentials_counts_as_basic_auth(gitea, gitea_api, gitea_token):
    # Gitea marks any basic credentials as basic auth, a token included; the token's scope still applies.
    writer = gitea_token("alice", "writer", ["write:user"])["sha1"]
    reader = gitea_token("alice", "reader", ["read:user"])["sha1"]
    assert names(requests.get(gitea_api + "/users/alice/tokens", auth=("alice", reader))) == ["reader", "writer"]
    response = requests.post(gitea_api + "/users/alice/tokens", auth=("alice", reader), json={"name": "x", "scopes": ["all"]})
    assert answer(response) == error(gitea, 403, "token does not have at least one of required scope(s): [write:user]")
    response = requests.post(gitea_api + "/users/alice/tokens", auth=(writer, ""), json={"name": "x", "scopes": ["all"]})
    assert response.status_code == 201


def test_a_token_without_user_scope_is_refused_for_its_scope_first(gitea, gitea_api, gitea_token):
    token = gitea_token("alice", "repo-only", ["write:repository"])["sha1"]
    response = requests.get(gitea_api + "/users/alice/tokens", headers={"Authorization": "token " + token})
    assert answer(response) == error(gitea, 403, "token does not have at least one of required scope(s): [read:user]")


def test_without_credentials(gitea, gitea_api):
    # Gitea checks who asks before it checks how: no credentials is a 403 here, not a 401.
    assert answer(requests.get(gitea_api + "/users/alice/tokens")) == error(gitea, 403, SELF_OR_ADMIN)
    assert answer(requests.post(gitea_api + "/users/alice/tokens", json={"name": "x"})) == error(gitea, 403, SELF_OR_ADMIN)


def test_users_manage_only_their_own_tokens(gitea, gitea_api, create):
    assert answer(requests.get(gitea_api + "/users/bob/tokens", auth=ALICE)) == error(gitea, 403, SELF_OR_ADMIN)
    assert answer(create("x", user="bob")) == error(gitea, 403, SELF_OR_ADMIN)
    assert answer(requests.delete(gitea_api + "/users/bob/tokens/x", auth=ALICE)) == error(gitea, 403, SELF_OR_ADMIN)
    # The name in the path is matched without case.
    assert create("mine", user="ALICE").status_code == 201


def test_admins_manage_anybodys_tokens(gitea_api, gitea_admin, create):
    created = create("for-alice", auth=gitea_admin)
    assert created.status_code == 201
    token = created.json()["sha1"]
    assert requests.get(gitea_api + "/user", params={"token": token}).json()["login"] == "alice"
    assert names(requests.get(gitea_api + "/users/alice/tokens", auth=gitea_admin)) == ["for-alice"]
    assert names(requests.get(gitea_api + "/users/alice/tokens", auth=gitea_admin, params={"sudo": "alice"})) == ["for-alice"]
    assert requests.delete(gitea_api + "/users/alice/tokens/for-alice", auth=gitea_admin).status_code == 204
    assert names(requests.get(gitea_api + "/users/alice/tokens", auth=ALICE)) == []


def test_sudo_drops_admin_rights(gitea, gitea_api, gitea_admin):
    response = requests.get(gitea_api + "/users/bob/tokens", auth=gitea_admin, params={"sudo": "alice"})
    assert answer(response) == error(gitea, 403, SELF_OR_ADMIN)


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_a_missing_user(gitea, gitea_api, gitea_admin, method):
    path = "/users/Ghost/tokens" + ("/1" if method == "DELETE" else "")
    response = requests.request(method, gitea_api + path, auth=gitea_admin, json={"name": "x", "scopes": ["all"]})
    assert answer(response) == error(gitea, 404, "user redirect does not exist [name: ghost]")


# -- create ---------------------------------------------------------------------------------------


def test_create_a_token(gitea_api, create):
    response = create("ci", ["write:repository", "read:user"])
    status, body = answer(response)
    assert status == 201
    assert sorted(body) == ["id", "name", "scopes", "sha1", "token_last_eight"]
    assert (body["id"], body["name"], body["scopes"]) == (2, "ci", ["write:repository", "read:user"])
    assert re.fullmatch("[0-9a-f]{40}", body["sha1"])
    assert body["token_last_eight"] == body["sha1"][-8:]
    # The value is never shown again.
    listed = requests.get(gitea_api + "/users/alice/tokens", auth=ALICE).json()
    assert listed == [dict(body, sha1="")]
    # And it works at once.
    assert requests.get(gitea_api + "/user", headers={"Authorization": "token " + body["sha1"]}).json()["login"] == "alice"


@pytest.mark.parametrize(
    "scopes, stored",
    [
        (["read:user", "write:user", "read:user"], ["write:user"]),
        (["read:user,read:repository"], ["read:repository", "read:user"]),
        (["read:user", "", "read:issue,"], ["read:issue", "read:user"]),
        (["all", "read:user"], ["all"]),
        (
            [
                "write:" + name
                for name in (
                    "user",
                    "repository",
                    "issue",
                    "package",
                    "organization",
                    "notification",
                    "misc",
                    "admin",
                    "activitypub",
                )
            ],
            ["all"],
        ),
        (["read:repository", "public-only"], ["public-only", "read:repository"]),
        (["public-only", "all"], ["public-only", "all"]),
        (["read:misc", "write:activitypub", "read:admin"], ["write:activitypub", "read:admin", "read:misc"]),
    ],
)
def test_scopes_are_normalized(create, scopes, stored):
    assert create("t", scopes).json()["scopes"] == stored


@pytest.mark.parametrize(
    "scopes, bad",
    [
        (["read:users"], "read:users"),
        (["READ:USER"], "READ:USER"),
        (["read:user", " write:user"], " write:user"),
        (["repo"], "repo"),
        (["read"], "read"),
    ],
)
def test_unknown_scope(gitea, create, scopes, bad):
    expected = error(gitea, 400, "invalid access token scope provided: invalid access token scope: " + bad)
    assert answer(create("t", scopes)) == expected


@pytest.mark.parametrize(
    "body", [{"name": "t", "scopes": []}, {"name": "t"}, {"name": "t", "scopes": None}, {"name": "t", "scopes": [""]}]
)
def test_a_token_needs_a_scope(gitea, gitea_api, body):
    response = requests.post(gitea_api + "/users/alice/tokens", auth=ALICE, json=body)
    assert answer(response) == error(gitea, 400, "access token must have a scope")


def test_a_name_can_be_used_once_per_user(gitea, gitea_admin, create):
    assert create("ci").status_code == 201
    assert answer(create("ci")) == error(gitea, 400, "access token name has been used already")
    # The name is checked before the scopes.
    assert answer(create("ci", ["bogus"])) == error(gitea, 400, "access token name has been used already")
    # Names differ by case, and other users have their own.
    assert create("CI").status_code == 201
    assert create("ci", user="bob", auth=BOB).status_code == 201
    assert create("ci", user="bob", auth=gitea_admin).status_code == 400


@pytest.mark.parametrize(
    "body, message",
    [
        ({"scopes": ["all"]}, "[Name]: Required"),
        ({"name": "", "scopes": ["all"]}, "[Name]: Required"),
        (None, "[Name]: Required"),
        ({"name": 1}, "[]: json: cannot unmarshal number into Go struct field CreateAccessTokenOption.name of type string"),
        (
            {"name": "t", "scopes": "all"},
            "[]: json: cannot unmarshal string into Go struct field CreateAccessTokenOption.scopes of type []string",
        ),
        (
            {"name": "t", "scopes": [True]},
            "[]: json: cannot unmarshal bool into Go struct field CreateAccessTokenOption.scopes of type string",
        ),
        ("t", "[]: json: cannot unmarshal string into Go value of type structs.CreateAccessTokenOption"),
    ],
)
def test_a_body_that_does_not_bind(gitea, gitea_api, body, message):
    # Sent as text so that null is sent too.
    headers = {"Content-Type": "application/json"}
    response = requests.post(gitea_api + "/users/alice/tokens", auth=ALICE, data=json.dumps(body), headers=headers)
    assert answer(response) == error(gitea, 422, message)


def test_a_body_that_is_not_json(gitea, gitea_api):
    response = requests.post(
        gitea_api + "/users/alice/tokens", auth=ALICE, data="{name", headers={"Content-Type": "application/json"}
    )
    status, body = answer(response)
    assert (status, body["message"][:3]) == (422, "[]:")
    response = requests.post(gitea_api + "/users/alice/tokens", auth=ALICE, data='{"name": "t"}')
    assert answer(response) == error(gitea, 422, "[]: Empty Content-Type")
    # A form works too.
    response = requests.post(
        gitea_api + "/users/alice/tokens", auth=ALICE, data={"name": "form", "scopes": ["read:user", "read:issue"]}
    )
    assert answer(response)[1]["scopes"] == ["read:issue", "read:user"]


# -- list -----------------------------------------------------------------------------------------


def test_list_paging(gitea_api, gitea_token):
    for number in range(1, 56):
        gitea_token("alice", "t%02d" % number, ["read:user"])

    def page(**params):
        response = requests.get(gitea_api + "/users/alice/tokens", auth=ALICE, params=params)
        assert response.headers["X-Total-Count"] == "55"
        assert response.headers["Access-Control-Expose-Headers"] == "X-Total-Count"
        # Gitea sets no Link header on this list: page with X-Total-Count or until a short page.
        assert "Link" not in response.headers
        return names(response)

    newest_first = ["t%02d" % number for number in range(55, 0, -1)]
    assert page() == newest_first[:30]
    assert page(page=2) == newest_first[30:]
    assert page(limit=50) == newest_first[:50]
    # A larger limit is cut to 50, a bad or missing one is 30.
    assert page(limit=100) == newest_first[:50]
    assert page(limit=100, page=2) == newest_first[50:]
    assert page(limit=0) == page(limit="x") == page(limit=-5) == newest_first[:30]
    assert page(limit=20, page=3) == newest_first[40:]
    assert page(page=0) == page(page="x") == newest_first[:30]
    assert page(page=9) == []


# -- delete -----------------------------------------------------------------------------------------


def test_delete_by_id_or_name(gitea, gitea_api, create):
    first = create("first", ["all"]).json()
    second = create("second", ["all"]).json()
    assert requests.delete(gitea_api + "/users/alice/tokens/%d" % first["id"], auth=ALICE).status_code == 204
    response = requests.delete(gitea_api + "/users/alice/tokens/second", auth=ALICE)
    assert (response.status_code, response.content, response.headers.get("Content-Type")) == (204, b"", None)
    assert names(requests.get(gitea_api + "/users/alice/tokens", auth=ALICE)) == []
    for token in (first, second):
        response = requests.get(gitea_api + "/user", headers={"Authorization": "token " + token["sha1"]})
        assert answer(response) == error(gitea, 401, "user does not exist [uid: 0, name: ]")


@pytest.mark.parametrize("written", ["0x%x", "0o%o", "+%d", "0%o"])
def test_an_id_may_be_written_as_go_reads_numbers(gitea_api, create, written):
    token = create("t", ["all"]).json()
    assert requests.delete(gitea_api + "/users/alice/tokens/" + written % token["id"], auth=ALICE).status_code == 204


def test_a_name_that_looks_like_a_number_is_an_id(gitea, gitea_api, create):
    create("42", ["all"])
    assert answer(requests.delete(gitea_api + "/users/alice/tokens/42", auth=ALICE)) == not_found(gitea)
    # Gitea reads 0 and what is not a number as a name.
    create("0", ["all"])
    assert requests.delete(gitea_api + "/users/alice/tokens/0", auth=ALICE).status_code == 204
    create("08", ["all"])
    assert requests.delete(gitea_api + "/users/alice/tokens/08", auth=ALICE).status_code == 204


def test_delete_what_is_not_there(gitea, gitea_api, create):
    assert answer(requests.delete(gitea_api + "/users/alice/tokens/nothing", auth=ALICE)) == not_found(gitea)
    assert answer(requests.delete(gitea_api + "/users/alice/tokens/999", auth=ALICE)) == not_found(gitea)
    # Another user's token by id: not found, and it stays.
    assert answer(requests.delete(gitea_api + "/users/alice/tokens/1", auth=ALICE)) == not_found(gitea)
    assert requests.get(gitea_api + "/user", headers={"Authorization": "token sandbox-gitea-token"}).status_code == 200
    # Names are matched with case.
    create("ci", ["all"])
    assert answer(requests.delete(gitea_api + "/users/alice/tokens/CI", auth=ALICE)) == not_found(gitea)


def test_delete_an_ambiguous_name(gitea, gitea_api, gitea_token):
    first = gitea_token("alice", "dup", ["read:user"])
    second = gitea_token("alice", "dup", ["read:repository"])
    response = requests.delete(gitea_api + "/users/alice/tokens/dup", auth=ALICE)
    assert answer(response) == error(gitea, 422, "multiple matches for token name 'dup'")
    assert names(requests.get(gitea_api + "/users/alice/tokens", auth=ALICE)) == ["dup", "dup"]
    # By id each one can go.
    assert requests.delete(gitea_api + "/users/alice/tokens/%d" % first["id"], auth=ALICE).status_code == 204
    assert requests.delete(gitea_api + "/users/alice/tokens/dup", auth=ALICE).status_code == 204
    assert answer(requests.get(gitea_api + "/user", params={"token": second["sha1"]}))[0] == 401


# -- the control endpoint -----------------------------------------------------------------------------


def test_control_endpoint_makes_tokens(gitea, gitea_api):
    url = gitea + "/__sandbox__/gitea/tokens"
    response = requests.post(
        url, json={"user": "Bob", "name": "dup", "scopes": ["read:user", "write:user"], "sha1": "0123456789abcdef"}
    )
    assert answer(response) == (
        201,
        {
            "id": 2,
            "name": "dup",
            "sha1": "0123456789abcdef",
            "token_last_eight": "89abcdef",
            "scopes": ["write:user"],
            "user": "bob",
        },
    )
    assert requests.get(gitea_api + "/user", headers={"Authorization": "token 0123456789abcdef"}).json()["login"] == "bob"
    # Without scopes a token gets all; a name may repeat.
    again = requests.post(url, json={"user": "bob", "name": "dup"}).json()
    assert (again["id"], again["scopes"], len(again["sha1"])) == (3, ["all"], 40)
    listed = requests.get(url).json()
    assert [(token["id"], token["user"], token["name"], token["sha1"]) for token in listed] == [
        (1, "sandbox-admin", "sandbox-admin-token", ""),
        (2, "bob", "dup", ""),
        (3, "bob", "dup", ""),
    ]
    # Control requests stay out of the request log.
    assert requests.get(gitea + "/__sandbox__/requests").json()[-1]["path"] == "/api/v1/user"


def test_control_endpoint_makes_many_tokens_in_one_request_or_none(gitea):
    url = gitea + "/__sandbox__/gitea/tokens"
    made = requests.post(url, json=[{"user": "bob", "name": "extra-%d" % number, "scopes": ["read:user"]} for number in range(3)])
    assert made.status_code == 201
    assert [(token["user"], token["name"], token["scopes"], len(token["sha1"])) for token in made.json()] == [
        ("bob", "extra-%d" % number, ["read:user"], 40) for number in range(3)
    ]
    # One bad item refuses the whole list.
    refused = requests.post(url, json=[{"user": "bob", "name": "more"}, {"user": "ghost", "name": "x"}])
    assert answer(refused) == (404, {"error": "no user named 'ghost'"})
    assert [token["name"] for token in requests.get(url).json()] == ["sandbox-admin-token", "extra-0", "extra-1", "extra-2"]


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"user": "ghost", "name": "x"}, 404, "no user named 'ghost'"),
        ({"user": "bob"}, 400, "'user' and 'name' must be non-empty strings"),
        ({"user": "bob", "name": "x", "scopes": "all"}, 400, "'scopes' must be a list of strings"),
        ({"user": "bob", "name": "x", "scopes": ["nope"]}, 400, "invalid access token scope: nope"),
        ({"user": "bob", "name": "x", "sha1": "short"}, 400, "'sha1' must be a string of 8 characters or more"),
        ({"user": "bob", "name": "x", "sha1": "sandbox-gitea-token"}, 400, "another token already has that 'sha1'"),
        ({"user": "bob", "name": "x", "owner": "y"}, 400, "unknown keys: owner (allowed: user, name, scopes, sha1)"),
        ([], 400, 'expected a JSON object: {"user", "name", "scopes"?, "sha1"?}'),
    ],
)
def test_control_endpoint_refusals(gitea, body, status, message):
    assert answer(requests.post(gitea + "/__sandbox__/gitea/tokens", json=body)) == (status, {"error": message})


def test_control_endpoint_paths_and_methods(gitea):
    assert requests.delete(gitea + "/__sandbox__/gitea/tokens").status_code == 405
    assert requests.get(gitea + "/__sandbox__/gitea/groups").status_code == 404
    assert requests.post(gitea + "/__sandbox__/gitea/tokens", data="{").status_code == 400


def test_reset_restores_the_seed(gitea, gitea_api, sandbox, create):
    token = create("gone", ["all"]).json()["sha1"]
    requests.post(gitea_api + "/user/repos", auth=ALICE, json={"name": "gone"})
    assert requests.post(gitea + "/__sandbox__/reset").json() == {"reset": True}
    assert requests.get(gitea_api + "/user", params={"token": token}).status_code == 401
    assert names(requests.get(gitea_api + "/users/alice/tokens", auth=ALICE)) == []
    assert [repo["name"] for repo in requests.get(gitea_api + "/user/repos", auth=ALICE).json()] == ["alice-repo"]
    assert requests.get(gitea_api + "/user", headers={"Authorization": "token sandbox-gitea-token"}).status_code == 200
    # Ids start again.
    assert create("again").json()["id"] == 2
    sandbox.reset()
    assert names(requests.get(gitea_api + "/users/alice/tokens", auth=ALICE)) == []
