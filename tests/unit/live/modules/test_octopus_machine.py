"""octopus_machine run in-process against the sandbox."""

from __future__ import annotations

import json

import pytest

from ansible_collections.opsforge.delivery.plugins.modules.octopus_machine import main


@pytest.fixture
def octopus(sandbox):
    return dict(url=sandbox.urls["octopus"], api_key=sandbox.credentials["octopus_api_key"], retries=0)


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


@pytest.mark.parametrize("authentication", [
    dict(authentication_type="aws", account="k8s-token", cluster_name="eks-prod"),
    dict(authentication_type="pod_service", token_path="/var/run/secrets/kubernetes.io/serviceaccount/token"),
    dict(account="k8s-token"),
])
def test_a_kubernetes_target_of_each_authentication_is_created_once(octopus, module_runner, authentication):
    endpoint = dict(communication_style="kubernetes", cluster_url="https://k8s.example.com:6443", skip_tls_verification=True,
                    **authentication)
    args = dict(octopus, name="k8s01", environments=["Test"], roles=["k8s"], endpoint=endpoint)
    created = module_runner(main, args)
    assert created["changed"] is True, created
    assert created["machine"]["Endpoint"]["SkipTlsVerification"] == "True"
    again = module_runner(main, args)
    assert again["changed"] is False, again
