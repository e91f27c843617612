"""gitea_token as a first-time user meets it: check mode before the user exists, an honest ``changed``
after a failure, names refused before any request, and a check run that predicts the real one."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.lookup.gitea_token import LookupModule
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.modules.gitea_token import main as gitea_token_main

VERSIONS = ["1.20.0", "1.21.11", "1.22.3"]
# Known only once Gitea has made the token: its id and the last characters of its secret.
MADE_BY_THE_SERVER = ("id", "token_last_eight")


@pytest.fixture
def gitea(sandbox):
    url = sandbox.urls["gitea"]

    class Gitea:
        def version(self, name):
            assert requests.put(url + "/__sandbox__/gitea/settings", json={"version": name}).status_code == 200

        def requests(self):
            return requests.get(url + "/__sandbox__/requests").json()

        def writes(self):
            return [entry for entry in self.requests() if entry["method"] not in ("GET", "HEAD")]

        def tokens(self, user):
            return [token for token in requests.get(url + "/__sandbox__/gitea/tokens").json() if token["user"] == user]

        def fault(self, **fault):
            assert requests.post(url + "/__sandbox__/faults", json=fault).status_code in (200, 201)

    Gitea.url = url
    return Gitea()


def alice(gitea, **args):
    return dict(dict(url=gitea.url, username="alice", password="alice-password", retries=0, name="ci"), **args)


def admin(gitea, **args):
    return dict(dict(url=gitea.url, username="sandbox-admin", password="sandbox-password", retries=0, name="ci"), **args)


def run(module_runner, args, **kwargs):
    """The module's result and the warnings it gave."""
    result = module_runner(gitea_token_main, args, **kwargs)
    return result, result.get("warnings", [])


# -- check mode before the user exists ---------------------------------------------------------


def test_check_mode_predicts_a_token_of_a_user_an_earlier_task_creates(gitea, module_runner):
    result, warnings = run(module_runner, admin(gitea, user="newcomer", scopes=["read:user", "write:package"]),
                           check_mode=True, diff=True)
    assert result["changed"] is True, result
    assert result["token"] == dict(id=None, name="ci", scopes=["write:package", "read:user"], token_last_eight=None)
    assert result["diff"]["before"] == {}
    assert warnings == ["Gitea has no user newcomer yet; check mode predicts what a run would do once it exists "
                        "(created by an earlier task, for example); a run while it is still missing fails"]
    assert gitea.writes() == []


def test_check_mode_deletes_nothing_of_a_user_that_does_not_exist(gitea, module_runner):
    result, warnings = run(module_runner, admin(gitea, user="newcomer", state="absent"), check_mode=True)
    assert result["changed"] is False, result
    assert len(warnings) == 1 and "no user newcomer" in warnings[0]


def test_a_real_run_for_a_missing_user_still_fails_clearly(gitea, module_runner):
    result, warnings = run(module_runner, admin(gitea, user="newcomer", scopes=["read:user"]))
    assert result["failed"] is True
    assert "Gitea has no user newcomer; check user" in result["msg"]
    assert result["changed"] is False
    assert warnings == []


def test_check_mode_still_fails_for_a_wrong_address(gitea, module_runner):
    result = module_runner(gitea_token_main, admin(gitea, url=gitea.url + "/gitea", user="alice", scopes=["read:user"]),
                           check_mode=True)
    assert result["failed"] is True, result
    assert "404" in result["msg"]


def test_check_mode_for_an_existing_user_costs_no_extra_request(gitea, module_runner):
    module_runner(gitea_token_main, admin(gitea, user="alice", scopes=["read:user"]), check_mode=True)
    assert len(gitea.requests()) == 1


# -- changed after a failure -----------------------------------------------------------------------


def test_a_replacement_that_fails_after_the_delete_reports_the_change(gitea, module_runner):
    first = module_runner(gitea_token_main, alice(gitea, scopes=["read:user"]))
    gitea.fault(method="POST", path="/tokens$", status=400, body='{"message": "refused", "url": ""}')
    result = module_runner(gitea_token_main, alice(gitea, scopes=["read:user"], recreate="always"))
    assert result["failed"] is True
    assert result["changed"] is True, result
    assert result["deleted"] == [dict(id=first["token"]["id"], name="ci", scopes=["read:user"],
                                      token_last_eight=first["token"]["token_last_eight"])]
    assert "was deleted first" in result["msg"] and "Changed before this failure: DELETE" in result["msg"]
    assert gitea.tokens("alice") == []


def test_a_delete_whose_answer_is_lost_may_have_changed(gitea, module_runner):
    module_runner(gitea_token_main, alice(gitea, scopes=["read:user"]))
    gitea.fault(method="DELETE", path="/tokens/", apply=True, status=504, body="<html>gateway timeout</html>")
    result = module_runner(gitea_token_main, alice(gitea, state="absent"))
    assert result["failed"] is True
    assert result["changed"] is True, result
    assert result["deleted"] == []


def test_a_create_whose_answer_cannot_be_read_may_have_changed(gitea, module_runner):
    gitea.fault(method="POST", path="/tokens$", apply=True, status=201, body="<html>welcome</html>")
    result = module_runner(gitea_token_main, alice(gitea, scopes=["read:user"]))
    assert result["failed"] is True
    assert result["changed"] is True, result
    assert "set recreate to always" in result["msg"]
    assert len(gitea.tokens("alice")) == 1


