"""The Jira client against the sandbox: one token per process, renewed when it expires or is refused; a site's cloud id read once."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.module_utils import _jira
from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, scrub
from ansible_collections.opsforge.delivery.plugins.module_utils._jira import JiraClient


@pytest.fixture(autouse=True)
def fresh_caches():
    _jira._TOKENS.clear()
    _jira._CLOUD_IDS.clear()
    yield
    _jira._TOKENS.clear()
    _jira._CLOUD_IDS.clear()


@pytest.fixture
def connection(sandbox):
    credentials = sandbox.credentials
    return dict(url=sandbox.urls["jira"], cloud_id=credentials["jira_cloud_id"], site=None, client_id=credentials["jira_client_id"],
                client_secret=credentials["jira_client_secret"], retries=0)


def paths(sandbox):
    return [(entry["method"], entry["path"].rsplit("/", 1)[-1]) for entry in sandbox.controls["jira"].requests()]


def test_one_token_serves_every_request_of_a_run(sandbox, connection):
    client = JiraClient(connection)
    for number in (1, 2, 3):
        assert client.get("shop-deploy", "prod-eu", number) is None
    assert JiraClient(connection).get("shop-deploy", "prod-eu", 4) is None
    assert paths(sandbox) == [("POST", "token")] + [("GET", str(number)) for number in (1, 2, 3, 4)]


def test_a_token_about_to_expire_is_renewed_before_it_is_used(sandbox, connection):
    requests.put(sandbox.urls["jira"] + "/__sandbox__/jira/settings", json={"token_lifetime": 30}, timeout=10).raise_for_status()
    client = JiraClient(connection)
    client.get("shop-deploy", "prod-eu", 1)
    client.get("shop-deploy", "prod-eu", 2)
    # 30 seconds is within the margin: every request asks for a new token first.
    assert [method for method, _name in paths(sandbox)] == ["POST", "GET", "POST", "GET"]


def test_a_refused_token_is_renewed_once(sandbox, connection):
    client = JiraClient(connection)
    client.get("shop-deploy", "prod-eu", 1)
    requests.delete(sandbox.urls["jira"] + "/__sandbox__/jira/tokens", timeout=10).raise_for_status()
    assert client.get("shop-deploy", "prod-eu", 2) is None
    assert [(entry["method"], entry["status"]) for entry in sandbox.controls["jira"].requests()] == [
        ("POST", 200), ("GET", 404), ("GET", 401), ("POST", 200), ("GET", 404)]


def test_a_new_token_that_is_refused_fails_without_a_loop(sandbox, connection):
    requests.put(sandbox.urls["jira"] + "/__sandbox__/jira/settings", json={"token_lifetime": 0}, timeout=10).raise_for_status()
    with pytest.raises(ApiError) as raised:
        JiraClient(connection).get("shop-deploy", "prod-eu", 1)
    assert raised.value.status == 401 and "the access token was refused" in str(raised.value)
    assert len(sandbox.controls["jira"].requests()) == 2


def test_wrong_client_credentials_say_which_options_to_check_and_that_nothing_changed(sandbox, connection):
    with pytest.raises(ApiError) as raised:
        JiraClient(dict(connection, client_secret="not-the-secret")).get("shop-deploy", "prod-eu", 1)
    message = str(raised.value)
    assert message.startswith("Jira: could not get an access token for client sandbox-jira-client (POST ")
    assert "HTTP 401: access_denied: Unauthorized (check client_id and client_secret" in message
    assert message.endswith("Nothing was changed.")


def test_the_token_never_shows_in_a_message(sandbox, connection):
    client = JiraClient(connection)
    client.get("shop-deploy", "prod-eu", 1)
    token = _jira._TOKENS[client.token_key][0]
    assert scrub("Authorization: Bearer " + token) == "Authorization: Bearer ********"


def test_a_site_is_resolved_to_its_cloud_id_once(sandbox, connection):
    site = dict(connection, cloud_id=None, site=sandbox.urls["jira"] + "/jira/software/projects/WEB")
    assert JiraClient(site).cloud_id == "sandbox-cloud"
    assert JiraClient(site).cloud_id == "sandbox-cloud"
    assert paths(sandbox) == [("GET", "tenant_info")]


def test_a_site_that_is_no_jira_site_is_named(sandbox, connection):
    with pytest.raises(ApiError) as raised:
        JiraClient(dict(connection, cloud_id=None, site=sandbox.urls["rundeck"]))
    assert "could not read the cloud id of site %s" % sandbox.urls["rundeck"] in str(raised.value)
    assert "it is not a Jira Cloud site" in str(raised.value)
