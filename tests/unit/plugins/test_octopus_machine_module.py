"""octopus_machine run in-process against the sandbox."""

from __future__ import annotations

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