def test_a_refused_create_changed_nothing(gitea, module_runner):
    gitea.fault(method="POST", path="/tokens$", status=400, body='{"message": "refused", "url": ""}')
    result = module_runner(gitea_token_main, alice(gitea, scopes=["read:user"]))
    assert result["failed"] is True
    assert result["changed"] is False
    assert result["deleted"] == []


def test_a_failed_read_changed_nothing(gitea, module_runner):
    gitea.fault(method="GET", path="/tokens$", status=503)
    result = module_runner(gitea_token_main, alice(gitea, scopes=["read:user"]))
    assert result["failed"] is True and result["changed"] is False


# -- names and messages ----------------------------------------------------------------------------


@pytest.mark.parametrize("name, words", [("", "name is empty"), ("  \t", "name is only blanks")])
@pytest.mark.parametrize("state", ["present", "absent"])
def test_an_empty_name_is_refused_before_any_request(gitea, module_runner, name, words, state):
    result = module_runner(gitea_token_main, alice(gitea, name=name, scopes=["read:user"], state=state))
    assert result["failed"] is True
    assert result["msg"] == words + "; give the name of the token"
    assert gitea.requests() == []


@pytest.mark.parametrize("term", ["", " "])
def test_the_lookup_refuses_an_empty_name_before_any_request(gitea, term):
    with pytest.raises(InputError) as refused:
        LookupModule().lookup(["ci", term], dict(url=gitea.url, username="alice", password="alice-password", retries=0))
    assert str(refused.value).startswith("a term is ")
    assert gitea.requests() == []


def test_a_token_without_scopes_is_described_in_words(gitea, module_runner):
    _a_token_without_scope(gitea)
    result, warnings = run(module_runner, alice(gitea, scopes=["read:user"]))
    assert result["changed"] is False
    assert warnings == ["token ci of alice keeps its scopes (none) although scopes asks for read:user; set recreate to "
                        "on_change to replace it"]


@pytest.mark.parametrize("user", ["", "  "])
def test_a_blank_user_is_the_login_itself(gitea, module_runner, user):
    result = module_runner(gitea_token_main, alice(gitea, user=user, scopes=["read:user"]))
    assert result["changed"] is True, result
    assert len(gitea.tokens("alice")) == 1


# -- check mode predicts the real run --------------------------------------------------------------


def _without_server_made_fields(result):
    """A result with the fields only the server can know blanked, and the secret (shown once) left out."""
    result = json.loads(json.dumps(result))
    result["token"].pop("sha1", None)
    for view in [result["token"], result.get("diff", {}).get("after") or {}]:
        for key in MADE_BY_THE_SERVER:
            if key in view:
                view[key] = None
    return result


CASES = {
    "create": (None, dict(scopes=["write:package", "read:issue", "public-only", "read:activitypub", "write:user"])),
    "replace on change": (["read:user", "write:misc"], dict(scopes=["read:issue", "write:package", "public-only"],
                                                            recreate="on_change")),
    "rotate": (["write:issue", "read:repository"], dict(recreate="always")),
    "keep with a warning": (["read:user"], dict(scopes=["write:user"])),
    "unchanged": (["write:user"], dict(scopes=["read:user", "write:user"], recreate="on_change")),
    "delete": (["read:user"], dict(state="absent")),
}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_check_mode_gives_the_result_and_diff_of_the_real_run(gitea, module_runner, version, case):
    gitea.version(version)
    existing, args = CASES[case]
    if existing is not None:
        module_runner(gitea_token_main, alice(gitea, scopes=existing))
    predicted, predicted_warnings = run(module_runner, alice(gitea, **args), check_mode=True, diff=True)
    real, real_warnings = run(module_runner, alice(gitea, **args), diff=True)
    assert "failed" not in real, real
    assert _without_server_made_fields(predicted) == _without_server_made_fields(real)
    assert predicted_warnings == real_warnings
    stored = [token["scopes"] for token in gitea.tokens("alice")]
    if real["token"]:
        # Scopes as Gitea stores and lists them, in the result and in the diff alike.
        assert stored == [real["token"]["scopes"]] == [real["diff"]["after"]["scopes"]]
        assert predicted["token"]["id"] is None if real["changed"] else predicted["token"]["id"] == real["token"]["id"]


def _a_token_without_scope(gitea):
    gitea.version("1.21.11")
    # Gitea before 1.22 stores a token without any scope, and lists it with one empty name.
    assert requests.post(gitea.url + "/api/v1/users/alice/tokens", auth=("alice", "alice-password"),
                         json={"name": "ci", "scopes": []}).status_code == 201


def test_a_token_without_scope_is_shown_without_an_empty_name(gitea, module_runner):
    _a_token_without_scope(gitea)
    result = module_runner(gitea_token_main, alice(gitea), diff=True)
    assert result["changed"] is False
    assert result["token"]["scopes"] == []
    replaced = module_runner(gitea_token_main, alice(gitea, scopes=["read:user"], recreate="on_change"), diff=True)
    assert replaced["changed"] is True
    assert replaced["diff"]["before"]["scopes"] == []


def test_rotating_a_token_without_scope_needs_scopes_and_deletes_nothing(gitea, module_runner):
    _a_token_without_scope(gitea)
    result = module_runner(gitea_token_main, alice(gitea, recreate="always"))
    assert result["failed"] is True
    assert result["msg"] == "token ci of alice has no scopes to keep; give scopes to replace it"
    assert [entry["method"] for entry in gitea.writes()] == ["POST"]
