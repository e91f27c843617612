# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Jira deployments: the checks a submission goes through, by the schema of Atlassian's reference.

A problem with the request as a whole is a 400 (``RequestRejected``); a problem with one deployment
rejects that deployment only, with the messages ``check_deployment`` returns. The wording of every
message is ours: the reference gives the rules, not the texts.
"""

import re
from datetime import datetime
from urllib.parse import urlsplit

STATES = ("unknown", "pending", "in_progress", "cancelled", "failed", "rolled_back", "successful")
ENVIRONMENT_TYPES = ("unmapped", "development", "testing", "staging", "production")
ISSUE_ASSOCIATIONS = ("issueKeys", "issueIdOrKeys")
SERVICE_ASSOCIATION = "serviceIdOrKeys"
# Commit and repository associations need development information the sandbox does not hold.
ASSOCIATION_TYPES = ISSUE_ASSOCIATIONS + (SERVICE_ASSOCIATION,)
MAX_DEPLOYMENTS = 100
MAX_ASSOCIATIONS = 3
MAX_ASSOCIATION_VALUES = 500
MAX_PROPERTIES = 5
MAX_TEXT = 255
MAX_URL = 2000
INT64 = (-(2**63), 2**63 - 1)
SCHEMA_VERSION = "1.0"
ISSUE_KEY = re.compile(r"\w{1,255}-\d{1,255}\Z")
ISSUE_ID = re.compile(r"\d{1,255}\Z")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})\Z")


class RequestRejected(Exception):
    """The request as a whole cannot be used: a 400 with these messages."""

    def __init__(self, *messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def is_int64(value):
    return isinstance(value, int) and not isinstance(value, bool) and INT64[0] <= value <= INT64[1]


def is_date_time(value):
    """An RFC 3339 date-time, as the reference's ``format: date-time`` asks (a zone is required)."""
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "+00:00").replace("Z", "+00:00").replace("t", "T"))
    except ValueError:
        return False
    return True


def is_url(value):
    """An absolute URI, as the reference's ``format: uri`` asks."""
    if not isinstance(value, str) or not value or any(character.isspace() for character in value):
        return False
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path))


def check_request(body):
    """The deployments of a submission; raises RequestRejected for a body that is not one."""
    if not isinstance(body, dict):
        raise RequestRejected("The request body must be a JSON object")
    deployments = body.get("deployments")
    if not isinstance(deployments, list) or not deployments:
        raise RequestRejected("deployments: a list of 1 to %d deployments is required" % MAX_DEPLOYMENTS)
    if len(deployments) > MAX_DEPLOYMENTS:
        raise RequestRejected("deployments: at most %d deployments may be submitted at once" % MAX_DEPLOYMENTS)
    properties = body.get("properties")
    if properties is not None:
        if not isinstance(properties, dict) or len(properties) > MAX_PROPERTIES:
            raise RequestRejected("properties: an object of at most %d properties" % MAX_PROPERTIES)
        for key, value in properties.items():
            if ":" in key or key.startswith("_"):
                raise RequestRejected("properties: the key %r may not contain ':' or start with '_'" % key)
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                raise RequestRejected("properties: the value of %r must be text of at most %d characters" % (key, MAX_TEXT))
    return deployments


def deployment_key(deployment):
    """The key of a submitted deployment as the answer names it, with what it has of one."""
    if not isinstance(deployment, dict):
        return {}
    pipeline = deployment.get("pipeline") if isinstance(deployment.get("pipeline"), dict) else {}
    environment = deployment.get("environment") if isinstance(deployment.get("environment"), dict) else {}
    return {"pipelineId": pipeline.get("id"), "environmentId": environment.get("id"),
            "deploymentSequenceNumber": deployment.get("deploymentSequenceNumber")}


def _text(container, key, path, problems, required=True, limit=MAX_TEXT):
    value = container.get(key)
    if value is None:
        if required:
            problems.append("%s: is required" % path)
        return
    if not isinstance(value, str):
        problems.append("%s: must be a string" % path)
    elif len(value) > limit:
        problems.append("%s: must be at most %d characters long" % (path, limit))


def _url(container, key, path, problems):
    _text(container, key, path, problems, limit=MAX_URL)
    value = container.get(key)
    if isinstance(value, str) and len(value) <= MAX_URL and not is_url(value):
        problems.append("%s: must be an absolute URI" % path)


def _choice(container, key, path, choices, problems):
    value = container.get(key)
    if value is None:
        problems.append("%s: is required" % path)
    elif value not in choices:
        problems.append("%s: must be one of %s" % (path, ", ".join(choices)))


