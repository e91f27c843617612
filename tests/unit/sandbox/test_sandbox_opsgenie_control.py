# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Opsgenie's settings, rate limit and control endpoints (/__sandbox__/opsgenie/...), and the log's host."""

import time
from urllib.parse import urlsplit

import pytest
import requests

SERVICE = "00000000-0000-0000-0000-000000000001"
SEEDED = ["0e1a5c8d-66a5-34a4-a315-733caa5e5636", "29a25632-1189-37ca-ae7b-8828e77ab077"]
THROTTLED = "You are making too many requests! To avoid errors, we recommend you limit requests."
READINGS = {"unique_external_ids": True, "read_omits": [], "workspace_shown_as": "as_sent", "search_page_cap": None}
DEFAULTS = dict({"processing_delay": 0.5, "rate_limit": None}, **READINGS)


def log(opsgenie):
    return requests.get(opsgenie.url + "/__sandbox__/requests").json()


def control_error(response, status):
    assert response.status_code == status, response.text
    return response.json()["error"]


# -- settings ------------------------------------------------------------------------------------


def test_settings_and_their_defaults(opsgenie):
    assert opsgenie.control("GET", "settings").json() == DEFAULTS
    assert opsgenie.settings(processing_delay=2) == dict(READINGS, processing_delay=2, rate_limit=None)
    limited = dict(READINGS, processing_delay=2, rate_limit={"requests": 5, "period": 0.5})
    assert opsgenie.settings(rate_limit={"requests": 5, "period": 0.5}) == limited
    assert opsgenie.control("GET", "settings").json() == limited
    assert opsgenie.settings(rate_limit=None, processing_delay=0) == dict(READINGS, processing_delay=0, rate_limit=None)
    assert opsgenie.settings() == dict(READINGS, processing_delay=0, rate_limit=None)
    other = {"unique_external_ids": False, "read_omits": ["externalLink", "description"], "workspace_shown_as": "uuid",
             "search_page_cap": 3}
    assert opsgenie.settings(**other) == dict(other, processing_delay=0, rate_limit=None)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        "null",
        '{"delay": 1}',
        '{"processing_delay": -1}',
        '{"processing_delay": "1"}',
        '{"processing_delay": true}',
        '{"rate_limit": 5}',
        '{"rate_limit": {"requests": 0, "period": 1}}',
        '{"rate_limit": {"requests": 1.5, "period": 1}}',
        '{"rate_limit": {"requests": true, "period": 1}}',
        '{"rate_limit": {"requests": 1, "period": 0}}',
        '{"rate_limit": {"requests": 1}}',
        '{"rate_limit": {"requests": 1, "period": 1, "burst": 2}}',
        '{"processing_delay": 0, "rate_limit": {"requests": 1, "period": -1}}',
        '{"unique_external_ids": "no"}',
        '{"read_omits": "externalLink"}',
        '{"read_omits": ["releases"]}',
        '{"workspace_shown_as": "slug"}',
        '{"search_page_cap": 0}',
    ],
)
def test_bad_settings_are_refused(opsgenie, body):
    response = opsgenie.control("PUT", "settings", data=body, headers={"Content-Type": "application/json"})
    assert control_error(response, 400)
    # Nothing of a refused body is applied.
    assert opsgenie.control("GET", "settings").json() == DEFAULTS


def test_reset_restores_everything(opsgenie, sandbox):
    opsgenie.settings(processing_delay=3, rate_limit={"requests": 100, "period": 60}, unique_external_ids=False,
                      read_omits=["message"], workspace_shown_as="name")
    opsgenie.add(opsgenie.body())
    opsgenie.create()
    opsgenie.request("POST", "/v2/deployments", json=opsgenie.body())
    sandbox.reset()
    assert opsgenie.control("GET", "settings").json() == DEFAULTS
    assert [deployment["id"] for deployment in opsgenie.control("GET", "deployments").json()] == SEEDED
    assert opsgenie.control("GET", "requests").json() == []
    assert opsgenie.process() == 0
    opsgenie.settings(rate_limit={"requests": 1, "period": 60})
    opsgenie.request("GET", "/v2/deployments/" + SEEDED[0])
    assert requests.post(opsgenie.url + "/__sandbox__/reset").json() == {"reset": True}
    assert opsgenie.request("GET", "/v2/deployments/" + SEEDED[0]).status_code == 200


