"""The connection options every module and lookup shares: credentials tidied, checked before any request, never shown."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.module_utils import _http
from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import GITEA_SPEC, GiteaClient
from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, HttpClient, scrub
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import OCTOPUS_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError, prepare_connection
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie import OPSGENIE_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC, RundeckClient
from ansible_collections.opsforge.delivery.plugins.modules import gitea_token, octopus_machine, opsgenie_deployment, rundeck_acl

SECRET = "unit-credential-7f3a"
#: How a credential arrives from a vault block scalar, a file read with lookup('file'), a Windows editor, a paste.
PADDED = [SECRET + "\n", " " + SECRET, SECRET + "\r\n", "\t" + SECRET + " \n"]


@pytest.fixture(autouse=True)
def forget_registered_secrets():
    """Each test's credentials are remembered by the process; other tests must not see them scrubbed."""
    before = set(_http._SECRETS)
    yield
    _http._SECRETS.clear()
    _http._SECRETS.update(before)


def rundeck_params(**overrides):
    return dict(dict(url="http://127.0.0.1:9", api_token=SECRET, timeout=30.0, retries=3), **overrides)


@pytest.mark.parametrize("padded", PADDED)
@pytest.mark.parametrize("spec, option", [(RUNDECK_SPEC, "api_token"), (OPSGENIE_SPEC, "api_key"), (OCTOPUS_SPEC, "api_key"),
                                          (GITEA_SPEC, "password")])
def test_surrounding_whitespace_is_removed_from_every_credential(spec, option, padded):
    params = {"url": "http://127.0.0.1:9", "api_token": "t", "api_key": "k", "username": " alice\n", "password": "p"}
    params[option] = padded
    secrets = prepare_connection(params, spec)
    assert params[option] == SECRET
    assert set(secrets) >= {padded, SECRET}
    if "username" in spec:
        assert params["username"] == "alice"


def test_a_padded_token_authenticates(sandbox):
    params = dict(url=sandbox.urls["rundeck"] + "\n", api_token=sandbox.credentials["rundeck_token"] + "\n", retries=0)
    prepare_connection(params, RUNDECK_SPEC)
    assert RundeckClient(params).list_acls() == []


@pytest.mark.parametrize("spec, option", [(RUNDECK_SPEC, "api_token"), (OPSGENIE_SPEC, "api_key"), (OCTOPUS_SPEC, "api_key"),
                                          (OCTOPUS_SPEC, "access_token")])
@pytest.mark.parametrize("value", ["zq\nxv", "zq xv", "zqöxv", "zq☃xv", "zq\x00xv"])
def test_a_header_credential_http_cannot_carry_is_refused_by_name(spec, option, value):
    params = {"url": "http://127.0.0.1:9", option: value}
    with pytest.raises(InputError) as refused:
        prepare_connection(params, spec)
    assert str(refused.value).startswith("%s holds a character that an HTTP header cannot carry" % option)
    assert "zq" not in str(refused.value)


@pytest.mark.parametrize("spec, message", [
    (RUNDECK_SPEC, "set api_token (or the environment variable RUNDECK_API_TOKEN); set url (or the environment variable RUNDECK_URL)"),
    (OPSGENIE_SPEC, "set api_key (or the environment variable OPSGENIE_API_KEY)"),
    (OCTOPUS_SPEC, "set api_key (or the environment variable OCTOPUS_API_KEY) or access_token (or the environment variable "
                   "OCTOPUS_ACCESS_TOKEN); set url (or the environment variable OCTOPUS_URL)"),
    (GITEA_SPEC, "set password (or the environment variable GITEA_PASSWORD); set url (or the environment variable GITEA_URL); "
                 "set username (or the environment variable GITEA_USERNAME)"),
])
@pytest.mark.parametrize("empty", [None, "", " \n"])
def test_a_missing_url_or_credential_names_the_option_and_its_variable(spec, message, empty):
    params = dict((name, empty) for name in ("url", "api_token", "api_key", "access_token", "username", "password")
                  if name in spec)
    with pytest.raises(InputError) as refused:
        prepare_connection(params, spec)
    assert str(refused.value) == message


