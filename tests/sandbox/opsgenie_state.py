# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Opsgenie: the store of deployments, the write requests waiting to be processed, settings and seed.

Opsgenie answers a deployment write with 202 and processes it later. Here a
write is kept as a pending request and processed once ``processing_delay``
seconds have passed, by the next request to the service (lazily, in the
order the requests were accepted): there is no background thread to race.

Times are UTC ``datetime`` objects with millisecond precision, like the
Java dates of the server; ``render_time`` writes them as Opsgenie does.
"""

import re
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

WORKSPACE_NAME = "sandbox"
WORKSPACE_UUID = "{5d3f4a52-7c1e-4b8a-9f60-2b7d1c9e0a11}"
SERVICE_ID = "00000000-0000-0000-0000-000000000001"
# Repository slug -> Bitbucket UUID; both are mapped to SERVICE_ID.
REPOSITORIES = (("app", "{8b1f2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d}"), ("api", "{2a9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c}"))
PRODUCTION = {"type": "Production", "id": "{598f7ddd-21c3-4064-a569-4dac1b8b0280}", "displayName": "production"}

STATES = ("initial", "started", "successful", "failed")
ENVIRONMENT_TYPES = ("Test", "Staging", "Production")
DEFAULT_PROCESSING_DELAY = 0.5
# Readings of what the reference leaves open, chosen with the settings (see README.md, Opsgenie).
OMITTABLE_FIELDS = ("message", "description", "externalLink")
WORKSPACE_FORMS = ("as_sent", "name", "uuid")

CREATE = "Create"
UPDATE_STATE = "Update State"
UPDATE = "Update"
CREATED = "Deployment successfully created"
STATE_UPDATED = "Deployment State updated successfully"
UPDATED = "Deployment updated successfully"
WORKSPACE_NAME_NOT_FOUND = "Bitbucket Integration with name: %s not found"
WORKSPACE_UUID_NOT_FOUND = "Bitbucket Integration with uuid: %s not found"
REPOSITORY_NOT_FOUND = "Repository %s not found in Bitbucket workspace %s"
EXTERNAL_ID_EXISTS = "Deployment with externalId: %s already exists"
DEPLOYMENT_NOT_FOUND = "Deployment with identifier: %s not found"
PIPELINES_NOT_UPDATABLE = "Update is not supported for Bitbucket Pipelines deployments"

_DATE_TIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?\Z"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


# -- times -------------------------------------------------------------------


def parse_time(text):
    """An ISO-8601 date-time as a UTC instant truncated to milliseconds; None when it is not one.

    ``Z``, ``+02:00``, ``+0200`` and ``+02`` are taken; without an offset the time is UTC.
    """
    match = _DATE_TIME_RE.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, _zulu, sign, offset_hours, offset_minutes = match.groups()
    milliseconds = int((fraction or "0")[:3].ljust(3, "0"))
    try:
        offset = timedelta(hours=int(offset_hours or 0), minutes=int(offset_minutes or 0))
        if sign == "-":
            offset = -offset
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), milliseconds * 1000, tzinfo=timezone(offset)
        )
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def render_time(moment):
    """Opsgenie's form: milliseconds without trailing zeros (no dot for 0), then Z: 2020-08-17T08:11:37.91Z."""
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    milliseconds = moment.microsecond // 1000
    if milliseconds:
        text += "." + ("%03d" % milliseconds).rstrip("0")
    return text + "Z"


def now():
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def created_on(commit_time):
    """createdOn of a pipelines deployment as the reference's sample shows it: the commit's epoch
    seconds read as microseconds, hence a date in the first hour of 1970 (1970-01-01T00:26:23.273Z)."""
    seconds = int((commit_time - _EPOCH).total_seconds())
    moment = _EPOCH + timedelta(microseconds=seconds)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def bare_uuid(text):
    """A UUID without its braces, in lower case, for comparisons."""
    text = text.strip().lower()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    return text


