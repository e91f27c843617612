"""Rundeck specifics: ACL comparison, names, error bodies, options."""

from __future__ import annotations

import pytest

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.opsforge.delivery.plugins.module_utils._options import nonempty_env_fallback
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import (
    RundeckClient,
    acl_file_name,
    canonical_acl_documents,
    invalid_acl_name,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._yaml import dump_documents, load_documents


def same_meaning(left, right):
    return canonical_acl_documents(load_documents(left)) == canonical_acl_documents(load_documents(right))


def test_formatting_comments_and_key_order_do_not_matter():
    assert same_meaning(
        "description: x\nfor:\n  job:\n    - allow: [read, run]\nby:\n  group: ci\n",
        "# comment\nby: {group: [ci]}\nfor: {job: [{allow: [run, read, run]}]}\ndescription: 'x'\n",
    )


def test_a_single_value_equals_a_list_of_it():
    assert same_meaning("for: {job: [{allow: read}]}\nby: {username: bob}", "for: {job: [{allow: [read]}]}\nby: {username: [bob]}")


def test_different_rights_differ():
    assert not same_meaning("for: {job: [{allow: read}]}", "for: {job: [{allow: [read, run]}]}")


def test_rule_order_matters_but_document_separators_and_empty_documents_do_not():
    assert same_meaning("---\ndescription: a\n---\n", "description: a\n")
    assert not same_meaning("for: {job: [{allow: read}, {deny: run}]}", "for: {job: [{deny: run}, {allow: read}]}")


def test_match_values_are_not_treated_as_sets():
    # In a match clause, group is a regular expression, not a set of group names.
    left = canonical_acl_documents([{"for": {"job": [{"equals": {"group": "deploy"}, "allow": "run"}]}}])
    assert left[0]["for"]["job"][0]["equals"]["group"] == ["deploy"]  # both sides get the same form


def test_dump_documents_round_trips():
    docs = [{"description": "a", "for": {"job": [{"allow": ["read"]}]}}, {"description": "b"}]
    assert load_documents(dump_documents(docs)) == docs
    assert dump_documents(docs[:1]).startswith("description: a")


@pytest.mark.parametrize("name, expected", [("x", "x.aclpolicy"), ("x.aclpolicy", "x.aclpolicy")])
def test_acl_file_name(name, expected):
    assert acl_file_name(name) == expected


@pytest.mark.parametrize("name, problem", [
    ("ok-name", None), ("with space", None), ("a/b", "must not contain '/'"), ("", "must not be empty"),
    (".aclpolicy", "must not be empty"),
])
def test_invalid_acl_name(name, problem):
    found = invalid_acl_name(name)
    assert (found is None) if problem is None else (problem in found)


class FakeResponse(object):
    def __init__(self, status_code, body, content_type="application/json"):
        import json
        self.status_code = status_code
        self.text = body if isinstance(body, str) else json.dumps(body)
        self.content = self.text.encode()
        self.headers = {"Content-Type": content_type}

    def json(self):
        import json
        return json.loads(self.text)


def test_validation_errors_are_listed_per_document():
    message, details = RundeckClient.parse_error(FakeResponse(400, {"valid": False, "policies": [
        {"policy": "p.aclpolicy[1]", "errors": ["Required 'for:' section was not present"]},
        {"policy": "p.aclpolicy[2]", "errors": ["Policy is missing a description", "second"]},
    ]}))
    assert message == ("the ACL policy is not valid: p.aclpolicy[1]: Required 'for:' section was not present | "
                       "p.aclpolicy[2]: Policy is missing a description; second")
    assert len(details) == 2


def test_error_code_and_hints():
    body = {"error": True, "errorCode": "api.error.api-version.unsupported", "message": "Unsupported API Version \"99\""}
    message = RundeckClient.parse_error(FakeResponse(400, body))[0]
    assert "api_version" in message and "api.error.api-version.unsupported" in message
    message = RundeckClient.parse_error(FakeResponse(403, {"error": True, "errorCode": "unauthorized", "message": "no"}))[0]
    assert "api_token" in message


def test_non_json_error_body():
    message = RundeckClient.parse_error(FakeResponse(502, "<html>Bad gateway</html>", "text/html"))[0]
    assert "not JSON" in message and "Bad gateway" in message


def test_empty_environment_variables_count_as_unset(monkeypatch):
    monkeypatch.setenv("FIRST", "")
    monkeypatch.setenv("SECOND", "value")
    assert nonempty_env_fallback("FIRST", "SECOND") == "value"
    monkeypatch.setenv("SECOND", "")
    with pytest.raises(AnsibleFallbackNotFound):
        nonempty_env_fallback("FIRST", "SECOND")
