"""octopus_machine as a first-time user meets it: partial endpoint updates, ids in any case, check mode
that predicts the real run, parents created earlier in a play, honest ``changed``, names in diffs."""

from __future__ import annotations

import json

import pytest

from ansible_collections.opsforge.delivery.plugins.modules.octopus_machine import main

SSH = dict(communication_style="ssh", host="app01.example.com", port=2222, fingerprint="SHA256:first", account="deploy-ssh")
LISTENING = dict(communication_style="listening", uri="https://web01.example.com:10933/", thumbprint="8A2E4F1D0C",
                 proxy="Corporate proxy")

#: One endpoint per communication style, with as few options as a user gives.
STYLES = {
    "listening": dict(communication_style="listening", uri="https://web01.example.com:10933/", thumbprint="8a2e4f"),
    "polling": dict(communication_style="polling", uri="poll://abcdefghij0123456789/", thumbprint="8A2E4F"),
    "ssh": dict(communication_style="ssh", host="app01.example.com", fingerprint="SHA256:abc", account="deploy-ssh"),
    "cloud_region": dict(communication_style="cloud_region"),
    "offline_drop": dict(communication_style="offline_drop", drop_folder_path="/drops"),
    "kubernetes": dict(communication_style="kubernetes", cluster_url="https://k8s.example.com:6443", account="k8s-token"),
}
#: What only the server can know about a target: its identity, health and times.
SERVER_ONLY = ("Id", "Slug", "LastModifiedOn", "LastModifiedBy", "Status", "HealthStatus", "StatusSummary",
               "HasLatestCalamari", "OperatingSystem", "OperatingSystemVersion", "ShellName", "ShellVersion",
               "Architecture")


@pytest.fixture
def octopus(sandbox):
    return dict(url=sandbox.urls["octopus"], api_key=sandbox.credentials["octopus_api_key"], retries=0)


def writes(request_log):
    return [(entry["method"], entry["status"]) for entry in request_log("octopus") if entry["method"] != "GET"]


def run_with_warnings(module_runner, args, **kwargs):
    result = module_runner(main, args, **kwargs)
    return result, result.get("warnings", [])


def target(octopus, **options):
    return dict(octopus, name="app01", environments=["Test"], roles=["app"], **options)


# -- an endpoint update changes only what is given -------------------------------------------------

def test_rotating_an_ssh_fingerprint_keeps_the_port_and_needs_no_other_field(octopus, module_runner):
    created = module_runner(main, target(octopus, endpoint=SSH))
    assert created["machine"]["Endpoint"]["Port"] == 2222, created
    rotated = module_runner(main, dict(octopus, name="app01",
                                       endpoint=dict(communication_style="ssh", fingerprint="SHA256:second")))
    assert rotated.get("failed") is not True and rotated["changed"] is True, rotated
    endpoint = rotated["machine"]["Endpoint"]
    assert (endpoint["Port"], endpoint["Fingerprint"], endpoint["Host"]) == (2222, "SHA256:second", "app01.example.com")
    assert endpoint["AccountId"] == created["machine"]["Endpoint"]["AccountId"]


def test_a_new_target_or_a_new_style_still_needs_the_styles_required_fields(octopus, module_runner, request_log):
    result = module_runner(main, target(octopus, endpoint=dict(communication_style="ssh", fingerprint="SHA256:x")))
    assert result["failed"] is True and "needs host, account" in result["msg"]
    module_runner(main, target(octopus, endpoint=STYLES["cloud_region"]))
    changed_style = module_runner(main, dict(octopus, name="app01", endpoint_style_change="replace",
                                             endpoint=dict(communication_style="ssh", fingerprint="SHA256:x")))
    assert changed_style["failed"] is True and "needs host, account" in changed_style["msg"]
    assert ("DELETE", 200) not in writes(request_log)


def test_a_kubernetes_authentication_keeps_its_type_and_fields_when_one_field_changes(octopus, module_runner):
    endpoint = dict(STYLES["kubernetes"], authentication_type="aws", cluster_name="eks-prod")
    module_runner(main, target(octopus, endpoint=endpoint))
    renamed = module_runner(main, dict(octopus, name="app01",
                                       endpoint=dict(communication_style="kubernetes", cluster_name="eks-next")))
    assert renamed.get("failed") is not True, renamed
    authentication = renamed["machine"]["Endpoint"]["Authentication"]
    assert authentication["AuthenticationType"] == "KubernetesAws" and authentication["ClusterName"] == "eks-next"
    assert authentication["AccountId"] == "Accounts-2"


# -- ids in any case -------------------------------------------------------------------------------