def test_no_connection_option_is_marked_required_for_ansible():
    # The environment variables may supply them: ansible-doc must not say the option itself is required.
    for spec in (RUNDECK_SPEC, OPSGENIE_SPEC, OCTOPUS_SPEC, GITEA_SPEC):
        assert not [name for name, entry in spec.items() if entry.get("required")]


@pytest.mark.parametrize("url, problem", [
    ("https://rundeck.example.com/api", "remove /api from its end"),
    ("https://rundeck.example.com:4440/api/49", "remove /api/49 from its end"),
    ("https://rundeck.example.com/rundeck/api/49/", "remove /api/49 from its end"),
    ("https://gitea.example.com/api/v1", "remove /api/v1 from its end"),
    ("https://api.opsgenie.com/v2", "remove /v2 from its end"),
    ("rundeck.example.com", "url must be an http:// or https:// address"),
    ("ftp://rundeck.example.com", "url must be an http:// or https:// address"),
    ("https://", "url must be an http:// or https:// address"),
])
def test_a_url_that_cannot_be_the_servers_base_address_is_refused(url, problem):
    with pytest.raises(InputError) as refused:
        prepare_connection(rundeck_params(url=url), RUNDECK_SPEC)
    assert problem in str(refused.value)


def test_a_refused_url_does_not_show_its_user_info():
    with pytest.raises(InputError) as refused:
        prepare_connection(rundeck_params(url="htps://admin:hunter2@rundeck.example.com"), RUNDECK_SPEC)
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize("url", ["https://rundeck.example.com", "https://example.com/rundeck/", "http://10.0.0.1:4440/apis",
                                 "https://example.com/api-gateway/rundeck"])
def test_a_base_address_is_accepted(url):
    prepare_connection(rundeck_params(url=url), RUNDECK_SPEC)


@pytest.mark.parametrize("option, value, message", [
    ("timeout", -1.0, "timeout must be more than 0 and at most 3600 seconds; got -1.0"),
    ("timeout", 0.0, "timeout must be more than 0 and at most 3600 seconds; got 0.0"),
    ("timeout", 3601.0, "timeout must be more than 0 and at most 3600 seconds; got 3601.0"),
    ("timeout", float("inf"), "timeout must be more than 0 and at most 3600 seconds; got inf"),
    ("timeout", float("nan"), "timeout must be more than 0 and at most 3600 seconds; got nan"),
    ("retries", -5, "retries must be from 0 to 10; got -5"),
    ("retries", 11, "retries must be from 0 to 10; got 11"),
])
def test_numbers_out_of_range_are_refused_by_name_and_range(option, value, message):
    with pytest.raises(InputError) as refused:
        prepare_connection(rundeck_params(**{option: value}), RUNDECK_SPEC)
    assert str(refused.value) == message


@pytest.mark.parametrize("option, value", [("timeout", 0.5), ("timeout", 3600.0), ("retries", 0), ("retries", 10)])
def test_numbers_at_the_ends_of_the_range_are_accepted(option, value):
    params = rundeck_params(**{option: value})
    prepare_connection(params, RUNDECK_SPEC)
    assert params[option] == value


@pytest.mark.parametrize("main, args", [
    (rundeck_acl.main, dict(name="p", policy="x: 1", api_token=SECRET + "\n", timeout=-1)),
    (rundeck_acl.main, dict(name="p", policy="x: 1", api_token=SECRET, timeout=0)),
    (opsgenie_deployment.main, dict(external_id="r1", state="started", api_key=SECRET, retries=-5)),
    (octopus_machine.main, dict(name="web01", api_key=SECRET + "\n", timeout=-1)),
])
def test_modules_refuse_out_of_range_numbers_before_any_request(main, args, real_failure):
    result = real_failure(main, dict(args, url="http://127.0.0.1:9"))
    assert result["msg"].startswith(("timeout must be", "retries must be"))
    assert SECRET not in json.dumps(result)


