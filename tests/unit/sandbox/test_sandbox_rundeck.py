# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Rundeck API over HTTP: auth, versions and ACL policies (projects: test_sandbox_rundeck_projects)."""

import json

import pytest
import requests

from tests.sandbox.rundeck_versions import DEFAULT_RELEASE, current_api_version, parse_release

# Error bodies carry the emulated release's own current API version.
SERVER_API_VERSION = current_api_version(parse_release(DEFAULT_RELEASE))

TOKEN = "sandbox-rundeck-token"
SYSTEM_POLICY = """description: admins
context:
  application: rundeck
for:
  project:
    - allow: read
by:
  group: admin
"""
PROJECT_POLICY = """description: ops runs jobs
for:
  job:
    - allow: [read, run]
by:
  group: ops
"""


def error(status, code, message, args=None):
    body = {"error": True, "apiversion": SERVER_API_VERSION, "errorCode": code, "message": message}
    if args:
        body["args"] = args
    return status, body


def answer(response):
    return response.status_code, response.json()


# -- authentication and versions ----------------------------------------------


def test_token_in_header_or_query(api, auth):
    assert requests.get(api + "/projects", headers=auth).status_code == 200
    assert requests.get(api + "/projects", params={"authtoken": TOKEN}).status_code == 200


@pytest.mark.parametrize(
    "headers, params, who",
    [
        ({}, {}, "(unauthenticated)"),
        ({"X-Rundeck-Auth-Token": "wrong-secret"}, {}, "(Token:wrong****)"),
        # The authtoken parameter wins over the header.
        ({"X-Rundeck-Auth-Token": TOKEN}, {"authtoken": "also-wrong"}, "(Token:also-****)"),
        ({}, {"authtoken": "short"}, "(Token:****)"),
    ],
)
def test_missing_or_wrong_token_is_forbidden(api, headers, params, who):
    response = requests.get(api + "/projects", headers=headers, params=params)
    assert answer(response) == error(403, "unauthorized", "%s is not authorized for: /api/49/projects" % who)
    assert "secret" not in response.text


def test_the_version_check_comes_before_the_token(sandbox):
    response = requests.get(sandbox.urls["rundeck"] + "/api/1/projects")
    assert response.status_code == 400
    assert response.json()["errorCode"] == "api.error.api-version.unsupported"


@pytest.mark.parametrize("version", ["1", "13", str(SERVER_API_VERSION + 1), "x", "049", "-1"])
def test_unsupported_versions(sandbox, auth, version):
    # Any version outside 14..current gets the same reason: the current version.
    response = requests.get("%s/api/%s/projects" % (sandbox.urls["rundeck"], version), headers=auth)
    path = "/api/%s/projects" % version
    reason = "Current version: %d" % SERVER_API_VERSION
    message = 'Unsupported API Version "%s". API Request: %s. Reason: %s' % (version, path, reason)
    assert answer(response) == error(400, "api.error.api-version.unsupported", message, [version, path, reason])


@pytest.mark.parametrize("version", [14, 44, 49, SERVER_API_VERSION])
def test_supported_versions(sandbox, auth, version):
    response = requests.get("%s/api/%d/projects" % (sandbox.urls["rundeck"], version), headers=auth)
    assert response.status_code == 200
    # Links are written at the server's current version.
    assert response.json()[0]["url"] == "%s/api/%d/project/sandbox" % (sandbox.urls["rundeck"], SERVER_API_VERSION)


def test_unknown_paths(sandbox, api, auth):
    # Restated from the server's own API test (BasicSpec "invalidUrl").
    response = requests.get(api + "/no/such/thing", headers=auth)
    path = "/api/49/no/such/thing"
    assert answer(response) == error(404, "api.error.invalid.request", "Invalid API Request: " + path, [path])
    response = requests.get(sandbox.urls["rundeck"] + "/user/login")
    assert answer(response) == error(404, "api.error.item.doesnotexist", "Resource does not exist: /user/login")


def test_a_null_body_on_get_and_delete_is_accepted(api, auth):
    headers = dict(auth, **{"Content-Type": "application/json"})
    assert requests.get(api + "/project/sandbox", headers=headers, data="null").status_code == 200
    assert requests.delete(api + "/project/sandbox", headers=headers, data="null").status_code == 204


# -- ACL policies --------------------------------------------------------------------

ACL_ROOTS = ["/system/acl/", "/project/sandbox/acl/"]


def policy_for(root):
    return SYSTEM_POLICY if root.startswith("/system") else PROJECT_POLICY


