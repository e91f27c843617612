# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Gitea API over HTTP: authentication, sudo, scopes, users, repositories, errors."""

import base64

import pytest
import requests

ALICE = ("alice", "alice-password")
BOB = ("bob", "bob-password")
ZERO_TIME = "0001-01-01T00:00:00Z"
QUERY_TOKEN_WARNING = (
    "token and access_token API authentication is deprecated and will be removed in gitea 1.23. "
    "Please use AuthorizationHeaderToken instead. Existing queries will continue to work but without authorization."
)


def answer(response):
    return response.status_code, response.json()


def error(gitea, status, message):
    return status, {"message": message, "url": gitea + "/api/swagger"}


def not_found(gitea, message="The target couldn't be found.", errors=None):
    return 404, {"errors": errors, "message": message, "url": gitea + "/api/swagger"}


def basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (username, password)).encode()).decode()}


def login(response):
    assert response.status_code == 200, response.text
    return response.json()["login"]


@pytest.fixture
def alice_token(gitea_token):
    return gitea_token("alice", "alice-all")["sha1"]


# -- version, headers ---------------------------------------------------------------------


def test_version_needs_no_credentials(gitea_api):
    response = requests.get(gitea_api + "/version")
    assert answer(response) == (200, {"version": "1.22.3"})
    assert response.headers["Content-Type"] == "application/json;charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Gitea-Warning" not in response.headers


def test_a_final_slash_is_ignored(gitea_api):
    assert requests.get(gitea_api + "/version/").status_code == 200
    assert login(requests.get(gitea_api + "/user/", auth=ALICE)) == "alice"


# -- authentication ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    [
        "basic password",
        "basic token as password",
        "basic token as username",
        "basic token with x-oauth-basic",
        "token parameter",
        "access_token parameter",
        "token header",
        "bearer header",
        "Bearer header",
    ],
)
def test_every_way_to_authenticate(gitea_api, alice_token, how):
    kwargs = {
        "basic password": {"auth": ALICE},
        "basic token as password": {"auth": ("anything", alice_token)},
        "basic token as username": {"headers": basic(alice_token, "")},
        "basic token with x-oauth-basic": {"auth": (alice_token, "x-oauth-basic")},
        "token parameter": {"params": {"token": alice_token}},
        "access_token parameter": {"params": {"access_token": alice_token}},
        "token header": {"headers": {"Authorization": "token " + alice_token}},
        "bearer header": {"headers": {"Authorization": "bearer " + alice_token}},
        "Bearer header": {"headers": {"Authorization": "Bearer " + alice_token}},
    }[how]
    assert login(requests.get(gitea_api + "/user", **kwargs)) == "alice"


def test_the_login_may_be_the_email_address(gitea_api):
    assert login(requests.get(gitea_api + "/user", auth=("alice@example.com", "alice-password"))) == "alice"
    assert login(requests.get(gitea_api + "/user", auth=("ALICE", "alice-password"))) == "alice"


def test_query_tokens_get_the_deprecation_warning(gitea_api, alice_token):
    for parameter in ("token", "access_token"):
        response = requests.get(gitea_api + "/user", params={parameter: alice_token})
        assert response.headers["X-Gitea-Warning"] == QUERY_TOKEN_WARNING
    assert "X-Gitea-Warning" not in requests.get(gitea_api + "/user", headers={"Authorization": "token " + alice_token}).headers


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"auth": ("alice", "wrong")}, "user does not exist [uid: 2, name: alice]"),
        ({"auth": ("sandbox-admin", "")}, "user does not exist [uid: 1, name: sandbox-admin]"),
        ({"auth": ("nobody", "secret")}, "user does not exist [uid: 0, name: nobody]"),
        ({"auth": ("nobody@example.com", "secret")}, "user does not exist [uid: 0, name: nobody@example.com]"),
        ({"headers": {"Authorization": "Basic not-base64!"}}, "user does not exist [uid: 0, name: ]"),
        ({"headers": {"Authorization": "token 0123456789abcdef"}}, "user does not exist [uid: 0, name: ]"),
        ({"headers": {"Authorization": "bearer short"}}, "user does not exist [uid: 0, name: ]"),
        ({"params": {"token": "0123456789abcdef"}}, "user does not exist [uid: 0, name: ]"),
        ({"params": {"access_token": "0123456789abcdef"}}, "user does not exist [uid: 0, name: ]"),
    ],
)
def test_bad_credentials_are_unauthorized_everywhere(gitea, gitea_api, kwargs, message):
    for path in ("/user", "/version", "/users/alice", "/no/such/path"):
        assert answer(requests.get(gitea_api + path, **kwargs)) == error(gitea, 401, message)


