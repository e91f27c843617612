"""The transport over TLS: verification, ca_path, client certificates, and what each failure tells the user."""

from __future__ import annotations

import ssl

import pytest
import requests
from urllib3.exceptions import ProtocolError

from ansible_collections.opsforge.delivery.plugins.module_utils._http import (
    ApiError,
    HttpClient,
    describe_tls_error,
    describe_transport_error,
)


def list_projects(sandbox, **tls):
    """GET /projects through HttpClient with the TLS options ``tls``; the response, or the ApiError."""
    sandbox.reset()
    http = HttpClient("Rundeck", sandbox.urls["rundeck"] + "/api/49", headers={"X-Rundeck-Auth-Token": "sandbox-rundeck-token"},
                      retries=2, timeout=5, backoff_factor=0, **tls)
    try:
        return http.request("GET", "projects", "list projects")
    except ApiError as exc:
        # Nothing may have reached the service when TLS failed.
        assert sandbox.controls["rundeck"].requests() == []
        return exc
    finally:
        http.close()


def test_the_ca_in_ca_path_verifies_the_server(https_sandbox, certs):
    assert list_projects(https_sandbox, ca_path=certs.ca).status_code == 200


@pytest.mark.parametrize("ca_path", [None, ""])
def test_an_unknown_ca_fails_and_says_to_set_ca_path(https_sandbox, ca_path):
    error = list_projects(https_sandbox, ca_path=ca_path)
    assert isinstance(error, ApiError)
    assert error.status is None
    assert str(error).startswith("Rundeck: could not list projects (GET https://")
    assert "TLS verification failed" in error.message
    assert "certificate verify failed" in error.message
    assert "set ca_path" in error.message


def test_a_ca_path_of_another_ca_fails(https_sandbox, certs):
    error = list_projects(https_sandbox, ca_path=certs.other_ca)
    assert "TLS verification failed" in error.message


def test_validate_certs_false_skips_verification(https_sandbox):
    assert list_projects(https_sandbox, validate_certs=False).status_code == 200


def test_validate_certs_false_wins_over_ca_path(https_sandbox, certs):
    assert list_projects(https_sandbox, validate_certs=False, ca_path=certs.other_ca).status_code == 200


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_ca_bundle_in_the_environment_overrides_neither_option(https_sandbox, certs, monkeypatch, variable):
    # requests would let these replace the session's own setting.
    monkeypatch.setenv(variable, certs.other_ca)
    assert list_projects(https_sandbox, ca_path=certs.ca).status_code == 200
    assert list_projects(https_sandbox, validate_certs=False).status_code == 200


def test_a_ca_path_that_holds_no_certificate_is_named(https_sandbox, certs):
    error = list_projects(https_sandbox, ca_path=certs.server_key)
    assert "could not load ca_path" in error.message


@pytest.mark.parametrize("option", ["ca_path", "client_cert"])
def test_a_missing_file_is_reported_not_raised(https_sandbox, certs, tmp_path, option):
    tls = {"ca_path": certs.ca, option: str(tmp_path / "missing.pem")}
    error = list_projects(https_sandbox, **tls)
    assert isinstance(error, ApiError)
    assert "missing.pem" in error.message
    assert "must name readable PEM files" in error.message


def test_a_server_requiring_a_client_certificate_says_so(mutual_tls_sandbox, certs):
    error = list_projects(mutual_tls_sandbox, ca_path=certs.ca)
    assert isinstance(error, ApiError)
    assert "requires a client certificate" in error.message
    assert "set client_cert (and client_key)" in error.message


@pytest.mark.parametrize("files", ["separate", "combined"])
def test_a_client_certificate_signed_by_the_servers_ca_is_accepted(mutual_tls_sandbox, certs, files):
    if files == "separate":
        tls = {"client_cert": certs.client_cert, "client_key": certs.client_key}
    else:
        tls = {"client_cert": certs.client_combined}
    assert list_projects(mutual_tls_sandbox, ca_path=certs.ca, **tls).status_code == 200


def test_a_client_certificate_of_another_ca_is_refused(mutual_tls_sandbox, certs, foreign_certs):
    error = list_projects(mutual_tls_sandbox, ca_path=certs.ca, client_cert=foreign_certs.client_combined)
    assert "it did not accept the client certificate" in error.message


def test_a_client_certificate_without_its_key_is_named(mutual_tls_sandbox, certs):
    error = list_projects(mutual_tls_sandbox, ca_path=certs.ca, client_cert=certs.client_cert)
    assert "could not load the client certificate" in error.message
    assert "client_key" in error.message


def test_a_client_key_of_another_certificate_is_named(mutual_tls_sandbox, certs, foreign_certs):
    error = list_projects(mutual_tls_sandbox, ca_path=certs.ca, client_cert=certs.client_cert, client_key=foreign_certs.client_key)
    assert "client_key is not the private key of client_cert" in error.message


def verification_error(code, text):
    error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s" % text)
    error.verify_code = code
    return error


def test_a_host_name_the_certificate_does_not_name_asks_for_another_url():
    message = describe_tls_error(verification_error(62, "Hostname mismatch, certificate is not valid for 'rundeck'."))
    assert "not for the host in url" in message
    assert "ca_path" not in message


def test_an_expired_certificate_does_not_ask_for_ca_path():
    message = describe_tls_error(verification_error(10, "certificate has expired"))
    assert "validity dates" in message
    assert "ca_path" not in message


@pytest.mark.parametrize("url, hint", [("https://rundeck.example.com/api", True), ("http://rundeck.example.com/api", False)])
def test_a_reset_over_tls_suggests_a_client_certificate(url, hint):
    reset = ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    error = requests.exceptions.ConnectionError(reset, request=requests.Request("GET", url).prepare())
    message = describe_transport_error(error, 30)
    assert message.startswith("connection failed")
    assert ("set client_cert" in message) is hint
    assert "set client_cert" not in describe_transport_error(error, 30, client_cert=True)


def test_validate_certs_false_prints_no_warning_per_request(https_sandbox, recwarn):
    assert list_projects(https_sandbox, validate_certs=False).status_code == 200
    assert [str(warning.message) for warning in recwarn] == []
