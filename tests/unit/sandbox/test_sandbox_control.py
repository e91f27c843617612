# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The control API (request log, faults, reset), the not-found answers and the Sandbox class."""

import concurrent.futures
import socket
import time
import uuid

import pytest
import requests

from tests.sandbox import Sandbox
from tests.sandbox.rundeck_versions import DEFAULT_RELEASE, current_api_version, parse_release

TOKEN = "sandbox-rundeck-token"


def control(sandbox, endpoint, service="rundeck"):
    return "%s/__sandbox__/%s" % (sandbox.urls[service], endpoint)


def log(sandbox, service="rundeck"):
    return requests.get(control(sandbox, "requests", service)).json()


def host(sandbox, service="rundeck"):
    """The Host header a client sends to a service: its address and port."""
    return sandbox.urls[service].split("//", 1)[1]


def add_faults(sandbox, faults, service="rundeck"):
    response = requests.post(control(sandbox, "faults", service), json=faults)
    assert response.status_code == 201, response.text
    return response.json()


# -- request log -------------------------------------------------------------------


def test_the_log_lists_requests_oldest_first_with_secrets_masked(sandbox, api):
    query = "authtoken=%s&max=5&token=t&access_token=a&apikey=k&API_KEY=K&name=x%%20y" % TOKEN
    requests.get(api + "/projects?" + query)
    requests.post(api + "/projects", params={"authtoken": "nope"}, json={"name": "web"})
    requests.get(sandbox.urls["gitea"] + "/api/v1/version")
    assert log(sandbox) == [
        {
            "method": "GET",
            "host": host(sandbox),
            "path": "/api/49/projects",
            "query": "authtoken=********&max=5&token=********&access_token=********&apikey=********&API_KEY=********&name=x%20y",
            "status": 200,
        },
        {"method": "POST", "host": host(sandbox), "path": "/api/49/projects", "query": "authtoken=********", "status": 403},
    ]
    assert log(sandbox, "gitea") == [
        {"method": "GET", "host": host(sandbox, "gitea"), "path": "/api/v1/version", "query": "", "status": 200}
    ]


def test_control_requests_are_not_logged_and_reset_clears_the_log(sandbox, api, auth):
    requests.get(api + "/projects", headers=auth)
    requests.get(control(sandbox, "faults"))
    assert len(log(sandbox)) == 1
    assert requests.post(control(sandbox, "reset")).json() == {"reset": True}
    assert log(sandbox) == []
    requests.get(api + "/projects", headers=auth)
    sandbox.reset()
    assert log(sandbox) == []


def test_the_log_can_be_cleared_alone(sandbox, api, auth):
    requests.post(api + "/projects", headers=auth, json={"name": "web"})
    assert requests.delete(control(sandbox, "requests")).status_code == 204
    assert log(sandbox) == []
    assert requests.get(api + "/project/web", headers=auth).status_code == 200


def test_in_process_callers_see_when_each_request_arrived(sandbox, api, auth):
    before = time.time()
    requests.get(api + "/projects", headers=auth)
    between = time.time()
    requests.get(api + "/project/sandbox", headers=auth)
    after = time.time()
    timed = sandbox.controls["rundeck"].timed_requests()
    assert [entry for arrival, entry in timed] == log(sandbox)
    assert [entry["path"] for arrival, entry in timed] == ["/api/49/projects", "/api/49/project/sandbox"]
    assert before <= timed[0][0] <= between <= timed[1][0] <= after
    sandbox.controls["rundeck"].clear_requests()
    assert sandbox.controls["rundeck"].timed_requests() == []
    requests.get(api + "/projects", headers=auth)
    sandbox.reset()
    assert sandbox.controls["rundeck"].timed_requests() == []


def test_concurrent_requests_are_all_logged(sandbox, api, auth):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: requests.get(api + "/projects", headers=auth).status_code, range(24)))
    assert statuses == [200] * 24
    assert [entry["status"] for entry in log(sandbox)] == [200] * 24


# -- faults -----------------------------------------------------------------------------


def test_a_503_fault_twice_with_retry_after(sandbox, api, auth):
    pending = add_faults(sandbox, {"method": "GET", "path": "^/api/49/projects$", "times": 2, "status": 503, "retry_after": 1})
    assert pending == [{"method": "GET", "path": "^/api/49/projects$", "times": 2, "status": 503, "retry_after": 1}]
    for attempt in range(2):
        # Faults come before authentication: no token is needed to get one.
        response = requests.get(api + "/projects")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
        assert response.json() == {
            "error": True,
            "apiversion": current_api_version(parse_release(DEFAULT_RELEASE)),
            "errorCode": "api.error.unknown",
            "message": "Service Unavailable",
        }
    assert requests.get(api + "/projects", headers=auth).status_code == 200
    assert [entry["status"] for entry in log(sandbox)] == [503, 503, 200]
    assert requests.get(control(sandbox, "faults")).json() == []