def test_a_bad_token_does_not_spoil_good_basic_credentials(gitea_api):
    # Gitea tries basic credentials after a token it does not know.
    assert login(requests.get(gitea_api + "/user", params={"token": "0123456789abcdef"}, auth=ALICE)) == "alice"


def test_a_header_gitea_does_not_read_is_no_credential(gitea, gitea_api, alice_token):
    # "token" must be in lower case; "Token x" is neither a token nor basic credentials.
    for header in ("Token " + alice_token, "token", "token a b"):
        response = requests.get(gitea_api + "/user", headers={"Authorization": header})
        assert answer(response) == error(gitea, 401, "token is required")


def test_without_credentials(gitea, gitea_api):
    assert answer(requests.get(gitea_api + "/user")) == error(gitea, 401, "token is required")
    assert answer(requests.get(gitea_api + "/user/repos")) == error(gitea, 401, "token is required")
    assert answer(requests.post(gitea_api + "/user/repos", json={"name": "x"})) == error(gitea, 401, "token is required")
    # Users and public repositories can be read anonymously.
    assert requests.get(gitea_api + "/users/alice").status_code == 200
    assert requests.get(gitea_api + "/repos/alice/alice-repo").status_code == 200


def test_a_deleted_token_stops_working_at_once(gitea, gitea_api, alice_token):
    headers = {"Authorization": "token " + alice_token}
    assert login(requests.get(gitea_api + "/user", headers=headers)) == "alice"
    assert requests.delete(gitea_api + "/users/alice/tokens/alice-all", auth=ALICE).status_code == 204
    assert answer(requests.get(gitea_api + "/user", headers=headers)) == error(gitea, 401, "user does not exist [uid: 0, name: ]")


# -- sudo -----------------------------------------------------------------------------------


def test_an_admin_may_sudo_by_parameter_or_header(gitea_api, gitea_admin, gitea_admin_headers):
    assert login(requests.get(gitea_api + "/user", auth=gitea_admin)) == "sandbox-admin"
    assert login(requests.get(gitea_api + "/user", auth=gitea_admin, params={"sudo": "alice"})) == "alice"
    assert login(requests.get(gitea_api + "/user", auth=gitea_admin, headers={"Sudo": "BOB"})) == "bob"
    assert login(requests.get(gitea_api + "/user", headers=dict(gitea_admin_headers, Sudo="alice"))) == "alice"
    # The parameter wins over the header.
    assert (
        login(requests.get(gitea_api + "/user", auth=gitea_admin, params={"sudo": "alice"}, headers={"Sudo": "bob"})) == "alice"
    )


def test_sudo_acts_as_that_user(gitea, gitea_api, gitea_admin):
    # The admin reads bob's private repository, but not as alice.
    assert requests.get(gitea_api + "/repos/bob/bob-repo", auth=gitea_admin).status_code == 200
    response = requests.get(gitea_api + "/repos/bob/bob-repo", auth=gitea_admin, params={"sudo": "alice"})
    assert answer(response) == not_found(gitea)
    names = [
        repo["full_name"] for repo in requests.get(gitea_api + "/user/repos", auth=gitea_admin, params={"sudo": "bob"}).json()
    ]
    assert names == ["bob/bob-repo"]


@pytest.mark.parametrize("kwargs", [{"auth": ALICE}, {}, {"auth": ALICE, "headers": {"Sudo": "sandbox-admin"}}])
def test_only_admins_may_sudo(gitea_api, kwargs):
    params = {} if "headers" in kwargs else {"sudo": "bob"}
    for path in ("/user", "/version", "/users/bob"):
        response = requests.get(gitea_api + path, params=params, **kwargs)
        # This answer has no url.
        assert answer(response) == (403, {"message": "Only administrators allowed to sudo."})


def test_sudo_to_a_missing_user(gitea, gitea_api, gitea_admin):
    assert answer(requests.get(gitea_api + "/user", auth=gitea_admin, params={"sudo": "ghost"})) == not_found(gitea)