# -- rate limit -------------------------------------------------------------------------------------


def test_no_rate_limit_by_default(opsgenie):
    for _attempt in range(30):
        response = opsgenie.request("GET", "/v2/deployments/" + SEEDED[0])
        assert (response.status_code, response.headers["X-RateLimit-State"]) == (200, "OK")


def test_the_rate_limit(opsgenie):
    opsgenie.settings(rate_limit={"requests": 3, "period": 60})
    statuses = []
    for path in ("/v2/deployments/" + SEEDED[0], "/v2/nothing", "/anything"):
        response = opsgenie.request("GET", path, headers={})
        statuses.append(response.status_code)
        assert response.headers["X-RateLimit-State"] == "OK"
    assert statuses == [401, 401, 404]
    for method in ("GET", "POST"):
        response = opsgenie.request(method, "/v2/deployments/search?serviceIds=" + SERVICE, json=opsgenie.body())
        assert response.status_code == 429
        body = response.json()
        assert (body["message"], sorted(body)) == (THROTTLED, ["message", "requestId", "took"])
        assert response.headers["X-RateLimit-State"] == "THROTTLED"
        assert response.headers["X-RateLimit-Reason"] == "INTEGRATION"
        assert response.headers["X-RateLimit-Period-In-Sec"] == "60"
        assert "Retry-After" not in response.headers
    # Control requests are never counted nor throttled; throttled requests are logged.
    assert opsgenie.control("GET", "deployments").status_code == 200
    assert [entry["status"] for entry in log(opsgenie)] == [401, 401, 404, 429, 429]
    assert opsgenie.control("GET", "requests").json() == []
    opsgenie.settings(rate_limit=None)
    assert opsgenie.request("GET", "/v2/deployments/" + SEEDED[0]).status_code == 200


def test_the_window_starts_again_after_its_period(opsgenie):
    opsgenie.settings(rate_limit={"requests": 1, "period": 0.25})
    url = "/v2/deployments/" + SEEDED[0]
    assert opsgenie.request("GET", url).status_code == 200
    response = opsgenie.request("GET", url)
    assert (response.status_code, response.headers["X-RateLimit-Period-In-Sec"]) == (429, "0.25")
    time.sleep(0.3)
    assert opsgenie.request("GET", url).status_code == 200
    assert opsgenie.request("GET", url).status_code == 429


def test_a_retry_after_comes_from_a_fault(opsgenie):
    response = requests.post(opsgenie.url + "/__sandbox__/faults", json={"path": "^/v2/", "status": 429, "retry_after": 3})
    assert response.status_code == 201
    response = opsgenie.request("GET", "/v2/deployments/" + SEEDED[0])
    assert (response.status_code, response.headers["Retry-After"], response.json()["message"]) == (429, "3", "Too Many Requests")
    assert opsgenie.request("GET", "/v2/deployments/" + SEEDED[0]).status_code == 200


# -- processing ---------------------------------------------------------------------------------------


def test_control_requests_process_due_writes_too(opsgenie):
    opsgenie.settings(processing_delay=0.1)
    request_id = opsgenie.request("POST", "/v2/deployments", json=opsgenie.body()).json()["requestId"]
    [listed] = opsgenie.control("GET", "requests").json()
    assert (listed["requestId"], listed["action"], listed["processed"]) == (request_id, "Create", False)
    assert "outcome" not in listed
    time.sleep(0.15)
    [listed] = opsgenie.control("GET", "requests").json()
    assert listed["processed"] is True
    assert sorted(listed) == ["acceptedAt", "action", "outcome", "processed", "requestId"]
    assert listed["acceptedAt"].endswith("Z")
    outcome = listed["outcome"]
    assert (outcome["action"], outcome["isSuccess"], outcome["status"]) == ("Create", True, "Deployment successfully created")
    assert opsgenie.status(request_id).json()["data"] == outcome
    assert opsgenie.process() == 0


