"""The default space: from the root document's links, from the user's spaces as Octopus.Client finds
it, or a clear failure that says to set ``space`` when the server has none."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import OctopusClient
from ansible_collections.opsforge.delivery.plugins.modules.octopus_machine import main

ROOT_WITHOUT_SPACE_LINKS = {
    "Application": "Octopus Deploy", "Version": "2025.2.0", "ApiVersion": "3.0.0",
    "Links": {"Self": "/api", "SpaceHome": "/api/{spaceId}", "Spaces": "/api/spaces{/id}{?name,skip,ids,take,partialName}",
              "CurrentUser": "/api/users/me"},
}


@pytest.fixture
def octopus(sandbox):
    return dict(url=sandbox.urls["octopus"], api_key=sandbox.credentials["octopus_api_key"], retries=0)


@pytest.fixture
def no_default_space(sandbox):
    response = requests.put(sandbox.urls["octopus"] + "/__sandbox__/settings", json={"default_space": False}, timeout=5)
    assert response.status_code == 200


def test_without_a_default_space_the_module_says_to_set_space(octopus, module_runner, no_default_space, request_log):
    result = module_runner(main, dict(octopus, name="web01", environments=["Test"], roles=["web"],
                                      endpoint=dict(communication_style="cloud_region")))
    assert result["failed"] is True
    assert "no default space" in result["msg"] and "set space" in result["msg"]
    # The root document, the current user and the user's spaces; nothing written.
    assert [entry["path"] for entry in request_log("octopus")] == ["/api", "/api/users/me", "/api/users/Users-1/spaces"]


def test_without_a_default_space_a_named_space_works(octopus, module_runner, no_default_space):
    result = module_runner(main, dict(octopus, space="Default", name="web01", environments=["Test"], roles=["web"],
                                      endpoint=dict(communication_style="cloud_region")))
    assert result["changed"] is True and result["machine"]["SpaceId"] == "Spaces-1", result


def test_a_root_without_space_links_finds_the_default_space_among_the_users_spaces(octopus, add_fault):
    # A root document without the space-scoped links, over a server that has a default space.
    add_fault({"method": "GET", "path": "^/api$", "status": 200, "body": json.dumps(ROOT_WITHOUT_SPACE_LINKS)}, "octopus")
    client = OctopusClient(octopus)
    space = client.space(None)
    assert (space.id, space.name) == ("Spaces-1", "Default")
    assert space.links["Machines"].startswith("/api/Spaces-1/machines")
    # Root, current user, the user's spaces, the space's home document.
    assert client.http.request_count == 4


def test_a_key_that_may_not_read_its_spaces_sees_no_default_space(octopus, add_fault):
    add_fault({"method": "GET", "path": "^/api$", "status": 200, "body": json.dumps(ROOT_WITHOUT_SPACE_LINKS)}, "octopus")
    add_fault({"method": "GET", "path": "/spaces$", "status": 403}, "octopus")
    with pytest.raises(Exception, match="set space"):
        OctopusClient(octopus).space(None)