def test_an_empty_sudo_is_ignored(gitea_api):
    assert login(requests.get(gitea_api + "/user", auth=ALICE, params={"sudo": ""})) == "alice"


def test_sudo_on_a_path_without_a_route_is_a_404(gitea, gitea_api):
    assert answer(requests.get(gitea_api + "/nothing", auth=ALICE, params={"sudo": "bob"})) == not_found(gitea)


# -- users ----------------------------------------------------------------------------------


def test_the_authenticated_user(gitea, gitea_api):
    body = requests.get(gitea_api + "/user", auth=ALICE).json()
    assert body == {
        "id": 2,
        "login": "alice",
        "login_name": "",
        "source_id": 0,
        "full_name": "Alice Example",
        "email": "alice@example.com",
        "avatar_url": body["avatar_url"],
        "html_url": gitea + "/alice",
        "language": "en-US",
        "is_admin": False,
        "last_login": "2025-01-01T00:00:00Z",
        "created": "2025-01-01T00:00:00Z",
        "restricted": False,
        "active": True,
        "prohibit_login": False,
        "location": "",
        "website": "",
        "description": "",
        "visibility": "public",
        "followers_count": 0,
        "following_count": 0,
        "starred_repos_count": 0,
        "username": "alice",
    }
    assert body["avatar_url"].startswith(gitea + "/avatars/")
    admin = requests.get(gitea_api + "/user", auth=("sandbox-admin", "sandbox-password")).json()
    assert (admin["id"], admin["login"], admin["is_admin"]) == (1, "sandbox-admin", True)


def test_a_user_as_others_see_them(gitea_api, gitea_admin):
    as_bob = requests.get(gitea_api + "/users/ALICE", auth=BOB).json()
    assert (as_bob["login"], as_bob["email"], as_bob["language"], as_bob["last_login"], as_bob["active"]) == (
        "alice",
        "alice@example.com",
        "",
        ZERO_TIME,
        False,
    )
    anonymous = requests.get(gitea_api + "/users/sandbox-admin").json()
    assert (anonymous["email"], anonymous["is_admin"]) == ("sandbox-admin@noreply.localhost", False)
    as_admin = requests.get(gitea_api + "/users/sandbox-admin", auth=gitea_admin).json()
    assert (as_admin["is_admin"], as_admin["active"]) == (True, True)


def test_a_missing_user(gitea, gitea_api):
    expected = error(gitea, 404, "user redirect does not exist [name: ghost]")
    assert answer(requests.get(gitea_api + "/users/Ghost", auth=ALICE)) == expected
    assert answer(requests.get(gitea_api + "/users/Ghost")) == expected


# -- repositories ---------------------------------------------------------------------------


def test_each_user_owns_a_repository(gitea, gitea_api, gitea_admin):
    for auth, full_name, private in (
        (ALICE, "alice/alice-repo", False),
        (BOB, "bob/bob-repo", True),
        (gitea_admin, "sandbox-admin/infra", True),
    ):
        repos = requests.get(gitea_api + "/user/repos", auth=auth).json()
        assert [(repo["full_name"], repo["private"]) for repo in repos] == [(full_name, private)]
        assert repos[0]["permissions"] == {"admin": True, "push": True, "pull": True}
        assert repos[0]["clone_url"] == "%s/%s.git" % (gitea, full_name)


def test_get_a_repository(gitea, gitea_api, gitea_admin):
    body = requests.get(gitea_api + "/repos/Alice/ALICE-REPO").json()
    assert (body["id"], body["full_name"], body["owner"]["login"], body["default_branch"], body["empty"]) == (
        2,
        "alice/alice-repo",
        "alice",
        "main",
        False,
    )
    assert body["permissions"] == {"admin": False, "push": False, "pull": True}
    assert body["url"] == gitea + "/api/v1/repos/alice/alice-repo"
    # A private repository is missing to everybody but its owner and admins.
    assert answer(requests.get(gitea_api + "/repos/bob/bob-repo")) == not_found(gitea)
    assert answer(requests.get(gitea_api + "/repos/bob/bob-repo", auth=ALICE)) == not_found(gitea)
    assert requests.get(gitea_api + "/repos/bob/bob-repo", auth=BOB).status_code == 200
    assert requests.get(gitea_api + "/repos/bob/bob-repo", auth=gitea_admin).json()["permissions"]["admin"] is True


