# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Jira deployments: the options checked, the record a run submits, what differs, and the run itself.

Jira identifies a deployment by pipeline, environment and sequence number, and replaces what it
stores only with a submission of a higher ``updateSequenceNumber``; it applies submissions and
deletions asynchronously. A run reads the record, submits the whole of it (what it stores, with the
options applied) only when that differs, and with ``wait`` follows the write until a read shows it.
"""

from __future__ import annotations

import copy
import re
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

from ansible_collections.opsforge.delivery.plugins.module_utils._http import MAY_HAVE_CHANGED, ApiError, ServiceFailure, scrub
from ansible_collections.opsforge.delivery.plugins.module_utils._jira import SERVICE, JiraClient
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import CreatedMeanwhile, Resource

STATES = ("unknown", "pending", "in_progress", "cancelled", "failed", "rolled_back", "successful")
ENVIRONMENT_TYPES = ("unmapped", "development", "testing", "staging", "production")
#: The limits of Jira's schema: texts and ids, URLs, association values, 64-bit numbers.
MAX_TEXT = 255
MAX_URL = 2000
MAX_ASSOCIATION_VALUES = 500
INT64_MAX = 2**63 - 1
ISSUE_KEY = re.compile(r"\w{1,255}-\d{1,255}\Z")
#: How the module names its associations, and the types a read may show for issues.
ISSUE_KEYS = "issueKeys"
SERVICE_IDS = "serviceIdOrKeys"
ISSUE_TYPES = ("issueKeys", "issueIdOrKeys")
SCHEMA_VERSION = "1.0"
#: Fields Jira fills or a run sets itself: never a reason to write.
VOLATILE_FIELDS = ("updateSequenceNumber", "lastUpdated", "schemaVersion", "triggeredBy")
#: Option -> field of the deployment, for the texts a task may set.
TEXT_FIELDS = (("display_name", "displayName"), ("deployment_url", "url"), ("description", "description"), ("label", "label"))

#: What became of a write: accepted by Jira, rejected (nothing stored), or sent without a readable answer.
ACCEPTED = "accepted"
REJECTED = "rejected"
UNCONFIRMED = "sent, no answer"


class SubmissionRefused(ServiceFailure):
    """Jira answered the submission but rejected the deployment or did not know some of its associations."""

    def __init__(self, message, rejected=None, unknown_issue_keys=None, unknown_associations=None):
        super(SubmissionRefused, self).__init__(message)
        self.rejected = rejected or []
        self.unknown_issue_keys = unknown_issue_keys or []
        self.unknown_associations = unknown_associations or []

    def to_result(self):
        return dict(msg=scrub(str(self)), rejected=self.rejected, unknown_issue_keys=self.unknown_issue_keys,
                    unknown_associations=self.unknown_associations)


class NotAppliedInTime(ServiceFailure):
    """A write Jira accepted was not visible in a read within ``wait_timeout``."""

    def to_result(self):
        return dict(msg=scrub(str(self)))


def now():
    return datetime.now(timezone.utc)


def format_time(moment):
    """A date-time with its zone, as Jira's ``lastUpdated`` takes it: UTC, milliseconds, ``Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def next_update_sequence_number(current, moment):
    """Higher than the stored one, and at least the time in milliseconds (Atlassian suggests epoch time),
    so that another tool counting the same way does not find the record ahead of it."""
    stored = (current or {}).get("updateSequenceNumber")
    stored = stored if isinstance(stored, int) and not isinstance(stored, bool) else 0
    return max(stored + 1, int(moment.timestamp() * 1000))


def _clean_list(values):
    """The values without surrounding spaces, empties or repeats, in their order."""
    found = []
    for value in values or []:
        value = str(value).strip()
        if value and value not in found:
            found.append(value)
    return found


def _is_url(value):
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and not any(character.isspace() for character in value)


