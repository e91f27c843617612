"""Properties of token scope comparison: scopes compared as the permissions they grant.

The server's side is the sandbox's Gitea (``tests/sandbox/gitea_scopes.py``): it stores a scope list in
its canonical form, without order, repeats or scopes another one already grants.
"""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import SCOPES, check_scopes, granted, canonical_scopes
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.modules.gitea_token import main as gitea_token_main
from tests.sandbox import gitea_scopes

scope_lists = st.lists(st.sampled_from(SCOPES), min_size=1, max_size=8)
seeds = st.integers(0, 2 ** 16)
# Names a person may get wrong: another case, a made-up category, a level alone.
doubtful_names = st.one_of(st.sampled_from(SCOPES), st.sampled_from(SCOPES).map(str.upper),
                           st.sampled_from(["read:users", "write", "admin", "All", "delete:repository"]))


def respelled(scopes, seed):
    """The same scopes in another order, with repeats and with scopes the others already grant."""
    rng = random.Random(seed)
    result = list(scopes) + rng.sample(scopes, rng.randint(0, len(scopes)))
    result += ["read:" + scope.split(":", 1)[1] for scope in scopes if scope.startswith("write:")]
    if "all" in scopes:
        result += rng.sample(SCOPES, 3)
    rng.shuffle(result)
    return result


@given(scope_lists)
def test_normalizing_twice_changes_nothing(scopes):
    once = granted(scopes)
    assert granted(sorted(once)) == once


@given(scope_lists, seeds)
def test_order_repeats_and_redundant_scopes_grant_nothing_more(scopes, seed):
    assert granted(respelled(scopes, seed)) == granted(scopes)


@given(scope_lists)
def test_scopes_equal_their_own_server_round_trip(scopes):
    stored = gitea_scopes.as_list(gitea_scopes.normalize(scopes))
    assert granted(stored) == granted(scopes)
    assert gitea_scopes.parse(",".join(sorted(granted(scopes)))) == gitea_scopes.parse(",".join(scopes))


@given(scope_lists, st.booleans(), seeds)
def test_normalized_scopes_are_what_the_server_stores(scopes, limited, seed):
    names = respelled(scopes + (["public-only"] if limited else []), seed)
    assert canonical_scopes(names) == gitea_scopes.as_list(gitea_scopes.normalize(names))
    assert granted(canonical_scopes(names)) == granted(names)


@given(scope_lists, st.sampled_from(SCOPES))
def test_a_scope_that_grants_more_is_a_difference(scopes, extra):
    if granted([extra]) <= granted(scopes):
        assert granted(scopes + [extra]) == granted(scopes)
    else:
        assert granted(scopes + [extra]) != granted(scopes)


@given(st.lists(doubtful_names, min_size=1, max_size=4))
def test_the_module_refuses_exactly_the_names_gitea_refuses(names):
    try:
        gitea_scopes.normalize(names)
        gitea_refuses = False
    except gitea_scopes.InvalidScope:
        gitea_refuses = True
    try:
        check_scopes(names)
        module_refuses = False
    except InputError:
        module_refuses = True
    assert module_refuses == gitea_refuses


# module_runner holds no state: sharing it between examples is safe.
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scope_lists, seeds)
def test_the_module_keeps_a_token_whose_scopes_grant_the_same(sandbox_server, module_runner, scopes, seed):
    sandbox_server.reset()
    args = dict(url=sandbox_server.urls["gitea"], username="alice", password=sandbox_server.credentials["gitea_alice_password"],
                retries=0, name="ci", recreate="on_change")
    created = module_runner(gitea_token_main, dict(args, scopes=scopes), diff=True)
    assert created["changed"] is True, created
    secret = created["token"]["sha1"]
    assert secret not in json.dumps(created["diff"])
    again = module_runner(gitea_token_main, dict(args, scopes=respelled(scopes, seed)), diff=True)
    assert again["changed"] is False, again
    assert "sha1" not in again["token"] and secret not in json.dumps(again)
    missing = [scope for scope in SCOPES if scope != "all" and scope not in granted(scopes)]
    if missing:
        recreated = module_runner(gitea_token_main, dict(args, scopes=scopes + [missing[seed % len(missing)]]), diff=True)
        assert recreated["changed"] is True, recreated
        assert secret not in json.dumps(recreated)