def test_faults_match_method_and_path(sandbox, api, auth):
    add_faults(sandbox, [{"method": "post", "path": "projects", "status": 500}, {"path": "/acl/", "status": 409}])
    assert requests.get(api + "/projects", headers=auth).status_code == 200
    assert requests.post(api + "/projects", headers=auth, json={"name": "x"}).status_code == 500
    assert requests.delete(api + "/system/acl/a.aclpolicy", headers=auth).status_code == 409
    assert requests.get(control(sandbox, "faults")).json() == []


def test_a_delay_fault_then_the_normal_answer(sandbox, api, auth):
    add_faults(sandbox, {"path": "projects", "delay": 0.3})
    started = time.monotonic()
    response = requests.get(api + "/projects", headers=auth)
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200 and response.json()[0]["name"] == "sandbox"
    started = time.monotonic()
    requests.get(api + "/projects", headers=auth)
    assert time.monotonic() - started < 0.3


def test_a_drop_fault_closes_the_connection(sandbox, api, auth, capfd):
    add_faults(sandbox, {"path": "projects", "drop": True})
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(api + "/projects", headers=auth)
    assert requests.get(api + "/projects", headers=auth).status_code == 200
    assert [entry["status"] for entry in log(sandbox)] == [None, 200]
    # The server stays quiet about the connection it closed.
    assert capfd.readouterr().err == ""


def test_an_applied_request_whose_answer_is_lost(sandbox, api, auth, capfd):
    add_faults(sandbox, {"method": "POST", "path": "projects", "apply": True, "drop": True})
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(api + "/projects", headers=auth, json={"name": "lost"})
    # The project was made; the log shows the status the service gave, which the client never saw.
    assert requests.get(api + "/project/lost", headers=auth).status_code == 200
    assert [entry["status"] for entry in log(sandbox)] == [201, 200]
    assert capfd.readouterr().err == ""


def test_an_applied_request_answered_by_a_gateway_error(sandbox, api, auth):
    add_faults(sandbox, {"method": "POST", "path": "projects", "apply": True, "status": 504})
    assert requests.post(api + "/projects", headers=auth, json={"name": "late"}).status_code == 504
    assert requests.get(api + "/project/late", headers=auth).status_code == 200


def test_a_truncated_answer(sandbox, api, auth):
    add_faults(sandbox, {"method": "GET", "path": "projects", "truncate": 7})
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="7 bytes read"):
        requests.get(api + "/projects", headers=auth)
    assert requests.get(api + "/projects", headers=auth).json()[0]["name"] == "sandbox"


def test_a_raw_body_fault(sandbox, api):
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    add_faults(sandbox, {"path": "", "status": 502, "body": html})
    response = requests.get(api + "/projects")
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text == html


def test_a_body_alone_answers_200(sandbox, api):
    add_faults(sandbox, {"path": "projects", "body": "[]", "content_type": "application/json"})
    response = requests.get(api + "/projects")
    assert (response.status_code, response.json(), response.headers["Content-Type"]) == (200, [], "application/json")


