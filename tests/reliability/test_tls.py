# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS with real playbooks: every module and a lookup of every service against the sandbox over HTTPS.

The CA is made by the test, so the system does not trust it. Each run has one host per way of
setting the TLS options (see ``tls_variants``), and every host runs one task of each module and one
lookup per service; resources are named after the variant, so hosts never share one.
"""

from __future__ import annotations

import pytest
import requests

from tests.support.certificates import generate
from tests.reliability.playbook import PlaybookRunner
from tests.reliability.sandbox_client import SandboxClient
from tests.sandbox import Sandbox

FREE_PORTS = {"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}
# The name each service's errors start with.
SERVICE_NAMES = {"rundeck": "Rundeck", "opsgenie": "Opsgenie", "octopus": "Octopus Deploy", "gitea": "Gitea", "jira": "Jira"}
# A resource per variant, so that hosts running the same tasks side by side never share one.
RESOURCE = "{{ tls_resource }}"
# The TLS options of every module task come from the host's variables; unset ones are left out.
TLS_OPTIONS = {
    "ca_path": "{{ tls_ca_path | default(omit) }}",
    "validate_certs": "{{ tls_validate_certs | default(omit) }}",
    "client_cert": "{{ tls_client_cert | default(omit) }}",
    "client_key": "{{ tls_client_key | default(omit) }}",
}
# A simple valid create of each module: (service, arguments).
MODULE_TASKS = {
    "rundeck_project": ("rundeck", {"name": RESOURCE, "description": "Served over TLS"}),
    "rundeck_acl": ("rundeck", {"name": RESOURCE, "policy": [{
        "description": "TLS readers may read every project",
        "context": {"application": "rundeck"},
        "for": {"project": [{"allow": "read"}]},
        "by": {"group": "tls-readers"},
    }]}),
    "rundeck_job": ("rundeck", {"project": "sandbox", "definition": {
        "name": RESOURCE, "sequence": {"commands": [{"exec": "echo served over TLS"}]},
    }}),
    "opsgenie_deployment": ("opsgenie", {
        "external_id": RESOURCE,
        "state": "started",
        "environment": {"type": "Test", "id": "tls"},
        "releases": [{"workspace": "sandbox", "repo_slug": "app", "commit": "0c9135c"}],
    }),
    "octopus_machine": ("octopus", {"name": RESOURCE, "environments": ["Test"], "roles": ["tls"],
                                    "endpoint": {"communication_style": "cloud_region"}}),
    "gitea_token": ("gitea", {"name": RESOURCE, "scopes": ["read:repository"]}),
    "jira_deployment": ("jira", {"pipeline_id": RESOURCE, "environment_id": "tls", "sequence_number": 1,
                                 "deployment_state": "successful", "display_name": "Served over TLS",
                                 "deployment_url": "https://ci.example.com/tls/1", "issue_keys": ["WEB-1"]}),
}
# One lookup per service, its TLS options given as keyword arguments from the host's variables.
LOOKUP_TASKS = {
    "lookup rundeck_project": ("rundeck", "query('opsforge.delivery.rundeck_project', **tls_lookup_options)"),
    "lookup opsgenie_deployment": ("opsgenie", "query('opsforge.delivery.opsgenie_deployment', "
                                               "service_ids=['00000000-0000-0000-0000-000000000001'], **tls_lookup_options)"),
    "lookup octopus_machine": ("octopus", "query('opsforge.delivery.octopus_machine', **tls_lookup_options)"),
    "lookup gitea_token": ("gitea", "query('opsforge.delivery.gitea_token', **tls_lookup_options)"),
    "lookup jira_deployment": ("jira", "query('opsforge.delivery.jira_deployment', 1, pipeline_id=tls_resource, "
                                       "environment_id='tls', **tls_lookup_options)"),
}
# Task name -> the service it talks to.
TASK_SERVICES = {name: service for name, (service, _arguments) in list(MODULE_TASKS.items()) + list(LOOKUP_TASKS.items())}


def tls_variants(certs):
    """Each way of setting the options: the lookup keyword arguments; module tasks read them as tls_<name>."""
    return {
        "default": {},
        # AWX exports an unset field as "": it must not turn checks off.
        "empty_ca_path": {"ca_path": ""},
        "other_ca": {"ca_path": certs.other_ca},
        "ca_path": {"ca_path": certs.ca},
        "no_verify": {"validate_certs": False},
        "no_client_cert": {"ca_path": certs.ca},
        "client_cert_and_key": {"ca_path": certs.ca, "client_cert": certs.client_cert, "client_key": certs.client_key},
        "combined_pem": {"ca_path": certs.ca, "client_cert": certs.client_combined},
    }


def tasks(expect_failure=False):
    """One task per module and one lookup per service."""
    found = []
    for name, (_service, arguments) in MODULE_TASKS.items():
        task = {"name": name, "opsforge.delivery." + name: dict(arguments, **TLS_OPTIONS)}
        if name == "gitea_token" and not expect_failure:
            # As the module's documentation says: the new token's value is in the result.
            task["no_log"] = True
        found.append(task)
    for name, (_service, expression) in LOOKUP_TASKS.items():
        found.append({"name": name, "ansible.builtin.debug": {"msg": "{{ %s | length }} found" % expression}})
    if expect_failure:
        for task in found:
            task["ignore_errors"] = True
    return found


class TlsScenario:
    """One TLS sandbox and the playbooks run against it, one host per TLS variant."""

    def __init__(self, server, certs, workdir):
        self.server = server
        self.certs = certs
        self.client = SandboxClient(server)
        self.variants = tls_variants(certs)
        self.runner = PlaybookRunner(workdir, self.client.module_defaults(retries=2))

    def reset(self):
        """Fresh state, and Opsgenie processing writes at once so that its tasks need not wait."""
        self.server.reset()
        cert = (self.certs.client_cert, self.certs.client_key) if self.server.tls.get("client_ca") else None
        response = requests.put(self.server.urls["opsgenie"] + "/__sandbox__/opsgenie/settings", json={"processing_delay": 0},
                                verify=self.certs.ca, cert=cert, timeout=10)
        assert response.status_code == 200, response.text

    def run(self, variants, expect_failure=False, verbosity=0):
        """Run every task on one host per variant; returns the run and {variant: host}."""
        # The runner's host names: localhost alone, else host01, host02...
        names = ["localhost"] if len(variants) == 1 else ["host%02d" % number for number in range(1, len(variants) + 1)]
        hosts = dict(zip(variants, names))
        host_vars = {host: self.host_vars(variant) for variant, host in hosts.items()}
        # Pipelining: one process per task instead of several, which keeps the file fast.
        run = self.runner.run(tasks(expect_failure), hosts=len(hosts), host_vars=host_vars, verbosity=verbosity,
                              env={"ANSIBLE_PIPELINING": "1"})
        return run, hosts

    def host_vars(self, variant):
        options = self.variants[variant]
        host_vars = {"tls_" + name: value for name, value in options.items()}
        host_vars["tls_lookup_options"] = dict(options)
        host_vars["tls_resource"] = "tls-" + variant.replace("_", "-")
        # What the lookups read their connection from.
        for service in SERVICE_NAMES:
            for name, value in self.client.connection(service).items():
                host_vars["%s_%s" % (service, name)] = value
        return host_vars

    def requests_received(self):
        return {service: self.client.requests(service) for service in SERVICE_NAMES}


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def https_server(certs):
    with Sandbox(host="127.0.0.1", ports=FREE_PORTS, tls={"cert": certs.server_cert, "key": certs.server_key}) as server:
        yield server


@pytest.fixture(scope="module")
def mutual_tls_server(certs):
    tls = {"cert": certs.server_cert, "key": certs.server_key, "client_ca": certs.ca}
    with Sandbox(host="127.0.0.1", ports=FREE_PORTS, tls=tls) as server:
        yield server


@pytest.fixture
def https(https_server, certs, tmp_path):
    scenario = TlsScenario(https_server, certs, tmp_path)
    scenario.reset()
    return scenario


@pytest.fixture
def mutual_tls(mutual_tls_server, certs, tmp_path):
    scenario = TlsScenario(mutual_tls_server, certs, tmp_path)
    scenario.reset()
    return scenario


def failure_message(record):
    result = record["result"]
    return " ".join(str(result.get(key, "")) for key in ("msg", "exception"))


def records_of(run, host):
    """The record of every task on ``host``, by task name; every task must have run."""
    by_task = {record["task"]: record for record in run.records if record["host"] == host}
    assert sorted(by_task) == sorted(TASK_SERVICES), run.output()
    return by_task


def assert_every_task_failed(run, host, *phrases):
    """Every task failed on ``host`` with a message that names its service and has every phrase."""
    for task, record in records_of(run, host).items():
        assert record["status"] == "failed", "%s on %s: %s\n%s" % (task, host, record, run.output())
        message = failure_message(record)
        assert SERVICE_NAMES[TASK_SERVICES[task]] + ": could not" in message, "%s on %s: %s" % (task, host, message)
        for phrase in phrases:
            assert phrase in message, "%s on %s: %r not in %s" % (task, host, phrase, message)


def assert_every_task_passed(run, host, changed):
    """Every lookup answered on ``host``, and every module task changed something, or nothing."""
    for task, record in records_of(run, host).items():
        expected = "changed" if changed and task in MODULE_TASKS else "ok"
        assert record["status"] == expected, "%s on %s: %s\n%s" % (task, host, record, run.output())


def assert_nothing_leaked(run, scenario):
    """No credential of the sandbox and no line of a private key in anything the run printed or logged."""
    printed = run.stdout + run.stderr + run.log_text
    for secret in scenario.client.secrets():
        assert secret not in printed, "a credential is in the output"
    for key in scenario.certs.private_keys():
        for line in key.splitlines():
            if "PRIVATE KEY" not in line:
                assert line not in printed, "a line of a private key is in the output"


def test_an_untrusted_ca_fails_every_task_before_anything_is_sent(https):
    run, hosts = https.run(["default", "empty_ca_path", "other_ca"], expect_failure=True)
    for host in hosts.values():
        assert_every_task_failed(run, host, "TLS verification failed", "certificate verify failed", "set ca_path")
    assert https.requests_received() == {service: [] for service in SERVICE_NAMES}
    assert_nothing_leaked(run, https)


def test_ca_path_or_validate_certs_false_gets_every_task_through_and_a_second_run_changes_nothing(https):
    first, hosts = https.run(["ca_path", "no_verify"])
    assert first.returncode == 0, first.output()
    for host in hosts.values():
        assert_every_task_passed(first, host, changed=True)
    again, hosts = https.run(["ca_path"])
    assert again.returncode == 0, again.output()
    assert_every_task_passed(again, hosts["ca_path"], changed=False)
    # urllib3 warns on stderr about every unverified request; a lookup would show that as stray output.
    assert "InsecureRequestWarning" not in first.stdout + first.stderr
    assert_nothing_leaked(first, https)
    assert_nothing_leaked(again, https)


def test_a_server_requiring_a_client_certificate_refuses_tasks_without_one(mutual_tls):
    run, hosts = mutual_tls.run(["no_client_cert"], expect_failure=True)
    assert_every_task_failed(run, hosts["no_client_cert"], "requires a client certificate", "set client_cert (and client_key)")
    assert mutual_tls.requests_received() == {service: [] for service in SERVICE_NAMES}
    assert_nothing_leaked(run, mutual_tls)


def test_a_client_certificate_gets_every_task_through_without_a_secret_in_the_output(mutual_tls):
    # At -vvvv Ansible prints every module's arguments and result.
    run, hosts = mutual_tls.run(["client_cert_and_key", "combined_pem"], verbosity=4)
    assert run.returncode == 0, run.output()
    for host in hosts.values():
        assert_every_task_passed(run, host, changed=True)
    # The verbose output is there: the module arguments, with the client certificate's path.
    assert '"client_cert": "%s"' % mutual_tls.certs.client_combined in run.stdout
    assert_nothing_leaked(run, mutual_tls)
