"""The connection options are one table: argument specs, module docs and lookup env entries agree."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.opsforge.delivery.plugins.doc_fragments import connection, gitea, jira, octopus, opsgenie, rundeck
from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import GITEA_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._jira import JIRA_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import OCTOPUS_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._options import COMMON_CONNECTION_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie import OPSGENIE_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC

#: Each service's doc fragment and the argument spec it documents.
SERVICES = [(rundeck.ModuleDocFragment, RUNDECK_SPEC), (octopus.ModuleDocFragment, OCTOPUS_SPEC),
            (gitea.ModuleDocFragment, GITEA_SPEC), (opsgenie.ModuleDocFragment, OPSGENIE_SPEC),
            (jira.ModuleDocFragment, JIRA_SPEC)]


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


# -- The documents quote the code: retried statuses, defaults, ranges, where options come from ------------

import os  # noqa: E402  (kept with the tests that read files)

from ansible_collections.opsforge.delivery.plugins.module_utils._http import (  # noqa: E402
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    IDEMPOTENT_METHODS,
    MAX_RETRY_AFTER_SECONDS,
    REFUSED_UNDONE_STATUS,
    RETRIES_RANGE,
    RETRY_STATUSES,
    TIMEOUT_RANGE,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import needed_options  # noqa: E402
from tests.support.paths import COLLECTION_ROOT  # noqa: E402


def read(*path):
    with open(os.path.join(COLLECTION_ROOT, *path), encoding="utf-8") as handle:
        return " ".join(handle.read().split())


def listed(numbers, last_word):
    """``[429, 500, 502]`` as "429, 500 or 502"."""
    words = [str(number) for number in sorted(numbers)]
    return "%s %s %s" % (", ".join(words[:-1]), last_word, words[-1])


#: The methods the documents call safe to repeat, and the writes they say are not.
SAFE_METHODS_TEXT = "safe to repeat (GET, PUT, DELETE)"
WRITES = ("POST", "PATCH")


def test_the_retried_statuses_are_quoted_from_the_code():
    fragment = " ".join(documented(connection.ModuleDocFragment.DOCUMENTATION)["retries"]["description"])
    readme = read("README.md")
    connection_guide = read("docs", "docsite", "rst", "guide_connection.rst")
    failures_guide = read("docs", "docsite", "rst", "guide_failures.rst")
    assert listed(RETRY_STATUSES, "or") in fragment
    assert listed(RETRY_STATUSES, "and") in readme
    assert listed(RETRY_STATUSES, "or") in connection_guide
    # The failures guide lists the statuses that only requests safe to repeat are retried on apart from 429.
    assert listed(RETRY_STATUSES - set([REFUSED_UNDONE_STATUS]), "or") in failures_guide
    for text in (fragment, readme, connection_guide, failures_guide):
        assert SAFE_METHODS_TEXT in text
        assert "%d" % REFUSED_UNDONE_STATUS in text


def test_the_methods_called_safe_to_repeat_are_those_the_code_retries():
    assert set(["GET", "PUT", "DELETE"]) <= IDEMPOTENT_METHODS
    assert not IDEMPOTENT_METHODS & set(WRITES)
    assert REFUSED_UNDONE_STATUS in RETRY_STATUSES


def test_the_retry_after_cap_is_quoted_from_the_code():
    fragment = " ".join(documented(connection.ModuleDocFragment.DOCUMENTATION)["retries"]["description"])
    cap = "C(Retry-After) up to %d seconds" % MAX_RETRY_AFTER_SECONDS
    assert cap in fragment
    for document in (("README.md",), ("docs", "docsite", "rst", "guide_connection.rst"),
                     ("docs", "docsite", "rst", "guide_failures.rst")):
        text = read(*document)
        assert "Retry-After` up to %d seconds" % MAX_RETRY_AFTER_SECONDS in text.replace("``", "`"), document


def test_the_defaults_and_ranges_of_timeout_and_retries_are_quoted_from_the_code():
    fragment = documented(connection.ModuleDocFragment.DOCUMENTATION)
    assert (fragment["timeout"]["default"], fragment["retries"]["default"]) == (DEFAULT_TIMEOUT, DEFAULT_RETRIES)
    assert "More than V(%g) and at most V(%g)" % TIMEOUT_RANGE in " ".join(fragment["timeout"]["description"])
    assert "From V(%d) to V(%d)" % RETRIES_RANGE in " ".join(fragment["retries"]["description"])
    readme = read("README.md")
    assert "`timeout` (%g s; more than %g, at most %g)" % ((DEFAULT_TIMEOUT,) + TIMEOUT_RANGE) in readme
    assert "`retries` (%d; %d to %d)" % ((DEFAULT_RETRIES,) + RETRIES_RANGE) in readme
    guide = read("docs", "docsite", "rst", "guide_connection.rst")
    assert "more than %g and at most %g" % TIMEOUT_RANGE in guide
    assert "from %d to %d" % RETRIES_RANGE in guide
    assert "up to ``retries`` times (default %d)" % DEFAULT_RETRIES in read("docs", "docsite", "rst", "guide_failures.rst")


@pytest.mark.parametrize("fragment, service_spec", SERVICES)
def test_the_readme_names_every_environment_variable_and_lookup_variable(fragment, service_spec):
    readme = read("README.md")
    for name, option in documented(fragment.PLUGINS).items():
        for source in ("env", "vars"):
            for entry in option.get(source, []):
                assert "`%s`" % entry["name"] in readme, (name, entry["name"])


@pytest.mark.parametrize("fragment, service_spec", SERVICES)
def test_options_the_environment_can_supply_are_not_marked_required_but_say_they_are_needed(fragment, service_spec):
    docs = documented(fragment.DOCUMENTATION)
    for name in needed_options(service_spec):
        assert "required" not in docs[name], name
        assert "Without either, the task fails before any request." in " ".join(docs[name]["description"]), name
