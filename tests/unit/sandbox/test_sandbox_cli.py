# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""python -m tests.sandbox: starts, prints its addresses, stops cleanly on a signal."""

import os
import signal
import subprocess
import sys
import threading

import pytest
import requests
import yaml

# The folder that holds tests/sandbox: the repository or the collection root.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_runs_until_signalled(signum):
    command = [sys.executable, "-m", "tests.sandbox", "--rundeck-token", "cli-token"]
    command += ["--opsgenie-read-only-api-key", "cli-reader"]
    for service in ("rundeck", "opsgenie", "octopus", "gitea", "jira"):
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
        assert summary["rundeck_token"] == "cli-token"
        assert summary["gitea_admin_password"] == "sandbox-password"
        assert summary["opsgenie_read_only_api_key"] == "cli-reader"
        response = requests.get(summary["rundeck_url"] + "/api/49/projects", headers={"X-Rundeck-Auth-Token": "cli-token"})
        assert response.status_code == 200
        response = requests.get(summary["octopus_url"] + "/api", headers={"X-Octopus-ApiKey": summary["octopus_api_key"]})
        assert response.status_code == 200
        response = requests.get(summary["gitea_url"] + "/api/v1/user", auth=("alice", summary["gitea_alice_password"]))
        assert response.status_code == 200
        response = requests.get(
            summary["opsgenie_url"] + "/v2/deployments/search",
            params={"serviceIds": "00000000-0000-0000-0000-000000000001"},
            headers={"Authorization": "GenieKey cli-reader"},
        )
        assert response.status_code == 200

        response = requests.post(summary["jira_url"] + "/oauth/token", data={
            "grant_type": "client_credentials", "audience": "api.atlassian.com",
            "client_id": summary["jira_client_id"], "client_secret": summary["jira_client_secret"]})
        assert response.status_code == 200
        assert requests.get(summary["jira_url"] + "/_edge/tenant_info").json() == {"cloudId": summary["jira_cloud_id"]}

        process.send_signal(signum)
        _output, errors = process.communicate(timeout=10)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    # No access log and no traceback.
    assert errors == ""


def test_cli_reports_a_busy_port():
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.sandbox",
            "--rundeck-port",
            "0",
            "--opsgenie-port",
            "0",
            "--octopus-port",
            "0",
            "--gitea-port",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    ) as first:
        try:
            for line in first.stdout:
                if line.startswith("rundeck_url:"):
                    port = line.rsplit(":", 1)[1].strip()
                    break
            busy = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tests.sandbox",
                    "--rundeck-port",
                    port,
                    "--opsgenie-port",
                    "0",
                    "--octopus-port",
                    "0",
                    "--gitea-port",
                    "0",
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=15,
                check=False,
            )
        finally:
            first.terminate()
            first.communicate(timeout=10)
    assert busy.returncode == 1
    assert busy.stderr.startswith("sandbox: cannot start:")