def test_faults_are_listed_and_cleared(sandbox):
    add_faults(sandbox, {"path": "a", "times": 3})
    assert requests.get(control(sandbox, "faults")).json() == [{"method": "*", "path": "a", "times": 3}]
    assert requests.delete(control(sandbox, "faults")).status_code == 204
    assert requests.get(control(sandbox, "faults")).json() == []
    add_faults(sandbox, {"path": "a"})
    sandbox.reset()
    assert requests.get(control(sandbox, "faults")).json() == []


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        '"a string"',
        '{"status": 503}',
        '{"path": "("}',
        '{"path": "x", "times": 0}',
        '{"path": "x", "status": 99}',
        '{"path": "x", "delay": -1}',
        '{"path": "x", "drop": true, "status": 503}',
        '{"path": "x", "drop": true, "truncate": 3}',
        '{"path": "x", "truncate": -1}',
        '{"path": "x", "apply": "yes"}',
        '{"path": "x", "colour": "red"}',
        '[{"path": "x"}, 3]',
    ],
)
def test_malformed_faults_are_refused(sandbox, body):
    response = requests.post(control(sandbox, "faults"), data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "error" in response.json()
    assert requests.get(control(sandbox, "faults")).json() == []


def test_unknown_control_endpoints_and_methods(sandbox):
    response = requests.get(control(sandbox, "nothing"))
    assert (response.status_code, response.json()["error"]) == (
        404,
        "no such control endpoint: /__sandbox__/nothing (use reset, requests or faults)",
    )
    # A service may add control endpoints of its own.
    assert (
        requests.get(control(sandbox, "nothing", "octopus")).json()["error"].endswith("(use reset, requests, faults, health or settings)")
    )
    response = requests.get(control(sandbox, "reset"))
    assert (response.status_code, response.headers["Allow"]) == (405, "POST")


def test_the_log_shows_the_host_of_an_absolute_form_target(sandbox):
    # What a client sends when the sandbox is its HTTP proxy: werkzeug routes the path and
    # takes the host from the target.
    target = "http://api.eu.opsgenie.com/v2/deployments/search?serviceIds=x"
    with socket.create_connection(("127.0.0.1", int(host(sandbox, "opsgenie").rsplit(":", 1)[1])), timeout=5) as connection:
        connection.sendall(("GET %s HTTP/1.1\r\nHost: api.eu.opsgenie.com\r\nConnection: close\r\n\r\n" % target).encode("ascii"))
        answer = b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 401 ")
    assert log(sandbox, "opsgenie") == [
        {"method": "GET", "host": "api.eu.opsgenie.com", "path": "/v2/deployments/search", "query": "serviceIds=x", "status": 401}
    ]


# -- not-found answers --------------------------------------------------------------------------


def test_opsgenie_not_found(sandbox):
    response = requests.get(sandbox.urls["opsgenie"] + "/no/such/path")
    body = response.json()
    assert response.status_code == 404
    assert body["message"] == "Could not find the requested resource."
    assert isinstance(body["took"], float)
    assert uuid.UUID(body["requestId"]).version == 4


def test_gitea_not_found(sandbox):
    response = requests.get(sandbox.urls["gitea"] + "/api/v1/no/such/endpoint")
    expected = {"errors": None, "message": "The target couldn't be found.", "url": sandbox.urls["gitea"] + "/api/swagger"}
    assert (response.status_code, response.json()) == (404, expected)


@pytest.mark.parametrize("service, key", [("opsgenie", "message"), ("octopus", "ErrorMessage"), ("gitea", "message"),
                                          ("jira", "message")])
def test_faults_use_each_vendor_error_format(sandbox, service, key):
    add_faults(sandbox, {"path": "", "status": 429, "retry_after": 2}, service)
    response = requests.get(sandbox.urls[service] + "/anything")
    assert (response.status_code, response.headers["Retry-After"]) == (429, "2")
    assert response.json()[key] == "Too Many Requests"
    assert log(sandbox, service) == [
        {"method": "GET", "host": host(sandbox, service), "path": "/anything", "query": "", "status": 429}
    ]


# -- the Sandbox class --------------------------------------------------------------------------


def test_sandbox_attributes(sandbox):
    assert sorted(sandbox.urls) == ["gitea", "jira", "octopus", "opsgenie", "rundeck"]
    assert all(url.startswith("http://127.0.0.1:") for url in sandbox.urls.values())
    assert sandbox.credentials["rundeck_token"] == TOKEN
    assert sandbox.credentials["gitea_admin_token"] == "sandbox-gitea-token"


def test_each_control_holds_its_service_store(sandbox, api, auth):
    stores = {name: control.state for name, control in sandbox.controls.items()}
    assert sorted(type(store).__name__ for store in stores.values()) == ["GiteaState", "JiraState", "OctopusState", "OpsgenieState", "RundeckState"]
    with stores["rundeck"].lock:
        assert "sandbox" in stores["rundeck"].projects
    requests.post(api + "/projects", headers=auth, json={"name": "web"})
    assert "web" in stores["rundeck"].projects


def test_custom_credentials_and_context_manager():
    with Sandbox(ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}, credentials={"rundeck_token": "other"}) as other:
        assert other.credentials["octopus_api_key"] == "API-SANDBOX"
        url = other.urls["rundeck"] + "/api/49/projects"
        assert requests.get(url, headers={"X-Rundeck-Auth-Token": "other"}).status_code == 200
        assert requests.get(url, headers={"X-Rundeck-Auth-Token": TOKEN}).status_code == 403
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=2)


def test_unknown_names_are_refused():
    with pytest.raises(ValueError):
        Sandbox(ports={"jenkins": 0})
    with pytest.raises(ValueError):
        Sandbox(credentials={"rundeck_password": "x"})