def check_options(params):
    """Tidy and check the options (``params`` changed in place); raises InputError for what Jira would refuse."""
    for name in ("pipeline_id", "environment_id"):
        params[name] = params[name].strip()
        if not params[name]:
            raise InputError("%s must not be empty: it is part of how Jira identifies the deployment" % name)
        if len(params[name]) > MAX_TEXT:
            raise InputError("%s must be at most %d characters long" % (name, MAX_TEXT))
    if not 0 <= params["sequence_number"] <= INT64_MAX:
        raise InputError("sequence_number must be a whole number from 0 to %d; got %s" % (INT64_MAX, params["sequence_number"]))
    for name in ("issue_keys", "service_ids"):
        if params.get(name) is not None:
            params[name] = _clean_list(params[name])
    bad_keys = [key for key in params.get("issue_keys") or [] if not ISSUE_KEY.match(key)]
    if bad_keys:
        raise InputError("issue_keys: %s %s no issue key (such as WEB-123)" % (", ".join(bad_keys), "is" if len(bad_keys) == 1 else "are"))
    too_long = [value for value in params.get("service_ids") or [] if len(value) > MAX_TEXT]
    if too_long:
        raise InputError("service_ids: a service id or key is at most %d characters long" % MAX_TEXT)
    if len(params.get("issue_keys") or []) + len(params.get("service_ids") or []) > MAX_ASSOCIATION_VALUES:
        raise InputError("issue_keys and service_ids may name at most %d items together" % MAX_ASSOCIATION_VALUES)
    for name in ("display_name", "description", "label", "pipeline_name", "environment_name"):
        if params.get(name) is not None and len(params[name]) > MAX_TEXT:
            raise InputError("%s must be at most %d characters long (Jira's limit); it has %d" % (name, MAX_TEXT, len(params[name])))
    if params.get("display_name") is not None and not params["display_name"].strip():
        raise InputError("display_name must not be empty: it is what Jira shows for the deployment")
    for name in ("deployment_url", "pipeline_url"):
        value = params.get(name)
        if value is not None:
            params[name] = value.strip()
            if not _is_url(params[name]) or len(params[name]) > MAX_URL:
                raise InputError("%s must be an absolute URL of at most %d characters, such as https://ci.example.com/runs/42"
                                 % (name, MAX_URL))
    if params.get("duration") is not None and not 0 <= params["duration"] <= INT64_MAX:
        raise InputError("duration must be a number of seconds, 0 or more")
    if params.get("wait_timeout") is not None and params["wait_timeout"] < 0:
        raise InputError("wait_timeout must be 0 or more seconds")


def associations(issue_keys, service_ids):
    """The ``associations`` of a submission: the issue keys, then the services (none empty)."""
    found = []
    if issue_keys:
        found.append({"associationType": ISSUE_KEYS, "values": list(issue_keys)})
    if service_ids:
        found.append({"associationType": SERVICE_IDS, "values": list(service_ids)})
    return found


def associated(deployment):
    """``(issue keys, service ids)`` of a deployment in any of its forms, each sorted."""
    issues, services = set(deployment.get("issueKeys") or []), set()
    for association in deployment.get("associations") or []:
        if not isinstance(association, dict):
            continue
        kind, values = association.get("associationType"), association.get("values") or []
        if kind in ISSUE_TYPES:
            issues.update(value for value in values if isinstance(value, str))
        elif kind == SERVICE_IDS:
            services.update(value for value in values if isinstance(value, str))
    return sorted(issues), sorted(services)


def canonical_deployment(deployment):
    """A deployment in the form two sides are compared in: no volatile field, associations as two sets,
    no empty optional field."""
    if not deployment:
        return deployment
    shown = dict((key, copy.deepcopy(value)) for key, value in deployment.items()
                 if key not in VOLATILE_FIELDS + ("associations", "issueKeys"))
    issues, services = associated(deployment)
    shown["associations"] = {"issues": issues, "services": services}
    for key in ("label", "duration", "commands"):
        if shown.get(key) in (None, "", []):
            shown.pop(key, None)
    return shown


def missing_for_creation(params):
    """The options a new deployment cannot do without (Jira requires them, and nothing stands in)."""
    missing = [name for name in ("deployment_state", "display_name", "deployment_url") if params.get(name) is None]
    if not params.get("issue_keys") and not params.get("service_ids"):
        missing.append("issue_keys or service_ids")
    return missing


