# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ACL policy validation, checked against the Rundeck server's messages."""

import copy
import textwrap

import pytest
import yaml

from tests.sandbox.aclpolicy import is_valid_policy_path, validate_policy, validation_body

SYSTEM = {
    "description": "admins",
    "context": {"application": "rundeck"},
    "for": {"project": [{"allow": "read"}]},
    "by": {"group": "admin"},
}
PROJECT = {
    "description": "ops runs jobs",
    "for": {"job": [{"equals": {"name": "deploy"}, "allow": ["read", "run"]}]},
    "by": {"group": "ops"},
}
RULE = "Type rule 'for: { job: [...] }' entry at index [%d] "


def changed(base, **changes):
    document = copy.deepcopy(base)
    for key, value in changes.items():
        if value is _DELETE:
            del document[key]
        else:
            document[key] = value
    return yaml.safe_dump(document, sort_keys=False)


_DELETE = object()


def only_error(text, project=None):
    errors = validate_policy(text, project=project, name="p.aclpolicy")
    assert list(errors) == ["p.aclpolicy[1]"], errors
    assert len(errors["p.aclpolicy[1]"]) == 1
    return errors["p.aclpolicy[1]"][0]


def test_valid_policies_have_no_errors():
    assert validate_policy(yaml.safe_dump(SYSTEM), name="a.aclpolicy") == {}
    assert validate_policy(yaml.safe_dump(PROJECT), project="web", name="a.aclpolicy") == {}
    assert validate_policy(changed(SYSTEM, context={"project": "dev-.*"})) == {}


@pytest.mark.parametrize(
    "context, message",
    [
        (_DELETE, "Required 'context:' section was not present"),
        (None, "Required 'context:' section was not present"),
        (
            {"application": "rundeck", "project": "x"},
            "Context section is not valid: {application=rundeck, project=x}, it should have only one entry: "
            "'application:' or 'project:'",
        ),
        (
            {"node": "web"},
            "Context section is not valid: {node=web}, it should have only one entry: 'application:' or 'project:'",
        ),
        ("rundeck", "Context section is not valid: rundeck, it should have only one entry: 'application:' or 'project:'"),
        ({"project": "dev-[0-9"}, "Context section: project: invalid regex: dev-[0-9"),
    ],
)
def test_system_context(context, message):
    assert only_error(changed(SYSTEM, context=context)) == message


def test_project_policy_must_not_set_a_context():
    text = changed(PROJECT, context={"project": "web"})
    assert only_error(text, project="web") == "Context section should not be specified, it is already set to: {project: 'web'}"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"by": _DELETE}, "Required 'by:' or 'notBy:' section was not present"),
        ({"by": {"role": "x"}}, "Section 'by:' is not valid:  it must contain 'group:' and/or 'username:' and/or 'urn:'"),
        ({"by": "ops"}, "Section 'by:' is not valid:  it must contain 'group:' and/or 'username:' and/or 'urn:'"),
        (
            {"by": _DELETE, "notBy": ["x"]},
            "Section 'notBy:' is not valid:  it must contain 'group:' and/or 'username:' and/or 'urn:'",
        ),
        ({"for": _DELETE}, "Required 'for:' section was not present"),
        ({"for": {}}, "Section 'for:' should not be empty"),
        ({"for": ["job"]}, "Section 'for:' should not be empty"),
        ({"for": {"job": []}}, "Type rule 'for: { job: [...] }' list should not be empty."),
        ({"for": {"job": None}}, "Type rule 'for: { job: [...] }' list should not be empty."),
        ({"for": {"job": [{"match": {"name": "x"}}]}}, RULE % 1 + "One of 'allow:' or 'deny:' must be present."),
        ({"for": {"job": ["read"]}}, RULE % 1 + "One of 'allow:' or 'deny:' must be present."),
        ({"for": {"job": [{"allow": "read"}, {"allow": []}]}}, RULE % 2 + "Section 'allow:' should not be empty"),
        ({"for": {"job": [{"deny": None}]}}, RULE % 1 + "Section 'deny:' should not be empty"),
        ({"for": {"job": [{"allow": ""}]}}, RULE % 1 + "Section 'allow:' should not be empty"),
        (
            {"for": {"job": [{"allow": "read", "match": {"name": "x", "deny": "run"}}]}},
            RULE % 1 + "Section 'match:' should not contain 'allow:' or 'deny:'",
        ),
        (
            {"for": {"job": [{"deny": "run", "equals": {"allow": "read"}}]}},
            RULE % 1 + "Section 'equals:' should not contain 'allow:' or 'deny:'",
        ),
        (
            {"for": {"job": [{"deny": "run", "subset": {"deny": "read"}}]}},
            RULE % 1 + "Section 'subset:' should not contain 'allow:' or 'deny:'",
        ),
        (
            {"for": {"job": [{"allow": "read", "contains": {"name": "x"}}]}},
            RULE % 1 + "Section 'contains:' can only be applied to: 'tags'",
        ),
        ({"by": _DELETE, "notBy": {"group": "x"}}, RULE % 1 + "Using notBy Can't be of type 'allow:' only'deny:'"),
        ({"description": _DELETE}, "Policy is missing a description"),
    ],
)
def test_rule_messages(changes, message):
    assert only_error(changed(PROJECT, **changes), project="web") == message


