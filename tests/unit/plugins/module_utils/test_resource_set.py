"""The engine's hooks and its set of resources, with in-memory resources, and the one runner's results."""

from __future__ import annotations

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._module import run_module
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import (
    CREATE,
    NOTHING,
    REPLACE,
    UPDATE,
    Change,
    Resource,
    ResourceSet,
    ensure,
    ensure_set,
    item_options,
)


class Store(object):
    """Records by name, every write logged; ``fail_on`` names the write (by number, from 1) that fails."""

    def __init__(self, records=None, fail_on=None):
        self.records = dict(records or {})
        self.writes = []
        self.fail_on = fail_on

    def write(self, kind, name, record=None):
        self.writes.append((kind, name))
        if len(self.writes) == self.fail_on:
            raise ApiError("Memory", "%s %s" % (kind, name), "PUT", "http://memory/%s" % name, 500, "refused")
        if record is None:
            self.records.pop(name, None)
        else:
            self.records[name] = dict(record)
        return record


class Item(Resource):
    """One record of the store; ``size`` cannot change in place, so a new size replaces the record."""

    result_key = "item"

    def __init__(self, store, name, wanted=None):
        super(Item, self).__init__()
        self.store = store
        self.name = name
        self.wanted = wanted or {}

    def read(self):
        record = self.store.records.get(self.name)
        return dict(record) if record is not None else None

    def desired(self, current):
        return dict(current or {}, name=self.name, **self.wanted)

    def must_replace(self, current, desired):
        return current.get("size") != desired.get("size")

    def create(self, desired):
        return self.store.write("create", self.name, desired)

    def update(self, current, desired):
        return self.store.write("update", self.name, desired)

    def delete(self, current):
        self.store.write("delete", self.name)

    def lost_race_warning(self, current, error):
        return "%s was made by another run" % self.name


class Items(ResourceSet):
    """The items ``wanted`` names; with ``exclusive``, every other record of the store goes."""

    result_key = "items"

    def __init__(self, store, wanted, exclusive=False):
        super(Items, self).__init__()
        self.store = store
        self.wanted = wanted
        self.exclusive = exclusive

    def read(self, check_mode):
        items = [(Item(self.store, name, fields), "present", self.store.records.get(name))
                 for name, fields in sorted(self.wanted.items())]
        if self.exclusive:
            items.extend((Item(self.store, name), "absent", record)
                         for name, record in sorted(self.store.records.items()) if name not in self.wanted)
        self.members = [member for member, dummy, dummy2 in items]
        return items


def stored(**records):
    return dict((name, dict(record, name=name)) for name, record in records.items())


@pytest.mark.parametrize("check_mode", [True, False])
def test_a_set_plans_each_member_and_writes_only_what_differs(check_mode):
    store = Store(stored(a={"size": 1, "color": "red"}, b={"size": 1, "color": "red"}, old={"size": 1}))
    items = Items(store, dict(a={"size": 1, "color": "red"}, b={"size": 1, "color": "blue"}, c={"size": 2}),
                  exclusive=True)
    changes = ensure_set(items, check_mode)
    assert [(change.member.name, change.action) for change in changes] == [
        ("a", NOTHING), ("b", UPDATE), ("c", CREATE), ("old", "delete")]
    listed = items.result(changes)
    assert [item["name"] for item in listed["unchanged"]] == ["a"]
    assert listed["updated"] == [{"name": "b", "size": 1, "color": "blue"}]
    assert [item["name"] for item in listed["created"]] == ["c"]
    assert [item["name"] for item in listed["deleted"]] == ["old"]
    assert store.writes == ([] if check_mode else [("update", "b"), ("create", "c"), ("delete", "old")])


def test_a_converged_set_sends_no_write():
    store = Store(stored(a={"size": 1}))
    changes = ensure_set(Items(store, dict(a={"size": 1})), False)
    assert [change.action for change in changes] == [NOTHING] and store.writes == []


def test_a_failure_part_way_names_what_was_done_and_reports_the_change():
    store = Store(fail_on=2)
    items = Items(store, dict(a={"size": 1}, b={"size": 1}, c={"size": 1}))
    with pytest.raises(ApiError) as caught:
        ensure_set(items, False)
    done = items.failure_result(caught.value)["items"]
    assert [item["name"] for item in done["created"]] == ["a"]
    assert [item["name"] for item in done["not_done"]["create"]] == ["b", "c"]
    assert items.changed_by_failure(caught.value) is True
    assert store.records.keys() == {"a"}


