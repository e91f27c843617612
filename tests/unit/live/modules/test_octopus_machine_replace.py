"""octopus_machine when the wanted communication style differs from the target's: fail, or replace."""

from __future__ import annotations


import pytest

from ansible_collections.opsforge.delivery.plugins.modules.octopus_machine import main

LISTENING = dict(communication_style="listening", uri="https://web01.example.com:10933/", thumbprint="8A2E4F1D0C")
CLOUD = dict(communication_style="cloud_region", default_worker_pool="Linux workers")


@pytest.fixture
def octopus(sandbox):
    return dict(url=sandbox.urls["octopus"], api_key=sandbox.credentials["octopus_api_key"], retries=0)


@pytest.fixture
def listening_target(octopus, module_runner):
    created = module_runner(main, dict(octopus, name="web01", environments=["Test", "Production"], roles=["web"],
                                       tenants=["Acme"], machine_policy="Transient", endpoint=LISTENING))
    assert created["changed"] is True, created
    return created["machine"]


def writes(request_log):
    return [(entry["method"], entry["path"], entry["status"]) for entry in request_log("octopus") if entry["method"] != "GET"]


def run_with_warnings(module_runner, args, **kwargs):
    result = module_runner(main, args, **kwargs)
    return result, result.get("warnings", [])


def test_another_style_fails_before_any_write_and_says_what_to_do(octopus, module_runner, listening_target, sandbox,
                                                                  request_log):
    sandbox.controls["octopus"].clear_requests()
    result = module_runner(main, dict(octopus, name="web01", endpoint=CLOUD))
    assert result["failed"] is True
    assert "communication style TentaclePassive (listening)" in result["msg"]
    assert "endpoint_style_change: replace" in result["msg"]
    assert writes(request_log) == []


def test_replace_in_check_mode_shows_the_new_target_and_sends_no_write(octopus, module_runner, listening_target, sandbox,
                                                                       request_log):
    sandbox.controls["octopus"].clear_requests()
    result, warnings = run_with_warnings(
        module_runner, dict(octopus, name="web01", endpoint=CLOUD, endpoint_style_change="replace"), check_mode=True,
        diff=True)
    assert result["changed"] is True, result
    assert writes(request_log) == []
    assert result["diff"]["before"]["Endpoint"]["CommunicationStyle"] == "TentaclePassive"
    assert result["diff"]["after"]["Endpoint"] == {"CommunicationStyle": "None", "DefaultWorkerPoolId": "WorkerPools-2",
                                                   "DefaultWorkerPoolName": "Linux workers"}
    assert "Id" not in result["machine"]
    assert any("is replaced" in warning and "new ID" in warning for warning in warnings)


def test_replace_deletes_then_creates_keeping_the_settings(octopus, module_runner, listening_target, sandbox,
                                                           request_log):
    sandbox.controls["octopus"].clear_requests()
    result, warnings = run_with_warnings(
        module_runner, dict(octopus, name="web01", endpoint=CLOUD, endpoint_style_change="replace"))
    assert result["changed"] is True, result
    assert writes(request_log) == [("DELETE", "/api/Spaces-1/machines/%s" % listening_target["Id"], 200),
                                   ("POST", "/api/Spaces-1/machines", 201)]
    replaced = result["machine"]
    assert replaced["Id"] != listening_target["Id"]
    assert replaced["Endpoint"]["CommunicationStyle"] == "None"
    kept = ("Name", "EnvironmentIds", "Roles", "TenantIds", "TenantedDeploymentParticipation", "MachinePolicyId")
    assert dict((key, replaced[key]) for key in kept) == dict((key, listening_target[key]) for key in kept)
    assert warnings
    again = module_runner(main, dict(octopus, name="web01", endpoint=CLOUD, endpoint_style_change="replace"))
    assert again["changed"] is False, again


def test_the_same_style_is_updated_in_place(octopus, module_runner, listening_target, sandbox, request_log):
    sandbox.controls["octopus"].clear_requests()
    result = module_runner(main, dict(octopus, name="web01", endpoint=dict(LISTENING, uri="https://web01.example.com:10934/"),
                                      endpoint_style_change="replace"))
    assert result["changed"] is True and result["machine"]["Id"] == listening_target["Id"]
    assert [method for method, _path, _status in writes(request_log)] == ["PUT"]
