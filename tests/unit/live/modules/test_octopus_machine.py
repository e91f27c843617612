"""octopus_machine run in-process against the sandbox."""

from __future__ import annotations

import json

import pytest

from ansible_collections.opsforge.delivery.plugins.modules.octopus_machine import main


@pytest.fixture
def octopus(sandbox):
    return dict(url=sandbox.urls["octopus"], api_key=sandbox.credentials["octopus_api_key"], retries=0)


@pytest.fixture
def sandbox_get(sandbox):
    def get(service, path):
        import requests
        response = requests.get(sandbox.urls[service] + path,
                                headers={"X-Octopus-ApiKey": sandbox.credentials["octopus_api_key"]}, timeout=10)
        response.raise_for_status()
        return response.json()
    return get


def test_an_access_token_is_sent_as_a_bearer_token_and_works_like_an_api_key(sandbox, module_runner):
    args = dict(url=sandbox.urls["octopus"], access_token=sandbox.credentials["octopus_access_token"], retries=0,
                name="token01", environments=["Test"], roles=["web"], endpoint=dict(communication_style="cloud_region"))
    created = module_runner(main, args)
    assert created["changed"] is True, created
    assert module_runner(main, args)["changed"] is False


def test_a_refused_access_token_is_named_and_never_shown(sandbox, module_runner):
    args = dict(url=sandbox.urls["octopus"], access_token="not-the-sandbox-token", retries=0,
                name="token01", environments=["Test"], roles=["web"])
    result = module_runner(main, args)
    assert result["failed"] is True and result["status"] == 401, result
    assert "check access_token" in result["msg"] and "not-the-sandbox-token" not in json.dumps(result)


def test_an_access_token_in_the_task_wins_over_an_api_key_in_the_environment(sandbox, module_runner, monkeypatch):
    monkeypatch.setenv("OCTOPUS_API_KEY", "API-NOT-THE-SANDBOX-KEY")
    args = dict(url=sandbox.urls["octopus"], access_token=sandbox.credentials["octopus_access_token"], retries=0,
                name="token02", environments=["Test"], roles=["web"], endpoint=dict(communication_style="cloud_region"))
    assert module_runner(main, args)["changed"] is True
    monkeypatch.setenv("OCTOPUS_ACCESS_TOKEN", "not-the-sandbox-token")
    args = dict(args, access_token=None, api_key=sandbox.credentials["octopus_api_key"])
    assert module_runner(main, args)["changed"] is False


