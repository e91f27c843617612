"""Rundeck projects as properties: input checks, comparison, writes, predictions and diffs."""

from __future__ import annotations

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_project_properties import (
    apply_properties,
    creation_properties,
    diff_view,
    invalid_project_name,
    canonical_properties,
    predicted_record,
    project_record,
    property_changes,
    property_text,
    record_from_answer,
    wanted_properties,
)

SERVER = {
    "project.name": "web",
    "project.description": "Web tier",
    "resources.source.1.type": "local",
    "service.NodeExecutor.default.provider": "jsch-ssh",
    "project.nodeCache.enabled": "true",
}


# -- names ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["web", "web-2", "a_b", "a+b", "v1.2", "-x", "+", "9"])
def test_names_rundeck_accepts(name):
    assert invalid_project_name(name) is None


@pytest.mark.parametrize("name", ["", ".hidden", "has space", "a/b", "é", "a:b"])
def test_names_rundeck_refuses(name):
    assert invalid_project_name(name)


def test_the_refusal_says_what_is_allowed():
    assert "letters, digits and the characters _ - + ." in invalid_project_name("a b")


# -- input ------------------------------------------------------------------------------


@pytest.mark.parametrize("value, text", [(True, "true"), (False, "false"), (60, "60"), (1.5, "1.5"), ("x y", "x y")])
def test_values_become_text_as_rundeck_stores_them(value, text):
    assert property_text(value) == text


def test_wanted_properties_from_the_options():
    wanted = wanted_properties("Web tier", "Web", {"a.b": True, "c.d": None, "e.f": 3})
    assert wanted == {"project.description": "Web tier", "project.label": "Web", "a.b": "true", "c.d": None, "e.f": "3"}


def test_omitted_options_manage_nothing():
    assert wanted_properties() == {}
    assert wanted_properties(None, None, {}) == {}


def test_an_empty_description_or_label_means_none():
    assert wanted_properties("", "", None) == {"project.description": None, "project.label": None}


@pytest.mark.parametrize(
    "config, words",
    [
        ({"": "x"}, "must not be empty"),
        ({"  ": "x"}, "must not be empty"),
        ({" a.b": "x"}, "must not start or end with white space"),
        ({"a/b": "x"}, "must not contain '/'"),
        ({"project.name": "other"}, "Rundeck sets project.name"),
        ({"project.description": "x"}, "with the description option"),
        ({"project.label": "x"}, "with the label option"),
        ({"a.b": ["x"]}, "got a list"),
        ({"a.b": {"c": "d"}}, "got a dict"),
        ({"a.b": ""}, "null to remove the property"),
    ],
)
def test_input_that_cannot_work_is_refused_with_what_to_fix(config, words):
    with pytest.raises(InputError) as caught:
        wanted_properties(config=config)
    assert words in str(caught.value)
    assert repr(list(config)[0]) in str(caught.value)


def test_a_key_given_as_a_number_is_text():
    assert wanted_properties(config={1: True}) == {"1": "true"}


def test_every_bad_key_is_named_at_once():
    with pytest.raises(InputError) as caught:
        wanted_properties(config={"a/b": "x", "c.d": "", "ok": "fine"})
    assert "'a/b'" in str(caught.value) and "'c.d'" in str(caught.value) and "'ok'" not in str(caught.value)


# -- comparison and writes --------------------------------------------------------------


def test_only_the_managed_properties_are_compared():
    wanted = {"project.nodeCache.enabled": "true", "missing.one": None}
    assert canonical_properties(SERVER, wanted) == {"project.nodeCache.enabled": "true", "missing.one": None}
    assert property_changes(SERVER, wanted) == []


def test_an_empty_description_or_label_on_the_server_is_none():
    config = dict(SERVER, **{"project.description": "", "project.label": ""})
    wanted = {"project.description": None, "project.label": None}
    assert property_changes(config, wanted) == []


def test_an_empty_ordinary_property_is_not_none():
    config = dict(SERVER, **{"a.b": ""})
    assert property_changes(config, {"a.b": None}) == [("a.b", None)]


def test_one_write_per_differing_property_by_key():
    wanted = {"z.new": "1", "project.nodeCache.enabled": "false", "service.NodeExecutor.default.provider": "jsch-ssh",
              "project.description": None, "absent.already": None}
    assert property_changes(SERVER, wanted) == [
        ("project.description", None),
        ("project.nodeCache.enabled", "false"),
        ("z.new", "1"),
    ]


def test_values_are_compared_as_text():
    assert property_changes(SERVER, {"project.nodeCache.enabled": "True"}) == [("project.nodeCache.enabled", "True")]


def test_applying_keeps_what_is_not_managed():
    after = apply_properties(SERVER, {"project.description": None, "a.b": "c"})
    expected = dict((k, v) for k, v in SERVER.items() if k != "project.description")
    expected["a.b"] = "c"
    assert after == expected
    assert SERVER["project.description"] == "Web tier"


def test_a_creation_sends_only_what_is_set():
    assert creation_properties({"a": "1", "b": None, "project.label": "L"}) == {"a": "1", "project.label": "L"}


# -- records ------------------------------------------------------------------------------


def test_a_record_from_rundecks_answer():
    answer = {"url": "http://r/api/49/project/web", "name": "web", "description": "Web tier", "config": SERVER}
    assert record_from_answer(answer) == {
        "name": "web", "description": "Web tier", "label": "", "url": "http://r/api/49/project/web", "config": SERVER,
    }


def test_a_record_without_the_configuration_keeps_rundecks_description_and_label():
    answer = {"url": "u", "name": "web", "description": "Web tier", "label": "Web"}
    assert record_from_answer(answer) == {"name": "web", "description": "Web tier", "label": "Web", "url": "u", "config": {}}


def test_the_prediction_of_a_new_project():
    predicted = predicted_record("web", None, {"project.label": "Web", "a": "1", "b": None}, "http://r/api/49/project/web")
    assert predicted == {"name": "web", "description": "", "label": "Web", "url": "http://r/api/49/project/web",
                         "config": {"project.name": "web", "project.label": "Web", "a": "1"}}


def test_the_prediction_of_an_update_starts_from_the_server():
    current = project_record("web", SERVER, "http://r/api/49/project/web")
    predicted = predicted_record("web", current, {"project.description": None, "a": "1"}, "ignored")
    assert predicted["description"] == ""
    assert predicted["url"] == "http://r/api/49/project/web"
    assert predicted["config"] == apply_properties(SERVER, {"project.description": None, "a": "1"})


def test_the_diff_shows_the_name_description_label_and_the_managed_properties_that_are_set():
    record = project_record("web", dict(SERVER, **{"project.label": "Web"}))
    wanted = {"project.nodeCache.enabled": "false", "gone": None, "project.description": "x"}
    assert diff_view(record, wanted) == {
        "name": "web", "description": "Web tier", "label": "Web", "config": {"project.nodeCache.enabled": "true"},
    }