def test_ids_in_another_case_name_the_same_resources_everywhere(octopus, module_runner):
    args = dict(octopus, name="app01", space="spaces-1", environments=["environments-2"], roles=["app"],
                tenants=["tenants-1"], machine_policy="machinepolicies-2",
                endpoint=dict(communication_style="kubernetes", cluster_url="https://k8s.example.com:6443",
                              account="accounts-2", proxy="proxies-1", default_worker_pool="workerpools-2"))
    created = module_runner(main, args)
    assert created.get("failed") is not True, created
    machine = created["machine"]
    assert machine["EnvironmentIds"] == ["Environments-2"] and machine["TenantIds"] == ["Tenants-1"]
    assert machine["MachinePolicyId"] == "MachinePolicies-2"
    assert machine["Endpoint"]["ProxyId"] == "Proxies-1" and machine["Endpoint"]["DefaultWorkerPoolId"] == "WorkerPools-2"
    again = module_runner(main, dict(args, environments=["ENVIRONMENTS-2"], machine_policy="MACHINEPOLICIES-2"), diff=True)
    assert again["changed"] is False, again
    assert again["diff"]["after"]["EnvironmentNames"] == ["Test"]


def test_the_lookup_names_ids_the_server_spells_in_another_case(sandbox):
    from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import OctopusClient
    from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine import References

    client = OctopusClient(dict(url=sandbox.urls["octopus"], api_key=sandbox.credentials["octopus_api_key"], retries=0,
                                validate_certs=True, ca_path=None, client_cert=None, client_key=None, timeout=10))
    references = References(client, client.space(None))
    assert references.name_of("Environments", "environments-3") == "Production"
    assert references.name_of("MachinePolicies", "MACHINEPOLICIES-2") == "Transient"


def test_ids_a_server_stored_in_another_case_are_no_change():
    from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine import canonical_machine

    stored = {"Name": "app01", "MachinePolicyId": "machinepolicies-2", "EnvironmentIds": ["environments-2"],
              "Endpoint": {"CommunicationStyle": "Kubernetes", "ProxyId": "proxies-1", "DefaultWorkerPoolId": "workerpools-2",
                           "Authentication": {"AuthenticationType": "KubernetesStandard", "AccountId": "accounts-2"}}}
    sent = {"Name": "app01", "MachinePolicyId": "MachinePolicies-2", "EnvironmentIds": ["Environments-2"],
            "Endpoint": {"CommunicationStyle": "Kubernetes", "ProxyId": "Proxies-1", "DefaultWorkerPoolId": "WorkerPools-2",
                         "Authentication": {"AuthenticationType": "KubernetesStandard", "AccountId": "Accounts-2"}}}
    assert canonical_machine(stored) == canonical_machine(sent)
    assert canonical_machine(stored, fold_case=False) != canonical_machine(sent, fold_case=False)


# -- check mode predicts the real run, field for field ---------------------------------------------

def _predicted_part(result):
    machine = dict((key, value) for key, value in result["machine"].items() if key not in SERVER_ONLY)
    # The Tentacle's version is what the server learns from it, like its health.
    machine["Endpoint"] = dict((key, value) for key, value in machine["Endpoint"].items() if key != "TentacleVersionDetails")
    return machine


@pytest.mark.parametrize("style", sorted(STYLES))
def test_check_mode_predicts_the_created_target_and_diff_of_the_real_run(octopus, module_runner, style, request_log):
    args = target(octopus, tenants=["Acme"], endpoint=STYLES[style])
    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert writes(request_log) == []
    real = module_runner(main, args, diff=True)
    assert real.get("failed") is not True, real
    assert (predicted["changed"], predicted["diff"]) == (real["changed"], real["diff"])
    assert _predicted_part(predicted) == _predicted_part(real)


@pytest.mark.parametrize("style, change", [
    ("listening", dict(thumbprint="ffee01", proxy="Corporate proxy")),
    ("polling", dict(uri="poll://zyxwvutsrq9876543210/")),
    ("ssh", dict(port=2222, dotnet_platform="linux-x64")),
    ("offline_drop", dict(drop_folder_path="/elsewhere", working_directory="/opt/octo")),
    ("kubernetes", dict(namespace="apps", skip_tls_verification=True)),
    ("cloud_region", dict(default_worker_pool="Linux workers")),
])
def test_check_mode_predicts_the_updated_target_and_diff_of_the_real_run(octopus, module_runner, style, change):
    module_runner(main, target(octopus, endpoint=STYLES[style]))
    args = dict(octopus, name="app01", machine_policy="Transient", disabled=True,
                endpoint=dict(communication_style=STYLES[style]["communication_style"], **change))
    predicted = module_runner(main, args, check_mode=True, diff=True)
    real = module_runner(main, args, diff=True)
    assert real.get("failed") is not True and real["changed"] is True, real
    assert predicted["diff"] == real["diff"]
    assert _predicted_part(predicted) == _predicted_part(real)