@pytest.mark.parametrize("credentials, message", [
    (dict(api_key="API-SANDBOX", access_token="sandbox-octopus-access-token"), "api_key and access_token are both set"),
    (dict(), "set api_key (or the environment variable OCTOPUS_API_KEY) or access_token"),
])
def test_exactly_one_credential_is_taken(sandbox, module_runner, request_log, monkeypatch, credentials, message):
    for name in ("OCTOPUS_API_KEY", "OCTOPUS_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = module_runner(main, dict(url=sandbox.urls["octopus"], name="token01", **credentials))
    assert result["failed"] is True and message in result["msg"], result
    assert "API-SANDBOX" not in result["msg"] and "sandbox-octopus-access-token" not in result["msg"]
    assert request_log("octopus") == []


def test_a_name_with_spaces_around_it_finds_the_target_octopus_stored_without_them(octopus, module_runner):
    args = dict(octopus, name=" web03 ", environments=["Test"], roles=["web"], endpoint=dict(communication_style="cloud_region"))
    created = module_runner(main, args)
    assert created["changed"] is True and created["machine"]["Name"] == "web03"
    again = module_runner(main, args)
    assert again.get("failed") is not True and again["changed"] is False, again
    assert again["machine"]["Id"] == created["machine"]["Id"]


def test_an_empty_name_is_refused_before_any_request(octopus, module_runner, request_log):
    result = module_runner(main, dict(octopus, name="  ", environments=["Test"], roles=["web"]))
    assert result["failed"] is True and result["msg"] == "name must not be empty"
    assert request_log("octopus") == []


# -- a create refused because the name is taken, in whatever words the server uses -------------------

CLOUD = dict(communication_style="cloud_region")


@pytest.mark.parametrize("status, errors", [
    (400, ["A machine with this name already exists. Please choose a different name."]),
    (400, ["Machine name 'web01' is already in use."]),
    (409, []),
])
def test_a_target_made_meanwhile_is_found_again_whatever_the_refusal_says(octopus, module_runner, add_fault, status, errors):
    # Another run's create lands first: the refusal of this one is in words of any Octopus version.
    body = json.dumps({"ErrorMessage": "There was a problem with your request.", "Errors": errors})
    add_fault({"method": "POST", "path": "/machines$", "apply": True, "status": status, "body": body}, "octopus")
    result = module_runner(main, dict(octopus, name="web01", environments=["Test"], roles=["web"], endpoint=CLOUD))
    assert result.get("failed") is not True, result
    assert result["machine"]["Name"] == "web01" and result["machine"]["Id"]


def test_a_refused_create_with_no_target_behind_it_still_fails_with_the_servers_words(octopus, module_runner, add_fault,
                                                                                      request_log):
    body = json.dumps({"ErrorMessage": "There was a problem with your request.", "Errors": ["Quota exceeded."]})
    add_fault({"method": "POST", "path": "/machines$", "status": 400, "body": body}, "octopus")
    result = module_runner(main, dict(octopus, name="web01", environments=["Test"], roles=["web"], endpoint=CLOUD))
    assert result["failed"] is True and "Quota exceeded." in result["msg"]
    # One more read of the name after the refusal, then the refusal stands.
    assert [entry["method"] for entry in request_log("octopus")][-2:] == ["POST", "GET"]


KUBERNETES_AUTHENTICATIONS = [
    dict(authentication_type="aws", account="aws-deploy", cluster_name="eks-prod"),
    dict(authentication_type="aws", use_instance_role=True, cluster_name="eks-prod", assume_role=True,
         assumed_role_arn="arn:aws:iam::123456789012:role/deploy", assumed_role_session="octopus",
         assume_role_session_duration=3600, assume_role_external_id="sandbox-external-id"),
    dict(authentication_type="azure", account="azure-sp", cluster_name="aks-prod", cluster_resource_group="rg-prod",
         admin_login=True),
    dict(authentication_type="google_cloud", account="gcp-deploy", cluster_name="gke-prod", project="sandbox-project",
         zone="europe-west1-b", impersonate_service_account=True, service_account_emails="deploy@sandbox.iam.gserviceaccount.com"),
    dict(authentication_type="google_cloud", use_vm_service_account=True, cluster_name="gke-prod", project="sandbox-project",
         region="europe-west1"),
    dict(authentication_type="certificate", client_certificate="k8s-client", cluster_certificate="K8S-CLUSTER-CA"),
    dict(authentication_type="pod_service", token_path="/var/run/secrets/kubernetes.io/serviceaccount/token",
         cluster_certificate_path="/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"),
    dict(account="k8s-token"),
]


@pytest.mark.parametrize("authentication", KUBERNETES_AUTHENTICATIONS)
def test_a_kubernetes_target_of_each_authentication_is_created_once(octopus, module_runner, request_log, authentication):
    endpoint = dict(communication_style="kubernetes", cluster_url="https://k8s.example.com:6443", skip_tls_verification=True,
                    **authentication)
    args = dict(octopus, name="k8s01", environments=["Test"], roles=["k8s"], endpoint=endpoint)
    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert predicted["changed"] is True, predicted
    assert all(entry["method"] == "GET" for entry in request_log("octopus"))
    created = module_runner(main, args, diff=True)
    assert created["changed"] is True, created
    assert created["machine"]["Endpoint"]["SkipTlsVerification"] == "True"
    # Check mode predicted what the server stored.
    assert predicted["diff"]["after"] == created["diff"]["after"]
    again = module_runner(main, args)
    assert again["changed"] is False, again
    assert module_runner(main, args, check_mode=True)["changed"] is False


def test_kubernetes_authentication_fields_are_stored_as_the_server_keeps_them(octopus, module_runner):
    endpoint = dict(communication_style="kubernetes", cluster_url="https://k8s.example.com:6443", **KUBERNETES_AUTHENTICATIONS[1])
    created = module_runner(main, dict(octopus, name="eks01", environments=["Test"], roles=["k8s"], endpoint=endpoint))
    assert created["machine"]["Endpoint"]["Authentication"] == {
        "AuthenticationType": "KubernetesAws", "AccountId": None, "ClusterName": "eks-prod", "UseInstanceRole": True,
        "AssumeRole": True, "AssumedRoleArn": "arn:aws:iam::123456789012:role/deploy", "AssumedRoleSession": "octopus",
        "AssumeRoleSessionDurationSeconds": 3600, "AssumeRoleExternalId": "sandbox-external-id"}
    endpoint = dict(communication_style="kubernetes", cluster_url="https://k8s.example.com:6443", **KUBERNETES_AUTHENTICATIONS[2])
    created = module_runner(main, dict(octopus, name="aks01", environments=["Test"], roles=["k8s"], endpoint=endpoint))
    authentication = created["machine"]["Endpoint"]["Authentication"]
    assert authentication["AdminLogin"] == "True" and authentication["AccountId"].startswith("Accounts-")
    endpoint = dict(communication_style="kubernetes", cluster_url="https://k8s.example.com:6443", **KUBERNETES_AUTHENTICATIONS[5])
    created = module_runner(main, dict(octopus, name="cert01", environments=["Test"], roles=["k8s"], endpoint=endpoint))
    certificate = {"AuthenticationType": "KubernetesCertificate", "ClientCertificate": "Certificates-1"}
    assert created["machine"]["Endpoint"]["Authentication"] == certificate
    assert created["machine"]["Endpoint"]["ClusterCertificate"] == "Certificates-2"


@pytest.mark.parametrize("authentication, message", [
    (dict(authentication_type="aws", cluster_name="eks-prod"), "authentication_type aws needs account (or use_instance_role: true)"),
    (dict(authentication_type="google_cloud", cluster_name="gke", project="p"),
     "authentication_type google_cloud needs account (or use_vm_service_account: true)"),
    (dict(authentication_type="aws", account="aws-deploy", cluster_name="eks", assume_role=True), "assume_role: true needs assumed_role_arn"),
    (dict(authentication_type="google_cloud", account="gcp-deploy", cluster_name="gke", project="p", impersonate_service_account=True),
     "impersonate_service_account: true needs service_account_emails"),
    (dict(authentication_type="azure", account="azure-sp", cluster_name="aks", cluster_resource_group="rg", use_instance_role=True),
     "use_instance_role does not apply to authentication_type azure"),
    (dict(authentication_type="certificate", client_certificate="no-such-certificate"),
     "client certificate 'no-such-certificate' does not exist in the default space"),
])
def test_a_kubernetes_authentication_that_cannot_work_is_refused_before_any_write(
        octopus, module_runner, request_log, authentication, message):
    endpoint = dict(communication_style="kubernetes", cluster_url="https://k8s.example.com:6443", **authentication)
    result = module_runner(main, dict(octopus, name="k8s09", environments=["Test"], roles=["k8s"], endpoint=endpoint))
    assert result["failed"] is True and message in result["msg"], result
    assert all(entry["method"] == "GET" for entry in request_log("octopus"))


@pytest.mark.parametrize("endpoint", [
    dict(communication_style="listening", uri="https://web01:10933/", thumbprint="A" * 40),
    dict(communication_style="ssh", host="web01", fingerprint="SHA256:sandbox", account="deploy-ssh"),
    dict(communication_style="kubernetes", cluster_url="https://k8s.example.com:6443", account="k8s-token"),
])
def test_an_empty_proxy_removes_the_targets_proxy(octopus, module_runner, sandbox_get, endpoint):
    args = dict(octopus, name="proxied01", environments=["Test"], roles=["web"], endpoint=dict(endpoint, proxy="Corporate proxy"))
    created = module_runner(main, args)
    assert created["machine"]["Endpoint"]["ProxyId"] == "Proxies-1", created
    args["endpoint"] = dict(endpoint, proxy="")
    predicted = module_runner(main, args, check_mode=True, diff=True)
    removed = module_runner(main, args, diff=True)
    assert predicted["changed"] is True and removed["changed"] is True, removed
    assert removed["machine"]["Endpoint"]["ProxyId"] is None
    for result in (predicted, removed):
        assert result["diff"]["before"]["Endpoint"]["ProxyId"] == "Proxies-1"
        assert result["diff"]["before"]["Endpoint"]["ProxyName"] == "Corporate proxy"
        assert "ProxyId" not in result["diff"]["after"]["Endpoint"]
    stored = sandbox_get("octopus", "/api/Spaces-1/machines/%s" % created["machine"]["Id"])
    assert "ProxyId" in stored["Endpoint"] and stored["Endpoint"]["ProxyId"] is None
    again = module_runner(main, args)
    assert again["changed"] is False, again
