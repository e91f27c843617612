"""The idempotency engine with an in-memory resource: plan, check mode, apply, diff."""

from __future__ import annotations

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import (
    CREATE,
    CreatedMeanwhile,
    DELETE,
    NOTHING,
    UPDATE,
    Resource,
    TextView,
    build_diff,
    ensure,
    mask_secrets,
    overlay,
    subset_differences,
)


class MemoryResource(Resource):
    """A dict kept in memory; every write is recorded."""

    secret_keys = frozenset(["password"])

    def __init__(self, stored, wanted):
        self.stored = stored
        self.wanted = wanted
        self.writes = []

    def read(self):
        return None if self.stored is None else dict(self.stored)

    def desired(self, current):
        return overlay(current or {}, self.wanted)

    def differs(self, current, desired):
        return bool(subset_differences(self.wanted, current))

    def create(self, desired):
        self.writes.append(("create", desired))
        self.stored = dict(desired, id=1)
        return dict(self.stored)

    def update(self, current, desired):
        self.writes.append(("update", desired))
        self.stored = desired
        return dict(self.stored)

    def delete(self, current):
        self.writes.append(("delete", current))
        self.stored = None


@pytest.mark.parametrize("check_mode", [True, False])
def test_create(check_mode):
    resource = MemoryResource(None, {"name": "a", "password": "p"})
    outcome = ensure(resource, "present", check_mode)
    assert outcome.action == CREATE and outcome.changed
    assert outcome.before is None
    assert outcome.after["name"] == "a"
    assert resource.writes == ([] if check_mode else [("create", {"name": "a", "password": "p"})])


def test_unchanged_when_only_unmanaged_fields_differ():
    resource = MemoryResource({"name": "a", "color": "red", "health": "ok"}, {"name": "a"})
    outcome = ensure(resource, "present", False)
    assert outcome.action == NOTHING and not outcome.changed
    assert resource.writes == []


@pytest.mark.parametrize("check_mode", [True, False])
def test_update_keeps_what_the_user_did_not_mention(check_mode):
    resource = MemoryResource({"name": "a", "color": "red", "nested": {"x": 1, "y": 2}},
                              {"color": "blue", "nested": {"y": 3}})
    outcome = ensure(resource, "present", check_mode)
    assert outcome.action == UPDATE
    assert outcome.after == {"name": "a", "color": "blue", "nested": {"x": 1, "y": 3}}
    assert len(resource.writes) == (0 if check_mode else 1)


@pytest.mark.parametrize("check_mode", [True, False])
def test_delete(check_mode):
    resource = MemoryResource({"name": "a"}, {})
    outcome = ensure(resource, "absent", check_mode)
    assert outcome.action == DELETE and outcome.after is None
    assert len(resource.writes) == (0 if check_mode else 1)


def test_delete_absent_is_nothing():
    resource = MemoryResource(None, {})
    outcome = ensure(resource, "absent", False)
    assert outcome.action == NOTHING and resource.writes == []


def test_diff_masks_secrets():
    resource = MemoryResource({"name": "a", "password": "old"}, {"password": "new"})
    outcome = ensure(resource, "present", True)
    diff = build_diff(resource, outcome)
    assert diff["before"]["password"] == "********"
    assert diff["after"]["password"] == "********"
    assert "old" not in repr(diff) and "new" not in repr(diff)


def test_text_diff_has_headers_and_trailing_newline():
    class Text(MemoryResource):
        def diff_view(self, representation):
            return TextView(representation["text"], "doc")

    resource = Text(None, {"text": "line"})
    diff = build_diff(resource, ensure(resource, "present", True))
    assert diff == {"before": "", "after": "line\n", "before_header": "(absent)", "after_header": "doc"}


def test_subset_differences_paths():
    have = {"a": 1, "b": {"c": 2, "d": [1, 2]}, "e": "x"}
    assert subset_differences({"a": 1, "b": {"c": 2}}, have) == []
    assert subset_differences({"b": {"c": 3, "d": [2, 1]}}, have) == ["b.c", "b.d"]
    assert subset_differences({"z": None}, have) == []
    assert subset_differences({"z": 0}, have) == ["z"]


def test_overlay_does_not_touch_its_inputs():
    base = {"a": {"b": 1}}
    merged = overlay(base, {"a": {"c": 2}})
    assert merged == {"a": {"b": 1, "c": 2}}
    assert base == {"a": {"b": 1}}


def test_mask_secrets_deep():
    value = {"items": [{"password": "p", "name": "n"}], "password": None}
    assert mask_secrets(value, {"password"}) == {"items": [{"password": "********", "name": "n"}], "password": None}


class RacedResource(MemoryResource):
    """Another run creates the resource (as ``theirs``) between this run's read and its create."""

    def __init__(self, theirs, wanted, conflict):
        super().__init__(None, wanted)
        self.theirs = theirs
        self.conflict = conflict

    def create(self, desired):
        self.writes.append(("create", desired))
        self.stored = dict(self.theirs, id=2)
        raise self.conflict


def api_error(status):
    return ApiError("Service", "create a", "POST", "http://example.invalid/a", status, "refused")


@pytest.mark.parametrize("conflict", [CreatedMeanwhile(), api_error(409)], ids=["created-meanwhile", "http-409"])
def test_a_lost_race_to_create_an_equal_resource_changes_nothing(conflict):
    resource = RacedResource({"name": "a"}, {"name": "a"}, conflict)
    outcome = ensure(resource, "present", False)
    assert outcome.action == NOTHING and not outcome.changed
    assert outcome.after == {"name": "a", "id": 2}
    assert [kind for kind, dummy in resource.writes] == ["create"]


def test_a_lost_race_to_create_a_different_resource_updates_it():
    resource = RacedResource({"name": "a", "size": 1}, {"name": "a", "size": 2}, CreatedMeanwhile())
    outcome = ensure(resource, "present", False)
    assert outcome.action == UPDATE and outcome.before == {"name": "a", "size": 1, "id": 2}
    assert resource.stored == {"name": "a", "size": 2, "id": 2}


def test_other_create_failures_are_not_taken_for_a_race():
    resource = RacedResource({"name": "a"}, {"name": "a"}, api_error(400))
    with pytest.raises(ApiError, match="HTTP 400"):
        ensure(resource, "present", False)


def test_a_conflict_with_nothing_there_afterwards_is_raised():
    resource = RacedResource({"name": "a"}, {"name": "a"}, api_error(409))
    resource.read = lambda: None
    with pytest.raises(ApiError, match="HTTP 409"):
        ensure(resource, "present", False)