@pytest.mark.parametrize("main, args, message", [
    (rundeck_acl.main, dict(name="p", policy="x: 1", api_token=SECRET, url=""), "set url (or the environment variable RUNDECK_URL)"),
    (rundeck_acl.main, dict(name="p", policy="x: 1", url="http://127.0.0.1:9"),
     "set api_token (or the environment variable RUNDECK_API_TOKEN)"),
    (rundeck_acl.main, dict(name="p", policy="x: 1", api_token=SECRET, url="http://127.0.0.1:9/api/49"), "remove /api/49 from its end"),
    (gitea_token.main, dict(name="t", username="alice", password=SECRET), "set url (or the environment variable GITEA_URL)"),
])
def test_modules_name_the_missing_or_wrong_connection_option(main, args, message, real_failure, monkeypatch):
    for name in ("RUNDECK_URL", "RUNDECK_API_TOKEN", "GITEA_URL"):
        monkeypatch.delenv(name, raising=False)
    result = real_failure(main, args)
    assert message in result["msg"]
    assert SECRET not in json.dumps(result)


def test_a_module_failure_masks_the_stripped_credential_and_its_escaped_forms(real_failure):
    # An answer that quotes the credential (as sent, and escaped) must not show it either.
    result = real_failure(rundeck_acl.main, dict(name="p", policy="x: 1", api_token=SECRET + "\n", url="http://127.0.0.1:9",
                                                 retries=0, timeout=2))
    assert SECRET not in json.dumps(result)


@pytest.mark.parametrize("text, secret", [
    ("InvalidHeader: Invalid ... header value: '%s\\n'" % SECRET, SECRET + "\n"),
    ("header value: %r" % (SECRET + "\r\n"), SECRET + "\r\n"),
    ('body {"token": "%s\\n"}' % SECRET, SECRET + "\n"),
    ("p\\xe4ss%s" % SECRET, "päss" + SECRET),
])
def test_scrub_removes_a_secret_raw_and_escaped(text, secret):
    assert SECRET not in scrub(text, [secret])


@pytest.mark.parametrize("text, kept", [
    ("ProxyError: http://user:%s@proxy.example.com:3128 refused" % SECRET, "http://proxy.example.com:3128 refused"),
    ("GET https://host/api?authtoken=%s&x=1" % SECRET, "authtoken=********&x=1"),
    ("GET https://host/api?x=1&token=%s" % SECRET, "x=1&token=********"),
])
def test_scrub_removes_url_user_info_and_credential_parameters(text, kept):
    assert scrub(text) .endswith(kept)
    assert SECRET not in scrub(text)


def test_a_header_requests_refuses_never_shows_its_value_nor_its_cause(sandbox):
    # HttpClient used without the option checks: the transport's own rule still holds.
    http = HttpClient("Rundeck", sandbox.urls["rundeck"] + "/api/49", headers={"X-Rundeck-Auth-Token": SECRET + "\n"}, retries=0)
    with pytest.raises(ApiError) as failed:
        http.request("GET", "system/acl/", "list the ACL policies")
    assert SECRET not in str(failed.value)
    assert "a request header holds a character HTTP cannot carry" in str(failed.value)
    assert failed.value.__suppress_context__


def test_a_header_value_that_cannot_be_encoded_is_an_api_error(sandbox):
    http = HttpClient("Rundeck", sandbox.urls["rundeck"] + "/api/49", headers={"X-Rundeck-Auth-Token": "tok☃" + SECRET}, retries=0)
    with pytest.raises(ApiError) as failed:
        http.request("GET", "system/acl/", "list the ACL policies")
    assert SECRET not in str(failed.value)
    assert "could not be built" in str(failed.value)


def test_an_error_body_that_echoes_the_credential_is_scrubbed(sandbox, add_fault):
    add_fault({"path": "/api/49/system/acl/", "status": 500, "body": "proxy saw X-Rundeck-Auth-Token: %s" % SECRET,
               "times": 1})
    http = HttpClient("Rundeck", sandbox.urls["rundeck"] + "/api/49", headers={"X-Rundeck-Auth-Token": SECRET}, retries=0)
    with pytest.raises(ApiError) as failed:
        http.request("GET", "system/acl/", "list the ACL policies")
    assert SECRET not in str(failed.value)


