"""Properties of ACL policy comparison: documents compared by meaning, whatever their YAML spelling.

Rundeck stores a policy's text exactly as sent (the sandbox's ``aclpolicy.py`` checks it as the server
does); what may differ between the stored text and the user's policy is only how it is written.
"""

from __future__ import annotations

import json
import random

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import ACL_SET_KEYS, canonical_acl_documents
from ansible_collections.opsforge.delivery.plugins.module_utils._yaml import load_documents
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_acl import RundeckAcl, policy_text
from ansible_collections.opsforge.delivery.plugins.modules.rundeck_acl import main as rundeck_acl_main
from tests.sandbox.aclpolicy import validate_policy

PROJECT = "sandbox"

# -- what a person writes ----------------------------------------------------------------

job_actions = st.lists(st.sampled_from(["read", "view", "update", "run", "kill", "delete", "toggle_execution"]),
                       min_size=1, max_size=4)
node_actions = st.lists(st.sampled_from(["read", "run", "refresh"]), min_size=1, max_size=3)
names = st.sampled_from(["deploy", "ops", "web-.*", "ci_bot", "Release 2"])
# The set-valued entries are written as one value or a list of them.
rule_filters = st.fixed_dictionaries({}, optional={
    "equals": st.fixed_dictionaries({}, optional={"name": names, "group": names}).filter(bool),
    "match": st.fixed_dictionaries({"name": names}),
})
job_rules = st.builds(lambda rule, filters: dict(rule, **filters),
                      st.fixed_dictionaries({"allow": job_actions}, optional={"deny": job_actions}), rule_filters)
node_rules = st.fixed_dictionaries({"allow": node_actions}, optional={
    "contains": st.fixed_dictionaries({"tags": st.lists(st.sampled_from(["web", "db", "eu"]), min_size=1, max_size=2)}),
})
project_rules = st.fixed_dictionaries({
    "job": st.lists(job_rules, min_size=1, max_size=3),
}, optional={
    "node": st.lists(node_rules, min_size=1, max_size=2),
    "adhoc": st.lists(st.fixed_dictionaries({"allow": st.sampled_from(["read", "run"])}), min_size=1, max_size=1),
})
subjects = st.fixed_dictionaries({}, optional={
    "group": st.lists(st.sampled_from(["ops", "dev", "admin", "ci"]), min_size=1, max_size=3),
    "username": st.lists(st.sampled_from(["alice", "bob", "Bob"]), min_size=1, max_size=2),
    "urn": st.sampled_from(["project:sandbox", "user:alice"]),
}).filter(bool)
descriptions = st.text(alphabet="ab :#'\"-\n", min_size=1, max_size=16).filter(str.strip)
project_documents = st.fixed_dictionaries({"description": descriptions, "for": project_rules, "by": subjects})
system_documents = st.fixed_dictionaries({
    "description": descriptions,
    "context": st.one_of(st.fixed_dictionaries({"project": st.sampled_from([".*", "sandbox", "web-.*"])}),
                         st.just({"application": "rundeck"})),
    "for": st.fixed_dictionaries({"resource": st.lists(st.fixed_dictionaries(
        {"equals": st.fixed_dictionaries({"kind": st.sampled_from(["job", "node", "event"])}),
         "allow": st.lists(st.sampled_from(["read", "create", "admin"]), min_size=1, max_size=2)}), min_size=1, max_size=2)},
        optional={"project": st.just([{"match": {"name": ".*"}, "allow": ["read"]}])}),
    "by": subjects,
})
# (project or None for a system policy, documents)
policies = st.one_of(
    st.tuples(st.just(PROJECT), st.lists(project_documents, min_size=1, max_size=3)),
    st.tuples(st.none(), st.lists(system_documents, min_size=1, max_size=2)))


def respelled(documents, seed):
    """The same documents written another way: set-valued entries reordered, repeated, or as a single value."""
    rng = random.Random(seed)

    def node(value, key=None):
        if isinstance(value, dict):
            items = list(value.items())
            rng.shuffle(items)
            return dict((k, node(v, k)) for k, v in items)
        if isinstance(value, list) and key in ACL_SET_KEYS:
            values = list(value) + rng.sample(value, rng.randint(0, len(value)))
            rng.shuffle(values)
            return values[0] if len(set(values)) == 1 and rng.random() < 0.5 else values
        if isinstance(value, list):
            return [node(item) for item in value]
        return value
    return [node(document) for document in documents]


