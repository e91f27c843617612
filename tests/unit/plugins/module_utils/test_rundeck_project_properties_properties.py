"""Properties of project property comparison: only the named properties, all of them text.

The server's side is the sandbox's Rundeck (``tests/sandbox/rundeck_projects.py``): it stores every
property as text, adds its defaults to a new project, and sets or removes one property at a time.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_project_properties import (
    DESCRIPTION_KEY,
    LABEL_KEY,
    apply_properties,
    creation_properties,
    canonical_properties,
    property_changes,
    property_text,
    wanted_properties,
)
from ansible_collections.opsforge.delivery.plugins.modules.rundeck_project import main as rundeck_project_main
from tests.sandbox import rundeck_projects

keys = st.sampled_from(["project.nodeCache.enabled", "project.ssh-keypath", "resources.source.1.type", "custom_prop",
                        "project.plugin.Notification.Slack.webhook-url", "service.FileCopier.default.provider"])
# Values as YAML gives them: text (any, but not empty), numbers, booleans; None removes a property.
scalars = st.one_of(st.text(min_size=1, max_size=12), st.integers(-5, 10 ** 6), st.floats(allow_nan=False, allow_infinity=False),
                    st.booleans())
configs = st.dictionaries(keys, st.one_of(scalars, st.none()), max_size=4)
labels = st.one_of(st.none(), st.just(""), st.text(min_size=1, max_size=12))
# What a project already has: Rundeck's defaults, other people's properties, maybe the managed ones.
server_configs = st.dictionaries(st.one_of(keys, st.sampled_from(["other.prop", DESCRIPTION_KEY, LABEL_KEY])),
                                 st.one_of(st.just(""), st.text(max_size=8)), max_size=5)


def as_text(value):
    """The value as a person would also write it: "5" for 5, "true" for True."""
    return value if value is None else property_text(value)


@given(configs, labels, labels, server_configs)
def test_applying_the_wanted_properties_twice_changes_nothing(config, description, label, current):
    wanted = wanted_properties(description, label, config)
    once = apply_properties(current, wanted)
    assert apply_properties(once, wanted) == once
    assert property_changes(once, wanted) == []


@given(st.one_of(scalars, st.text(max_size=3)))
def test_a_value_is_the_text_rundeck_stores(value):
    assert property_text(value) == rundeck_projects.property_value(value)


def written(config, wanted):
    """``config`` after the module's writes for ``wanted``: one PUT per property to set, one DELETE per property to remove."""
    result = dict(config)
    for key, value in property_changes(config, wanted):
        if value is None:
            result.pop(key, None)
        else:
            result[key] = rundeck_projects.property_value(value)
    return result


@given(configs, labels, labels, server_configs)
def test_the_wanted_properties_equal_their_own_server_round_trip(config, description, label, current):
    wanted = wanted_properties(description, label, config)
    # A new project: the server adds its defaults and its name to what the creation sends.
    created = rundeck_projects.new_project_properties("web", dict(
        (key, rundeck_projects.property_value(value)) for key, value in creation_properties(wanted).items()))
    for config_after in (written(created, wanted), written(current, wanted)):
        assert property_changes(config_after, wanted) == []
        assert canonical_properties(config_after, wanted) == wanted


@given(configs, labels, labels)
def test_a_value_written_as_text_or_as_yaml_gives_is_the_same(config, description, label):
    assert wanted_properties(description, label, config) == wanted_properties(
        description, label, dict((key, as_text(value)) for key, value in config.items()))


@given(configs.filter(lambda config: any(value is not None for value in config.values())), server_configs, st.data())
def test_a_change_to_a_property_the_user_set_is_a_difference(config, current, data):
    wanted = wanted_properties(config=config)
    have = apply_properties(current, wanted)
    key = data.draw(st.sampled_from(sorted(key for key, value in wanted.items() if value is not None)), label="key")
    changed = dict(config, **{key: wanted[key] + " (changed)"})
    assert property_changes(have, wanted_properties(config=changed)) == [(key, wanted[key] + " (changed)")]


# module_runner holds no state: sharing it between examples is safe.
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(configs, labels, labels)
def test_the_module_leaves_a_project_it_just_wrote_alone(sandbox_server, module_runner, config, description, label):
    sandbox_server.reset()
    args = dict(url=sandbox_server.urls["rundeck"], api_token=sandbox_server.credentials["rundeck_token"], retries=0,
                name="web", config=config, description=description, label=label)
    created = module_runner(rundeck_project_main, args)
    assert created.get("failed") is not True and created["changed"] is True, created
    again = module_runner(rundeck_project_main, dict(args, config=dict((key, as_text(value)) for key, value in config.items())))
    assert again.get("failed") is not True and again["changed"] is False, again
    set_keys = sorted(key for key, value in config.items() if value is not None)
    if set_keys:
        changed = module_runner(rundeck_project_main, dict(args, config=dict(config, **{set_keys[0]: "another value entirely"})))
        assert changed["changed"] is True and changed["project"]["config"][set_keys[0]] == "another value entirely", changed