def test_rules_are_checked_in_document_order():
    text = changed(PROJECT, **{"for": {"node": [{"allow": "read"}], "job": [{"allow": "run"}, {"deny": []}], "adhoc": []}})
    assert only_error(text, project="web") == RULE % 2 + "Section 'deny:' should not be empty"


def test_notby_with_deny_and_contains_tags_are_valid():
    rules = {"job": [{"deny": "run", "contains": {"tags": ["prod"]}}]}
    text = changed(PROJECT, **{"by": _DELETE, "notBy": {"urn": "group:ops"}, "for": rules})
    assert validate_policy(text, project="web") == {}


def test_only_the_first_error_of_a_document_is_reported():
    assert only_error(yaml.safe_dump({"for": {}})) == "Required 'context:' section was not present"
    assert only_error(yaml.safe_dump({"for": {}}), project="web") == "Required 'by:' or 'notBy:' section was not present"


def test_a_document_must_be_a_map():
    assert only_error("- just\n- a list\n") == "Expected a map for the policy document"
    assert only_error("hello\n") == "Expected a map for the policy document"


def test_each_document_is_numbered_and_empty_ones_count():
    good = yaml.safe_dump(PROJECT)
    text = "---\n---\n" + good + "---\n" + changed(PROJECT, description=_DELETE) + "---\n" + good
    assert validate_policy(text, project="web", name="p.aclpolicy") == {"p.aclpolicy[3]": ["Policy is missing a description"]}


def test_errors_are_sorted_as_strings():
    good = yaml.safe_dump(PROJECT)
    bad = changed(PROJECT, description=_DELETE)
    documents = [good] * 11
    documents[1] = documents[9] = bad
    errors = validate_policy("---\n".join(documents), project="web", name="p.aclpolicy")
    assert validation_body(errors) == {
        "valid": False,
        "policies": [
            {"policy": "p.aclpolicy[10]", "errors": ["Policy is missing a description"]},
            {"policy": "p.aclpolicy[2]", "errors": ["Policy is missing a description"]},
        ],
    }


@pytest.mark.parametrize(
    "text, ident",
    [
        ("description: 'unclosed\n", "p.aclpolicy[1]"),
        ("description: x\nby: {group: [a\n", "p.aclpolicy[1]"),
        ("description: x\n---\nby: [a\n---\nc: 3\n", "p.aclpolicy[2]"),
        ("description: x\n---\n" + textwrap.indent(yaml.safe_dump(PROJECT), "  ") + " oops: 1\n", "p.aclpolicy[2]"),
        ("description: x\n--- {by: 1\n", "p.aclpolicy[2]"),
        ("a: b: c\n", "p.aclpolicy[1]"),
    ],
)
def test_yaml_syntax_errors_name_the_failing_document(text, ident):
    errors = validate_policy(text, project="web", name="p.aclpolicy")
    assert ident in errors
    message = errors[ident][0]
    assert message.startswith("Error parsing the policy document: ")
    assert "\n" not in message and "line " in message


def test_errors_before_a_syntax_error_are_kept():
    text = changed(PROJECT, description=_DELETE) + "---\nfor: [\n"
    errors = validate_policy(text, project="web", name="p.aclpolicy")
    assert errors["p.aclpolicy[1]"] == ["Policy is missing a description"]
    assert errors["p.aclpolicy[2]"][0].startswith("Error parsing the policy document: ")


def test_unsafe_tags_are_parse_errors():
    errors = validate_policy("description: !!python/object/apply:os.system ['true']\n", name="p.aclpolicy")
    assert errors["p.aclpolicy[1]"][0].startswith("Error parsing the policy document: ")


@pytest.mark.parametrize(
    "path, valid",
    [
        ("admins.aclpolicy", True),
        ("with space.aclpolicy", True),
        ("adminsXaclpolicy", True),  # the server's dot is not escaped
        ("a/b.aclpolicy", False),
        (".aclpolicy", False),
        ("admins.yaml", False),
        ("admins.aclpolicy\n", False),
        ("admins.aclpolicy.bak", False),
    ],
)
def test_policy_path_pattern(path, valid):
    assert is_valid_policy_path(path) is valid


@pytest.mark.parametrize(
    "value, java_class",
    [("5", "java.lang.Integer"), ("true", "java.lang.Boolean"), ("1.5", "java.lang.Double"), ("{read: x}", "java.util.LinkedHashMap")],
)
def test_allow_must_be_text_or_a_list(value, java_class):
    # YamlParsePolicy's grant check: a String or a sequence of Strings.
    text = "description: d\ncontext:\n  application: rundeck\nfor:\n  job:\n    - allow: %s\nby:\n  group: ops\n" % value
    message = (
        "Type rule 'for: { job: [...] }' entry at index [1] Section 'allow:' expected a String or a sequence of Strings, but was a %s"
        % java_class
    )
    assert validate_policy(text) == {"policy.aclpolicy[1]": [message]}