def _object(container, key, problems):
    value = container.get(key)
    if value is None:
        problems.append("%s: is required" % key)
        return None
    if not isinstance(value, dict):
        problems.append("%s: must be an object" % key)
        return None
    return value


def _associations(deployment, problems):
    associations = deployment.get("associations")
    issue_keys = deployment.get("issueKeys")
    if associations is None and issue_keys is None:
        problems.append("associations: is required (or the deprecated issueKeys)")
        return
    if issue_keys is not None:
        if not isinstance(issue_keys, list) or not 1 <= len(issue_keys) <= 100:
            problems.append("issueKeys: must be a list of 1 to 100 issue keys")
        elif not all(isinstance(key, str) and ISSUE_KEY.match(key) for key in issue_keys):
            problems.append("issueKeys: every value must be an issue key such as ABC-123")
    if associations is None:
        return
    if not isinstance(associations, list) or not 1 <= len(associations) <= MAX_ASSOCIATIONS:
        problems.append("associations: must be a list of 1 to %d associations" % MAX_ASSOCIATIONS)
        return
    total = 0
    for index, association in enumerate(associations):
        path = "associations[%d]" % index
        if not isinstance(association, dict):
            problems.append("%s: must be an object" % path)
            continue
        kind = association.get("associationType")
        if kind not in ASSOCIATION_TYPES:
            problems.append("%s.associationType: must be one of %s" % (path, ", ".join(ASSOCIATION_TYPES)))
            continue
        values = association.get("values")
        if not isinstance(values, list) or not values:
            problems.append("%s.values: must be a list of at least one value" % path)
            continue
        total += len(values)
        for value in values:
            if not isinstance(value, str):
                problems.append("%s.values: every value must be a string" % path)
                break
            if kind == "issueKeys" and not ISSUE_KEY.match(value):
                problems.append("%s.values: %r is not an issue key such as ABC-123" % (path, value))
                break
            if kind == "issueIdOrKeys" and not (ISSUE_KEY.match(value) or ISSUE_ID.match(value)):
                problems.append("%s.values: %r is not an issue key or id" % (path, value))
                break
            if kind == SERVICE_ASSOCIATION and not 1 <= len(value) <= MAX_TEXT:
                problems.append("%s.values: a service id or key is 1 to %d characters long" % (path, MAX_TEXT))
                break
    if total > MAX_ASSOCIATION_VALUES:
        problems.append("associations: at most %d values in all" % MAX_ASSOCIATION_VALUES)


def check_deployment(deployment):
    """The problems of one submitted deployment; an empty list when it may be stored."""
    if not isinstance(deployment, dict):
        return ["a deployment must be an object"]
    problems = []
    for key in ("deploymentSequenceNumber", "updateSequenceNumber"):
        value = deployment.get(key)
        if value is None:
            problems.append("%s: is required" % key)
        elif not is_int64(value):
            problems.append("%s: must be a whole number (64 bits)" % key)
    _text(deployment, "displayName", "displayName", problems)
    _url(deployment, "url", "url", problems)
    _text(deployment, "description", "description", problems)
    _text(deployment, "label", "label", problems, required=False)
    if deployment.get("lastUpdated") is None:
        problems.append("lastUpdated: is required")
    elif not is_date_time(deployment["lastUpdated"]):
        problems.append("lastUpdated: must be a date-time such as 2018-01-20T23:27:25.000Z")
    if deployment.get("duration") is not None and not is_int64(deployment["duration"]):
        problems.append("duration: must be a whole number of seconds")
    _choice(deployment, "state", "state", STATES, problems)
    pipeline = _object(deployment, "pipeline", problems)
    if pipeline is not None:
        _text(pipeline, "id", "pipeline.id", problems)
        _text(pipeline, "displayName", "pipeline.displayName", problems)
        _url(pipeline, "url", "pipeline.url", problems)
    environment = _object(deployment, "environment", problems)
    if environment is not None:
        _text(environment, "id", "environment.id", problems)
        _text(environment, "displayName", "environment.displayName", problems)
        _choice(environment, "type", "environment.type", ENVIRONMENT_TYPES, problems)
    _associations(deployment, problems)
    if deployment.get("schemaVersion") not in (None, SCHEMA_VERSION):
        problems.append("schemaVersion: must be %s" % SCHEMA_VERSION)
    triggered_by = deployment.get("triggeredBy")
    if triggered_by is not None and not (isinstance(triggered_by, dict) and isinstance(triggered_by.get("email", ""), str)):
        problems.append("triggeredBy: must be an object with an email")
    commands = deployment.get("commands")
    if commands is not None and not (isinstance(commands, list) and all(isinstance(command, dict) for command in commands)):
        problems.append("commands: must be a list of objects")
    return problems