@pytest.mark.parametrize("root", ACL_ROOTS)
def test_policy_lifecycle(api, auth, root):
    url = api + root + "ops.aclpolicy"
    policy = policy_for(root)
    if root.startswith("/system"):
        kind, named = "System ACL Policy File", "ops.aclpolicy"
    else:
        kind, named = "Project ACL Policy File", "ops.aclpolicy for project sandbox"
    # A read names the policy a resource; a change names the file by its scope.
    unread = error(404, "api.error.item.doesnotexist", "resource does not exist: ops.aclpolicy", ["resource", "ops.aclpolicy"])
    missing = error(404, "api.error.item.doesnotexist", "%s does not exist: %s" % (kind, named), [kind, named])
    assert answer(requests.get(url, headers=auth)) == unread
    assert answer(requests.put(url, headers=auth, json={"contents": policy})) == missing

    response = requests.post(url, headers=auth, json={"contents": policy})
    assert (response.status_code, response.json()) == (201, {"contents": policy})
    assert response.headers["Content-Type"] == "application/json"
    response = requests.post(url, headers=auth, json={"contents": policy})
    assert answer(response) == error(409, "api.error.item.alreadyexists", "%s already exists: %s" % (kind, named), [kind, named])

    assert answer(requests.get(url, headers=auth)) == (200, {"contents": policy})
    updated = policy.replace("description: ", "description: updated ")
    assert answer(requests.put(url, headers=auth, json={"contents": updated})) == (200, {"contents": updated})

    assert requests.delete(url, headers=auth).status_code == 204
    assert answer(requests.delete(url, headers=auth)) == missing
    assert answer(requests.get(url, headers=auth)) == unread


@pytest.mark.parametrize("accept", ["application/yaml", "text/plain"])
def test_text_formats_by_accept(api, auth, accept):
    url = api + "/system/acl/ops.aclpolicy"
    headers = dict(auth, Accept=accept)
    response = requests.post(url, headers=headers, json={"contents": SYSTEM_POLICY})
    assert response.status_code == 201
    assert response.headers["Content-Type"].split(";")[0] == accept
    assert response.text == SYSTEM_POLICY
    response = requests.get(url, headers=headers)
    assert response.headers["Content-Type"].split(";")[0] == accept
    assert response.text == SYSTEM_POLICY
    # JSON wins whenever it is acceptable.
    response = requests.get(url, headers=dict(auth, Accept=accept + ", application/json"))
    assert response.json() == {"contents": SYSTEM_POLICY}


def test_raw_yaml_is_stored_byte_for_byte(api, auth):
    url = api + "/project/sandbox/acl/odd.aclpolicy"
    odd = "# leading comment\r\ndescription:   'spaced'   \r\n\nfor:\n  job:\n  - {allow: run}   # trailing\nby:\n    group:   ops\n\n\n"
    headers = dict(auth, **{"Content-Type": "application/yaml", "Accept": "application/json"})
    response = requests.post(url, headers=headers, data=odd.encode("utf-8"))
    assert answer(response) == (201, {"contents": odd})
    raw = requests.get(url, headers=dict(auth, Accept="application/yaml"))
    assert raw.content == odd.encode("utf-8")
    text = "description: plain\nfor: {job: [{deny: kill}]}\nby: {username: bob}\n"
    response = requests.put(url, headers=dict(auth, **{"Content-Type": "text/plain", "Accept": "text/plain"}), data=text)
    assert (response.status_code, response.text) == (200, text)


def test_no_accept_header_answers_in_the_request_format(api, auth):
    url = api + "/system/acl/ops.aclpolicy"
    with requests.Session() as session:
        session.headers.pop("Accept")
        response = session.post(url, headers=dict(auth, **{"Content-Type": "application/yaml"}), data=SYSTEM_POLICY)
        assert response.headers["Content-Type"].startswith("application/yaml")
        assert response.text == SYSTEM_POLICY
        assert session.get(url, headers=auth).json() == {"contents": SYSTEM_POLICY}


@pytest.mark.parametrize(
    "headers, data",
    [
        ({"Content-Type": "application/json"}, json.dumps({"contents": ""})),
        ({"Content-Type": "application/json"}, json.dumps({})),
        ({"Content-Type": "application/json"}, ""),
        ({"Content-Type": "application/yaml"}, ""),
        ({"Content-Type": "text/plain"}, ""),
    ],
)
def test_empty_contents(api, auth, headers, data):
    response = requests.post(api + "/system/acl/ops.aclpolicy", headers=dict(auth, **headers), data=data)
    assert answer(response) == error(400, "api.error.unknown", "No content")


@pytest.mark.parametrize("root", ACL_ROOTS)
@pytest.mark.parametrize(
    "path, shown", [("ops.yaml", "ops.yaml"), ("a%2Fb.aclpolicy", "a/b.aclpolicy"), ("aclpolicy", "aclpolicy")]
)
def test_the_policy_path_pattern(api, auth, root, path, shown):
    response = requests.get(api + root + path, headers=auth)
    args = [shown, "path", "Must refer to a file ending in .aclpolicy"]
    message = 'The value "%s" for parameter "path" is not valid: Must refer to a file ending in .aclpolicy' % shown
    assert answer(response) == error(400, "api.error.parameter.invalid", message, args)


