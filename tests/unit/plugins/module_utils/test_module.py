"""Module wiring: an option with suboptions given a value that is no mapping fails clearly, secrets masked."""

from __future__ import annotations

import json

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._module import without_unusable_suboptions
from ansible_collections.opsforge.delivery.plugins.modules import octopus_machine, opsgenie_deployment

SPEC = dict(
    environment=dict(type="dict", options=dict(id=dict(type="str", required=True))),
    releases=dict(type="list", elements="dict", options=dict(commit=dict(type="str", required=True))),
    api_key=dict(type="str", no_log=True),
)
#: A list of mappings whose items have an option with suboptions of its own.
NESTED = dict(
    items=dict(type="list", elements="dict", options=dict(
        name=dict(type="str"),
        endpoint=dict(type="dict", options=dict(style=dict(type="str", required=True))),
    )),
)


@pytest.mark.parametrize("params", [
    {},
    {"environment": None, "releases": None},
    {"environment": {"id": "prod"}, "releases": [{"commit": "abc"}]},
    {"environment": '{"id": "prod"}', "releases": ["commit=abc"]},
    {"releases": {"commit": "abc"}},
])
def test_values_that_hold_mappings_keep_their_suboptions(params):
    assert without_unusable_suboptions(SPEC, params) == SPEC


@pytest.mark.parametrize("params, stripped", [
    ({"environment": "Production"}, "environment"),
    ({"environment": 5}, "environment"),
    ({"environment": ["id=prod"]}, "environment"),
    ({"releases": 7}, "releases"),
    ({"releases": ["abc"]}, "releases"),
    ({"releases": [{"commit": "abc"}, True]}, "releases"),
])
def test_values_that_cannot_hold_mappings_lose_their_suboptions(params, stripped):
    spec = without_unusable_suboptions(SPEC, params)
    assert "options" not in spec[stripped]
    assert spec[stripped]["type"] == SPEC[stripped]["type"]
    assert "options" in SPEC[stripped]  # the module's own spec is left alone
    assert all(spec[name] == SPEC[name] for name in SPEC if name != stripped)


def test_the_suboptions_of_each_item_of_a_list_are_looked_at_too():
    kept = dict(items=[dict(name="a", endpoint=dict(style="x")), dict(name="b"), "name=c"])
    assert without_unusable_suboptions(NESTED, kept) == NESTED
    spec = without_unusable_suboptions(NESTED, dict(items=[dict(name="a", endpoint=dict(style="x")), dict(name="b", endpoint="x")]))
    assert "options" not in spec["items"]["options"]["endpoint"]
    assert spec["items"]["options"]["name"] == NESTED["items"]["options"]["name"]
    assert "options" in NESTED["items"]["options"]["endpoint"]  # the module's own spec is left alone


@pytest.mark.parametrize("main, args, option", [
    (opsgenie_deployment.main, dict(external_id="r1", state="started", releases=7), "releases"),
    (opsgenie_deployment.main, dict(external_id="r1", state="started", releases=["abc"]), "releases"),
    (opsgenie_deployment.main, dict(external_id="r1", state="started", environment="Production"), "environment"),
    (opsgenie_deployment.main, dict(external_id="r1", state="started", environment=True), "environment"),
    (octopus_machine.main, dict(name="web01", endpoint=5), "endpoint"),
    (octopus_machine.main, dict(machines=[dict(name="web01", endpoint="cloud_region")]), "endpoint"),
    (octopus_machine.main, dict(machines=[dict(name="web01"), 5]), "machines"),
])
def test_the_failure_names_the_option_and_masks_the_key(main, args, option, real_failure):
    secret = "unit-test-secret-key"
    result = real_failure(main, dict(args, url="http://127.0.0.1:9", api_key=secret))
    assert "'%s'" % option in result["msg"]
    assert "convert to dict" in result["msg"]
    assert secret not in json.dumps(result)
    assert result["invocation"]["module_args"]["api_key"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_without_parameters_the_spec_is_kept():
    assert without_unusable_suboptions(SPEC, None) is SPEC
