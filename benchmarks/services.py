# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sandbox the benchmarks run against: in this process, on free ports, seeded through its own stores."""

from __future__ import annotations

from tests.sandbox import Sandbox
from tests.sandbox.octopus_machines import parse_machine
from tests.sandbox.octopus_state import DEFAULT_SPACE_ID, self_link

READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
GITEA_USER = "alice"
#: The site the Jira tasks name (the sandbox's), so that no task looks its cloud id up.
JIRA_CLOUD_ID = "sandbox-cloud"
#: Where an OAuth client gets its bearer token: a request that reads nothing and writes nothing of the estate.
TOKEN_PATH = "/oauth/token"
#: What the uri tasks of Jira register their bearer token as.
JIRA_URI_TOKEN = "benchmark_jira_uri_token"


def token_request(entry):
    """Whether a logged request asked for an OAuth token."""
    return entry["method"] == "POST" and entry["path"].split("?", 1)[0] == TOKEN_PATH


class Services:
    """A running in-process sandbox with the connection settings of every service."""

    def __init__(self):
        self.sandbox = Sandbox(host="127.0.0.1", ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0})

    def __enter__(self):
        self.sandbox.start()
        return self

    def __exit__(self, *exc_info):
        self.sandbox.stop()

    @property
    def urls(self):
        return self.sandbox.urls

    @property
    def credentials(self):
        return self.sandbox.credentials

    def reset(self):
        self.sandbox.reset()

    def module_defaults(self):
        """module_defaults for every service's action group: the sandbox's address and credentials."""
        credentials = self.credentials
        options = {
            "rundeck": {"api_token": credentials["rundeck_token"]},
            "opsgenie": {"api_key": credentials["opsgenie_api_key"]},
            "octopus": {"api_key": credentials["octopus_api_key"]},
            "gitea": {"username": GITEA_USER, "password": credentials["gitea_alice_password"]},
            "jira": {"cloud_id": JIRA_CLOUD_ID, "client_id": credentials["jira_client_id"],
                     "client_secret": credentials["jira_client_secret"]},
        }
        return {"group/opsforge.delivery.%s" % name: dict(options[name], url=self.urls[name]) for name in options}

    def uri_auth(self, service):
        """The ansible.builtin.uri options that authenticate a request to ``service``."""
        credentials = self.credentials
        if service == "gitea":
            return {"url_username": GITEA_USER, "url_password": credentials["gitea_alice_password"], "force_basic_auth": True}
        headers = {
            "jira": {"Authorization": "Bearer {{ %s.json.access_token }}" % JIRA_URI_TOKEN},
            "rundeck": {"X-Rundeck-Auth-Token": credentials["rundeck_token"]},
            "opsgenie": {"Authorization": "GenieKey %s" % credentials["opsgenie_api_key"]},
            "octopus": {"X-Octopus-ApiKey": credentials["octopus_api_key"]},
        }[service]
        return {"headers": dict(headers, Accept="application/json")}

    def uri_setup_tasks(self, services):
        """What the uri tasks of ``services`` need first: for Jira, a bearer token of the sandbox's OAuth client."""
        if "jira" not in services:
            return []
        credentials = self.credentials
        form = {"grant_type": "client_credentials", "client_id": credentials["jira_client_id"],
                "client_secret": credentials["jira_client_secret"], "audience": "api.atlassian.com"}
        return [{"name": "setup a bearer token for the uri tasks of jira", "no_log": True, "register": JIRA_URI_TOKEN,
                 "ansible.builtin.uri": {"url": self.urls["jira"] + TOKEN_PATH, "method": "POST", "body_format": "form-urlencoded",
                                         "body": form}}]

    def requests(self, service):
        return self.sandbox.controls[service].requests()

    def requests_during(self, service, record):
        """The requests ``service`` received while the task of ``record`` (a task_timer record) ran."""
        return [entry for arrival, entry in self.sandbox.controls[service].timed_requests()
                if record["start"] <= arrival <= record["end"]]

    def add_fault(self, service, fault):
        """A fault of the sandbox's control API (tests/sandbox/README.md), such as a delay on every read."""
        self.sandbox.controls[service].add_faults([fault])

    def clear_faults(self):
        for control in self.sandbox.controls.values():
            control.clear_faults()

    def state(self, service):
        return self.sandbox.controls[service].state

    def seed_octopus_machines(self, count, prefix="scale"):
        """``count`` listening targets in the default space, named ``<prefix>-00001``...

        One target goes through the server's own checks; the others are copies of it with their
        own id, name, slug, links, roles and thumbprint, stored directly (the API would take minutes).
        """
        state = self.state("octopus")
        with state.lock:
            environments = {item["Name"]: item["Id"] for item in state.in_space("environments", DEFAULT_SPACE_ID)}
            body = {
                "Name": "%s-template" % prefix,
                "EnvironmentIds": [environments["Production"]],
                "Roles": ["web-server"],
                "TenantIds": [],
                "TenantTags": [],
                "Endpoint": {"CommunicationStyle": "TentaclePassive", "Uri": "https://template.example.com:10933/",
                             "Thumbprint": "0" * 40},
            }
            template = parse_machine(state, DEFAULT_SPACE_ID, body)
            for number in range(1, count + 1):
                machine_id = state.next_id("machines")
                name = "%s-%05d" % (prefix, number)
                link = self_link(DEFAULT_SPACE_ID, "machines", machine_id)
                machine = dict(template, Id=machine_id, Name=name, Slug=name,
                               Roles=["web-server" if number % 2 else "worker"],
                               EnvironmentIds=[environments["Production" if number % 3 else "Test"]],
                               Links={"Self": link, "Connection": link + "/connection", "TasksTemplate": link + "/tasks{?skip,take}"})
                machine["Endpoint"] = dict(template["Endpoint"], Uri="https://%s.example.com:10933/" % name,
                                           Thumbprint="%040X" % number)
                state.save("machines", machine)

    def seed_gitea_tokens(self, count, prefix="scale", scope="read:user"):
        """``count`` access tokens of the benchmark's Gitea user, named ``<prefix>-0001``..."""
        state = self.state("gitea")
        with state.lock:
            user = state.user(GITEA_USER)
            for number in range(1, count + 1):
                state.add_token(user["id"], "%s-%04d" % (prefix, number), scope)
