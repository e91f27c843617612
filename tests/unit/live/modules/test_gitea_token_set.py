"""gitea_token with a list of tokens (tokens, exclusive, exclusive_scope) run in-process against the sandbox."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.modules.gitea_token import main

pytestmark = pytest.mark.live


@pytest.fixture
def gitea(sandbox):
    url = sandbox.urls["gitea"]

    class Gitea:
        def log(self):
            return requests.get(url + "/__sandbox__/requests", timeout=5).json()

        def tokens(self, user="alice"):
            return sorted(token["name"] for token in requests.get(url + "/__sandbox__/gitea/tokens", timeout=5).json()
                          if token["user"] == user)

        def fault(self, **fault):
            assert requests.post(url + "/__sandbox__/faults", json=fault, timeout=5).status_code in (200, 201)

    Gitea.url = url
    return Gitea()


def alice(gitea, **args):
    return dict(dict(url=gitea.url, username="alice", password="alice-password", retries=0), **args)


def writes(log):
    return [(entry["method"], entry["path"]) for entry in log if entry["method"] not in ("GET", "HEAD")]


def names(listed):
    return [token["name"] for token in listed]


def test_check_mode_then_create_then_unchanged_with_one_listing(gitea, module_runner):
    args = alice(gitea, scopes=["read:repository"], tokens=[dict(name="ci"), dict(name="deploy", scopes=["write:package"])])
    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert predicted["changed"] is True and writes(gitea.log()) == []
    assert predicted["tokens"]["created"] == [
        dict(id=None, name="ci", scopes=["read:repository"], token_last_eight=None),
        dict(id=None, name="deploy", scopes=["write:package"], token_last_eight=None)]
    assert [entry["after"]["name"] for entry in predicted["diff"]] == ["ci", "deploy"]

    created = module_runner(main, args)
    assert created["changed"] is True
    assert [len(token["sha1"]) for token in created["tokens"]["created"]] == [40, 40]
    assert gitea.tokens() == ["ci", "deploy"]

    count = len(gitea.log())
    again = module_runner(main, args, diff=True)
    assert again["changed"] is False and again["diff"] == []
    assert names(again["tokens"]["unchanged"]) == ["ci", "deploy"]
    assert all("sha1" not in token for token in again["tokens"]["unchanged"])
    assert [entry["method"] for entry in gitea.log()[count:]] == ["GET"]


def test_an_item_takes_the_tasks_options_it_leaves_out(gitea, module_runner):
    module_runner(main, alice(gitea, tokens=[dict(name="a", scopes=["read:user"]), dict(name="b", scopes=["read:user"])]))
    result = module_runner(main, alice(gitea, scopes=["read:issue"], recreate="on_change",
                                       tokens=[dict(name="a"), dict(name="b", recreate="never")]))
    assert names(result["tokens"]["replaced"]) == ["a"] and names(result["tokens"]["unchanged"]) == ["b"]
    assert any("token b of alice keeps its scopes read:user" in warning for warning in result["warnings"])


def test_exclusive_deletes_the_users_other_tokens_of_the_prefix_only(gitea, module_runner):
    module_runner(main, alice(gitea, scopes=["read:user"], tokens=[dict(name=name) for name in
                                                                   ("ci-1", "ci-2", "ci-3", "laptop")]))
    args = alice(gitea, scopes=["read:user"], tokens=[dict(name="ci-3")], exclusive=True,
                 exclusive_scope=dict(name_prefix="ci-"))
    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert names(predicted["tokens"]["deleted"]) == ["ci-1", "ci-2"]
    assert [entry["before"]["name"] for entry in predicted["diff"]] == ["ci-1", "ci-2"]
    assert gitea.tokens() == ["ci-1", "ci-2", "ci-3", "laptop"]
    done = module_runner(main, args)
    assert done["tokens"]["deleted"] == predicted["tokens"]["deleted"]
    assert gitea.tokens() == ["ci-3", "laptop"]
    everything = module_runner(main, alice(gitea, scopes=["read:user"], tokens=[dict(name="ci-3")], exclusive=True))
    assert names(everything["tokens"]["deleted"]) == ["laptop"] and gitea.tokens() == ["ci-3"]


def test_state_absent_deletes_the_tokens_named(gitea, module_runner):
    module_runner(main, alice(gitea, scopes=["read:user"], tokens=[dict(name="a"), dict(name="b")]))
    result = module_runner(main, alice(gitea, tokens=[dict(name="a"), dict(name="gone")], state="absent"))
    assert names(result["tokens"]["deleted"]) == ["a"] and gitea.tokens() == ["b"]


def test_a_failure_part_way_names_what_was_done_and_what_was_not(gitea, module_runner):
    created = module_runner(main, alice(gitea, scopes=["read:user"], tokens=[dict(name=name) for name in "abc"]))
    token_b = created["tokens"]["created"][1]["id"]
    gitea.fault(method="DELETE", path="/tokens/%d$" % token_b, status=500, times=1)
    result = module_runner(main, alice(gitea, tokens=[dict(name=name) for name in "abc"], state="absent"))
    assert result["failed"] is True and result["changed"] is True, result
    assert names(result["tokens"]["deleted"]) == ["a"] and names(result["deleted"]) == ["a"]
    assert names(result["tokens"]["not_done"]["delete"]) == ["b", "c"]
    assert gitea.tokens() == ["b", "c"]


@pytest.mark.parametrize("args, message", [
    (dict(tokens=[dict(name="a", scopes=["read:user"]), dict(name="a", scopes=["read:user"])]),
     "tokens[0] and tokens[1] both name the token a"),
    (dict(tokens=[dict(name="  ", scopes=["read:user"])]), "tokens[0].name is only blanks"),
    (dict(tokens=[dict(name="a", scopes=["read:everything"])]), "tokens[0]: "),
    (dict(tokens=[], exclusive=True, state="absent"), "applies to state=present only"),
    (dict(tokens=[], exclusive_scope=dict(name_prefix="ci-")), "exclusive_scope limits exclusive"),
    (dict(tokens=[], exclusive=True, exclusive_scope=dict(name_prefix=" ")), "exclusive_scope.name_prefix is empty"),
    (dict(name="a", exclusive=True), "exclusive applies to tokens"),
    (dict(name="a", tokens=[]), "parameters are mutually exclusive: name|tokens"),
    (dict(), "one of the following is required: name, tokens"),
])
def test_bad_input_fails_before_any_request(gitea, module_runner, args, message):
    result = module_runner(main, alice(gitea, **args))
    assert result["failed"] is True and message in result["msg"], result
    assert gitea.log() == []
