"""Sets of Octopus targets without a server: the scope of exclusive, each item's options, input refused early."""

from __future__ import annotations

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine_set import (
    ITEM_OPTIONS,
    check_set_options,
    in_scope,
    machine_items,
    scope_criteria,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError

MACHINE = {"Name": "Web-Prod01", "EnvironmentIds": ["Environments-3"], "Roles": ["Web-Server", "api"]}


def task(**options):
    """The module's params of a set task: every option the argument spec has, None unless given."""
    params = dict((name, None) for name in ITEM_OPTIONS + ("name", "space", "machines", "exclusive_scope"))
    params.update(state="present", endpoint_style_change="fail", exclusive=False)
    params.update(options)
    return params


def item(**options):
    """An item as Ansible's argument spec hands it over: every suboption, None unless given."""
    return dict(dict((name, None) for name in ITEM_OPTIONS + ("name",)), **options)


# -- the scope of exclusive ---------------------------------------------------------------------------------

@pytest.mark.parametrize("criteria, expected", [
    (dict(), True),
    (dict(environment_ids=["environments-3"]), True),
    (dict(environment_ids=["Environments-2"]), False),
    (dict(environment_ids=["Environments-2", "ENVIRONMENTS-3"]), True),
    (dict(roles=["web-server"]), True),
    (dict(roles=["db"]), False),
    (dict(name_prefix="web-"), True),
    (dict(name_prefix="prod"), False),
    (dict(environment_ids=["Environments-3"], roles=["API"], name_prefix="WEB"), True),
    # Every criterion given must match.
    (dict(environment_ids=["Environments-3"], roles=["db"]), False),
    (dict(roles=["api"], name_prefix="db-"), False),
])
def test_a_target_is_in_scope_when_it_matches_every_criterion_ignoring_case(criteria, expected):
    assert in_scope(MACHINE, **criteria) is expected


def test_a_target_without_environments_or_roles_is_in_no_scope_of_them():
    bare = {"Name": "x", "EnvironmentIds": None}
    assert in_scope(bare, environment_ids=["Environments-1"]) is False
    assert in_scope(bare, roles=["web"]) is False
    assert in_scope(bare, name_prefix="x") is True


@pytest.mark.parametrize("scope, criteria", [
    (None, {}),
    (dict(environments=None, roles=None, name_prefix=None), {}),
    (dict(environments=[], roles=[" "], name_prefix="   "), {}),
    (dict(environments=["Production"], roles=None, name_prefix=None), dict(environments=["Production"])),
    # A name's start is trimmed, so a prefix's is; a space at its end is part of it.
    (dict(environments=None, roles=["web", ""], name_prefix="  web "), dict(roles=["web"], name_prefix="web ")),
])
def test_empty_criteria_are_no_criteria(scope, criteria):
    assert scope_criteria(scope) == criteria


# -- exclusive refused when it cannot be meant --------------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    (dict(machines=[], exclusive=True), "exclusive needs exclusive_scope"),
    (dict(machines=[], exclusive=True, exclusive_scope=dict(environments=[], roles=None, name_prefix="")),
     "it would delete every target of the space that machines does not list"),
    (dict(machines=[], exclusive_scope=dict(environments=None, roles=["web"], name_prefix=None)),
     "exclusive_scope limits exclusive"),
    (dict(machines=[], exclusive=True, state="absent", exclusive_scope=dict(environments=None, roles=["web"], name_prefix=None)),
     "state: absent contradicts"),
    (dict(name="web01", exclusive=True, exclusive_scope=dict(environments=None, roles=["web"], name_prefix=None)),
     "exclusive applies to machines"),
])
def test_exclusive_without_a_scope_or_a_meaning_is_refused(options, message):
    with pytest.raises(InputError, match=message):
        check_set_options(task(**options))


def test_exclusive_with_a_scope_and_a_single_target_without_exclusive_pass():
    check_set_options(task(machines=[], exclusive=True, exclusive_scope=dict(environments=None, roles=None, name_prefix="web-")))
    check_set_options(task(name="web01"))


# -- each item's options ------------------------------------------------------------------------------------

def test_an_item_takes_the_tasks_option_for_each_it_leaves_out():
    endpoint = dict(communication_style="cloud_region")
    params = task(environments=["Test"], roles=["web"], endpoint=endpoint, disabled=False, space="Platform", machines=[
        item(name="one"),
        item(name="two", roles=["db"], disabled=True, state="absent"),
        item(name="three", roles=[], endpoint_style_change="replace"),
    ])
    (where1, one), (where2, two), (where3, three) = machine_items(params)
    assert (where1, where2, where3) == ("machines[0] (one)", "machines[1] (two)", "machines[2] (three)")
    assert sorted(one) == sorted(ITEM_OPTIONS + ("name", "space"))
    assert (one["environments"], one["roles"], one["endpoint"], one["state"], one["space"]) == (
        ["Test"], ["web"], endpoint, "present", "Platform")
    assert (two["roles"], two["disabled"], two["state"], two["environments"]) == (["db"], True, "absent", ["Test"])
    # A value given, even empty, is the item's own.
    assert three["roles"] == [] and three["endpoint_style_change"] == "replace"
    assert one["endpoint_style_change"] == "fail"


@pytest.mark.parametrize("machines, message", [
    ([item(name="web01"), item(name="db01"), item(name=" WEB01")], r"machines\[0\] and machines\[2\] name the same target \(WEB01\)"),
    ([item(name="Café"), item(name="CAFÉ ")], r"machines\[0\] and machines\[1\] name the same target"),
    ([item(name="web01"), item(name="\t")], r"machines\[1\] \(\): name must not be empty"),
    ([item(name="web01", tenant_tags=["Tier/Gold", "Silver"])], r"machines\[0\] \(web01\): tenant_tags must each be TagSet/Tag.*: Silver"),
    ([item(name="k8s", endpoint=dict(communication_style="kubernetes", cluster_url="http://k8s"))],
     r"machines\[0\] \(k8s\): endpoint: cluster_url must be an https:// address"),
    ([item(name="poll", endpoint=dict(communication_style="polling", uri="https://poll/"))],
     r"machines\[0\] \(poll\): endpoint: a polling Tentacle's uri is its subscription address"),
])
def test_items_are_checked_as_single_targets_are_before_any_request(machines, message):
    with pytest.raises(InputError, match=message):
        machine_items(task(machines=machines))


def test_an_endpoint_is_not_checked_for_an_item_that_deletes_its_target():
    wrong = dict(communication_style="cloud_region", host="not for a cloud region")
    items = machine_items(task(endpoint=wrong, machines=[item(name="old01", state="absent")]))
    assert items[0][1]["state"] == "absent"
    with pytest.raises(InputError, match="host does not apply"):
        machine_items(task(endpoint=wrong, machines=[item(name="old01", state="absent"), item(name="new01")]))
