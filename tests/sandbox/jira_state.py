# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Jira: the site's issues and services, the access tokens issued, the stored deployments and the
submissions and deletions waiting to be processed, settings and seed.

Jira accepts a submission or a deletion at once and applies it later. Here each is kept pending and
applied once ``processing_delay`` seconds have passed, by the next request to the service, in the
order they were accepted: there is no background thread to race.
"""

import copy
import secrets
import threading
import time

from .jira_checks import ISSUE_ASSOCIATIONS, ISSUE_ID, SCHEMA_VERSION

PROJECT = "WEB"
ISSUE_COUNT = 20
# Issue ids of the seeded issues: WEB-n has id 10000 + n.
FIRST_ISSUE_ID = 10000
SERVICES = ("web-frontend", "payments-api")
DEFAULT_PROCESSING_DELAY = 0.1
# Seconds an access token lasts (the Jira Software Cloud plugin for Jenkins says 60 minutes).
DEFAULT_TOKEN_LIFETIME = 3600
SCOPE = "manage:jira-data-provider"


def key_of(pipeline_id, environment_id, sequence_number):
    return (pipeline_id, environment_id, sequence_number)


class JiraState:
    """Everything the emulated site holds; every access goes through ``lock``."""

    def __init__(self, client_id, client_secret, cloud_id):
        self.lock = threading.RLock()
        self.client_id = client_id
        self.client_secret = client_secret
        self.cloud_id = cloud_id
        self.reset()

    # -- access tokens -------------------------------------------------------

    def issue_token(self):
        """A new access token and its lifetime in seconds."""
        token = secrets.token_urlsafe(48)
        self.tokens[token] = time.monotonic() + self.token_lifetime
        return token, self.token_lifetime

    def token_valid(self, token):
        expires = self.tokens.get(token)
        return expires is not None and time.monotonic() < expires

    def expire_tokens(self):
        for token in self.tokens:
            self.tokens[token] = 0

    # -- issues and services ---------------------------------------------------

    def known(self, association_type, value):
        """Whether the site has the issue (by key or id) or the service an association names."""
        if association_type in ISSUE_ASSOCIATIONS:
            if ISSUE_ID.match(value):
                return str(value) in self.issue_ids.values()
            return value in self.issue_ids
        return value in self.services

    def unknown_associations(self, deployment):
        """``{association type: [values the site does not know]}``, the deprecated issueKeys as issueKeys."""
        found = {}
        associations = list(deployment.get("associations") or [])
        if deployment.get("issueKeys"):
            associations.append({"associationType": "issueKeys", "values": deployment["issueKeys"]})
        for association in associations:
            kind = association["associationType"]
            for value in association["values"]:
                if not self.known(kind, value) and value not in found.get(kind, []):
                    found.setdefault(kind, []).append(value)
        return found

    # -- submissions and deletions ---------------------------------------------------

    @staticmethod
    def stored_form(deployment, unknown):
        """A checked deployment as it will be stored: without the associations the site does not know,
        with the schema version the server fills in."""
        stored = copy.deepcopy(deployment)
        stored.setdefault("schemaVersion", SCHEMA_VERSION)
        if "associations" in stored:
            kept = []
            for association in stored["associations"]:
                values = [value for value in association["values"] if value not in unknown.get(association["associationType"], [])]
                if values:
                    kept.append(dict(association, values=values))
            stored["associations"] = kept
        if stored.get("issueKeys"):
            stored["issueKeys"] = [key for key in stored["issueKeys"] if key not in unknown.get("issueKeys", [])]
        return stored

    def accept_submission(self, stored):
        key = key_of(stored["pipeline"]["id"], stored["environment"]["id"], stored["deploymentSequenceNumber"])
        self.pending.append({"accepted": time.monotonic(), "key": key, "deployment": stored})

    def accept_deletion(self, key):
        self.pending.append({"accepted": time.monotonic(), "key": key, "deployment": None})

    def process_due(self, force=False):
        """Apply the pending submissions and deletions whose delay has passed (all with ``force``), oldest first."""
        with self.lock:
            moment = time.monotonic()
            due = [entry for entry in self.pending if force or moment - entry["accepted"] >= self.processing_delay]
            for entry in due:
                self.pending.remove(entry)
                self._apply(entry)
            return len(due)

    def _apply(self, entry):
        key, deployment = entry["key"], entry["deployment"]
        if deployment is None:
            self.deployments.pop(key, None)
            return
        stored = self.deployments.get(key)
        # Stored data is replaced only by a higher updateSequenceNumber; a lower or equal one is dropped.
        if stored is None or stored["updateSequenceNumber"] < deployment["updateSequenceNumber"]:
            self.deployments[key] = deployment

    @staticmethod
    def has_associations(deployment):
        """Whether a deployment in its stored form still names an issue or a service."""
        return any(association["values"] for association in deployment.get("associations") or []) or bool(deployment.get("issueKeys"))

    # -- settings and seed ------------------------------------------------------------

    def settings(self):
        return {
            "processing_delay": self.processing_delay,
            "token_lifetime": self.token_lifetime,
            "issues": sorted(self.issue_ids, key=lambda key: (key.split("-")[0], int(key.split("-")[1]))),
            "services": list(self.services),
        }

    def reset(self):
        with self.lock:
            self.tokens = {}
            self.deployments = {}
            self.pending = []
            self.processing_delay = DEFAULT_PROCESSING_DELAY
            self.token_lifetime = DEFAULT_TOKEN_LIFETIME
            self.issue_ids = {"%s-%d" % (PROJECT, number): str(FIRST_ISSUE_ID + number) for number in range(1, ISSUE_COUNT + 1)}
            self.services = list(SERVICES)

    def set_issues(self, keys):
        self.issue_ids = {key: str(FIRST_ISSUE_ID + number) for number, key in enumerate(keys, start=1)}