class OpsgenieState:
    """Workspaces, deployments, write requests and settings; every access goes through ``lock``."""

    def __init__(self):
        self.lock = threading.RLock()
        self.workspaces = []
        self.deployments = {}
        self.requests = {}
        self.pending = []
        self.processing_delay = DEFAULT_PROCESSING_DELAY
        self.rate_limit = None
        self._window = None
        self.unique_external_ids = True
        self.read_omits = []
        self.workspace_shown_as = "as_sent"
        self.search_page_cap = None

    # -- Bitbucket workspaces and repositories -------------------------------

    def add_workspace(self, name, workspace_uuid, repositories):
        """Connect a workspace; ``repositories`` are (slug, UUID, service ids) triples."""
        workspace = {
            "name": name,
            "uuid": workspace_uuid,
            "repositories": {
                slug.lower(): {"slug": slug, "uuid": repo_uuid, "services": list(services)}
                for slug, repo_uuid, services in repositories
            },
        }
        self.workspaces.append(workspace)
        return workspace

    def resolve_release(self, release):
        """(The release with its workspace and repository added, None), or (None, the failure status)."""
        identifier = release["workspace"]
        if release["workspaceType"] == "bbcUuid":
            wanted = bare_uuid(identifier)
            workspace = next((ws for ws in self.workspaces if bare_uuid(ws["uuid"]) == wanted), None)
            failure = WORKSPACE_UUID_NOT_FOUND % identifier
        else:
            wanted = identifier.lower()
            workspace = next((ws for ws in self.workspaces if ws["name"].lower() == wanted), None)
            failure = WORKSPACE_NAME_NOT_FOUND % identifier
        if workspace is None:
            return None, failure
        repository = workspace["repositories"].get(release["repoSlug"].lower())
        if repository is None:
            return None, REPOSITORY_NOT_FOUND % (release["repoSlug"], workspace["name"])
        resolved = dict(release, workspaceName=workspace["name"], workspaceUuid=workspace["uuid"])
        return dict(resolved, repoName=repository["slug"], repoUuid=repository["uuid"]), None

    def services_of(self, deployment):
        """The service ids mapped to any repository of the deployment's releases."""
        found = set()
        for release in deployment["releases"]:
            workspace = next((ws for ws in self.workspaces if ws["uuid"] == release["workspaceUuid"]), None)
            repository = workspace["repositories"].get(release["repoSlug"].lower()) if workspace else None
            if repository is not None:
                found.update(repository["services"])
        return found

    # -- deployments ---------------------------------------------------------

    def find(self, identifier, identifier_type=None):
        """The deployment an identifier refers to: the id, or with ``api``/``pipelines`` the external id."""
        if identifier_type in (None, "id"):
            return self.deployments.get(identifier)
        return next(
            (
                deployment
                for deployment in self.deployments.values()
                if deployment["type"] == identifier_type and deployment["externalId"] == identifier
            ),
            None,
        )

    def by_external_id(self, external_id):
        # The oldest one when external ids may repeat (unique_external_ids false): the deployments keep their order.
        return next((deployment for deployment in self.deployments.values() if deployment["externalId"] == external_id), None)

    def add_deployment(self, fields, releases, kind="api", deployment_id=None):
        """Store a deployment from checked create fields and resolved releases; no check of anything."""
        deployment_id = deployment_id or str(uuid.uuid4())
        external_id = fields.get("externalId")
        if not external_id:
            # A pipelines deployment is known by its pipeline UUID; others default to their own id.
            external_id = "{%s}" % uuid.uuid4() if kind == "pipelines" else deployment_id
        deployment = {
            "id": deployment_id,
            "externalId": external_id,
            "type": kind,
            "state": fields["state"],
            "environment": dict(fields["environment"]),
            "startedAt": fields["startedAt"],
            "completedAt": fields.get("completedAt"),
            "message": fields.get("message"),
            "description": fields.get("description"),
            "externalLink": fields.get("externalLink"),
            "releases": [dict(release) for release in releases],
        }
        if kind == "pipelines":
            first = releases[0]
            deployment.update(
                createdOn=fields.get("createdOn") or created_on(fields["startedAt"]),
                fullname="%s/%s" % (first["workspaceName"], first["repoName"]),
                deployableName=fields.get("deployableName") or fields.get("message") or "",
                commitMessage=fields.get("commitMessage") or fields.get("message") or "",
            )
        self.deployments[deployment_id] = deployment
        return deployment

    # -- write requests ----------------------------------------------------------

    def accept(self, action, payload, identifier=None, identifier_type=None):
        """Keep a write request until it is processed; returns its request id."""
        request_id = str(uuid.uuid4())
        record = {
            "requestId": request_id,
            "action": action,
            "acceptedAt": now(),
            "accepted": time.monotonic(),
            "payload": payload,
            "identifier": identifier,
            "identifierType": identifier_type,
            "outcome": None,
        }
        self.requests[request_id] = record
        self.pending.append(record)
        return request_id

    def process_due(self, force=False):
        """Process the pending requests whose delay has passed (all of them with ``force``), oldest first."""
        with self.lock:
            moment = time.monotonic()
            due = [record for record in self.pending if force or moment - record["accepted"] >= self.processing_delay]
            for record in due:
                self.pending.remove(record)
                success, status, deployment_id = self._process(record)
                record["outcome"] = {
                    "action": record["action"],
                    "processedAt": now(),
                    "isSuccess": success,
                    "status": status,
                    "deploymentId": deployment_id,
                }
            return len(due)

    def _process(self, record):
        payload = record["payload"]
        if record["action"] == CREATE:
            return self._create(payload)
        deployment = self.find(record["identifier"], record["identifierType"])
        if deployment is None:
            return False, DEPLOYMENT_NOT_FOUND % record["identifier"], ""
        if record["action"] == UPDATE_STATE:
            deployment.update(state=payload["state"], completedAt=payload["completedAt"])
            return True, STATE_UPDATED, deployment["id"]
        if deployment["type"] == "pipelines":
            return False, PIPELINES_NOT_UPDATABLE, deployment["id"]
        external_id = payload.get("externalId")
        if external_id is not None:
            # An empty external id puts back the default one, the deployment's id.
            external_id = external_id or deployment["id"]
            other = self.by_external_id(external_id) if self.unique_external_ids else None
            if other is not None and other is not deployment:
                return False, EXTERNAL_ID_EXISTS % external_id, deployment["id"]
            deployment["externalId"] = external_id
        for key in ("message", "description", "externalLink"):
            if key in payload:
                deployment[key] = payload[key] or None
        if "startedAt" in payload:
            deployment["startedAt"] = payload["startedAt"]
        return True, UPDATED, deployment["id"]

    def _create(self, fields):
        releases = []
        for release in fields["releases"]:
            resolved, failure = self.resolve_release(release)
            if failure:
                return False, failure, ""
            releases.append(resolved)
        if self.unique_external_ids and fields.get("externalId") and self.by_external_id(fields["externalId"]) is not None:
            return False, EXTERNAL_ID_EXISTS % fields["externalId"], ""
        return True, CREATED, self.add_deployment(fields, releases)["id"]

    # -- rate limit -----------------------------------------------------------------

    def throttled(self):
        """Count a request in the current fixed window; True when it is over the limit."""
        with self.lock:
            if self.rate_limit is None:
                return False
            moment = time.monotonic()
            if self._window is None or moment - self._window[0] >= self.rate_limit["period"]:
                self._window = [moment, 0]
            self._window[1] += 1
            return self._window[1] > self.rate_limit["requests"]

    def settings(self):
        return {
            "processing_delay": self.processing_delay,
            "rate_limit": dict(self.rate_limit) if self.rate_limit else None,
            "unique_external_ids": self.unique_external_ids,
            "read_omits": list(self.read_omits),
            "workspace_shown_as": self.workspace_shown_as,
            "search_page_cap": self.search_page_cap,
        }

    def set_rate_limit(self, rate_limit):
        self.rate_limit = dict(rate_limit) if rate_limit else None
        self._window = None

    # -- seed ----------------------------------------------------------------------

    def reset(self):
        with self.lock:
            self.workspaces = []
            self.add_workspace(WORKSPACE_NAME, WORKSPACE_UUID, [(slug, repo_uuid, [SERVICE_ID]) for slug, repo_uuid in REPOSITORIES])
            self.deployments = {}
            self.requests = {}
            self.pending = []
            self.processing_delay = DEFAULT_PROCESSING_DELAY
            self.set_rate_limit(None)
            self.unique_external_ids = True
            self.read_omits = []
            self.workspace_shown_as = "as_sent"
            self.search_page_cap = None
            self._seed()

    def _seed(self):
        # Two of the Bitbucket Pipelines deployments of the reference's search sample, on repository app.
        for deployment_id, external_id, started, completed, number, sha, commit_message, committed in (
            (
                "0e1a5c8d-66a5-34a4-a315-733caa5e5636",
                "{4d1cd861-99be-5708-9925-e4e153365098}",
                "2020-08-17T08:16:57.943Z",
                "2020-08-17T08:17:02.998Z",
                5,
                "2f5e052a8c4d1e3b5f7a9c0d2e4f6a8b1c3d5e7f",
                "Adding README123.md",
                "2020-08-17T08:15:12Z",
            ),
            (
                "29a25632-1189-37ca-ae7b-8828e77ab077",
                "{cf848148-506d-52ff-b909-9ec2d8312591}",
                "2020-08-17T08:11:33.326Z",
                "2020-08-17T08:11:37.91Z",
                4,
                "54135bc7e9a1f3d5b7c9e1a3f5d7b9c1e3a5f7d9",
                "Adding readme file",
                "2020-08-17T08:10:05Z",
            ),
        ):
            release = {"workspace": WORKSPACE_UUID, "workspaceType": "bbcUuid", "repoSlug": "app", "sha": sha}
            resolved, _failure = self.resolve_release(release)
            fields = {
                "state": "successful",
                "environment": PRODUCTION,
                "startedAt": parse_time(started),
                "completedAt": parse_time(completed),
                "message": "Deployment #%d" % number,
                "description": "%s %s\n" % (sha[:7], commit_message),
                "externalId": external_id,
                "createdOn": created_on(parse_time(committed)),
                "deployableName": commit_message,
                "commitMessage": commit_message,
            }
            self.add_deployment(fields, [resolved], kind="pipelines", deployment_id=deployment_id)