def test_a_missing_repository_or_owner(gitea, gitea_api):
    assert answer(requests.get(gitea_api + "/repos/alice/nothing", auth=ALICE)) == not_found(gitea)
    expected = not_found(gitea, "GetUserByName", ["user redirect does not exist [name: ghost]"])
    assert answer(requests.get(gitea_api + "/repos/Ghost/x", auth=ALICE)) == expected


def test_create_a_repository(gitea, gitea_api):
    response = requests.post(
        gitea_api + "/user/repos", auth=ALICE, json={"name": "New.Repo_1", "private": True, "description": "d"}
    )
    status, body = answer(response)
    assert status == 201
    assert (body["id"], body["full_name"], body["private"], body["description"], body["empty"]) == (
        4,
        "alice/New.Repo_1",
        True,
        "d",
        True,
    )
    assert requests.get(gitea_api + "/repos/alice/new.repo_1", auth=ALICE).json()["id"] == 4
    again = requests.post(gitea_api + "/user/repos", auth=ALICE, json={"name": "NEW.REPO_1"})
    assert answer(again) == error(gitea, 409, "The repository with the same name already exists.")
    # Another user may use the name.
    assert requests.post(gitea_api + "/user/repos", auth=BOB, json={"name": "new.repo_1"}).status_code == 201


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "[Name]: Required"),
        ({"name": ""}, "[Name]: Required"),
        ({"name": "a b"}, "[Name]: AlphaDashDot"),
        ({"name": "x" * 101}, "[Name]: MaxSize"),
        ({"name": ".."}, "name is reserved [name: ..]"),
        ({"name": "Site.Git"}, "name pattern is not allowed [pattern: *.git]"),
        ({"name": 5}, "[]: json: cannot unmarshal number into Go struct field CreateRepoOption.name of type string"),
        (
            {"name": "ok", "private": "yes"},
            "[]: json: cannot unmarshal string into Go struct field CreateRepoOption.private of type bool",
        ),
        (["ok"], "[]: json: cannot unmarshal array into Go value of type structs.CreateRepoOption"),
    ],
)
def test_create_a_repository_refused(gitea, gitea_api, body, message):
    assert answer(requests.post(gitea_api + "/user/repos", auth=ALICE, json=body)) == error(gitea, 422, message)


def test_create_a_repository_needs_a_json_content_type(gitea, gitea_api):
    response = requests.post(gitea_api + "/user/repos", auth=ALICE, data=b'{"name": "x"}')
    assert answer(response) == error(gitea, 422, "[]: Empty Content-Type")
    response = requests.post(gitea_api + "/user/repos", auth=ALICE, data=b'{"name": "x"}', headers={"Content-Type": "text/plain"})
    assert answer(response) == error(gitea, 422, "[]: Unsupported Content-Type")


def test_json_keys_match_without_case(gitea_api):
    response = requests.post(gitea_api + "/user/repos", auth=ALICE, json={"NAME": "upper", "Private": True})
    assert (response.status_code, response.json()["name"], response.json()["private"]) == (201, "upper", True)


def test_repository_list_paging_and_link_header(gitea, gitea_api, alice_token):
    for name in ("b", "c", "d", "e"):
        assert requests.post(gitea_api + "/user/repos", auth=ALICE, json={"name": name}).status_code == 201

    def page(**params):
        response = requests.get(gitea_api + "/user/repos", params=dict(params, token=alice_token, limit=2))
        assert response.headers["X-Total-Count"] == "5"
        return [repo["name"] for repo in response.json()], response.headers.get("Link")

    def link(number, rel):
        # Keys sorted as Go writes them; the token parameter is left out.
        return '<%s/api/v1/user/repos?limit=2&page=%d&zz=1>; rel="%s"' % (gitea, number, rel)

    assert page(zz=1) == (["alice-repo", "b"], ",".join([link(2, "next"), link(3, "last")]))
    assert page(zz=1, page=2) == (["c", "d"], ",".join([link(3, "next"), link(3, "last"), link(1, "first"), link(1, "prev")]))
    assert page(zz=1, page=3) == (["e"], ",".join([link(1, "first"), link(2, "prev")]))
    # Past the end: nothing, and links as from the last page.
    assert page(zz=1, page=9) == ([], ",".join([link(1, "first"), link(2, "prev")]))
    response = requests.get(gitea_api + "/user/repos", auth=ALICE)
    assert (len(response.json()), response.headers.get("Link")) == (5, None)
    assert response.headers["Access-Control-Expose-Headers"] == "X-Total-Count"


