"""An AWX job template run without AWX: credentials of the five types, injected as AWX injects them,
drive playbooks/demo.yml through ansible-runner against the sandbox.

The job's private data directory is laid out as AWX lays it out; its environment holds what the
credential types' injectors render to at run time (tests/awx/injection.py) from credentials holding
the sandbox's addresses and secrets. The demo runs twice (the second run changes nothing), then a
playbook that gives modules and lookups no connection option at all. No secret may appear in the
output or in the job events, which are what AWX shows and stores.
"""

from __future__ import annotations

import glob
import json
import os
import sys

import ansible_runner
import pytest
import requests

from tests.awx.credential_type_rules import value_problems
from tests.awx.definitions import COLLECTION_ROOT, SERVICES, load
from tests.awx.injection import HIDDEN, injected_env, masked
from tests.awx.private_data_dir import (awx_environment, lay_out_project, sync_project_collections, write_env,
                                        write_inventory)

SERVICE_PREFIXES = ("RUNDECK_", "OPSGENIE_", "OCTOPUS_", "GITEA_", "JIRA_")
RUNS = ("demo-first", "demo-second", "credentials-from-env")


def credential_inputs(config):
    """The credentials a user would create in AWX for the sandbox; the Octopus space and the Jira site are left empty."""
    return {
        "rundeck": {"url": config["rundeck_url"], "api_token": config["rundeck_api_token"]},
        "opsgenie": {"url": config["opsgenie_url"], "api_key": config["opsgenie_api_key"]},
        "octopus": {"url": config["octopus_url"], "api_key": config["octopus_api_key"]},
        "gitea": {"url": config["gitea_url"], "username": config["gitea_admin_username"],
                  "password": config["gitea_admin_password"]},
        "jira": {"url": config["jira_url"], "cloud_id": config["jira_cloud_id"], "client_id": config["jira_client_id"],
                 "client_secret": config["jira_client_secret"]},
    }


def secrets_of(inputs):
    """The secret values the credentials hold (a credential leaves out the secret fields it does not use)."""
    return sorted(inputs[service][field["id"]] for service in SERVICES
                  for field in load(service)["inputs"]["fields"] if field.get("secret") and field["id"] in inputs[service])


@pytest.fixture(scope="module")
def job(tmp_path_factory, sandbox_config, collection_tarball):
    """The private data directory and the three runs, in order."""
    root = str(tmp_path_factory.mktemp("awx-job"))
    inputs = credential_inputs(sandbox_config)
    lay_out_project(root, {
        "playbooks/demo.yml": os.path.join(COLLECTION_ROOT, "playbooks", "demo.yml"),
        "playbooks/credentials_from_env.yml": os.path.join(os.path.dirname(__file__), "playbooks", "credentials_from_env.yml"),
        # AWX runs ansible-playbook in the project's root, where ansible.cfg must be to count.
        "ansible.cfg": os.path.join(COLLECTION_ROOT, "playbooks", "ansible.cfg"),
    }, [{"name": collection_tarball, "type": "file"}])
    sync_project_collections(root)
    write_inventory(root, {
        "all": {"hosts": ["localhost"]},
        "_meta": {"hostvars": {"localhost": {"ansible_connection": "local",
                                             "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}},
    })
    write_env(root, awx_environment(root, [injected_env(load(service), inputs[service]) for service in SERVICES]),
              {"awx_job_id": 1, "awx_job_template_name": "opsforge.delivery demo", "awx_user_name": "admin"},
              # AWX also suppresses the output file (it reads the event stream); the test reads the file.
              {"job_timeout": 600, "suppress_ansible_output": True, "suppress_output_file": False})
    for service in SERVICES:
        requests.post(sandbox_config[service + "_url"] + "/__sandbox__/reset", timeout=10).raise_for_status()
    runs = {}
    with pytest.MonkeyPatch.context() as patch:
        # ansible-runner starts the ansible-playbook of this Python environment.
        patch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
        # Only the job's env/envvars may say where the services are.
        for name in [name for name in os.environ if name.startswith(SERVICE_PREFIXES)]:
            patch.delenv(name)
        for ident, playbook in zip(RUNS, ("demo.yml", "demo.yml", "credentials_from_env.yml")):
            runs[ident] = ansible_runner.run(private_data_dir=root, playbook="playbooks/" + playbook, ident=ident, quiet=True)
    return {"root": root, "inputs": inputs, "runs": runs}


def artifacts(job, ident):
    return os.path.join(job["root"], "artifacts", ident)


def output_of(job, ident):
    with open(os.path.join(artifacts(job, ident), "stdout")) as handle:
        return handle.read()


def test_awx_would_accept_the_credentials(sandbox_config):
    inputs = credential_inputs(sandbox_config)
    assert dict((service, value_problems(load(service), inputs[service])) for service in SERVICES) == \
        dict((service, []) for service in SERVICES)


def test_the_job_environment_holds_every_injected_variable(job):
    env = job["runs"]["demo-first"].config.env
    config = job["inputs"]
    assert env["RUNDECK_URL"] == config["rundeck"]["url"]
    assert env["GITEA_USERNAME"] == config["gitea"]["username"]
    assert env["OCTOPUS_SPACE"] == "", "an optional field left empty is exported empty, as AWX does"
    # The Octopus credential holds an API key: its access token is exported empty, and counts as unset.
    assert env["OCTOPUS_ACCESS_TOKEN"] == ""
    # The Jira credential names its site by cloud id: the site is exported empty, and counts as unset.
    assert env["JIRA_SITE"] == "" and env["JIRA_CLOUD_ID"] == config["jira"]["cloud_id"]
    assert len([name for name in env if name.startswith(SERVICE_PREFIXES)]) == 16


def test_every_run_succeeds(job):
    for ident, run in job["runs"].items():
        assert (run.status, run.rc) == ("successful", 0), "%s:\n%s" % (ident, output_of(job, ident))


def test_the_first_demo_run_changes_and_the_second_does_not(job):
    first, second = job["runs"]["demo-first"].stats, job["runs"]["demo-second"].stats
    assert first["changed"].get("localhost", 0) > 0, output_of(job, "demo-first")
    assert second["changed"] == {}, output_of(job, "demo-second")
    assert second["failures"] == {} and second["ok"].get("localhost", 0) > 0


@pytest.mark.usefixtures("job")
def test_the_services_were_reached_at_the_credentials_addresses(sandbox_config):
    # The sandbox runs on this test's own ports: the demo's built-in defaults point elsewhere.
    for service in SERVICES:
        log = requests.get(sandbox_config[service + "_url"] + "/__sandbox__/requests", timeout=10).json()
        assert log and not [entry for entry in log if entry["status"] in (401, 403)], (service, log)


def test_no_secret_in_the_output_or_the_job_events(job):
    secrets = secrets_of(job["inputs"])
    assert len(secrets) == 5
    for ident in RUNS:
        events = sorted(glob.glob(os.path.join(artifacts(job, ident), "job_events", "*.json")))
        assert events, ident
        texts = [output_of(job, ident)]
        for path in events:
            with open(path) as handle:
                texts.append(handle.read())
        leaks = [(ident, secret) for secret in secrets for text in texts if secret in text]
        assert leaks == []


def test_the_environment_awx_stores_with_the_job_hides_the_secrets(job):
    env = job["runs"]["demo-first"].config.env
    stored = dict((name, HIDDEN if masked(name) else value) for name, value in env.items())
    text = json.dumps(stored)
    assert [secret for secret in secrets_of(job["inputs"]) if secret in text] == []
