"""Properties of the idempotency engine's helpers: subset comparison, overlay, unique, secret masking."""

from __future__ import annotations

import copy
import json

from hypothesis import assume, given
from hypothesis import strategies as st

from ansible_collections.opsforge.delivery.plugins.module_utils._resource import (
    MASK,
    NOTHING,
    Resource,
    ensure,
    mask_secrets,
    overlay,
    subset_differences,
    unique,
)

SECRET_KEYS = frozenset(["password", "api_key", "token"])
keys = st.sampled_from(["name", "id", "tags", "config", "a", "b", "Password"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=4))
# JSON data, as read from an API or given as options.
data = st.recursive(scalars, lambda children: st.one_of(st.lists(children, max_size=3),
                                                        st.dictionaries(keys, children, max_size=3)), max_leaves=8)
mappings = st.dictionaries(keys, data, max_size=4)


def leaf_paths(mapping, prefix=""):
    """The dotted paths of ``mapping``'s values that are not mappings themselves."""
    for key, value in mapping.items():
        path = "%s.%s" % (prefix, key) if prefix else key
        if isinstance(value, dict) and value:
            yield from leaf_paths(value, path)
        else:
            yield path


def set_path(mapping, path, value):
    *parents, last = path.split(".")
    for key in parents:
        mapping = mapping[key]
    mapping[last] = value


# -- subset comparison and overlay ---------------------------------------------------------


@given(mappings, mappings)
def test_a_mapping_has_no_difference_from_itself_nor_from_an_overlay_of_it(have, wanted):
    assert subset_differences(wanted, copy.deepcopy(wanted)) == []
    assert subset_differences(wanted, overlay(have, wanted)) == []


@given(mappings, mappings, st.data())
def test_a_changed_value_the_user_set_is_a_difference_at_its_path(have, wanted, choice):
    merged = overlay(have, wanted)
    paths = sorted(leaf_paths(wanted))
    assume(paths)
    path = choice.draw(st.sampled_from(paths), label="path")
    set_path(merged, path, object())
    assert path in subset_differences(wanted, merged)


@given(mappings, mappings)
def test_overlaying_twice_changes_nothing_keeps_the_rest_and_touches_no_input(base, changes):
    before = copy.deepcopy((base, changes))
    once = overlay(base, changes)
    assert overlay(once, changes) == once
    assert (base, changes) == before
    for key, value in base.items():
        if key not in changes:
            assert once[key] == value


@given(st.lists(data, max_size=8))
def test_unique_keeps_each_value_once_in_its_first_order(values):
    result = unique(values)
    assert unique(result) == result
    assert all(value in result for value in values)
    assert [values.index(value) for value in result] == sorted(values.index(value) for value in result)


# -- secrets ---------------------------------------------------------------------------------

secret_values = st.integers(0, 10 ** 6).map(lambda n: "s3cret-%d" % n)
# Data in which a secret may sit under a secret key at any depth, even as a list or a mapping.
secrets = st.dictionaries(st.sampled_from(sorted(SECRET_KEYS)), st.one_of(
    secret_values, st.lists(secret_values, min_size=1, max_size=2), st.dictionaries(keys, secret_values, min_size=1)),
    min_size=1, max_size=2)
data_with_secrets = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(keys, children, max_size=3),
        st.builds(lambda others, hidden: dict(others, **hidden), st.dictionaries(keys, children, max_size=2), secrets)),
    max_leaves=8)


@given(data_with_secrets)
def test_masking_never_lets_a_secret_through(value):
    masked = mask_secrets(value, SECRET_KEYS)
    assert "s3cret-" not in json.dumps(masked)


@given(data_with_secrets)
def test_masking_twice_changes_nothing_and_keeps_the_rest(value):
    before = copy.deepcopy(value)
    masked = mask_secrets(value, SECRET_KEYS)
    assert mask_secrets(masked, SECRET_KEYS) == masked
    assert value == before

    def same_but_secrets(original, shown):
        if isinstance(original, dict):
            assert set(shown) == set(original)
            for key, item in original.items():
                if key in SECRET_KEYS and item is not None:
                    assert shown[key] == MASK
                else:
                    same_but_secrets(item, shown[key])
        elif isinstance(original, list):
            assert len(shown) == len(original)
            for item, shown_item in zip(original, shown):
                same_but_secrets(item, shown_item)
        else:
            assert shown == original
    same_but_secrets(value, masked)


# -- the engine ------------------------------------------------------------------------------


class StoredMapping(Resource):
    """A mapping in memory, managed by the keys the user sets (the shape of the modules' resources)."""

    secret_keys = SECRET_KEYS

    def __init__(self, stored, wanted):
        self.stored = stored
        self.wanted = wanted
        self.writes = 0

    def read(self):
        return copy.deepcopy(self.stored)

    def desired(self, current):
        return overlay(current or {}, self.wanted)

    def differs(self, current, desired):
        return bool(subset_differences(self.wanted, current))

    def create(self, desired):
        self.writes += 1
        self.stored = copy.deepcopy(desired)
        return self.read()

    def update(self, current, desired):
        return self.create(desired)


@given(st.one_of(st.none(), mappings), mappings)
def test_check_mode_predicts_the_run_and_a_second_run_changes_nothing(stored, wanted):
    predicted = ensure(StoredMapping(copy.deepcopy(stored), wanted), "present", check_mode=True)
    resource = StoredMapping(copy.deepcopy(stored), wanted)
    applied = ensure(resource, "present", check_mode=False)
    assert (predicted.action, predicted.after) == (applied.action, applied.after)
    again = ensure(resource, "present", check_mode=False)
    assert again.action == NOTHING and resource.writes == (0 if applied.action == NOTHING else 1)