# -- scopes ---------------------------------------------------------------------------------


def test_scopes_are_enforced(gitea_api, gitea_token):
    def status(scopes, method, path, **kwargs):
        token = gitea_token("alice", "t", scopes)["sha1"]
        return requests.request(method, gitea_api + path, headers={"Authorization": "token " + token}, **kwargs).status_code

    assert status(["read:user"], "GET", "/user") == 200
    assert status(["write:user"], "GET", "/users/bob") == 200
    assert status(["read:repository"], "GET", "/repos/alice/alice-repo") == 200
    assert status(["read:user", "read:repository"], "GET", "/user/repos") == 200
    assert status(["write:user", "write:repository"], "POST", "/user/repos", json={"name": "n1"}) == 201
    assert status(["all"], "POST", "/user/repos", json={"name": "n2"}) == 201
    assert status(["read:user"], "GET", "/version") == 200


@pytest.mark.parametrize(
    "scopes, method, path, needed",
    [
        (["read:repository"], "GET", "/user", "[read:user]"),
        (["read:issue", "write:admin"], "GET", "/users/bob", "[read:user]"),
        (["read:user"], "GET", "/repos/alice/alice-repo", "[read:repository]"),
        (["read:user"], "GET", "/user/repos", "[read:repository]"),
        (["read:repository"], "GET", "/user/repos", "[read:user]"),
        # Creating a repository is a write under /user first, then under repositories.
        (["write:repository"], "POST", "/user/repos", "[write:user]"),
        (["write:user", "read:repository"], "POST", "/user/repos", "[write:repository]"),
        (["public-only", "read:repository"], "GET", "/user", "[read:user]"),
    ],
)
def test_insufficient_scope(gitea, gitea_api, gitea_token, scopes, method, path, needed):
    token = gitea_token("alice", "narrow", scopes)["sha1"]
    response = requests.request(method, gitea_api + path, headers={"Authorization": "token " + token}, json={"name": "n"})
    assert answer(response) == error(gitea, 403, "token does not have at least one of required scope(s): " + needed)


def test_scope_is_checked_before_the_user_is_looked_up(gitea, gitea_api, gitea_token):
    token = gitea_token("alice", "narrow", ["read:repository"])["sha1"]
    response = requests.get(gitea_api + "/users/ghost", params={"token": token})
    assert answer(response) == error(gitea, 403, "token does not have at least one of required scope(s): [read:user]")


def test_a_token_through_basic_keeps_its_scope(gitea, gitea_api, gitea_token):
    token = gitea_token("alice", "narrow", ["read:repository"])["sha1"]
    response = requests.get(gitea_api + "/user", auth=("alice", token))
    assert answer(response) == error(gitea, 403, "token does not have at least one of required scope(s): [read:user]")


def test_sudo_keeps_the_scope_of_the_token(gitea, gitea_api, gitea_token):
    token = gitea_token("sandbox-admin", "narrow", ["read:user"])["sha1"]
    assert login(requests.get(gitea_api + "/user", params={"token": token, "sudo": "bob"})) == "bob"
    response = requests.get(gitea_api + "/user/repos", params={"token": token, "sudo": "bob"})
    assert answer(response) == error(gitea, 403, "token does not have at least one of required scope(s): [read:repository]")


# -- errors, faults, the request log --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/users/alice/keys", "/api/v2/version", "/", "/alice"])
def test_unknown_paths(gitea, path):
    response = requests.get(gitea + path, auth=ALICE)
    assert answer(response) == not_found(gitea)
    assert response.headers["Content-Type"] == "application/json;charset=utf-8"


def test_unknown_method(gitea, gitea_api):
    response = requests.put(gitea_api + "/user", auth=ALICE)
    assert answer(response) == error(gitea, 405, "Method Not Allowed")
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_faults_use_gitea_bodies(gitea, gitea_api):
    faults = [{"path": "^/api/v1/user$", "status": 404}, {"path": "/version", "status": 503}]
    assert requests.post(gitea + "/__sandbox__/faults", json=faults).status_code == 201
    assert answer(requests.get(gitea_api + "/user", auth=ALICE)) == not_found(gitea)
    assert answer(requests.get(gitea_api + "/version")) == error(gitea, 503, "Service Unavailable")
    assert requests.get(gitea_api + "/version").status_code == 200


