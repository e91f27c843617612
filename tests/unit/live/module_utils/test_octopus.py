"""The Octopus client against the sandbox: links from /api, spaces, paging, errors."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import OctopusClient
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine import References
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError


@pytest.fixture
def octopus(sandbox):
    return dict(url=sandbox.urls["octopus"], api_key=sandbox.credentials["octopus_api_key"], retries=0)


def add_machines(octopus, count):
    for number in range(count):
        response = requests.post(
            octopus["url"] + "/api/Spaces-1/machines",
            headers={"X-Octopus-ApiKey": octopus["api_key"]},
            json={"Name": "node%02d" % number, "EnvironmentIds": ["Environments-1"], "Roles": ["web"],
                  "TenantIds": [], "TenantTags": [], "Endpoint": {"CommunicationStyle": "None"}},
            timeout=10,
        )
        assert response.status_code == 201, response.text


def test_a_listing_follows_the_next_page_links(octopus):
    add_machines(octopus, 12)
    client = OctopusClient(octopus)
    space = client.space(None)
    names = [item["Name"] for item in client.items(space.links["Machines"], "list", take=5)]
    assert names == ["node%02d" % number for number in range(12)]
    # The root document, then three pages of five.
    assert client.http.request_count == 4


def test_the_default_space_costs_no_request_beyond_the_root(octopus):
    client = OctopusClient(octopus)
    space = client.space(None)
    assert "/api/Spaces-1/machines" in space.links["Machines"]
    assert client.http.request_count == 1


@pytest.mark.parametrize("wanted", ["Platform", "platform", "Spaces-2", "spaces-2"])
def test_a_space_by_name_or_id_has_its_own_links(octopus, wanted):
    space = OctopusClient(octopus).space(wanted)
    assert space.id == "Spaces-2"
    assert "/api/Spaces-2/machines" in space.links["Machines"]


@pytest.mark.parametrize("wanted", ["Nowhere", "Spaces-99"])
def test_a_missing_space_is_an_input_error(octopus, wanted):
    with pytest.raises(InputError, match="no space"):
        OctopusClient(octopus).space(wanted)


def test_names_resolve_exactly_ignoring_case_and_ids_pass_through(octopus):
    client = OctopusClient(octopus)
    references = References(client, client.space(None))
    assert references.resolve("Environments", "production", "environment") == "Environments-3"
    assert references.resolve("Environments", "Environments-1", "environment") == "Environments-1"
    # Ids in any case name the same resource, and come back as the server spells them.
    assert references.resolve("Environments", "environments-2", "environment") == "Environments-2"
    with pytest.raises(InputError, match="environment 'Prod' does not exist"):
        references.resolve("Environments", "Prod", "environment")
    # One listing for all of them.
    assert client.http.request_count == 2


def test_a_wrong_key_is_reported_in_octopus_words_without_the_key(octopus):
    client = OctopusClient(dict(octopus, api_key="API-NOTTHEKEY0000000000000000"))
    with pytest.raises(ApiError) as caught:
        client.root()
    assert caught.value.status == 401
    assert "Either your API key is invalid" in str(caught.value)
    assert "API-NOTTHEKEY" not in str(caught.value)