def texts(documents, seed):
    """YAML (or JSON, which is YAML) text of the documents, in one of the ways people write it."""
    style = random.Random(seed).randrange(5)
    if style == 0:
        return policy_text(documents)
    if style == 1:
        return yaml.safe_dump_all(documents, default_flow_style=True, explicit_start=True)
    if style == 2:
        return "# managed by hand\n" + yaml.safe_dump_all(documents, sort_keys=True, indent=4, width=30, explicit_start=True)
    if style == 3:
        return "\n---\n".join(json.dumps(document) for document in documents) + "\n"
    return "\r\n".join(yaml.safe_dump_all(documents, allow_unicode=True, explicit_start=True).split("\n"))


def meaning(text):
    return RundeckAcl(None, "ci", PROJECT, text).canonical(dict(policy=text))


seeds = st.integers(0, 2 ** 16)
# Policies take a while to make: fewer examples than the default.
policy_examples = settings(max_examples=60)


# -- properties ------------------------------------------------------------------------------


@policy_examples
@given(policies, seeds)
def test_normalizing_twice_changes_nothing(policy, seed):
    once = canonical_acl_documents(respelled(policy[1], seed))
    assert canonical_acl_documents(once) == once


@policy_examples
@given(policies, seeds)
def test_a_policy_equals_the_text_rundeck_stores_for_it_however_it_is_written(policy, seed):
    project, documents = policy
    stored = texts(respelled(documents, seed), seed)
    # The policies made here are ones Rundeck accepts, however they are written.
    assert validate_policy(policy_text(documents), project=project) == {}
    assert validate_policy(stored, project=project) == {}
    resource = RundeckAcl(None, "ci", project, policy_text(documents))
    current = dict(name="ci.aclpolicy", project=project, policy=stored)
    assert not resource.differs(current, resource.desired(current))


@policy_examples
@given(policies, seeds)
def test_set_valued_entries_compare_without_order_or_repeats(policy, seed):
    documents = policy[1]
    assert canonical_acl_documents(respelled(documents, seed)) == canonical_acl_documents(documents)


def _changed(documents, seed):
    """The documents with one right added or taken away, or another description: a change of meaning."""
    rng = random.Random(seed)
    changed = json.loads(json.dumps(documents))
    document = rng.choice(changed)
    kind = rng.randrange(3)
    if kind == 0:
        document["description"] += " (changed)"
    else:
        rules = next(iter(document["for"].values()))
        rule = rng.choice(rules)
        allowed = rule["allow"] if isinstance(rule["allow"], list) else [rule["allow"]]
        if kind == 1 or len(set(allowed)) == 1:
            rule["allow"] = allowed + ["admin-extra"]
        else:
            rule["allow"] = [action for action in allowed if action != allowed[0]]
    return changed


@policy_examples
@given(policies, seeds)
def test_a_change_of_meaning_is_a_difference(policy, seed):
    documents = policy[1]
    assert meaning(policy_text(_changed(documents, seed))) != meaning(texts(documents, seed))


# module_runner holds no state: sharing it between examples is safe.
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(policies, seeds)
def test_the_module_leaves_a_policy_alone_whatever_its_spelling(sandbox_server, module_runner, policy, seed):
    sandbox_server.reset()
    project, documents = policy
    args = dict(url=sandbox_server.urls["rundeck"], api_token=sandbox_server.credentials["rundeck_token"], retries=0,
                name="ci", project=project, policy=documents)
    created = module_runner(rundeck_acl_main, args)
    assert created["changed"] is True, created
    again = module_runner(rundeck_acl_main, dict(args, policy=texts(respelled(documents, seed), seed)))
    assert again["changed"] is False, again
    changed = module_runner(rundeck_acl_main, dict(args, policy=_changed(documents, seed)))
    assert changed["changed"] is True, changed
    assert load_documents(changed["acl"]["policy"]) == _changed(documents, seed)
