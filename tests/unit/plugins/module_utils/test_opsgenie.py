"""The Opsgenie client's own rules: the GenieKey header, the base URL, Opsgenie's error body, paths of identifiers."""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie import (
    DEFAULT_URL,
    OpsgenieClient,
)

from tests.support.responses import answer


def test_the_key_goes_in_a_geniekey_authorization_header_and_the_us_instance_is_the_default():
    client = OpsgenieClient(dict(api_key="k-1", url=None))
    assert client.http.session.headers["Authorization"] == "GenieKey k-1"
    assert DEFAULT_URL == "https://api.opsgenie.com"


def test_an_error_is_opsgenies_message_with_each_field_error_and_the_request_id():
    body = {"message": "Request body is not processable. Please check the errors.",
            "errors": {"state": "must not be null", "environment.type": "must be one of: Test, Staging, Production"},
            "took": 0.001, "requestId": "7e92211d-5896-4ed7-adbf-1c78f92241fe"}
    message, details = OpsgenieClient.parse_error(answer(422, body))
    assert message == ("Request body is not processable. Please check the errors.: environment.type: must be one of: "
                       "Test, Staging, Production; state: must not be null")
    assert details == {"request_id": "7e92211d-5896-4ed7-adbf-1c78f92241fe"}


def test_a_throttled_answer_names_the_limit_opsgenie_reports():
    body = {"message": "TooManyRequests", "took": 1, "requestId": "r"}
    message, _details = OpsgenieClient.parse_error(answer(429, body, {"X-RateLimit-State": "THROTTLED", "X-RateLimit-Reason": "ACCOUNT"}))
    assert message.startswith("TooManyRequests (Opsgenie's rate limit") and "limit reached: ACCOUNT" in message


def test_an_answer_without_opsgenies_body_is_shown_as_it_came():
    message, details = OpsgenieClient.parse_error(answer(502, "<html>Bad gateway</html>", {"Content-Type": "text/html"}))
    assert "Bad gateway" in message and details is None


def test_an_identifier_stays_one_path_segment():
    assert OpsgenieClient._path("release/2.0 {blue}", "update") == "release%2F2.0%20%7Bblue%7D/update"
