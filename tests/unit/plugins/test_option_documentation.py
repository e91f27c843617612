"""The connection options are one table: argument specs, module docs and lookup env entries agree."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.opsforge.delivery.plugins.doc_fragments import connection, gitea, octopus, opsgenie, rundeck
from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import GITEA_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import OCTOPUS_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._options import COMMON_CONNECTION_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie import OPSGENIE_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC

#: Each service's doc fragment and the argument spec it documents.
SERVICES = [(rundeck.ModuleDocFragment, RUNDECK_SPEC), (octopus.ModuleDocFragment, OCTOPUS_SPEC),
            (gitea.ModuleDocFragment, GITEA_SPEC), (opsgenie.ModuleDocFragment, OPSGENIE_SPEC)]


def documented(fragment):
    return yaml.safe_load(fragment)["options"]


def env_names(spec_entry):
    fallback = spec_entry.get("fallback")
    return list(fallback[1]) if fallback else []


@pytest.mark.parametrize("fragment, service_spec", SERVICES)
def test_every_connection_option_is_documented_with_its_type_and_default(fragment, service_spec):
    docs = dict(documented(connection.ModuleDocFragment.DOCUMENTATION))
    docs.update(documented(fragment.DOCUMENTATION))
    assert sorted(docs) == sorted(service_spec)
    for name, spec in service_spec.items():
        assert docs[name]["type"] == spec["type"], name
        assert docs[name].get("default") == spec.get("default"), name
        assert bool(docs[name].get("required")) == bool(spec.get("required")), name


@pytest.mark.parametrize("fragment, service_spec", SERVICES)
def test_lookup_env_entries_match_the_module_fallbacks(fragment, service_spec):
    plugin_env = dict((name, [entry["name"] for entry in option.get("env", [])])
                      for name, option in documented(fragment.PLUGINS).items())
    module_env = dict((name, env_names(spec)) for name, spec in service_spec.items() if env_names(spec))
    assert plugin_env == module_env


@pytest.mark.parametrize("fragment, service_spec", SERVICES)
def test_module_docs_name_their_environment_variables(fragment, service_spec):
    docs = documented(fragment.DOCUMENTATION)
    for name, spec in service_spec.items():
        for variable in env_names(spec):
            assert "E(%s)" % variable in " ".join(docs[name]["description"]), (name, variable)


def test_common_options_have_no_environment_fallback():
    # An empty AWX field must never turn certificate checks off: these options read no variable.
    assert all("fallback" not in spec for spec in COMMON_CONNECTION_SPEC.values())