def test_process_takes_every_pending_request_and_nothing_twice(opsgenie):
    opsgenie.settings(processing_delay=600)
    first = opsgenie.request("POST", "/v2/deployments", json=opsgenie.body(externalId="a")).json()["requestId"]
    second = opsgenie.request("PATCH", "/v2/deployments/a/update", params={"type": "api"}, json={"message": "m"}).json()[
        "requestId"
    ]
    assert [entry["processed"] for entry in opsgenie.control("GET", "requests").json()] == [False, False]
    assert opsgenie.control("POST", "process").json() == {"processed": 2}
    listed = opsgenie.control("GET", "requests").json()
    assert [(entry["requestId"], entry["action"], entry["outcome"]["isSuccess"]) for entry in listed] == [
        (first, "Create", True),
        (second, "Update", True),
    ]
    deployments = opsgenie.control("GET", "deployments").json()
    assert [deployment["externalId"] for deployment in deployments].count("a") == 1
    assert len(deployments) == 3
    assert opsgenie.process() == 0
    assert len(opsgenie.control("GET", "deployments").json()) == 3


# -- control deployments ---------------------------------------------------------------------------------


def test_deployments_stored_directly(opsgenie):
    pipelines = dict(
        opsgenie.body(state="successful", message="Deployment #9"),
        type="pipelines",
        id="pipelines-1",
        externalId="{11111111-2222-3333-4444-555555555555}",
        commitMessage="Fix the build",
    )
    added = opsgenie.add(opsgenie.body(externalId="direct"), pipelines, dict(opsgenie.body(), id="plain"))
    # No request was made, none was logged.
    assert opsgenie.control("GET", "requests").json() == []
    assert log(opsgenie) == []
    assert [deployment["type"] for deployment in added] == ["api", "pipelines", "api"]
    assert added[0]["externalId"] == "direct"
    assert added[1] == opsgenie.deployment("{11111111-2222-3333-4444-555555555555}", "pipelines")
    assert (added[1]["fullname"], added[1]["commitMessage"], added[1]["deployableName"]) == (
        "sandbox/app",
        "Fix the build",
        "Deployment #9",
    )
    assert added[1]["releases"][0]["repository"] == {
        "repoSlug": "{8b1f2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d}",
        "workspace": "{5d3f4a52-7c1e-4b8a-9f60-2b7d1c9e0a11}",
    }
    assert added[2]["id"] == added[2]["externalId"] == "plain"
    assert opsgenie.deployment("direct", "api") == added[0]
    listed = opsgenie.control("GET", "deployments").json()
    assert [deployment["id"] for deployment in listed] == SEEDED + [deployment["id"] for deployment in added]
    # One object alone is a list of one.
    response = opsgenie.control("POST", "deployments", json=opsgenie.body())
    assert response.status_code == 201 and len(response.json()) == 1


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", "the body is not valid JSON"),
        ("[]", "expected a deployment object or a non-empty list of them"),
        ("[3]", "expected a deployment object or a non-empty list of them"),
        (
            '{"state": "started"}',
            "deployment 1: environment: must not be null; startedAt: must not be null; releases: must not be empty",
        ),
    ],
)
def test_bad_bodies_are_refused(opsgenie, body, message):
    response = opsgenie.control("POST", "deployments", data=body, headers={"Content-Type": "application/json"})
    assert control_error(response, 400).startswith(message)


