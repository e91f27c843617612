"""Octopus targets: endpoint settings per style, the machine to send, and what counts as a change."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine import (
    comparable,
    desired_machine,
    endpoint_settings,
    without_links,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError

# A listening target as a server returns it.
SERVER_MACHINE = {
    "Id": "Machines-7", "Name": "web01", "SpaceId": "Spaces-1", "Slug": "web01",
    "EnvironmentIds": ["Environments-3", "Environments-2"], "Roles": ["web", "api"],
    "TenantIds": [], "TenantTags": [], "TenantedDeploymentParticipation": "Untenanted",
    "MachinePolicyId": "MachinePolicies-1", "IsDisabled": False, "Thumbprint": None, "Uri": None,
    "Status": "Online", "HealthStatus": "Healthy", "StatusSummary": "Octopus was able to connect at 10:02.",
    "HasLatestCalamari": True, "IsInProcess": False, "OperatingSystem": "Linux", "ShellName": "Bash",
    "Endpoint": {"CommunicationStyle": "TentaclePassive", "Uri": "https://web01:10933/", "Thumbprint": "ABC123",
                 "ProxyId": None, "TentacleVersionDetails": {"Version": "8.1.0", "UpgradeSuggested": False},
                 "Id": None, "LastModifiedOn": None, "LastModifiedBy": None, "Links": {}},
    "Links": {"Self": "/api/Spaces-1/machines/Machines-7"},
}


class FakeReferences(object):
    """Names to ids without a server: ``<kind>:<name>`` becomes ``<Kind>-<name>``."""

    def resolve(self, link_name, value, what):
        if value == "missing":
            raise InputError("%s %r does not exist" % (what, value))
        return "%s-%s" % (link_name, value)


@pytest.mark.parametrize("endpoint, problem", [
    ({"communication_style": "listening", "uri": "https://web01:10933/"}, "needs thumbprint"),
    ({"communication_style": "listening", "uri": "http://web01:10933/", "thumbprint": "A"}, "must be an https://"),
    ({"communication_style": "polling", "uri": "https://x/", "thumbprint": "A"}, "subscription address"),
    ({"communication_style": "ssh", "host": "h", "fingerprint": "f"}, "needs account"),
    ({"communication_style": "cloud_region", "host": "h"}, "host does not apply to communication_style cloud_region"),
    ({"communication_style": "kubernetes", "cluster_url": "http://k8s"}, "cluster_url must be an https://"),
    ({"communication_style": "ssh", "host": "h", "fingerprint": "f", "account": "missing"}, "account 'missing' does not exist"),
])
def test_endpoints_are_checked_before_any_write(endpoint, problem):
    with pytest.raises(InputError, match=problem):
        endpoint_settings(endpoint, FakeReferences())


def test_endpoint_fields_take_their_wire_names_and_ids():
    ssh = endpoint_settings({"communication_style": "ssh", "host": "h", "fingerprint": "f", "account": "deploy",
                             "proxy": "corp", "port": None}, FakeReferences())
    assert ssh == {"CommunicationStyle": "Ssh", "Host": "h", "Fingerprint": "f", "AccountId": "Accounts-deploy",
                   "ProxyId": "Proxies-corp", "Port": 22}
    drop = endpoint_settings({"communication_style": "offline_drop", "drop_folder_path": "/drops"}, FakeReferences())
    assert drop == {"CommunicationStyle": "OfflineDrop", "Destination": {"DestinationType": "FileSystem", "DropFolderPath": "/drops"}}


def test_an_update_keeps_what_was_not_given_and_never_sends_null_lists():
    current = dict(copy.deepcopy(SERVER_MACHINE), TenantIds=None)
    wanted = desired_machine(current, "web01", {"Roles": ["web"], "IsDisabled": None}, None)
    assert wanted["Roles"] == ["web"]
    assert wanted["EnvironmentIds"] == SERVER_MACHINE["EnvironmentIds"]
    assert wanted["TenantIds"] == [] and wanted["TenantTags"] == []
    assert "Links" not in wanted
    assert wanted["Endpoint"] == SERVER_MACHINE["Endpoint"]


def test_an_endpoint_of_the_same_style_is_merged_and_another_style_replaces_it():
    merged = desired_machine(SERVER_MACHINE, "web01", {}, {"CommunicationStyle": "TentaclePassive", "Thumbprint": "DEF"})
    assert merged["Endpoint"]["Uri"] == "https://web01:10933/" and merged["Endpoint"]["Thumbprint"] == "DEF"
    replaced = desired_machine(SERVER_MACHINE, "web01", {}, {"CommunicationStyle": "None"})
    assert replaced["Endpoint"] == {"CommunicationStyle": "None"}


def test_tenants_on_an_untenanted_target_make_it_tenanted():
    wanted = desired_machine(SERVER_MACHINE, "web01", {"TenantIds": ["Tenants-1"]}, None)
    assert wanted["TenantedDeploymentParticipation"] == "Tenanted"
    settings = {"TenantIds": ["Tenants-1"], "TenantedDeploymentParticipation": "TenantedOrUntenanted"}
    chosen = desired_machine(SERVER_MACHINE, "web01", settings, None)
    assert chosen["TenantedDeploymentParticipation"] == "TenantedOrUntenanted"


def test_order_case_and_what_the_server_reports_are_not_changes():
    reread = copy.deepcopy(SERVER_MACHINE)
    reread.update(HealthStatus="Unavailable", StatusSummary="Could not connect at 10:07.", HasLatestCalamari=False,
                  EnvironmentIds=["Environments-2", "Environments-3"], Roles=["API", "web"])
    reread["Endpoint"]["TentacleVersionDetails"] = {"Version": "8.1.1", "UpgradeSuggested": True}
    reread["Endpoint"]["Thumbprint"] = "abc123"
    assert comparable(reread) == comparable(SERVER_MACHINE)


def test_real_changes_are_changes():
    for change in ({"IsDisabled": True}, {"Roles": ["web"]}, {"MachinePolicyId": "MachinePolicies-2"}):
        assert comparable(dict(SERVER_MACHINE, **change)) != comparable(SERVER_MACHINE)


def test_links_are_left_out_of_results():
    shown = without_links(SERVER_MACHINE)
    assert "Links" not in shown and "Links" not in shown["Endpoint"]
    assert shown["Name"] == "web01"
