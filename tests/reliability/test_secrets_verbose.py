# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every integration target at -vvvv with a log file: no credential, no created token and no stored password or
private key shows up anywhere.

Each target runs as a role of a real playbook against this worker's sandbox, with the variables
ansible-test gives it (tests/integration/integration_config.yml), its modules run as by default on
the controller: in Ansible's worker. ansible-playbook runs with a hook on the one place where
ansible-core reads what a module printed, whether the module ran in the worker or in a process of
its own (``ActionBase._parse_returned_data``), which keeps a copy of it: what ``register`` receives
before any ``no_log``. Of the collection's modules, only gitea_token's ``token.sha1`` may hold a
secret, and only in the run that created the token.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from tests.reliability.playbook import ANSIBLE_PLAYBOOK, PlaybookRunner

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS_PATH = os.path.join(os.path.dirname(HERE), "integration", "targets")
COLLECTION_MODULES = "opsforge.delivery."
TOKEN_MODULE = COLLECTION_MODULES + "gitea_token"
# ansible-playbook, with a copy of every module output ansible-core reads kept in the folder named first.
CAPTURING_PLAYBOOK = """
import json, os, sys, uuid
from ansible.cli.playbook import main
from ansible.plugins.action import ActionBase

capture, sys.argv = sys.argv[1], sys.argv[2:]
read_module_output = ActionBase._parse_returned_data


def keep_a_copy(self, res, *args, **kwargs):
    with open(os.path.join(capture, uuid.uuid4().hex + ".json"), "w", encoding="utf-8") as handle:
        json.dump({"module": self._task.resolved_action or self._task.action, "check_mode": bool(self._task.check_mode),
                   "stdout": res.get("stdout", "")}, handle)
    return read_module_output(self, res, *args, **kwargs)


ActionBase._parse_returned_data = keep_a_copy
sys.exit(main())
"""


def integration_targets():
    """Every target but the shared tasks the others include (alias ``hidden``)."""
    found = []
    for name in sorted(os.listdir(TARGETS_PATH)):
        with open(os.path.join(TARGETS_PATH, name, "aliases"), encoding="utf-8") as handle:
            if "hidden" not in handle.read().split():
                found.append(name)
    return found


def integration_config(sandbox):
    """The variables tools/sandbox/sandbox.sh writes for ansible-test, for this sandbox."""
    urls, credentials = sandbox.urls, sandbox.credentials
    return {
        "rundeck_url": urls["rundeck"],
        "rundeck_api_token": credentials["rundeck_token"],
        "opsgenie_url": urls["opsgenie"],
        "opsgenie_api_key": credentials["opsgenie_api_key"],
        "opsgenie_read_only_api_key": credentials["opsgenie_read_only_api_key"],
        "octopus_url": urls["octopus"],
        "octopus_api_key": credentials["octopus_api_key"],
        "octopus_viewer_api_key": credentials["octopus_viewer_api_key"],
        "octopus_test_access_token": credentials["octopus_access_token"],
        "gitea_url": urls["gitea"],
        "gitea_admin_username": credentials["gitea_admin_username"],
        "gitea_admin_password": credentials["gitea_admin_password"],
        "gitea_alice_password": credentials["gitea_alice_password"],
        "gitea_bob_password": credentials["gitea_bob_password"],
        "jira_url": urls["jira"],
        "jira_cloud_id": credentials["jira_cloud_id"],
        "jira_client_id": credentials["jira_client_id"],
        "jira_client_secret": credentials["jira_client_secret"],
    }


class TargetRun:
    """What one target's run left behind: its output, its log and what each module printed."""

    def __init__(self, returncode, stdout, stderr, log_text, modules):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.log_text = log_text
        self.modules = modules

    def tail(self, lines=80):
        return "\n".join((self.stdout + "\n--- stderr\n" + self.stderr).splitlines()[-lines:])


