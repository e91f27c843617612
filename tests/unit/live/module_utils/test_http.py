"""The transport: retries, Retry-After, POST safety, redaction, error parsing, JSON decoding."""

from __future__ import annotations

import socket
import time

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._http import (
    MAY_HAVE_CHANGED,
    ApiError,
    HttpClient,
    build_retry,
    decode_json,
    redact_url,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RundeckClient


@pytest.fixture
def client(sandbox):
    http = HttpClient("Rundeck", sandbox.urls["rundeck"] + "/api/49",
                      headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"]},
                      retries=2, timeout=2, backoff_factor=0, error_parser=RundeckClient.parse_error)
    yield http
    http.close()


def statuses(request_log):
    return [entry["status"] for entry in request_log()]


def test_get_is_retried_on_503_and_succeeds(client, add_fault, request_log):
    add_fault({"method": "GET", "path": "/projects", "times": 2, "status": 503})
    response = client.request("GET", "projects", "list projects")
    assert response.status_code == 200
    assert statuses(request_log) == [503, 503, 200]
    assert client.request_count == 3


@pytest.mark.parametrize("status", [429, 500, 502, 504])
def test_other_transient_statuses_are_retried(client, add_fault, request_log, status):
    add_fault({"method": "GET", "path": "/projects", "times": 1, "status": status})
    assert client.request("GET", "projects", "list projects").status_code == 200
    assert statuses(request_log) == [status, 200]


def test_retries_are_bounded_and_the_last_answer_is_reported(client, add_fault, request_log):
    add_fault({"method": "GET", "path": "/projects", "times": 5, "status": 503})
    with pytest.raises(ApiError) as caught:
        client.request("GET", "projects", "list projects")
    assert caught.value.status == 503
    assert statuses(request_log) == [503, 503, 503]  # one try and two retries
    assert "could not list projects" in str(caught.value)


def test_retry_after_is_honoured(client, add_fault):
    add_fault({"method": "GET", "path": "/projects", "times": 1, "status": 429, "retry_after": 1})
    started = time.monotonic()
    client.request("GET", "projects", "list projects")
    assert time.monotonic() - started >= 0.9


def test_retry_after_is_capped():
    from ansible_collections.opsforge.delivery.plugins.module_utils import _http

    class Answer(object):
        headers = {"Retry-After": "86400"}

        def getheader(self, name):
            return self.headers.get(name)

    assert build_retry(3).get_retry_after(Answer()) == _http.MAX_RETRY_AFTER_SECONDS


def test_post_is_not_retried_after_an_error_status(client, add_fault, request_log):
    add_fault({"method": "POST", "path": "/projects", "times": 2, "status": 503})
    with pytest.raises(ApiError) as caught:
        client.request("POST", "projects", "create project", expected=(201,), json={"name": "once"})
    assert caught.value.status == 503
    assert statuses(request_log) == [503]


def test_writes_are_retried_after_429_which_proves_nothing_was_done(client, add_fault, request_log):
    add_fault({"method": "POST", "path": "/projects", "times": 2, "status": 429, "retry_after": 0})
    add_fault({"method": "PATCH", "path": "/projects", "times": 1, "status": 429, "retry_after": 0})
    client.request("POST", "projects", "create project", expected=(201,), json={"name": "once"})
    with pytest.raises(ApiError) as caught:
        # The sandbox's Rundeck has no PATCH: its 405 after the 429 shows the retry happened.
        client.request("PATCH", "projects", "change projects")
    assert caught.value.status == 405
    assert statuses(request_log) == [429, 429, 201, 429, 405]


def test_post_is_not_retried_after_a_dropped_connection(client, add_fault, request_log):
    add_fault({"method": "POST", "path": "/projects", "times": 1, "drop": True})
    with pytest.raises(ApiError) as caught:
        client.request("POST", "projects", "create project", expected=(201,), json={"name": "once"})
    assert caught.value.status is None
    assert "connection" in caught.value.message.lower()
    assert [entry["method"] for entry in request_log()] == ["POST"]


def test_get_is_retried_after_a_dropped_connection(client, add_fault, request_log):
    add_fault({"method": "GET", "path": "/projects", "times": 1, "drop": True})
    assert client.request("GET", "projects", "list projects").status_code == 200
    assert statuses(request_log) == [None, 200]


def test_a_slow_answer_is_a_timeout(client, add_fault):
    add_fault({"method": "GET", "path": "/projects", "times": 3, "delay": 2.5})
    client.timeout = 0.5
    with pytest.raises(ApiError) as caught:
        client.request("GET", "projects", "list projects")
    assert caught.value.status is None
    assert "0.5 seconds" in caught.value.message


def test_an_html_page_is_reported_as_such(client, add_fault):
    add_fault({"method": "GET", "path": "/projects", "times": 1, "status": 200,
               "body": "<html><body>Proxy login</body></html>"})
    response = client.request("GET", "projects", "list projects")
    with pytest.raises(ApiError) as caught:
        decode_json(response, "Rundeck", "list projects")
    assert "expected a JSON response" in caught.value.message
    assert "Proxy login" in caught.value.message


def test_a_truncated_body_is_reported_as_such(client, add_fault):
    add_fault({"method": "GET", "path": "/projects", "times": 1, "status": 200, "body": '[{"name": "sandb'})
    response = client.request("GET", "projects", "list projects")
    with pytest.raises(ApiError) as caught:
        decode_json(response, "Rundeck", "list projects")
    assert "JSON" in caught.value.message


def test_an_html_error_page_keeps_its_status(client, add_fault):
    add_fault({"method": "GET", "path": "/projects", "times": 3, "status": 500, "body": "<html>Internal error</html>"})
    with pytest.raises(ApiError) as caught:
        client.request("GET", "projects", "list projects")
    assert caught.value.status == 500
    assert "Internal error" in caught.value.message


def test_the_servers_own_message_is_kept(client):
    with pytest.raises(ApiError) as caught:
        client.request("GET", "project/nowhere", "read project nowhere")
    assert caught.value.status == 404
    assert "Project does not exist: nowhere" in caught.value.message
    assert "api.error.project.missing" in caught.value.message


def test_a_wrong_token_is_refused_without_echoing_it(sandbox):
    http = HttpClient("Rundeck", sandbox.urls["rundeck"] + "/api/49",
                      headers={"X-Rundeck-Auth-Token": "secret-wrong-token"}, retries=0,
                      error_parser=RundeckClient.parse_error)
    with pytest.raises(ApiError) as caught:
        http.request("GET", "projects", "list projects")
    assert caught.value.status == 403
    assert "secret-wrong-token" not in str(caught.value)
    assert "api_token" in str(caught.value)


def test_connection_refused_is_clear():
    http = HttpClient("Rundeck", "http://127.0.0.1:9/api/49", retries=0, timeout=2)
    with pytest.raises(ApiError) as caught:
        http.request("GET", "projects", "list projects")
    assert caught.value.status is None
    assert "connection failed" in caught.value.message


def test_redirects_are_reported_not_followed(client, add_fault):
    add_fault({"method": "GET", "path": "/projects", "times": 1, "status": 302, "body": ""})
    with pytest.raises(ApiError) as caught:
        client.request("GET", "projects", "list projects")
    assert caught.value.status == 302
    assert "redirected" in caught.value.message


def test_missing_ok_turns_404_into_none(client):
    assert client.request("GET", "project/nowhere", "read project", missing_ok=True) is None


@pytest.mark.parametrize("url, expected", [
    ("https://user:pw@rundeck.example.com/api/49/x?authtoken=abc&max=5",
     "https://rundeck.example.com/api/49/x?authtoken=********&max=5"),
    ("http://h/api?token=t&access_token=u&apikey=v", "http://h/api?token=********&access_token=********&apikey=********"),
    ("http://h/plain/path", "http://h/plain/path"),
])
def test_redact_url(url, expected):
    assert redact_url(url) == expected


def test_api_error_never_carries_credentials_from_the_url():
    error = ApiError("Rundeck", "read x", "GET", "https://u:secret@h/api/49/x?authtoken=secret", 500, "boom")
    assert "secret" not in str(error)
    assert "secret" not in repr(error.to_result())


def test_a_failed_read_says_nothing_was_changed(client, add_fault):
    add_fault({"method": "GET", "path": "/projects", "times": 3, "status": 503})
    with pytest.raises(ApiError) as caught:
        client.request("GET", "projects", "list projects")
    assert str(caught.value).endswith("Service Unavailable [api.error.unknown]. Nothing was changed.")


def test_a_write_is_not_resent_on_500_and_may_have_been_made(client, add_fault, request_log):
    add_fault({"method": "POST", "path": "/projects", "times": 1, "status": 500})
    with pytest.raises(ApiError) as caught:
        client.request("POST", "projects", "create project p", expected=(201,), json={"name": "p"})
    assert statuses(request_log) == [500]
    assert caught.value.outcome == MAY_HAVE_CHANGED
    assert str(caught.value).endswith(MAY_HAVE_CHANGED)


def test_a_refused_write_changed_nothing(client):
    with pytest.raises(ApiError) as caught:
        client.request("POST", "projects", "create project", expected=(201,), json={"name": ""})
    assert caught.value.status == 400
    assert caught.value.outcome == "The server refused the request, so it changed nothing."


def test_a_write_to_a_closed_port_never_reached_the_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        unused_port = probe.getsockname()[1]
    http = HttpClient("Rundeck", "http://127.0.0.1:%d/api/49" % unused_port, retries=0, timeout=2)
    with pytest.raises(ApiError) as caught:
        http.request("POST", "projects", "create project p", expected=(201,), json={"name": "p"})
    assert caught.value.status is None
    assert caught.value.outcome == "The request never reached the server, so it changed nothing."


def test_a_truncated_read_is_retried(client, add_fault, request_log):
    add_fault({"method": "GET", "path": "/projects", "times": 2, "truncate": 3})
    response = client.request("GET", "projects", "list projects")
    assert decode_json(response, "Rundeck", "list projects")[0]["name"] == "sandbox"
    assert statuses(request_log) == [200, 200, 200]
    assert client.request_count == 3


def test_a_truncated_answer_to_a_write_is_not_resent(client, add_fault, request_log):
    add_fault({"method": "POST", "path": "/projects", "times": 1, "truncate": 3})
    with pytest.raises(ApiError) as caught:
        client.request("POST", "projects", "create project p", expected=(201,), json={"name": "p"})
    assert statuses(request_log) == [201]
    assert "the answer was cut short" in caught.value.message
    assert caught.value.outcome == MAY_HAVE_CHANGED


def test_a_failure_after_a_write_names_the_write(client, add_fault):
    client.request("POST", "projects", "create project p", expected=(201,), json={"name": "p"})
    add_fault({"method": "GET", "path": "/project/p", "times": 3, "status": 503})
    with pytest.raises(ApiError) as caught:
        client.request("GET", "project/p", "read project p")
    assert caught.value.outcome == "Changed before this failure: POST /api/49/projects (HTTP 201)."


def test_an_unreadable_answer_to_a_write_may_have_changed_it(client, add_fault):
    add_fault({"method": "POST", "path": "/projects", "times": 1, "apply": True, "status": 201, "body": "<html>ok</html>"})
    response = client.request("POST", "projects", "create project p", expected=(201,), json={"name": "p"})
    with pytest.raises(ApiError) as caught:
        decode_json(response, "Rundeck", "create project p")
    assert caught.value.outcome == "The server answered HTTP 201 but its answer could not be read. " + MAY_HAVE_CHANGED
