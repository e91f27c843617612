"""The shipped AWX credential types: AWX accepts them, and they feed exactly what the collection reads."""

from __future__ import annotations

import glob
import os

import pytest
import yaml

from ansible_collections.opsforge.delivery.plugins.doc_fragments import gitea, jira, octopus, opsgenie, rundeck
from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import GITEA_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._jira import JIRA_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import OCTOPUS_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._options import credential_options, needed_options
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie import OPSGENIE_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC
from tests.awx.credential_type_rules import problems, value_problems
from tests.awx.definitions import DEFINITIONS_DIR, load
from tests.awx.injection import exposed_secrets, fields_in_env, injected_env, masked

#: service -> (its doc fragment, its connection argument spec)
SERVICES = {
    "rundeck": (rundeck.ModuleDocFragment, RUNDECK_SPEC),
    "opsgenie": (opsgenie.ModuleDocFragment, OPSGENIE_SPEC),
    "octopus": (octopus.ModuleDocFragment, OCTOPUS_SPEC),
    "gitea": (gitea.ModuleDocFragment, GITEA_SPEC),
    "jira": (jira.ModuleDocFragment, JIRA_SPEC),
}
#: service -> options a credential cannot hold: a two-factor code is good for 30 seconds, so a job
#: takes it at launch (a survey answer passed as the option), never from a stored credential.
PER_RUN_OPTIONS = {"gitea": {"otp"}}


def definition(service):
    return load(service)


def fields(service):
    return dict((field["id"], field) for field in definition(service)["inputs"]["fields"])


def documented_env(service):
    """{option: [env names]} as the lookups' doc fragment declares them."""
    options = yaml.safe_load(SERVICES[service][0].PLUGINS)["options"]
    return dict((name, [entry["name"] for entry in option.get("env", [])]) for name, option in options.items()
                if name not in PER_RUN_OPTIONS.get(service, ()))


def test_one_definition_per_service():
    assert sorted(os.path.basename(path)[:-4] for path in glob.glob(os.path.join(DEFINITIONS_DIR, "*.yml"))) == sorted(SERVICES)


def test_names_are_unique_and_say_whose_they_are():
    names = [definition(service)["name"] for service in SERVICES]
    assert len(set(names)) == len(names)
    assert all(name.startswith("opsforge.delivery ") for name in names)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_awx_accepts_the_definition(service):
    assert problems(definition(service)) == []
    assert definition(service)["kind"] == "cloud"


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_injects_exactly_the_variables_the_service_reads(service):
    # The doc fragment declares them; every variable the service reads gets one, and no other.
    env = definition(service)["injectors"]["env"]
    assert sorted(env) == sorted(name for names in documented_env(service).values() for name in names)
    assert not set(definition(service)["injectors"]) - {"env"}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_each_field_feeds_the_variable_of_the_option_of_the_same_name(service):
    spec, env = SERVICES[service][1], definition(service)["injectors"]["env"]
    for field_id in fields(service):
        assert field_id in spec, "no connection option %s" % field_id
        names = documented_env(service)[field_id]
        assert [env[name] for name in names] == ["{{ %s }}" % field_id] * len(names)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_required_secret_and_default_follow_the_argument_spec(service):
    spec, required = SERVICES[service][1], definition(service)["inputs"]["required"]
    for field_id, field in fields(service).items():
        # The task fails without these (from an option or a variable); the credential must have them.
        assert (field_id in required) == (field_id in needed_options(spec)), field_id
        if field_id in credential_options(spec):
            # One of several: AWX cannot require one of them; the task refuses none or more than one.
            assert set(credential_options(spec)) <= set(fields(service)), field_id
        assert field.get("secret", False) == bool(spec[field_id].get("no_log")), field_id
        assert field.get("default") == spec[field_id].get("default"), field_id
        assert ("format" in field) == (field_id == "url"), field_id
        assert field.get("format", "url") == "url"
        assert field["label"] and field["help_text"], field_id


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_secrets_only_go_to_variables_awx_hides(service):
    secrets = [field_id for field_id, field in fields(service).items() if field.get("secret")]
    assert secrets, "every service has a secret"
    assert exposed_secrets(definition(service)) == []
    carriers = [name for name, used in fields_in_env(definition(service)).items() if set(secrets) & used]
    assert carriers and all(masked(name) for name in carriers)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_a_full_credential_injects_its_values(service):
    values = dict((field_id, "https://%s.example.com" % service if field_id == "url" else "value-of-" + field_id)
                  for field_id in fields(service))
    assert value_problems(definition(service), values) == []
    env = injected_env(definition(service), values)
    for option, names in documented_env(service).items():
        assert [env[name] for name in names] == [values[option]] * len(names)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_optional_fields_left_empty_are_exported_empty(service):
    # What AWX does at run time, and why the collection treats an empty variable as unset.
    required = definition(service)["inputs"]["required"]
    values = dict((field_id, "https://x.example.com" if field_id == "url" else "set") for field_id in required)
    env = injected_env(definition(service), values)
    assert sorted(env) == sorted(definition(service)["injectors"]["env"])
    optional = [name for name, used in fields_in_env(definition(service)).items() if not used & set(required)]
    assert all(env[name] == "" for name in optional)
    assert all(env[name] for name in env if name not in optional)


def test_a_url_without_a_scheme_is_refused_as_a_credential_value():
    assert value_problems(definition("gitea"), {"url": "gitea.example.com", "username": "u", "password": "p"})