def test_encoded_policy_names(api, auth):
    url = api + "/system/acl/my%20team.aclpolicy"
    assert requests.post(url, headers=auth, json={"contents": SYSTEM_POLICY}).status_code == 201
    # The unescaped dot of the server's pattern accepts any character there.
    assert requests.post(api + "/system/acl/opsXaclpolicy", headers=auth, json={"contents": SYSTEM_POLICY}).status_code == 201
    listing = requests.get(api + "/system/acl/", headers=auth).json()
    assert [r["name"] for r in listing["resources"]] == ["my team.aclpolicy", "opsXaclpolicy"]
    assert listing["resources"][0]["href"].endswith("/api/%d/system/acl/my%%20team.aclpolicy" % SERVER_API_VERSION)
    assert requests.get(listing["resources"][0]["href"], headers=auth).json() == {"contents": SYSTEM_POLICY}


@pytest.mark.parametrize("root", ACL_ROOTS)
def test_listing(sandbox, api, auth, root):
    for name in ("zeta", "alpha", "mid"):
        requests.post(api + root + name + ".aclpolicy", headers=auth, json={"contents": policy_for(root)})
    base = sandbox.urls["rundeck"] + "/api/%d" % SERVER_API_VERSION + root
    expected = {
        "path": "",
        "type": "directory",
        "href": base,
        "resources": [
            {"path": n, "type": "file", "name": n, "href": base + n}
            for n in ("alpha.aclpolicy", "mid.aclpolicy", "zeta.aclpolicy")
        ],
    }
    assert answer(requests.get(api + root, headers=auth)) == (200, expected)
    assert answer(requests.get(api + root.rstrip("/"), headers=auth)) == (200, expected)


def test_the_project_is_checked_first(api, auth):
    missing = error(404, "api.error.project.missing", "Project does not exist: nope", ["nope"])
    assert answer(requests.get(api + "/project/nope/acl/", headers=auth)) == missing
    assert answer(requests.get(api + "/project/nope/acl/bad-path", headers=auth)) == missing
    assert answer(requests.post(api + "/project/nope/acl/x.aclpolicy", headers=auth, json={})) == missing


def test_system_validation_failure(api, auth):
    text = SYSTEM_POLICY.replace("context:\n  application: rundeck\n", "")
    response = requests.post(api + "/system/acl/ops.aclpolicy", headers=auth, json={"contents": text})
    assert answer(response) == (
        400,
        {"valid": False, "policies": [{"policy": "ops.aclpolicy[1]", "errors": ["Required 'context:' section was not present"]}]},
    )
    assert requests.get(api + "/system/acl/ops.aclpolicy", headers=auth).status_code == 404


def test_project_validation_failure(api, auth):
    text = "context:\n  project: sandbox\n" + PROJECT_POLICY
    response = requests.post(api + "/project/sandbox/acl/ops.aclpolicy", headers=auth, json={"contents": text})
    message = "Context section should not be specified, it is already set to: {project: 'sandbox'}"
    assert answer(response) == (400, {"valid": False, "policies": [{"policy": "ops.aclpolicy[1]", "errors": [message]}]})


def test_validation_on_update_keeps_the_old_policy(api, auth):
    url = api + "/project/sandbox/acl/ops.aclpolicy"
    requests.post(url, headers=auth, json={"contents": PROJECT_POLICY})
    response = requests.put(url, headers=auth, json={"contents": "description: x\n"})
    assert response.status_code == 400
    assert requests.get(url, headers=auth).json() == {"contents": PROJECT_POLICY}


def test_multi_document_errors_are_sorted(api, auth):
    documents = [PROJECT_POLICY] * 11
    documents[1] = documents[9] = PROJECT_POLICY.replace("by:\n  group: ops\n", "")
    text = "---\n".join(documents)
    response = requests.post(api + "/project/sandbox/acl/many.aclpolicy", headers=auth, json={"contents": text})
    assert response.status_code == 400
    assert [p["policy"] for p in response.json()["policies"]] == ["many.aclpolicy[10]", "many.aclpolicy[2]"]


def test_reset_removes_policies_and_restores_projects(sandbox, api, auth):
    requests.post(api + "/system/acl/ops.aclpolicy", headers=auth, json={"contents": SYSTEM_POLICY})
    requests.delete(api + "/project/sandbox", headers=auth)
    assert requests.post(sandbox.urls["rundeck"] + "/__sandbox__/reset").status_code == 200
    assert requests.get(api + "/system/acl/", headers=auth).json()["resources"] == []
    assert requests.get(api + "/project/sandbox", headers=auth).json()["description"] == "Seeded by the sandbox"