@pytest.mark.parametrize(
    "changes, message",
    [
        ([{}, {"state": None}], "deployment 2: state: must not be null"),
        ([{"type": "bogus"}], "deployment 1: type: must be api or pipelines"),
        ([{"id": ""}], "deployment 1: id: must not be blank"),
        ([{"commitMessage": 1}], "deployment 1: commitMessage: must be a string"),
        (
            [
                {
                    "releases": [
                        {
                            "type": "bbc",
                            "repository": {"workspace": {"identifier": "x"}, "repoSlug": "app"},
                            "commit": {"sha": "1"},
                        }
                    ]
                }
            ],
            "deployment 1: Bitbucket Integration with name: x not found",
        ),
        ([{"id": "same"}, {"id": "same"}], "deployment 2: another deployment has the id same"),
        ([{"id": SEEDED[0]}], "deployment 1: another deployment has the id %s" % SEEDED[0]),
        ([{"externalId": "e"}, {"externalId": "e"}], "deployment 2: Deployment with externalId: e already exists"),
        ([{"id": "x"}, {"externalId": "x"}], "deployment 2: Deployment with externalId: x already exists"),
    ],
)
def test_bad_deployments_are_refused_and_nothing_is_stored(opsgenie, changes, message):
    response = opsgenie.control("POST", "deployments", json=[opsgenie.body(**change) for change in changes])
    assert control_error(response, 400) == message
    assert [deployment["id"] for deployment in opsgenie.control("GET", "deployments").json()] == SEEDED


def test_control_endpoints_methods_and_names(opsgenie):
    for method, name, allowed in (
        ("POST", "settings", "GET, PUT"),
        ("DELETE", "deployments", "GET, POST"),
        ("DELETE", "workspaces", "GET, POST"),
        ("POST", "requests", "GET"),
        ("GET", "process", "POST"),
    ):
        response = opsgenie.control(method, name)
        assert (response.status_code, response.headers["Allow"]) == (405, allowed)
    assert control_error(opsgenie.control("GET", "alerts"), 404) == (
        "no such control endpoint: /__sandbox__/opsgenie/alerts"
        " (use /__sandbox__/opsgenie/settings, deployments, workspaces, requests or process)"
    )
    response = requests.get(opsgenie.url + "/__sandbox__/nothing")
    assert response.json()["error"].endswith("(use reset, requests, faults or opsgenie)")


# -- control workspaces ----------------------------------------------------------------------------------

SEEDED_WORKSPACE = {
    "name": "sandbox",
    "uuid": "{5d3f4a52-7c1e-4b8a-9f60-2b7d1c9e0a11}",
    "repositories": [
        {"slug": "api", "uuid": "{2a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c}", "services": [SERVICE]},
        {"slug": "app", "uuid": "{8b1f2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d}", "services": [SERVICE]},
    ],
}
SHOP_SERVICE = "96f6655c-73f1-4d4b-a1a5-4b97dd8409b5"


def shop_release(sha="5f0c3a9"):
    return {"type": "bbc", "repository": {"workspace": {"identifier": "acme"}, "repoSlug": "shop"}, "commit": {"sha": sha}}


def test_workspaces_connected_directly(opsgenie, sandbox):
    assert opsgenie.control("GET", "workspaces").json() == [SEEDED_WORKSPACE]
    response = opsgenie.control(
        "POST",
        "workspaces",
        json={"name": "acme", "repositories": [{"slug": "shop", "services": [SHOP_SERVICE]}, {"slug": "docs"}]},
    )
    assert response.status_code == 201, response.text
    (acme,) = response.json()
    assert acme["name"] == "acme" and acme["uuid"].startswith("{")
    assert [(repository["slug"], repository["services"]) for repository in acme["repositories"]] == [
        ("docs", []),
        ("shop", [SHOP_SERVICE]),
    ]
    assert opsgenie.control("GET", "workspaces").json() == [SEEDED_WORKSPACE, acme]
    # Its repositories take deployments, found by the services they are mapped to.
    data = opsgenie.create(externalId="shop-1", releases=[shop_release()])
    assert data["isSuccess"] is True, data
    found = opsgenie.request("GET", "/v2/deployments/search", params={"serviceIds": SHOP_SERVICE}).json()["data"]
    assert [deployment["externalId"] for deployment in found] == ["shop-1"]
    # By UUID too, and a list connects several at once; a reset forgets them.
    listed = opsgenie.control(
        "POST",
        "workspaces",
        json=[{"name": "globex", "uuid": "{AAAAAAAA-0000-0000-0000-000000000001}", "repositories": [{"slug": "api"}]}],
    )
    assert listed.status_code == 201 and listed.json()[0]["uuid"] == "{AAAAAAAA-0000-0000-0000-000000000001}"
    sandbox.reset()
    assert opsgenie.control("GET", "workspaces").json() == [SEEDED_WORKSPACE]