def test_a_failure_before_any_write_reports_nothing_done():
    items = Items(Store(), dict(a={"size": 1}))
    assert items.failure_result(InputError("bad")) == {}


@pytest.mark.parametrize("check_mode", [True, False])
def test_what_cannot_change_in_place_is_replaced(check_mode):
    store = Store(stored(a={"size": 1}))
    outcome = ensure(Item(store, "a", {"size": 2}), "present", check_mode)
    assert outcome.action == REPLACE and outcome.changed
    assert outcome.before == {"name": "a", "size": 1} and outcome.after == {"name": "a", "size": 2}
    assert store.writes == ([] if check_mode else [("delete", "a"), ("create", "a")])


def test_a_member_another_run_created_is_planned_again_never_created_twice():
    store = Store()
    change = Change(Item(store, "a", {"size": 1, "color": "blue"}), "present", None)
    assert change.action == CREATE
    change.went_on_after_lost_race({"name": "a", "size": 1, "color": "red"})
    assert change.action == UPDATE and change.member.warnings == ["a was made by another run"]
    same = Change(Item(store, "b", {"size": 1}), "present", None)
    same.went_on_after_lost_race({"name": "b", "size": 1})
    assert same.action == NOTHING and same.done
    # A winner that differs in what cannot change in place is left to that run, not replaced.
    other = Change(Item(store, "c", {"size": 1}), "present", None)
    other.went_on_after_lost_race({"name": "c", "size": 5})
    assert other.action == NOTHING


class Module(object):
    """What run_module uses of an AnsibleModule; exit_json and fail_json end the run with the result."""

    class Ended(Exception):
        pass

    def __init__(self, check_mode=False, diff=True):
        self.params = dict(state="present")
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []
        self.result = None

    def warn(self, warning):
        self.warnings.append(warning)

    def exit_json(self, **result):
        self.result = result
        raise self.Ended()

    def fail_json(self, **result):
        self.result = dict(result, failed=True)
        raise self.Ended()


def run(build, **module_options):
    module = Module(**module_options)
    with pytest.raises(Module.Ended):
        run_module(module, build)
    return module


def test_the_runner_gives_a_set_its_items_one_diff_per_change_and_every_warning():
    store = Store(stored(a={"size": 1}))
    items = Items(store, dict(a={"size": 2}, b={"size": 1}))
    items.warnings.append("set warning")
    module = run(lambda module: items)
    assert module.result["changed"] is True
    assert [item["name"] for item in module.result["items"]["replaced"]] == ["a"]
    assert [item["name"] for item in module.result["items"]["created"]] == ["b"]
    assert [(diff["before"], diff["after"]) for diff in module.result["diff"]] == [
        ({"name": "a", "size": 1}, {"name": "a", "size": 2}), ({}, {"name": "b", "size": 1})]
    assert module.warnings == ["set warning"]


def test_the_runner_reports_a_failure_with_what_the_resource_adds():
    store = Store(fail_on=1)
    module = run(lambda module: Items(store, dict(a={"size": 1})))
    assert module.result["failed"] and module.result["changed"] is False
    assert module.result["items"] == dict(created=[], updated=[], deleted=[], unchanged=[],
                                          not_done=dict(create=[{"name": "a", "size": 1}]))
    assert "refused" in module.result["msg"]


def test_the_runner_turns_a_bad_option_into_a_message_and_changes_nothing():
    def build(module):
        raise InputError("size must be a number")
    module = run(build)
    assert module.result == dict(msg="size must be a number", failed=True)


def test_the_runner_shows_one_resource_under_its_key_and_warns_once_per_text():
    store = Store(stored(a={"size": 1}))
    item = Item(store, "a", {"size": 1})
    item.warnings.extend(["twice", "twice"])
    module = run(lambda module: item, check_mode=True)
    assert module.result == dict(changed=False, item={"name": "a", "size": 1},
                                 diff=dict(before={"name": "a", "size": 1}, after={"name": "a", "size": 1}))
    assert module.warnings == ["twice"]


def test_item_options_take_the_tasks_option_for_what_an_item_leaves_out():
    task = dict(roles=["web"], environments=["Test"], name=None)
    assert item_options(dict(name="a", roles=None, environments=["Production"]), task, ("name", "roles", "environments")) == \
        dict(name="a", roles=["web"], environments=["Production"])
    # A value given, even an empty list or false, is the item's own.
    assert item_options(dict(name="b", roles=[]), task, ("roles",)) == dict(roles=[])