def desired_deployment(params, current, moment):
    """The whole record the options ask for: ``current`` with the options applied, or a new one."""
    if current is None:
        missing = missing_for_creation(params)
        if missing:
            raise InputError("%s does not exist yet; give %s to create it"
                             % (JiraClient.describe_key(params["pipeline_id"], params["environment_id"], params["sequence_number"]),
                                ", ".join(missing)))
        deployment = {
            "deploymentSequenceNumber": params["sequence_number"],
            "displayName": params["display_name"],
            "url": params["deployment_url"],
            # Jira requires a description; Atlassian's own Jenkins integration repeats the display name.
            "description": params["display_name"] if params.get("description") is None else params["description"],
            "state": params["deployment_state"],
            "pipeline": {"id": params["pipeline_id"], "displayName": params.get("pipeline_name") or params["pipeline_id"],
                         "url": params.get("pipeline_url") or params["deployment_url"]},
            "environment": {"id": params["environment_id"], "displayName": params.get("environment_name") or params["environment_id"],
                            "type": params.get("environment_type") or "unmapped"},
            "associations": associations(params.get("issue_keys"), params.get("service_ids")),
            # The schema's default, which a read shows; sent, so that the prediction is what Jira stores.
            "schemaVersion": SCHEMA_VERSION,
        }
        if params.get("label"):
            deployment["label"] = params["label"]
    else:
        deployment = copy.deepcopy(current)
        for option, field in TEXT_FIELDS:
            if params.get(option) is not None:
                deployment[field] = params[option]
        if params.get("deployment_state") is not None:
            deployment["state"] = params["deployment_state"]
        for option, parent, field in (("pipeline_name", "pipeline", "displayName"), ("pipeline_url", "pipeline", "url"),
                                      ("environment_name", "environment", "displayName"),
                                      ("environment_type", "environment", "type")):
            if params.get(option) is not None:
                deployment.setdefault(parent, {})[field] = params[option]
        if params.get("issue_keys") is not None or params.get("service_ids") is not None:
            issues, services = associated(current)
            wanted_issues = issues if params.get("issue_keys") is None else params["issue_keys"]
            wanted_services = services if params.get("service_ids") is None else params["service_ids"]
            if not wanted_issues and not wanted_services:
                raise InputError("issue_keys and service_ids together must name at least one issue or service: Jira keeps "
                                 "a deployment only with one")
            deployment.pop("issueKeys", None)
            deployment["associations"] = associations(wanted_issues, wanted_services)
    if params.get("label") == "":
        deployment.pop("label", None)
    if params.get("duration") is not None:
        deployment["duration"] = params["duration"]
    deployment["lastUpdated"] = format_time(moment)
    deployment["updateSequenceNumber"] = next_update_sequence_number(current, moment)
    return deployment


def submission(deployment, params):
    """The body of one deployment as submitted: the record, without what a read adds, with who triggered it."""
    body = dict((key, value) for key, value in deployment.items() if key != "triggeredBy")
    if params.get("triggered_by"):
        body["triggeredBy"] = {"email": params["triggered_by"]}
    return body


def diff_view(deployment):
    """A deployment for ``--diff``: without the fields every write changes, associations sorted."""
    if not deployment:
        return {}
    shown = dict((key, copy.deepcopy(value)) for key, value in deployment.items() if key not in ("updateSequenceNumber", "lastUpdated"))
    issues, services = associated(deployment)
    if "associations" in shown or "issueKeys" in shown:
        shown.pop("issueKeys", None)
        shown["associations"] = associations(issues, services)
    return shown


def refusal_message(key_text, answer, accepted):
    """What a failure says of a submission Jira rejected, or whose associations it did not all know; None when neither."""
    rejected = [item for item in answer.get("rejectedDeployments") or [] if isinstance(item, dict)]
    unknown_keys = [str(key) for key in answer.get("unknownIssueKeys") or []]
    unknown_others = []
    for item in answer.get("unknownAssociations") or []:
        if isinstance(item, dict) and item.get("associationType") not in ISSUE_TYPES:
            unknown_others.extend(str(value) for value in item.get("values") or [])
    parts = []
    for item in rejected:
        errors = [str(error.get("message")) for error in item.get("errors") or [] if isinstance(error, dict)]
        parts.append("Jira rejected it: %s" % ("; ".join(errors) or "no reason given"))
    if unknown_keys:
        parts.append("Jira does not know the issue key%s %s" % ("" if len(unknown_keys) == 1 else "s", ", ".join(unknown_keys)))
    if unknown_others:
        parts.append("Jira does not know the service%s %s" % ("" if len(unknown_others) == 1 else "s", ", ".join(unknown_others)))
    if not parts:
        return None
    if accepted:
        outcome = ("Jira accepted the deployment for the issues and services it knows, so the run changed it; fix "
                   "issue_keys or service_ids and run the task again")
    else:
        outcome = "Nothing was stored."
    return "%s: could not submit %s: %s. %s" % (SERVICE, key_text, "; ".join(parts), outcome)