def test_the_request_log_masks_query_tokens(gitea, gitea_api, alice_token):
    requests.get(gitea_api + "/user", params={"token": alice_token, "sudo": "x"})
    requests.get(gitea_api + "/user", params={"access_token": alice_token})
    host = gitea.split("//", 1)[1]
    assert requests.get(gitea + "/__sandbox__/requests").json() == [
        {"method": "GET", "host": host, "path": "/api/v1/user", "query": "token=********&sudo=x", "status": 403},
        {"method": "GET", "host": host, "path": "/api/v1/user", "query": "access_token=********", "status": 200},
    ]


# -- the control endpoint for users ---------------------------------------------------------------


def test_control_endpoint_makes_users(gitea, gitea_api, gitea_admin):
    url = gitea + "/__sandbox__/gitea/users"
    response = requests.post(url, json={"login": "ci-bot", "password": "ci-bot-password", "full_name": "CI Robot"})
    assert response.status_code == 201, response.text
    made = response.json()
    assert (made["id"], made["login"], made["full_name"], made["email"], made["is_admin"]) == (
        4,
        "ci-bot",
        "CI Robot",
        "ci-bot@example.com",
        False,
    )
    # The user logs in with its password, and administrators can act for it.
    assert login(requests.get(gitea_api + "/user", auth=("ci-bot", "ci-bot-password"))) == "ci-bot"
    assert login(requests.get(gitea_api + "/user", auth=gitea_admin, params={"sudo": "CI-BOT"})) == "ci-bot"
    assert requests.post(
        gitea_api + "/users/ci-bot/tokens", auth=gitea_admin, json={"name": "ci", "scopes": ["read:repository"]}
    ).status_code == 201
    admin = requests.post(url, json={"login": "root2", "password": "pw", "admin": True}).json()
    assert admin["is_admin"] is True
    assert requests.get(gitea_api + "/users/ci-bot/tokens", auth=("root2", "pw")).status_code == 200
    assert [user["login"] for user in requests.get(url).json()] == ["sandbox-admin", "alice", "bob", "ci-bot", "root2"]
    # Control requests stay out of the request log; a reset forgets the users.
    assert [entry["path"] for entry in requests.get(gitea + "/__sandbox__/requests").json()][0] == "/api/v1/user"
    requests.post(gitea + "/__sandbox__/reset")
    assert answer(requests.get(gitea_api + "/users/ci-bot")) == error(gitea, 404, "user redirect does not exist [name: ci-bot]")


@pytest.mark.parametrize(
    "body, message",
    [
        ({"login": "alice", "password": "x"}, "a user named 'alice' already exists"),
        ({"login": "ALICE", "password": "x"}, "a user named 'ALICE' already exists"),
        ({"login": "carol"}, "'login' and 'password' must be non-empty strings"),
        ({"login": "", "password": "x"}, "'login' and 'password' must be non-empty strings"),
        ({"login": "-carol", "password": "x"}, "'login' is not a valid Gitea user name: -carol"),
        ({"login": "carol smith", "password": "x"}, "'login' is not a valid Gitea user name: carol smith"),
        ({"login": "carol", "password": "x", "admin": "yes"}, "'admin' must be true or false"),
        ({"login": "carol", "password": "x", "full_name": 3}, "'full_name' must be a string"),
        ({"login": "carol", "password": "x", "email": "c@x"}, "unknown keys: email (allowed: login, password, full_name, admin)"),
        ([], 'expected a JSON object: {"login", "password", "full_name"?, "admin"?}'),
    ],
)
def test_control_endpoint_refuses_bad_users(gitea, body, message):
    response = requests.post(gitea + "/__sandbox__/gitea/users", json=body)
    assert answer(response) == (400, {"error": message})
    assert len(requests.get(gitea + "/__sandbox__/gitea/users").json()) == 3


def test_control_endpoint_for_users_methods(gitea):
    response = requests.delete(gitea + "/__sandbox__/gitea/users")
    assert (response.status_code, response.headers["Allow"]) == (405, "GET, POST")
    assert requests.post(gitea + "/__sandbox__/gitea/users", data="{").status_code == 400
    assert requests.get(gitea + "/__sandbox__/gitea/teams").json() == {
        "error": "no such control endpoint: /__sandbox__/gitea/teams (use /__sandbox__/gitea/tokens, users, totp or settings)"
    }
