# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated machines against facts that the official clients' own tests record about real answers.

The facts, restated: go-octopusdeploy's test/resources/deployment_target_test.go holds machines as a
2020 server returned them, and pkg/machines/*_endpoint_test.go the endpoints' JSON.
"""

import pytest
import requests

# Top-level fields of every machine in those answers.
SERVER_MACHINE_FIELDS = {
    "Id", "EnvironmentIds", "Roles", "TenantedDeploymentParticipation", "TenantIds", "TenantTags", "SpaceId", "Name",
    "Thumbprint", "Uri", "IsDisabled", "MachinePolicyId", "Status", "HealthStatus", "HasLatestCalamari", "StatusSummary",
    "IsInProcess", "Endpoint", "OperatingSystem", "ShellName", "ShellVersion", "Links",
}
# Endpoint fields per style in those answers (besides CommunicationStyle, Id, LastModifiedOn, LastModifiedBy, Links).
SERVER_ENDPOINT_FIELDS = {
    "None": {"DefaultWorkerPoolId"},
    "OfflineDrop": {"Destination", "SensitiveVariablesEncryptionPassword", "ApplicationsDirectory", "OctopusWorkingDirectory",
                    "DropFolderPath"},
    "Kubernetes": {"ClusterCertificate", "ClusterUrl", "Namespace", "SkipTlsVerification", "ProxyId", "DefaultWorkerPoolId",
                   "Container", "Authentication", "ContainerOptions", "RunningInContainer", "ClusterCertificatePath"},
    "Ssh": {"AccountId", "Host", "Port", "Fingerprint", "Uri", "ProxyId", "DotNetCorePlatform"},
    "TentaclePassive": {"Uri", "Thumbprint", "ProxyId", "TentacleVersionDetails", "CertificateSignatureAlgorithm"},
}
ENDPOINTS = {
    "None": {"CommunicationStyle": "None", "DefaultWorkerPoolId": "WorkerPools-2"},
    "OfflineDrop": {"CommunicationStyle": "OfflineDrop", "ApplicationsDirectory": "C:\\Applications",
                    "OctopusWorkingDirectory": "C:\\Octopus"},
    "Kubernetes": {"CommunicationStyle": "Kubernetes", "ClusterUrl": "https://kubernetes.example.com", "Namespace": "namespace",
                   "SkipTlsVerification": "True", "Authentication": {"AccountId": "Accounts-2", "AuthenticationType": "KubernetesStandard"}},
    "Ssh": {"CommunicationStyle": "Ssh", "AccountId": "Accounts-1", "Host": "example.com", "Port": 22,
            "Fingerprint": "22:22:22:22:22:22:22:22:22:22:22:22:22:22:22", "DotNetCorePlatform": "linux-x64"},
    "TentaclePassive": {"CommunicationStyle": "TentaclePassive", "Uri": "https://example.com",
                        "Thumbprint": "0E80576D3BD8D40854802A4F8340A2E23AE961FD"},
}


@pytest.fixture
def call(octopus, octopus_headers):
    def call(method, path, body=None):
        return requests.request(method, octopus + path, headers=octopus_headers, json=body)

    return call


def create(call, style, **fields):
    body = dict({"Name": "target-%s" % style.lower(), "EnvironmentIds": ["Environments-1"], "Roles": ["Prod"],
                 "TenantIds": [], "TenantTags": [], "Endpoint": ENDPOINTS[style]}, **fields)
    response = call("POST", "/api/Spaces-1/machines", body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("style", sorted(ENDPOINTS))
def test_a_machine_has_every_field_a_server_answer_has(call, style):
    shown = call("GET", "/api/Spaces-1/machines/%s" % create(call, style)["Id"]).json()
    assert SERVER_MACHINE_FIELDS <= set(shown)
    assert SERVER_ENDPOINT_FIELDS[style] | {"CommunicationStyle", "Id", "LastModifiedOn", "LastModifiedBy", "Links"} <= set(shown["Endpoint"])
    assert set(shown["Links"]) == {"Self", "Connection", "TasksTemplate"}
    assert shown["Links"]["TasksTemplate"] == "/api/Spaces-1/machines/%s/tasks{?skip,take}" % shown["Id"]
    assert (shown["Thumbprint"], shown["Uri"]) == (None, None)


@pytest.mark.parametrize("style, in_process", [("None", True), ("OfflineDrop", False), ("Kubernetes", False)])
def test_only_a_cloud_region_runs_in_process(call, style, in_process):
    assert create(call, style)["IsInProcess"] is in_process


def test_a_disabled_machine_reads_as_the_server_shows_one(call):
    machine = create(call, "OfflineDrop", IsDisabled=True)
    shown = call("GET", machine["Links"]["Self"]).json()
    assert {key: shown[key] for key in ("Status", "HealthStatus", "HasLatestCalamari", "StatusSummary")} == {
        "Status": "Disabled", "HealthStatus": "Unknown", "HasLatestCalamari": False,
        "StatusSummary": "This machine has been disabled.",
    }


def test_an_offline_drop_without_a_destination_writes_artifacts(call):
    endpoint = create(call, "OfflineDrop")["Endpoint"]
    assert endpoint["Destination"] == {"DestinationType": "Artifact", "DropFolderPath": None}
    assert endpoint["SensitiveVariablesEncryptionPassword"] == {"HasValue": False, "NewValue": None}
    assert endpoint["DropFolderPath"] is None
    assert {key: endpoint[key] for key in ("Id", "LastModifiedOn", "LastModifiedBy", "Links")} == {
        "Id": None, "LastModifiedOn": None, "LastModifiedBy": None, "Links": {}}


def test_skip_tls_verification_and_the_ssh_uri_read_as_the_server_writes_them(call):
    assert create(call, "Kubernetes")["Endpoint"]["SkipTlsVerification"] == "True"
    assert create(call, "Ssh")["Endpoint"]["Uri"] == "ssh://example.com:22/"


def test_a_health_summary_names_the_time_of_the_check_in_the_servers_long_form(call, octopus):
    machine = create(call, "Kubernetes")
    requests.put(octopus + "/__sandbox__/health/" + machine["Id"], json={"HealthStatus": "Unhealthy"})
    summary = call("GET", machine["Links"]["Self"]).json()["StatusSummary"]
    # "There was a problem communicating with this machine (last checked: Friday, 02 October 2020 4:22:08 AM +00:00)"
    assert summary.startswith("There was a problem communicating with this machine (last checked: ")
    assert summary.endswith(" +00:00)") and (" AM " in summary or " PM " in summary)