@pytest.mark.parametrize(
    "body, message",
    [
        ("[]", "expected a workspace object or a non-empty list of them"),
        ('{"name": "acme"}', "workspace 1: 'repositories' must be a non-empty list"),
        ('{"name": "", "repositories": [{"slug": "a"}]}', "workspace 1: 'name' must be a non-empty string"),
        ('{"name": "Sandbox", "repositories": [{"slug": "a"}]}', "workspace 1: a workspace named 'Sandbox' is already connected"),
        (
            '{"name": "x", "uuid": "5d3f4a52-7c1e-4b8a-9f60-2b7d1c9e0a11", "repositories": [{"slug": "a"}]}',
            "workspace 1: another workspace has the uuid 5d3f4a52-7c1e-4b8a-9f60-2b7d1c9e0a11",
        ),
        ('{"name": "x", "repositories": [{"slug": "a"}, {"slug": "A"}]}', "workspace 1: repository 2: the slug A is listed twice"),
        ('{"name": "x", "repositories": [{"name": "a"}]}', 'workspace 1: repository 1: expected {"slug", "uuid"?, "services"?}'),
        ('{"name": "x", "repositories": [{"slug": "a", "services": "s"}]}', "workspace 1: repository 1: 'services' must be a list of service ids"),
        ('{"name": "x", "owner": "y", "repositories": [{"slug": "a"}]}', "workspace 1: unknown keys: owner (allowed: name, uuid, repositories)"),
        (
            '[{"name": "x", "repositories": [{"slug": "a"}]}, {"name": "X", "repositories": [{"slug": "a"}]}]',
            "workspace 2: a workspace named 'X' is already connected",
        ),
    ],
)
def test_bad_workspaces_are_refused_and_nothing_is_stored(opsgenie, body, message):
    response = opsgenie.control("POST", "workspaces", data=body, headers={"Content-Type": "application/json"})
    assert control_error(response, 400) == message
    assert opsgenie.control("GET", "workspaces").json() == [SEEDED_WORKSPACE]


# -- the host in the request log -------------------------------------------------------------------------


def test_the_log_shows_the_host_a_client_sent_through_a_proxy_asked_for(opsgenie):
    # With the sandbox as its HTTP proxy, a client sends absolute-form targets (http://host/path).
    proxies = {"http": opsgenie.url}
    for base in ("http://api.opsgenie.com", "http://api.eu.opsgenie.com"):
        response = requests.get(
            base + "/v2/deployments/search", params={"serviceIds": SERVICE}, headers=opsgenie.headers, proxies=proxies
        )
        assert response.status_code == 200
    opsgenie.request("GET", "/v2/deployments/" + SEEDED[0])
    query = "serviceIds=" + SERVICE
    assert log(opsgenie) == [
        {"method": "GET", "host": "api.opsgenie.com", "path": "/v2/deployments/search", "query": query, "status": 200},
        {"method": "GET", "host": "api.eu.opsgenie.com", "path": "/v2/deployments/search", "query": query, "status": 200},
        {
            "method": "GET",
            "host": urlsplit(opsgenie.url).netloc,
            "path": "/v2/deployments/" + SEEDED[0],
            "query": "",
            "status": 200,
        },
    ]