@pytest.mark.parametrize("password", ["pässwörd", "pässwörd☃123", "密码-パスワード"])
def test_a_non_ascii_password_is_sent_as_utf8(sandbox, password):
    login = "utf8user%d" % len(password)
    created = requests.post(sandbox.urls["gitea"] + "/__sandbox__/gitea/users", json={"login": login, "password": password},
                            timeout=10)
    assert created.status_code == 201, created.text
    params = dict(url=sandbox.urls["gitea"], username=login, password=password, retries=0)
    prepare_connection(params, GITEA_SPEC)
    assert GiteaClient(params).list_tokens() == []


def test_a_wrong_non_ascii_password_fails_without_a_traceback_or_the_password(sandbox):
    params = dict(url=sandbox.urls["gitea"], username="alice", password="pässwörd☃" + SECRET, retries=0)
    with pytest.raises(ApiError) as failed:
        GiteaClient(params).list_tokens()
    assert failed.value.status == 401
    assert SECRET not in str(failed.value)


def test_scrub_leaves_key_value_words_that_are_no_query_alone():
    assert scrub("set the option key=value in the job") == "set the option key=value in the job"


def test_the_secret_registry_does_not_hide_empty_or_blank_values():
    before = set(_http._SECRETS)
    _http.register_secret("")
    _http.register_secret(" \n")
    _http.register_secret(None)
    assert _http._SECRETS == before


def test_an_unforeseen_module_failure_is_reported_scrubbed(real_failure, monkeypatch):
    # A failure nobody foresaw would print its traceback unmasked; the runner turns it into a masked failure.
    from ansible_collections.opsforge.delivery.plugins.module_utils import _rundeck

    def broken(self, name, project=None):
        raise RuntimeError("header value %r refused" % (SECRET + "\n"))

    monkeypatch.setattr(_rundeck.RundeckClient, "get_acl", broken)
    result = real_failure(rundeck_acl.main, dict(name="p", policy="x: 1", api_token=SECRET + "\n", url="http://127.0.0.1:9"))
    assert result["msg"].startswith("unexpected RuntimeError: header value '********")
    assert SECRET not in json.dumps(result)


def test_the_password_of_a_url_is_masked_like_a_credential(real_failure):
    result = real_failure(rundeck_acl.main, dict(name="p", policy="x: 1", api_token="t0k3n-value", retries=0, timeout=2,
                                                 url="http://admin:%s@127.0.0.1:9" % SECRET))
    assert SECRET not in json.dumps(result)


def test_octopus_takes_exactly_one_of_an_api_key_and_an_access_token():
    both = {"url": "http://127.0.0.1:9", "api_key": "API-ZQXV", "access_token": "zq-token"}
    with pytest.raises(InputError) as refused:
        prepare_connection(dict(both), OCTOPUS_SPEC)
    assert str(refused.value).startswith("api_key and access_token are both set, and only one may be")
    assert "API-ZQXV" not in str(refused.value) and "zq-token" not in str(refused.value)
    for name in ("api_key", "access_token"):
        params = dict(both, **{name: None})
        assert prepare_connection(params, OCTOPUS_SPEC) == [params["api_key" if name == "access_token" else "access_token"]]


def test_a_credential_the_task_names_wins_over_the_other_ones_variable():
    params = {"url": "http://127.0.0.1:9", "api_key": "API-FROMENV", "access_token": "zq-token"}
    prepare_connection(params, OCTOPUS_SPEC, direct={"url", "access_token"})
    assert params["api_key"] is None and params["access_token"] == "zq-token"
    params = {"url": "http://127.0.0.1:9", "api_key": "API-FROMTASK", "access_token": "zq-from-env"}
    prepare_connection(params, OCTOPUS_SPEC, direct={"api_key"})
    assert params["access_token"] is None and params["api_key"] == "API-FROMTASK"
    with pytest.raises(InputError, match="are both set"):
        prepare_connection({"url": "http://127.0.0.1:9", "api_key": "API-A", "access_token": "zq-b"}, OCTOPUS_SPEC,
                           direct={"api_key", "access_token"})
