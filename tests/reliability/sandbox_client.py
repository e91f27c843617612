# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sandbox as the reliability tests see it: connection options, request logs, faults."""

from __future__ import annotations

READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


class SandboxClient:
    """A running in-process Sandbox, reset; one object per test."""

    def __init__(self, server):
        self.server = server
        self.urls = server.urls
        self.credentials = server.credentials

    def connection(self, service):
        """The connection options of a module or lookup of ``service``, as module_defaults take them."""
        credentials = self.credentials
        options = {
            "rundeck": {"api_token": credentials["rundeck_token"]},
            "opsgenie": {"api_key": credentials["opsgenie_api_key"]},
            "octopus": {"api_key": credentials["octopus_api_key"]},
            "gitea": {"username": "alice", "password": credentials["gitea_alice_password"]},
            "jira": {"cloud_id": credentials["jira_cloud_id"], "client_id": credentials["jira_client_id"],
                     "client_secret": credentials["jira_client_secret"]},
        }[service]
        return dict(options, url=self.urls[service])

    def module_defaults(self, **overrides):
        """module_defaults for every service's action group; ``overrides`` add options to all of them."""
        return {"group/opsforge.delivery.%s" % name: dict(self.connection(name), **overrides) for name in self.urls}

    def secrets(self):
        """Every credential the sandbox accepts, and every access token its Jira issued: none may show up in any output."""
        accepted = {value for key, value in self.credentials.items()
                    if "password" in key or "token" in key or "key" in key or "secret" in key}
        return sorted(accepted | set(self.server.controls["jira"].state.tokens))

    def requests(self, service):
        return self.server.controls[service].requests()

    def writes(self, service):
        """The requests that could change something: every method but GET, HEAD and OPTIONS."""
        return [entry for entry in self.requests(service) if entry["method"] not in READ_METHODS]

    def clear_requests(self, service=None):
        for name in [service] if service else self.urls:
            self.server.controls[name].clear_requests()

    def fault(self, service, **fault):
        """Arm a fault (the keys of POST /__sandbox__/faults) for the next matching request."""
        return self.server.controls[service].add_faults(fault)

    def pending_faults(self, service):
        return self.server.controls[service].faults()