def run_target(target, workdir, config):
    """Run ``target`` as the role of a playbook at -vvvv, with the environment PlaybookRunner gives its runs."""
    capture = os.path.join(workdir, "modules")
    os.makedirs(capture)
    files = {
        "playbook.yml": [{"name": "Integration target %s" % target, "hosts": "localhost", "gather_facts": False, "roles": [target]}],
        "inventory.yml": {"all": {"hosts": {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}},
        "integration_config.yml": config,
    }
    for name, content in files.items():
        with open(os.path.join(workdir, name), "w", encoding="utf-8") as handle:
            yaml.safe_dump(content, handle, sort_keys=False)
    log_path = os.path.join(workdir, "ansible.log")
    env = PlaybookRunner.environment(os.path.join(workdir, "results.json"), log_path, {"ANSIBLE_ROLES_PATH": TARGETS_PATH})
    command = [sys.executable, "-c", CAPTURING_PLAYBOOK, capture, ANSIBLE_PLAYBOOK, "-vvvv", "-i", "inventory.yml",
               "-e", "@integration_config.yml", "playbook.yml"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=workdir, timeout=900, check=False)
    with open(log_path, encoding="utf-8") as handle:
        log_text = handle.read()
    modules = []
    for name in sorted(os.listdir(capture)):
        with open(os.path.join(capture, name), encoding="utf-8") as handle:
            modules.append(json.load(handle))
    return TargetRun(done.returncode, done.stdout, done.stderr, log_text, modules)


def module_result(captured):
    """The JSON result a module printed (the last line that is a JSON object)."""
    for line in reversed(captured["stdout"].splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise AssertionError("module %s printed no result: %r" % (captured["module"], captured["stdout"][-2000:]))


def values_under(data, key):
    """Every value of ``key`` anywhere in ``data``."""
    if isinstance(data, dict):
        return [value for name, value in data.items() if name == key] + \
            [found for value in data.values() for found in values_under(value, key)]
    if isinstance(data, list):
        return [found for item in data for found in values_under(item, key)]
    return []


def created_tokens(sandbox_server, captured_results):
    """Every Gitea token value made during the run: those still stored, and those handed out and deleted since."""
    # The sandbox keeps no token list with values on its control API; its state object has them.
    state = sandbox_server.controls["gitea"]._reset_state.__self__  # pylint: disable=protected-access
    with state.lock:
        stored = [token["secret"] for token in state.tokens.values()]
    # Gitea ignores token values under 8 characters, so no shorter value can be a secret.
    handed_out = [value for result in captured_results for value in values_under(result, "sha1")
                  if isinstance(value, str) and len(value) >= 8]
    return set(stored) | set(handed_out)


def stored_key_secrets(sandbox_server):
    """Every password and private key written to the sandbox's Rundeck Key Storage, deleted ones included."""
    keys = sandbox_server.controls["rundeck"].state.keys
    return set(value for value in keys.masked_written if len(value) >= 8)


def leaks(text, secrets):
    """Each secret found in ``text`` with a little context around its first place."""
    found = []
    for secret in sorted(secrets):
        position = text.find(secret)
        if position >= 0:
            found.append("%r in ...%s..." % (secret, text[max(0, position - 300):position + len(secret) + 100]))
    return found


def secret_places(result, secrets, path=""):
    """The paths in ``result`` at which a secret appears."""
    if isinstance(result, dict):
        return [place for key, value in result.items() for place in secret_places(value, secrets, "%s.%s" % (path, key))]
    if isinstance(result, list):
        return [place for index, value in enumerate(result) for place in secret_places(value, secrets, "%s[%d]" % (path, index))]
    if isinstance(result, str) and any(secret in result for secret in secrets):
        return [path or "."]
    return []


def misplaced_secrets(captured, result, secrets):
    """Where a collection module's result holds a secret that it must not hold."""
    places = secret_places(result, secrets)
    token = result.get("token")
    if captured["module"] == TOKEN_MODULE and ".token.sha1" in places and not captured["check_mode"] \
            and result.get("changed") and isinstance(token, dict) and token.get("id") is not None:
        # The documented place: the secret of the token this run created.
        places.remove(".token.sha1")
    tokens = result.get("tokens")
    if captured["module"] == TOKEN_MODULE and not captured["check_mode"] and result.get("changed") and isinstance(tokens, dict):
        # With a list of tokens: the secret of each token this run created or replaced, in its place of the result.
        for listed in ("created", "replaced"):
            for index, item in enumerate(tokens.get(listed) or []):
                place = ".tokens.%s[%d].sha1" % (listed, index)
                if place in places and isinstance(item, dict) and item.get("id") is not None:
                    places.remove(place)
    return places


@pytest.mark.parametrize("target", integration_targets())
def test_target_passes_at_vvvv_without_showing_a_secret(target, sandbox, sandbox_server, tmp_path):
    run = run_target(target, str(tmp_path), integration_config(sandbox))
    assert run.returncode == 0, "target %s failed at -vvvv:\n%s" % (target, run.tail())

    assert run.modules, "ansible-core read no module's output"
    if not target.startswith("lookup_"):
        assert any(captured["module"].startswith(COLLECTION_MODULES) for captured in run.modules)
        # On the controller the collection's modules run in the worker, unless the run asks otherwise.
        forced = os.environ.get("OPSFORGE_DELIVERY_EXECUTION") == "module"
        assert ("executed as a module" if forced else "runs in the worker") in run.stdout
        assert ("runs in the worker" if forced else "executed as a module") not in run.stdout
    results = [(captured, module_result(captured)) for captured in run.modules]
    secrets = set(sandbox.secrets()) | created_tokens(sandbox_server, [result for dummy, result in results]) | \
        stored_key_secrets(sandbox_server)

    for where, text in (("stdout", run.stdout), ("stderr", run.stderr), ("the log file", run.log_text)):
        found = leaks(text, secrets)
        assert not found, "secrets in %s of target %s:\n%s" % (where, target, "\n".join(found))
    for captured, result in results:
        if captured["module"].startswith(COLLECTION_MODULES):
            places = misplaced_secrets(captured, result, secrets)
            assert not places, "%s returned a secret at %s" % (captured["module"], places)


@pytest.mark.parametrize("captured, result, misplaced", [
    ({"module": TOKEN_MODULE, "check_mode": False}, {"changed": True, "token": {"id": 7, "sha1": "s3cr3t-value"}}, []),
    ({"module": TOKEN_MODULE, "check_mode": True}, {"changed": True, "token": {"id": 7, "sha1": "s3cr3t-value"}}, [".token.sha1"]),
    ({"module": TOKEN_MODULE, "check_mode": False}, {"changed": False, "token": {"id": 7, "sha1": "s3cr3t-value"}}, [".token.sha1"]),
    ({"module": TOKEN_MODULE, "check_mode": False}, {"changed": True, "token": {"id": None, "sha1": "s3cr3t-value"}}, [".token.sha1"]),
    ({"module": TOKEN_MODULE, "check_mode": False}, {"changed": True, "tokens": {"created": [{"id": 7, "sha1": "s3cr3t-value"}]}}, []),
    ({"module": TOKEN_MODULE, "check_mode": False}, {"changed": True, "tokens": {"replaced": [{"id": 8, "sha1": "s3cr3t-value"}]}}, []),
    ({"module": TOKEN_MODULE, "check_mode": False}, {"changed": False, "tokens": {"unchanged": [{"id": 7, "sha1": "s3cr3t-value"}]}},
     [".tokens.unchanged[0].sha1"]),
    ({"module": TOKEN_MODULE, "check_mode": True}, {"changed": True, "tokens": {"created": [{"id": 7, "sha1": "s3cr3t-value"}]}},
     [".tokens.created[0].sha1"]),
    ({"module": TOKEN_MODULE, "check_mode": False}, {"changed": True, "diff": {"after": {"note": "was s3cr3t-value"}}},
     [".diff.after.note"]),
    ({"module": COLLECTION_MODULES + "rundeck_acl", "check_mode": False}, {"changed": True, "token": {"id": 7, "sha1": "s3cr3t-value"}},
     [".token.sha1"]),
    ({"module": COLLECTION_MODULES + "rundeck_acl", "check_mode": False}, {"msg": "failed", "invocation": {"module_args": {
        "api_token": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", "headers": ["s3cr3t-value"]}}}, [".invocation.module_args.headers[0]"]),
])
def test_only_the_secret_of_a_created_token_is_in_its_place(captured, result, misplaced):
    assert misplaced_secrets(captured, result, {"s3cr3t-value"}) == misplaced


# -- Credentials as users hand them over: padded by a vault block scalar or an editor, or outside ASCII ----

#: A part no escaping changes, so that finding it finds the credential whatever form it took.
ODD_MARK = "q7k2x9w4m1"
#: Header tokens outside ASCII: HTTP cannot carry them, and the task must say which option, not show it.
NON_ASCII_TOKEN = "tökén-%s-☃" % ODD_MARK
#: A Gitea password outside ASCII and Latin-1: sent as UTF-8, it authenticates.
NON_ASCII_PASSWORD = "pässwörd☃123-%s" % ODD_MARK
NON_ASCII_USER = "utf8-user"
HEADER_REFUSAL = "holds a character that an HTTP header cannot carry"


def odd_credentials(sandbox, kind):
    """The connection of each service with credentials of ``kind``; for "padded", every one is right."""
    credentials = sandbox.credentials
    if kind == "padded":
        return {
            "rundeck": {"url": sandbox.urls["rundeck"] + "/\n", "api_token": credentials["rundeck_token"] + "\n"},
            "opsgenie": {"url": sandbox.urls["opsgenie"], "api_key": " %s\r\n" % credentials["opsgenie_api_key"]},
            "octopus": {"url": sandbox.urls["octopus"], "api_key": "\t%s \n" % credentials["octopus_api_key"]},
            "gitea": {"url": sandbox.urls["gitea"], "username": " alice\n", "password": credentials["gitea_alice_password"] + "\r\n"},
            "jira": {"url": sandbox.urls["jira"], "cloud_id": " %s\n" % credentials["jira_cloud_id"],
                     "client_id": credentials["jira_client_id"] + " ", "client_secret": credentials["jira_client_secret"] + "\r\n"},
        }
    return {
        "rundeck": {"url": sandbox.urls["rundeck"], "api_token": NON_ASCII_TOKEN},
        "opsgenie": {"url": sandbox.urls["opsgenie"], "api_key": NON_ASCII_TOKEN + "\n"},
        "octopus": {"url": sandbox.urls["octopus"], "api_key": NON_ASCII_TOKEN},
        "gitea": {"url": sandbox.urls["gitea"], "username": NON_ASCII_USER, "password": NON_ASCII_PASSWORD + "\n"},
        # Sent in a form body as UTF-8, which can carry it: the token endpoint refuses a secret it does not know.
        "jira": {"url": sandbox.urls["jira"], "cloud_id": credentials["jira_cloud_id"], "client_id": credentials["jira_client_id"],
                 "client_secret": NON_ASCII_PASSWORD + "\n"},
    }


def odd_credential_tasks(connections):
    """A read-only module task (check mode) and a lookup of each service; the lookups read the connection
    from variables (``rundeck_url``...), the modules from their options."""
    tasks = []
    modules = {
        "rundeck": ("opsforge.delivery.rundeck_acl", {"name": "secrets-scan", "state": "absent"}),
        "opsgenie": ("opsforge.delivery.opsgenie_deployment", {
            "external_id": "secrets-scan", "state": "started", "environment": {"type": "Test", "id": "scan"},
            "releases": [{"workspace": "sandbox", "repo_slug": "api", "commit": "0c9135c"}]}),
        "octopus": ("opsforge.delivery.octopus_machine", {"name": "secrets-scan", "state": "absent"}),
        "gitea": ("opsforge.delivery.gitea_token", {"name": "secrets-scan", "state": "absent"}),
        "jira": ("opsforge.delivery.jira_deployment", {
            "pipeline_id": "secrets-scan", "environment_id": "scan", "sequence_number": 1, "state": "absent"}),
    }
    lookups = {
        "rundeck": "query('opsforge.delivery.rundeck_project')",
        "opsgenie": "query('opsforge.delivery.opsgenie_deployment', service_ids=['00000000-0000-0000-0000-000000000001'])",
        "octopus": "query('opsforge.delivery.octopus_machine')",
        "gitea": "query('opsforge.delivery.gitea_token')",
        "jira": "query('opsforge.delivery.jira_deployment', 1, pipeline_id='secrets-scan', environment_id='scan')",
    }
    for service in sorted(connections):
        module, args = modules[service]
        tasks.append({"name": "module %s" % service, module: dict(args, **connections[service]), "check_mode": True,
                      "ignore_errors": True})
        tasks.append({"name": "lookup %s" % service, "ansible.builtin.debug": {"msg": "{{ %s | length }}" % lookups[service]},
                      "ignore_errors": True})
    return tasks


def record_jira_deployment(sandbox, pipeline_id, environment_id, number):
    """A deployment in the sandbox's Jira, for a lookup to find: submitted with the plain API and applied at once."""
    import requests

    credentials = sandbox.credentials
    token = requests.post(sandbox.urls["jira"] + "/oauth/token", timeout=10, data={
        "grant_type": "client_credentials", "audience": "api.atlassian.com", "client_id": credentials["jira_client_id"],
        "client_secret": credentials["jira_client_secret"]}).json()["access_token"]
    deployment = {"deploymentSequenceNumber": number, "updateSequenceNumber": 1, "displayName": pipeline_id,
                  "url": "https://ci.example.com/%s" % pipeline_id, "description": pipeline_id, "lastUpdated": "2026-11-23T10:00:00Z",
                  "state": "successful", "pipeline": {"id": pipeline_id, "displayName": pipeline_id, "url": "https://ci.example.com"},
                  "environment": {"id": environment_id, "displayName": environment_id, "type": "testing"},
                  "associations": [{"associationType": "issueKeys", "values": ["WEB-1"]}]}
    response = requests.post("%s/jira/deployments/0.1/cloud/%s/bulk" % (sandbox.urls["jira"], credentials["jira_cloud_id"]),
                             json={"deployments": [deployment]}, headers={"Authorization": "Bearer " + token}, timeout=10)
    assert response.json()["acceptedDeployments"], response.text
    requests.post(sandbox.urls["jira"] + "/__sandbox__/jira/process", timeout=10).raise_for_status()


def lookup_variables(connections):
    """The variables the lookups read their connection from: rundeck_url, rundeck_api_token..."""
    return {"%s_%s" % (service, option): value for service, options in connections.items() for option, value in options.items()}


@pytest.mark.parametrize("verbosity", [0, 4])
@pytest.mark.parametrize("kind", ["padded", "non_ascii"])
def test_odd_credentials_work_or_fail_clearly_and_never_show(kind, verbosity, sandbox, tmp_path):
    import requests  # the sandbox's control API

    if kind == "non_ascii":
        created = requests.post(sandbox.urls["gitea"] + "/__sandbox__/gitea/users",
                                json={"login": NON_ASCII_USER, "password": NON_ASCII_PASSWORD}, timeout=10)
        assert created.status_code == 201, created.text
    connections = odd_credentials(sandbox, kind)
    record_jira_deployment(sandbox, "secrets-scan", "scan", 1)
    runner = PlaybookRunner(tmp_path, {})
    run = runner.run(odd_credential_tasks(connections), verbosity=verbosity,
                     host_vars={"localhost": lookup_variables(connections)})
    assert run.returncode == 0, run.output()

    for service in connections:
        for task in ("module %s" % service, "lookup %s" % service):
            record = run.result(task)
            refused = kind == "non_ascii" and service != "gitea"
            if refused:
                assert record["status"] == "failed", "%s: %s" % (task, record)
                expected = "HTTP 401: access_denied" if service == "jira" else HEADER_REFUSAL
                assert expected in record["result"]["msg"], "%s: %s" % (task, record)
            else:
                assert record["status"] in ("ok", "changed"), "%s: %s\n%s" % (task, record, run.summary())

    secrets = set(sandbox.secrets()) | {ODD_MARK}
    records_text = json.dumps(run.records, ensure_ascii=False)
    for where, text in (("stdout", run.stdout), ("stderr", run.stderr), ("the log file", run.log_text),
                        ("the task results", records_text)):
        found = leaks(text, secrets)
        assert not found, "secrets in %s (%s credentials, verbosity %d):\n%s" % (where, kind, verbosity, "\n".join(found))
