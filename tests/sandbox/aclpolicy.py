# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validation of Rundeck ACL policy documents, with the server's own messages.

Rundeck parses a policy file as a stream of YAML documents and stops at the
first problem in each document, so every document reports at most one error.
"""

import re

import yaml

# The server checks the policy path with this pattern; the dot is not escaped
# there either, so "xaclpolicy" preceded by any character is accepted.
POLICY_PATH_PATTERN = "^[^/]+.aclpolicy$"
_POLICY_PATH_RE = re.compile(POLICY_PATH_PATTERN)

_BY_KEYS = ("group", "username", "urn")
_MATCH_SECTIONS = ("match", "equals", "contains", "subset")
_LINE_BREAK = re.compile("\r\n|\r|\n|\x85|\u2028|\u2029")
_DOCUMENT_START = re.compile(r"---(?=\s|$)")


class _PolicyError(Exception):
    """First problem found in one document; validation of it stops there."""


def is_valid_policy_path(path):
    # fullmatch: Java's String.matches() needs the whole text to match, while
    # Python's "$" would also accept a trailing newline.
    return _POLICY_PATH_RE.fullmatch(path) is not None


def validate_policy(text, project=None, name="policy.aclpolicy"):
    """Validate policy text the way the Rundeck API does.

    ``project`` is None for a system policy, or the name of the project that
    owns a project policy. Returns ``{"NAME[N]": [error]}`` for every document
    (1-based N) that has a problem; an empty dict means the text is valid.
    """
    errors = {}
    loader = yaml.SafeLoader(text)
    index = 0
    try:
        while loader.check_data():
            index += 1
            document = loader.get_data()
            if document is None:
                # Empty documents are skipped but still take their number.
                continue
            try:
                _validate_document(document, project)
            except _PolicyError as exc:
                errors["%s[%d]" % (name, index)] = [str(exc)]
    except yaml.YAMLError as exc:
        failed = _failed_document_index(text, exc, index)
        errors.setdefault("%s[%d]" % (name, failed), ["Error parsing the policy document: " + _describe_yaml_error(exc)])
    finally:
        loader.dispose()
    return errors


def validation_body(errors):
    """The 400 body the API sends for the result of ``validate_policy``."""
    return {
        "valid": False,
        "policies": [{"policy": ident, "errors": errors[ident]} for ident in sorted(errors)],
    }


def _validate_document(document, project):
    if not isinstance(document, dict):
        raise _PolicyError("Expected a map for the policy document")
    _check_context(document, project)
    not_by = _present(document, "notBy")
    _check_by(document)
    _check_for(document, not_by)
    if not _present(document, "description"):
        raise _PolicyError("Policy is missing a description")


def _present(mapping, key):
    # A key given with no value is read by the server as an absent section.
    return mapping.get(key) is not None


def _check_context(document, project):
    context = document.get("context")
    if project is not None:
        # The project is forced for project policies, so any context is an error.
        if context is not None:
            raise _PolicyError("Context section should not be specified, it is already set to: {project: '%s'}" % project)
        return
    if context is None:
        raise _PolicyError("Required 'context:' section was not present")
    if not isinstance(context, dict) or len(context) != 1 or not ("application" in context or "project" in context):
        raise _PolicyError(
            "Context section is not valid: %s, it should have only one entry: 'application:' or 'project:'" % _java_str(context)
        )
    if "project" in context:
        value = context["project"]
        try:
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise re.error("not a pattern")
            re.compile(str(value))
        except re.error:
            raise _PolicyError("Context section: project: invalid regex: %s" % _java_str(value)) from None


def _check_by(document):
    if not _present(document, "by") and not _present(document, "notBy"):
        raise _PolicyError("Required 'by:' or 'notBy:' section was not present")
    for section in ("by", "notBy"):
        if not _present(document, section):
            continue
        value = document[section]
        if not isinstance(value, dict) or not any(key in value for key in _BY_KEYS):
            # Two spaces after "valid:", exactly as the server prints it.
            raise _PolicyError("Section '%s:' is not valid:  it must contain 'group:' and/or 'username:' and/or 'urn:'" % section)


def _check_for(document, not_by):
    if not _present(document, "for"):
        raise _PolicyError("Required 'for:' section was not present")
    rules_by_type = document["for"]
    if not isinstance(rules_by_type, dict) or not rules_by_type:
        raise _PolicyError("Section 'for:' should not be empty")
    for rtype, rules in rules_by_type.items():
        label = "Type rule 'for: { %s: [...] }'" % _java_str(rtype)
        if not isinstance(rules, list) or not rules:
            raise _PolicyError("%s list should not be empty." % label)
        for position, rule in enumerate(rules, start=1):
            problem = _rule_problem(rule, not_by)
            if problem:
                raise _PolicyError("%s entry at index [%d] %s" % (label, position, problem))


def _rule_problem(rule, not_by):
    if not isinstance(rule, dict) or ("allow" not in rule and "deny" not in rule):
        return "One of 'allow:' or 'deny:' must be present."
    for section in ("allow", "deny"):
        if section in rule and _is_empty(rule[section]):
            return "Section '%s:' should not be empty" % section
        if section in rule and not isinstance(rule[section], (str, list)):
            # The server names the Java class SnakeYAML made of the value.
            return "Section '%s:' expected a String or a sequence of Strings, but was a %s" % (section, _java_class(rule[section]))
    for section in _MATCH_SECTIONS:
        value = rule.get(section)
        if isinstance(value, dict) and ("allow" in value or "deny" in value):
            # The classic mistake: allow/deny indented under the match clause.
            return "Section '%s:' should not contain 'allow:' or 'deny:'" % section
    contains = rule.get("contains")
    if isinstance(contains, dict) and any(key != "tags" for key in contains):
        return "Section 'contains:' can only be applied to: 'tags'"
    if not_by and "allow" in rule:
        return "Using notBy Can't be of type 'allow:' only'deny:'"
    return None


def _java_class(value):
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, dict):
        return "java.util.LinkedHashMap"
    return "java.lang.Object"


def _is_empty(value):
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _java_str(value):
    """Render a parsed YAML value as Java's toString() would in a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%s=%s" % (_java_str(k), _java_str(v)) for k, v in value.items())
    if isinstance(value, list):
        return "[%s]" % ", ".join(_java_str(item) for item in value)
    return str(value)


def _describe_yaml_error(exc):
    """One line out of PyYAML's multi-line error text."""
    problem = getattr(exc, "problem", None)
    if not problem:
        return " ".join(str(exc).split())
    context = getattr(exc, "context", None)
    text = "%s: %s" % (context, problem) if context else problem
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        text += " (line %d, column %d)" % (mark.line + 1, mark.column + 1)
    return " ".join(text.split())


def _failed_document_index(text, exc, loaded):
    """Number of the document a YAML error belongs to.

    PyYAML reads ahead, so the error may surface while the previous document
    is being built; the position of the error decides instead. The context
    mark (e.g. where an unclosed bracket opened) is closer to the culprit
    than the problem mark (where the parser noticed).
    """
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    if mark is None:
        return max(loaded, 1)
    index = 0
    lines = _LINE_BREAK.split(text)
    for number, line in enumerate(lines[: mark.line + 1]):
        if _DOCUMENT_START.match(line):
            # A marker only opens the failing document if the error lies
            # after it; an error reported on the marker itself ends the
            # previous document.
            if number < mark.line or mark.column >= 3:
                index += 1
        elif index == 0 and line.strip() and not line.lstrip().startswith(("#", "%")):
            # Content before any "---" is an implicit first document.
            index = 1
    return max(index, 1)
