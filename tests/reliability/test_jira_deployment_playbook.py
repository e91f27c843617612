# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""jira_deployment as users write it: the client secret in a vault, --check --diff before the first run, the
build number as text, a display name outside ASCII with odd spacing, issue keys with stray spaces."""

from __future__ import annotations

import json
import subprocess
import sys

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from tests.reliability.playbook import ANSIBLE_PLAYBOOK, PlaybookRunner

VAULT_PASSWORD = "reliability-vault-password"
PLAY = """---
- name: Deploy the shop and record it in Jira
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/opsforge.delivery.jira:
      url: "{{ jira_url }}"
      cloud_id: "{{ jira_cloud_id }}"
      client_id: "{{ jira_client_id }}"
      client_secret: "{{ vault_jira_client_secret }}"
  tasks:
    - name: Record the deployment
      opsforge.delivery.jira_deployment:
        pipeline_id: shop-deploy
        pipeline_name: "Shop  deploy ☃"
        environment_id: prod-eu
        environment_name: "Production — Europe"
        environment_type: production
        sequence_number: "{{ build_number }}"
        deployment_state: "{{ outcome }}"
        display_name: "Shöp {{ version }}  (nightly) "
        deployment_url: "https://ci.example.com/runs/{{ build_number }}"
        issue_keys: [" WEB-1", "WEB-7 "]
        triggered_by: ops@example.com
"""


def vaulted_vars(secret):
    """A vars file as users keep one: the secret as an inline vault value of a block scalar (it ends in a line break)."""
    vault = VaultLib([("default", VaultSecret(VAULT_PASSWORD.encode()))])
    encrypted = vault.encrypt(secret + "\n").decode()
    return "vault_jira_client_secret: !vault |\n" + "".join("  " + line + "\n" for line in encrypted.splitlines())


def run_play(tmp_path, sandbox, outcome, *options):
    workdir = tmp_path
    (workdir / "vault-password").write_text(VAULT_PASSWORD)
    (workdir / "secrets.yml").write_text(vaulted_vars(sandbox.credentials["jira_client_secret"]))
    (workdir / "play.yml").write_text(PLAY)
    connection = {"jira_url": sandbox.urls["jira"], "jira_cloud_id": sandbox.credentials["jira_cloud_id"],
                  "jira_client_id": sandbox.credentials["jira_client_id"], "build_number": "4711", "version": "2026.11.3"}
    (workdir / "vars.yml").write_text(yaml.safe_dump(connection))
    records = workdir / ("results-%d.json" % len(list(workdir.glob("results-*.json"))))
    env = PlaybookRunner.environment(str(records), str(workdir / "ansible.log"),
                                     {"ANSIBLE_VAULT_PASSWORD_FILE": str(workdir / "vault-password")})
    command = [ANSIBLE_PLAYBOOK, "-i", "localhost,", "-c", "local", "-e", "@vars.yml", "-e", "@secrets.yml", "-e", "outcome=" + outcome,
               "-e", "ansible_python_interpreter=" + sys.executable, "play.yml", *options]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=str(workdir), timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(records, encoding="utf-8") as handle:
        record = next(record for record in json.load(handle) if record["task"] == "Record the deployment")
    return done, record


def test_check_diff_first_then_the_run_then_nothing_more(sandbox, tmp_path):
    checked, predicted = run_play(tmp_path, sandbox, "in_progress", "--check", "--diff")
    assert predicted["status"] == "changed"
    # The diff shows the record to be, its spacing and characters as written (the log escapes them as JSON does).
    assert '"displayName": %s' % json.dumps("Shöp 2026.11.3  (nightly) ") in (tmp_path / "ansible.log").read_text()
    assert [entry for entry in sandbox.writes("jira") if entry["path"] != "/oauth/token"] == []

    started, record = run_play(tmp_path, sandbox, "in_progress", "--diff")
    assert record["status"] == "changed"
    stored = record["result"]["deployment"]
    assert stored["deploymentSequenceNumber"] == 4711 and stored["state"] == "in_progress"
    assert stored["displayName"] == "Shöp 2026.11.3  (nightly) "
    assert stored["pipeline"]["displayName"] == "Shop  deploy ☃" and stored["environment"]["displayName"] == "Production — Europe"
    assert stored["associations"] == [{"associationType": "issueKeys", "values": ["WEB-1", "WEB-7"]}]

    again, record = run_play(tmp_path, sandbox, "in_progress")
    assert record["status"] == "ok"
    finished, record = run_play(tmp_path, sandbox, "successful")
    assert record["status"] == "changed" and record["result"]["deployment"]["state"] == "successful"
    finished_again, record = run_play(tmp_path, sandbox, "successful")
    assert record["status"] == "ok"

    for output in (checked, started, again, finished, finished_again):
        text = output.stdout + output.stderr + (tmp_path / "ansible.log").read_text()
        for secret in sandbox.secrets():
            assert secret not in text