class JiraDeployment(Resource):
    """The deployment of ``pipeline_id``, ``environment_id`` and ``sequence_number``, brought to the options."""

    result_key = "deployment"

    def __init__(self, client, params, waiter):
        super(JiraDeployment, self).__init__()
        self.client = client
        self.params = params
        self.waiter = waiter
        self.key = (params["pipeline_id"], params["environment_id"], params["sequence_number"])
        self.key_text = client.describe_key(*self.key)
        # One moment for the whole run: the prediction and the write carry the same time.
        self.moment = now()
        self.writes = []

    def read(self):
        return self.client.get(*self.key)

    def desired(self, current):
        return desired_deployment(self.params, current, self.moment)

    def canonical(self, representation):
        return canonical_deployment(representation)

    def create(self, desired):
        created = self._submit(desired)
        if self.params["wait"] and created.get("updateSequenceNumber", 0) > desired["updateSequenceNumber"]:
            # Another run recorded the deployment with a later write at the same time: Jira keeps the later one
            # and drops the other. The engine goes on from what that run made, as after any lost race.
            raise CreatedMeanwhile()
        return created

    def update(self, current, desired):
        return self._submit(desired)

    def delete(self, current):
        self._sent("delete", lambda: self.client.delete(*self.key))
        if self.params["wait"]:
            self.waiter.wait(lambda: self.client.get(*self.key) is None, "delete " + self.key_text)

    def _submit(self, desired):
        answer = self._sent("submit", lambda: self.client.submit(submission(desired, self.params)))
        accepted = any(isinstance(item, dict) and item.get("deploymentSequenceNumber") == self.key[2]
                       for item in answer.get("acceptedDeployments") or [])
        self.writes[-1]["outcome"] = ACCEPTED if accepted else REJECTED
        refused = refusal_message(self.key_text, answer, accepted)
        if refused or not accepted:
            raise SubmissionRefused(refused or "%s: Jira did not accept %s and gave no reason" % (SERVICE, self.key_text),
                                    answer.get("rejectedDeployments") or [], answer.get("unknownIssueKeys") or [],
                                    answer.get("unknownAssociations") or [])
        if not self.params["wait"]:
            return desired
        sent = desired["updateSequenceNumber"]
        found = {}

        def applied():
            found["deployment"] = self.client.get(*self.key)
            stored = (found["deployment"] or {}).get("updateSequenceNumber")
            return isinstance(stored, int) and stored >= sent

        self.waiter.wait(applied, "submit " + self.key_text)
        return found["deployment"]

    def _sent(self, action, send):
        """The answer of a write, noted in ``writes`` with what became of it, whatever happens."""
        write = dict(action="%s %s" % (action, self.key_text), outcome=ACCEPTED)
        try:
            answer = send()
        except ApiError as error:
            if MAY_HAVE_CHANGED in (error.outcome or ""):
                write["outcome"] = UNCONFIRMED
                self.writes.append(write)
            raise
        self.writes.append(write)
        return answer

    def view(self, representation):
        return representation

    def diff_view(self, representation):
        return diff_view(representation)

    def failure_result(self, error):
        return dict(writes=self.writes)

    def changed_by_failure(self, error):
        return any(write["outcome"] != REJECTED for write in self.writes)


class Waiter(object):
    """Reads until a condition holds, on a monotonic clock, with pauses that start short and double."""

    def __init__(self, timeout, first_pause=0.1, max_pause=2.0, clock=time.monotonic, sleep=time.sleep):
        self.timeout = timeout
        self.first_pause = first_pause
        self.max_pause = max_pause
        self.clock = clock
        self.sleep = sleep

    def wait(self, condition, action):
        deadline = self.clock() + self.timeout
        pause = self.first_pause
        while True:
            # Jira applies a write after it accepts it: pause before each read.
            left = deadline - self.clock()
            if left > 0:
                self.sleep(min(pause, left))
                pause = min(pause * 2, self.max_pause)
            if condition():
                return
            if deadline - self.clock() <= 0:
                raise NotAppliedInTime(
                    "%s: could not %s: Jira accepted it but a read did not show it within %s seconds (wait_timeout). "
                    "Jira may still apply it: run the task again to see the deployment as it is then, or raise "
                    "wait_timeout" % (SERVICE, action, int(self.timeout) if float(self.timeout).is_integer() else self.timeout))


def build_deployment(module):
    """The JiraDeployment the module's options describe; raises InputError for options Jira would refuse."""
    params = module.params
    check_options(params)
    return JiraDeployment(JiraClient(params), params, Waiter(params["wait_timeout"]))
