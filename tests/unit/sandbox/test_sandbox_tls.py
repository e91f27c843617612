# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sandbox over HTTPS: its URLs, its certificate, client certificates when asked for, the command line."""

import os
import signal
import subprocess
import sys
import threading

import pytest
import requests
import yaml

from tests.sandbox import Sandbox
from tests.sandbox.__main__ import parse_args, tls_settings

# The folder that holds tests/sandbox: the repository or the collection root.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FREE_PORTS = {"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}
AUTH = {"X-Rundeck-Auth-Token": "sandbox-rundeck-token"}


def projects(sandbox, **kwargs):
    return requests.get(sandbox.urls["rundeck"] + "/api/49/projects", headers=AUTH, timeout=5, **kwargs)


def test_every_url_is_https(https_sandbox):
    assert all(url.startswith("https://127.0.0.1:") for url in https_sandbox.urls.values())


def test_plain_http_is_still_the_default():
    assert Sandbox(ports=FREE_PORTS).urls["rundeck"].startswith("http://")


def test_a_client_trusting_the_ca_is_answered(https_sandbox, certs):
    https_sandbox.reset()
    assert projects(https_sandbox, verify=certs.ca).status_code == 200
    for service in ("opsgenie", "octopus", "gitea"):
        # Every port serves TLS: the control API answers through it too.
        response = requests.get(https_sandbox.urls[service] + "/__sandbox__/requests", verify=certs.ca, timeout=5)
        assert response.status_code == 200
    assert [entry["path"] for entry in https_sandbox.controls["rundeck"].requests()] == ["/api/49/projects"]


def test_the_certificate_names_localhost_too(https_sandbox, certs):
    url = https_sandbox.urls["rundeck"].replace("127.0.0.1", "localhost")
    assert requests.get(url + "/api/49/projects", headers=AUTH, verify=certs.ca, timeout=5).status_code == 200


@pytest.mark.parametrize("ca", ["system", "other"])
def test_a_client_not_trusting_the_ca_refuses_the_server(https_sandbox, certs, ca):
    https_sandbox.reset()
    verify = certs.other_ca if ca == "other" else True
    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        projects(https_sandbox, verify=verify)
    assert not https_sandbox.controls["rundeck"].requests()


def test_no_client_certificate_is_needed_without_a_client_ca(https_sandbox, certs):
    assert projects(https_sandbox, verify=certs.ca, cert=(certs.client_cert, certs.client_key)).status_code == 200


def test_a_client_ca_makes_the_client_certificate_required(mutual_tls_sandbox, certs):
    mutual_tls_sandbox.reset()
    # The refusal comes as a TLS alert or as a closed connection, depending on timing.
    with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
        projects(mutual_tls_sandbox, verify=certs.ca)
    assert not mutual_tls_sandbox.controls["rundeck"].requests()
    assert projects(mutual_tls_sandbox, verify=certs.ca, cert=(certs.client_cert, certs.client_key)).status_code == 200
    assert projects(mutual_tls_sandbox, verify=certs.ca, cert=certs.client_combined).status_code == 200
    assert len(mutual_tls_sandbox.controls["rundeck"].requests()) == 2


def test_a_client_certificate_of_another_ca_is_refused(mutual_tls_sandbox, certs, foreign_certs):
    mutual_tls_sandbox.reset()
    with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
        projects(mutual_tls_sandbox, verify=certs.ca, cert=(foreign_certs.client_cert, foreign_certs.client_key))
    assert not mutual_tls_sandbox.controls["rundeck"].requests()


@pytest.mark.parametrize("tls, problem", [
    ({"cert": "server.pem"}, "both a certificate"),
    ({"key": "server.key"}, "both a certificate"),
    ({"cert": "server.pem", "key": "server.key", "client_cert": "client.pem"}, "unknown TLS settings: client_cert"),
])
def test_tls_settings_are_checked(tls, problem):
    with pytest.raises(ValueError, match=problem):
        Sandbox(ports=FREE_PORTS, tls=tls)


def test_an_unreadable_certificate_fails_the_start_and_frees_every_port(certs, tmp_path):
    sandbox = Sandbox(ports=FREE_PORTS, tls={"cert": str(tmp_path / "missing.pem"), "key": certs.server_key})
    with pytest.raises(OSError, match="cannot load the TLS certificate .*missing.pem"):
        sandbox.start()
    # Nothing was left running: the sandbox can start again once the files are right.
    sandbox.tls["cert"] = certs.server_cert
    with sandbox:
        assert projects(sandbox, verify=certs.ca).status_code == 200


def test_the_command_line_takes_the_tls_files():
    args = parse_args(["--tls-cert", "s.pem", "--tls-key", "s.key", "--tls-client-ca", "ca.pem"])
    assert tls_settings(args) == {"cert": "s.pem", "key": "s.key", "client_ca": "ca.pem"}
    args = parse_args(["--tls-cert", "s.pem", "--tls-key", "s.key"])
    assert tls_settings(args) == {"cert": "s.pem", "key": "s.key", "client_ca": None}
    assert tls_settings(parse_args([])) is None


@pytest.mark.parametrize("argv", [["--tls-cert", "s.pem"], ["--tls-key", "s.key"], ["--tls-client-ca", "ca.pem"]])
def test_the_command_line_refuses_incomplete_tls_files(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        parse_args(argv)
    assert caught.value.code == 2
    assert "--tls-" in capsys.readouterr().err


def test_the_command_line_serves_https_requiring_client_certificates(certs):
    command = [sys.executable, "-m", "tests.sandbox", "--tls-cert", certs.server_cert, "--tls-key", certs.server_key,
               "--tls-client-ca", certs.ca]
    for service in ("rundeck", "opsgenie", "octopus", "gitea"):
        command += ["--%s-port" % service, "0"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Never let a stuck process hang the test run.
    watchdog = threading.Timer(15, process.kill)
    watchdog.start()
    try:
        lines = []
        for line in process.stdout:
            if "sandbox ready" in line:
                break
            lines.append(line)
        else:
            pytest.fail("no ready line; stderr: %s" % process.stderr.read())
        summary = yaml.safe_load("".join(lines))
        assert summary["gitea_url"].startswith("https://")
        response = requests.get(summary["rundeck_url"] + "/api/49/projects", headers=AUTH, verify=certs.ca,
                                cert=(certs.client_cert, certs.client_key), timeout=5)
        assert response.status_code == 200
        process.send_signal(signal.SIGTERM)
        _output, errors = process.communicate(timeout=10)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    # The readiness probe's refused handshakes leave no trace.
    assert errors == ""
