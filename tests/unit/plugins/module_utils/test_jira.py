"""The Jira client's own rules: the gateway's paths, the site's address, Jira's and the token endpoint's error bodies."""

from __future__ import annotations

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._jira import (
    DEFAULT_URL,
    JIRA_SPEC,
    JiraClient,
    _TOKEN_HINTS,
    describe_jira_error,
    site_address,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError, credential_options, needed_options

from tests.support.responses import answer


def test_the_gateway_is_the_default_and_the_cloud_id_is_in_every_path():
    client = JiraClient(dict(url=None, cloud_id=" 1a2b3c ", client_id="c", client_secret="s"))
    assert DEFAULT_URL == "https://api.atlassian.com"
    assert client.http.base_url == "https://api.atlassian.com/jira/deployments/0.1/cloud/1a2b3c"
    assert client.token_http.url("oauth/token") == "https://api.atlassian.com/oauth/token"


def test_the_client_credentials_are_needed_and_the_site_is_named_one_of_two_ways():
    assert sorted(needed_options(JIRA_SPEC)) == ["client_id", "client_secret"]
    assert sorted(credential_options(JIRA_SPEC)) == ["cloud_id", "site"]
    assert JIRA_SPEC["client_secret"]["no_log"] is True


def test_ids_stay_one_path_segment_each():
    assert JiraClient.key_path("shop/deploy main", "eu/prod", 42) == "pipelines/shop%2Fdeploy%20main/environments/eu%2Fprod/deployments/42"


@pytest.mark.parametrize("given, address", [
    ("https://acme.atlassian.net", "https://acme.atlassian.net"),
    (" acme.atlassian.net ", "https://acme.atlassian.net"),
    ("https://acme.atlassian.net/jira/software/projects/WEB/boards/1", "https://acme.atlassian.net"),
    ("http://127.0.0.1:25444/", "http://127.0.0.1:25444"),
    ("https://user:secret@acme.atlassian.net", "https://acme.atlassian.net"),
])
def test_a_site_is_its_scheme_and_host(given, address):
    assert site_address(given) == address


@pytest.mark.parametrize("given", ["ftp://acme.atlassian.net", "https://", "://"])
def test_a_site_that_is_no_web_address_is_refused(given):
    with pytest.raises(InputError, match="site must be the address of a Jira Cloud site"):
        site_address(given)


def test_jiras_error_messages_are_joined_with_their_trace_ids():
    body = [{"message": "deployments: a list is required", "errorTraceId": "t-1"}, {"message": "second"}]
    message, details = JiraClient.parse_error(answer(400, body))
    assert message == "deployments: a list is required; second"
    assert details == {"error_trace_ids": ["t-1"]}


@pytest.mark.parametrize("status, body, expected", [
    (401, {"code": 401, "message": "Unauthorized"}, "Unauthorized (the access token was refused"),
    (403, {"code": 403, "message": "Forbidden"}, "Forbidden (the OAuth credentials of client_id need the Deployments permission"),
    (404, {"code": 404, "message": "No site"}, "No site (check cloud_id or site"),
    (400, {"errorMessages": ["one", "two"], "errors": {}}, "one; two"),
    (500, "<html>oops</html>", "the response is not JSON (application/json): <html>oops</html>"),
])
def test_the_gateways_answers_are_described_with_a_hint(status, body, expected):
    message, _details = JiraClient.parse_error(answer(status, body))
    assert message.startswith(expected), message


def test_an_oauth_error_is_its_description_with_a_hint():
    response = answer(401, {"error": "access_denied", "error_description": "Unauthorized"})
    message, details = describe_jira_error(response, response.json(), _TOKEN_HINTS)
    assert message == "access_denied: Unauthorized (check client_id and client_secret: the OAuth credentials a site admin created " \
                      "for this integration)"
    assert details is None