# -- check mode when a parent is only predicted by an earlier task -------------------------------------

@pytest.mark.parametrize("missing, warned", [
    (dict(space="Staging space"), "space 'Staging space' does not exist"),
    (dict(environments=["QA"]), "environment 'QA' does not exist"),
    (dict(tenants=["Initech"]), "tenant 'Initech' does not exist"),
    (dict(machine_policy="Nightly"), "machine policy 'Nightly' does not exist"),
])
def test_a_parent_that_an_earlier_task_would_create_is_predicted_not_a_failure(
        octopus, module_runner, request_log, missing, warned):
    args = dict(target(octopus, endpoint=STYLES["cloud_region"]), **missing)
    result, warnings = run_with_warnings(module_runner, args, check_mode=True, diff=True)
    assert result.get("failed") is not True and result["changed"] is True, result
    assert any(warned in warning for warning in warnings), warnings
    assert writes(request_log) == []
    real = module_runner(main, args)
    assert real["failed"] is True and ("does not exist" in real["msg"] or "no space named" in real["msg"]), real


def test_a_new_environment_for_an_existing_target_is_predicted_as_an_update(octopus, module_runner):
    module_runner(main, target(octopus, endpoint=STYLES["cloud_region"]))
    result, warnings = run_with_warnings(module_runner, dict(octopus, name="app01", environments=["Test", "QA"]),
                                         check_mode=True, diff=True)
    assert result["changed"] is True and result["diff"]["after"]["EnvironmentNames"] == ["Test", "QA"], result
    assert any("environment 'QA'" in warning for warning in warnings)


# -- changed is true when a write may have taken effect -----------------------------------------------

def test_a_replacement_whose_create_fails_after_the_delete_reports_changed(octopus, module_runner, add_fault):
    module_runner(main, target(octopus, endpoint=STYLES["cloud_region"]))
    body = json.dumps({"ErrorMessage": "There was a problem with your request.", "Errors": ["Quota exceeded."]})
    add_fault({"method": "POST", "path": "/machines$", "status": 400, "body": body}, "octopus")
    result = module_runner(main, dict(octopus, name="app01", endpoint=STYLES["ssh"], endpoint_style_change="replace"))
    assert result["failed"] is True and result["changed"] is True, result
    assert "was deleted first" in result["msg"] and "Quota exceeded." in result["msg"]
    assert len(result["writes"]) == 1 and result["writes"][0].startswith("DELETE ")


def test_an_update_that_may_have_reached_the_server_reports_changed(octopus, module_runner, add_fault):
    module_runner(main, target(octopus, endpoint=STYLES["cloud_region"]))
    add_fault({"method": "PUT", "path": "/machines/", "status": 502}, "octopus")
    result = module_runner(main, dict(octopus, name="app01", roles=["app", "web"]))
    assert result["failed"] is True and result["changed"] is True and result["writes"] == [], result


def test_a_refused_update_reports_no_change(octopus, module_runner, add_fault):
    module_runner(main, target(octopus, endpoint=STYLES["cloud_region"]))
    body = json.dumps({"ErrorMessage": "There was a problem with your request.", "Errors": ["No."]})
    add_fault({"method": "PUT", "path": "/machines/", "status": 400, "body": body}, "octopus")
    result = module_runner(main, dict(octopus, name="app01", roles=["app", "web"]))
    assert result["failed"] is True and result.get("changed") is not True and "writes" not in result, result


# -- names in diffs; a proxy that can be removed ------------------------------------------------------

def test_the_diff_shows_the_names_the_task_used_next_to_the_ids(octopus, module_runner):
    result = module_runner(main, target(octopus, tenants=["acme"], machine_policy="Transient", endpoint=LISTENING),
                           diff=True)
    after = result["diff"]["after"]
    assert after["EnvironmentIds"] == ["Environments-2"] and after["EnvironmentNames"] == ["Test"]
    assert after["TenantNames"] == ["Acme"] and after["MachinePolicyName"] == "Transient"
    assert after["Endpoint"]["ProxyName"] == "Corporate proxy"
    assert "EnvironmentNames" not in result["machine"]


def test_an_empty_proxy_removes_the_proxy(octopus, module_runner):
    module_runner(main, target(octopus, endpoint=LISTENING))
    args = dict(octopus, name="app01", endpoint=dict(communication_style="listening", proxy=""))
    cleared = module_runner(main, args, diff=True)
    assert cleared.get("failed") is not True and cleared["changed"] is True, cleared
    assert cleared["machine"]["Endpoint"]["ProxyId"] is None
    assert "ProxyId" in cleared["diff"]["before"]["Endpoint"] and "ProxyId" not in cleared["diff"]["after"]["Endpoint"]
    again = module_runner(main, args)
    assert again["changed"] is False, again
