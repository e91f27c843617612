"""Octopus targets: endpoint settings per style, the machine to send, and what counts as a change."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine import (
    canonical_machine,
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
    assert drop == {"CommunicationStyle": "OfflineDrop", "DropFolderPath": "/drops",
                    "Destination": {"DestinationType": "FileSystem", "DropFolderPath": "/drops"}}


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
    assert canonical_machine(reread) == canonical_machine(SERVER_MACHINE)


def test_real_changes_are_changes():
    for change in ({"IsDisabled": True}, {"Roles": ["web"]}, {"MachinePolicyId": "MachinePolicies-2"}):
        assert canonical_machine(dict(SERVER_MACHINE, **change)) != canonical_machine(SERVER_MACHINE)


def test_links_are_left_out_of_results():
    shown = without_links(SERVER_MACHINE)
    assert "Links" not in shown and "Links" not in shown["Endpoint"]
    assert shown["Name"] == "web01"


# -- Kubernetes endpoints: the text SkipTlsVerification and every authentication type ---------------


@pytest.mark.parametrize("given, sent", [(True, "True"), (False, "False")])
def test_skip_tls_verification_is_sent_as_the_text_the_server_keeps(given, sent):
    # go-octopusdeploy's KubernetesEndpoint.MarshalJSON writes "True"/"False"; the server's property is a string.
    settings = endpoint_settings({"communication_style": "kubernetes", "cluster_url": "https://k8s:6443",
                                  "skip_tls_verification": given}, FakeReferences())
    assert settings["SkipTlsVerification"] == sent


@pytest.mark.parametrize("read", ["True", "true", "TRUE", True])
def test_skip_tls_verification_read_back_in_any_spelling_is_no_change(read):
    wanted = {"CommunicationStyle": "Kubernetes", "ClusterUrl": "https://k8s:6443", "SkipTlsVerification": "True"}
    stored = dict(SERVER_MACHINE, Endpoint=dict(wanted, SkipTlsVerification=read))
    assert canonical_machine(dict(SERVER_MACHINE, Endpoint=wanted)) == canonical_machine(stored)


K8S = {"communication_style": "kubernetes", "cluster_url": "https://k8s:6443"}


@pytest.mark.parametrize("options, authentication", [
    ({"account": "token"}, {"AuthenticationType": "KubernetesStandard", "AccountId": "Accounts-token"}),
    ({"authentication_type": "aws", "account": "aws", "cluster_name": "eks1"},
     {"AuthenticationType": "KubernetesAws", "AccountId": "Accounts-aws", "ClusterName": "eks1"}),
    ({"authentication_type": "azure", "account": "az", "cluster_name": "aks1", "cluster_resource_group": "rg"},
     {"AuthenticationType": "KubernetesAzure", "AccountId": "Accounts-az", "ClusterName": "aks1",
      "ClusterResourceGroup": "rg"}),
    ({"authentication_type": "google_cloud", "account": "gcp", "cluster_name": "gke1", "project": "p1", "zone": "z1"},
     {"AuthenticationType": "KubernetesGoogleCloud", "AccountId": "Accounts-gcp", "ClusterName": "gke1",
      "Project": "p1", "Zone": "z1"}),
    ({"authentication_type": "certificate", "client_certificate": "22"},
     {"AuthenticationType": "KubernetesCertificate", "ClientCertificate": "Certificates-22"}),
    ({"authentication_type": "aws", "use_instance_role": True, "cluster_name": "eks1", "assume_role": True,
      "assumed_role_arn": "arn:aws:iam::1:role/r", "assumed_role_session": "s", "assume_role_session_duration": 900,
      "assume_role_external_id": "x"},
     {"AuthenticationType": "KubernetesAws", "UseInstanceRole": True, "ClusterName": "eks1", "AssumeRole": True,
      "AssumedRoleArn": "arn:aws:iam::1:role/r", "AssumedRoleSession": "s", "AssumeRoleSessionDurationSeconds": 900,
      "AssumeRoleExternalId": "x"}),
    ({"authentication_type": "azure", "account": "az", "cluster_name": "aks1", "cluster_resource_group": "rg",
      "admin_login": False},
     {"AuthenticationType": "KubernetesAzure", "AccountId": "Accounts-az", "ClusterName": "aks1",
      "ClusterResourceGroup": "rg", "AdminLogin": "False"}),
    ({"authentication_type": "google_cloud", "use_vm_service_account": True, "cluster_name": "gke1", "project": "p1",
      "region": "r1", "impersonate_service_account": True, "service_account_emails": "a@b.c"},
     {"AuthenticationType": "KubernetesGoogleCloud", "UseVmServiceAccount": True, "ClusterName": "gke1", "Project": "p1",
      "Region": "r1", "ImpersonateServiceAccount": True, "ServiceAccountEmails": "a@b.c"}),
    ({"authentication_type": "pod_service", "token_path": "/var/run/secrets/token"},
     {"AuthenticationType": "KubernetesPodService", "TokenPath": "/var/run/secrets/token"}),
])
def test_each_kubernetes_authentication_type_takes_the_fields_of_its_own(options, authentication):
    settings = endpoint_settings(dict(K8S, **options), FakeReferences())
    assert settings["Authentication"] == authentication
    assert "AccountId" not in settings


@pytest.mark.parametrize("options, problem", [
    ({"authentication_type": "standard"}, "authentication_type standard needs account"),
    ({"authentication_type": "azure", "account": "az", "cluster_name": "aks1"}, "needs cluster_resource_group"),
    ({"authentication_type": "pod_service", "token_path": "/t", "account": "a"}, "account does not apply"),
    ({"token_path": "/t"}, "authentication_type standard needs account"),
])
def test_kubernetes_authentication_options_are_checked_before_any_write(options, problem):
    with pytest.raises(InputError, match=problem):
        endpoint_settings(dict(K8S, **options), FakeReferences())


def test_no_authentication_option_leaves_the_endpoints_authentication_as_it_is():
    current = dict(SERVER_MACHINE, Endpoint={"CommunicationStyle": "Kubernetes", "ClusterUrl": "https://k8s:6443",
                                             "Authentication": {"AuthenticationType": "KubernetesAws", "AssumeRole": True}})
    wanted = desired_machine(current, "web01", {}, endpoint_settings(dict(K8S, namespace="web"), FakeReferences()))
    assert wanted["Endpoint"]["Authentication"] == {"AuthenticationType": "KubernetesAws", "AssumeRole": True}
    same_type = endpoint_settings(dict(K8S, authentication_type="aws", account="a", cluster_name="eks"), FakeReferences())
    merged = desired_machine(current, "web01", {}, same_type)["Endpoint"]["Authentication"]
    # What the task does not set (an assumed role, set in the portal) stays.
    assert merged == {"AuthenticationType": "KubernetesAws", "AssumeRole": True, "AccountId": "Accounts-a", "ClusterName": "eks"}


# -- contract: endpoint JSON as go-octopusdeploy's own tests pin it, restated -----------------------


def test_a_kubernetes_endpoint_as_the_go_client_reads_it_compares_as_sent():
    # Shape of go-octopusdeploy pkg/machines/kubernetes_endpoint_test.go: SkipTlsVerification text,
    # certificate authentication, RunningInContainer, endpoint Id/Links that are the server's own.
    read = {"CommunicationStyle": "Kubernetes", "ClusterUrl": "https://kubernetes.example.com",
            "ClusterCertificate": "Certificates-22", "Namespace": "default", "SkipTlsVerification": "False",
            "RunningInContainer": True, "Authentication": {"AuthenticationType": "KubernetesCertificate",
                                                           "ClientCertificate": "Certificates-9"},
            "Id": "endpoint-1", "LastModifiedOn": "2020-10-02T00:44:11.284Z", "LastModifiedBy": "someone",
            "Links": {"Self": "/api/foo"}}
    current = dict(SERVER_MACHINE, Endpoint=read)
    options = dict(K8S, cluster_url="https://kubernetes.example.com", namespace="default", skip_tls_verification=False,
                   authentication_type="certificate", client_certificate="9", cluster_certificate="22")
    wanted = desired_machine(current, "web01", {}, endpoint_settings(options, FakeReferences()))
    assert canonical_machine(wanted) == canonical_machine(current)


def test_a_listening_endpoint_as_the_go_client_reads_it_compares_as_sent():
    # go-octopusdeploy pkg/machines/listening_tentacle_endpoint_test.go: version details and the
    # signature algorithm are the server's; the thumbprint is upper-case hexadecimal.
    read = {"CommunicationStyle": "TentaclePassive", "Uri": "https://example.com", "ProxyId": "Proxies-1",
            "Thumbprint": "0E80576D3BD8D40854802A4F8340A2E23AE961FD", "CertificateSignatureAlgorithm": "sha256RSA",
            "TentacleVersionDetails": {"UpgradeLocked": True, "UpgradeRequired": False, "UpgradeSuggested": True,
                                       "Version": "1.2.3"},
            "Id": "endpoint-123", "LastModifiedBy": "someone", "LastModifiedOn": "2020-10-02T00:44:11.284Z", "Links": {}}
    current = dict(SERVER_MACHINE, Endpoint=read)
    options = {"communication_style": "listening", "uri": "https://example.com",
               "thumbprint": "0e80576d3bd8d40854802a4f8340a2e23ae961fd"}
    wanted = desired_machine(current, "web01", {}, endpoint_settings(options, FakeReferences()))
    assert canonical_machine(wanted) == canonical_machine(current)


def test_an_ssh_endpoint_as_the_go_client_reads_it_compares_as_sent():
    # go-octopusdeploy pkg/machines/ssh_endpoint_test.go: the server computes Uri from host and port
    # (NewSSHEndpoint builds ssh://host:port/), so it is no option and never a difference.
    read = {"CommunicationStyle": "Ssh", "AccountId": "Accounts-deploy", "Host": "example.com", "Port": 22,
            "Fingerprint": "22:22:22:22:22:22:22:22:22:22:22:22:22:22:22", "Uri": "ssh://example.com:22/",
            "ProxyId": "Proxies-corp", "DotNetCorePlatform": "linux-x64", "Id": "endpoint-id", "Links": {}}
    current = dict(SERVER_MACHINE, Endpoint=read)
    options = {"communication_style": "ssh", "host": "example.com", "fingerprint": read["Fingerprint"],
               "account": "deploy", "proxy": "corp", "dotnet_platform": "linux-x64"}
    wanted = desired_machine(current, "web01", {}, endpoint_settings(options, FakeReferences()))
    assert canonical_machine(wanted) == canonical_machine(current)
    assert canonical_machine(dict(current, Endpoint=dict(read, Uri="ssh://elsewhere:2222/"))) == canonical_machine(current)


def test_thumbprints_are_sent_in_upper_case_and_compared_without_case():
    settings = endpoint_settings({"communication_style": "polling", "uri": "poll://abcdefghij0123456789/",
                                  "thumbprint": "8a3f1c9e"}, FakeReferences())
    assert settings["Thumbprint"] == "8A3F1C9E"
