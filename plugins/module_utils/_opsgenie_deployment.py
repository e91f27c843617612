# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Opsgenie deployments: times, request bodies, what differs, what a run will change, and the run itself.

Deployments come in two shapes (the reference shows both): a read by identifier names the
environment ``environmentType``/``identifier``, a search names it ``type``/``id``. Everything
here accepts either.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta, timezone

from ansible_collections.opsforge.delivery.plugins.module_utils._http import MAY_HAVE_CHANGED, ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie import OpsgenieClient
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_wait import RequestFailed, RequestWaiter
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import Resource

STATES = ("initial", "started", "successful", "failed")
#: States that end a deployment: reaching one sets ``completedAt`` (now, unless given).
FINAL_STATES = ("successful", "failed")
ENVIRONMENT_TYPES = ("Test", "Staging", "Production")
#: Text fields the update endpoint can change: option name -> API field.
UPDATABLE_TEXT = (("deployment_message", "message"), ("description", "description"), ("external_link", "externalLink"))
#: Texts the reference's read by identifier never shows (its sample has only ``message``): when a read
#: lacks one, it may be unset or merely not shown, so it is not compared.
TEXTS_READS_MAY_OMIT = ("description", "externalLink")

_UUID = re.compile(r"\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?\Z", re.IGNORECASE)
_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\Z",
    re.IGNORECASE,
)


def parse_time(value, option="time"):
    """An ISO 8601 date and time as an aware UTC datetime, to the millisecond; no zone means UTC."""
    match = _TIME.match(str(value).strip())
    if not match:
        raise InputError("%s: %r is not a date and time; use ISO 8601, for example 2026-03-26T14:05:07.594Z"
                         % (option, value))
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    milliseconds = int((fraction or "0")[:3].ljust(3, "0"))
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                          milliseconds * 1000, tzinfo=timezone.utc)
        if zone and zone.upper() != "Z":
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:] or 0)
            if hours > 23 or minutes > 59:
                raise ValueError("the UTC offset %s is out of range" % zone)
            moment -= sign * timedelta(hours=hours, minutes=minutes)
    except (ValueError, OverflowError) as exc:
        # OverflowError: an offset that moves the time out of the years 1 to 9999.
        raise InputError("%s: %r is not a valid date and time: %s" % (option, value, exc))
    return moment


def format_time(moment):
    """The form of the reference's samples: UTC, milliseconds, ``Z``."""
    moment = moment.astimezone(timezone.utc)
    # Four digits for the year whatever it is (strftime's %Y does not pad years before 1000 everywhere).
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (moment.year, moment.month, moment.day, moment.hour, moment.minute,
                                                    moment.second, moment.microsecond // 1000)


def canonical_time(value):
    """A time as text in one form (None stays None), so that two spellings of an instant compare equal."""
    if value in (None, ""):
        return None
    try:
        return format_time(parse_time(value))
    except InputError:
        return value


def now():
    return datetime.now(timezone.utc)


def environment_of(deployment):
    """``(type, id, display name)`` of a deployment in either shape."""
    environment = deployment.get("environment") or {}
    return (environment.get("environmentType", environment.get("type")),
            environment.get("identifier", environment.get("id")),
            environment.get("displayName"))


def release_body(release):
    """One release of the module's options in the API's Bitbucket Cloud form."""
    workspace = {"identifier": release["workspace"]}
    if release.get("workspace_is_uuid"):
        workspace["type"] = "bbcUuid"
    return {"type": "bbc", "repository": {"workspace": workspace, "repoSlug": release["repo_slug"]},
            "commit": {"sha": release["commit"]}}


def _workspace_key(workspace):
    if isinstance(workspace, dict):
        workspace = workspace.get("identifier")
    return (workspace or "").strip().strip("{}").lower()


def release_keys(releases):
    """Releases (body or read form) as a sorted list of (workspace, repository, commit)."""
    keys = []
    for release in releases or []:
        repository = release.get("repository") or {}
        keys.append((_workspace_key(repository.get("workspace")), repository.get("repoSlug") or "",
                     ((release.get("commit") or {}).get("sha") or "").lower()))
    return sorted(keys)


def _same_name(wanted, have, case_sensitive=True):
    """Whether two identifiers may be the same: equal, or not comparable because one is a UUID and
    the other a name (the reference lets a workspace be sent either way and does not say which a read shows)."""
    if bool(_UUID.match(wanted)) != bool(_UUID.match(have)):
        return True
    if not case_sensitive or _UUID.match(wanted):
        return wanted.strip("{}").lower() == have.strip("{}").lower()
    return wanted == have


def _release_matches(wanted, have):
    return (_same_name(wanted[0], have[0], case_sensitive=False) and _same_name(wanted[1], have[1])
            and wanted[2] == have[2])


def same_releases(wanted_releases, current_releases):
    """Whether the releases asked for are those of the deployment, comparing only what both sides name alike."""
    wanted, have = release_keys(wanted_releases), release_keys(current_releases)
    if len(wanted) != len(have):
        return False
    unused = list(have)
    # Exact matches first, so that a release comparable only in part cannot take another's partner.
    for exact in (True, False):
        for key in list(wanted):
            partner = next((other for other in unused if (other == key if exact else _release_matches(key, other))), None)
            if partner is not None:
                unused.remove(partner)
                wanted.remove(key)
    return not wanted


def check_options(params):
    """Refuse, before any request, options Opsgenie would refuse: times, empty texts, releases."""
    for option in ("started_at", "completed_at"):
        if params.get(option) is not None:
            parse_time(params[option], option)
    if params.get("wait_timeout") is not None and params["wait_timeout"] < 0:
        raise InputError("wait_timeout must be 0 or more seconds")
    if not params["external_id"].strip():
        raise InputError("external_id must not be empty: it is how the module finds the deployment again")
    environment = params.get("environment")
    if environment is not None and not (environment.get("id") or "").strip():
        raise InputError("environment.id must not be empty")
    releases = params.get("releases")
    if releases is not None and not releases:
        raise InputError("releases must list at least one release: Opsgenie refuses a deployment without one")
    for position, release in enumerate(releases or [], start=1):
        empty = [key for key in ("workspace", "repo_slug", "commit") if not (release.get(key) or "").strip()]
        if empty:
            raise InputError("releases[%d]: %s must not be empty" % (position, ", ".join(empty)))


def create_body(params, moment):
    """The body of the request that creates the deployment; ``moment`` is now, for default times."""
    environment = params.get("environment")
    if environment is None or not params.get("releases"):
        missing = [name for name in ("environment", "releases") if not params.get(name)]
        raise InputError("deployment %s does not exist yet; give %s to create it"
                         % (params["external_id"], " and ".join(missing)))
    body = {
        "externalId": params["external_id"],
        "state": params["state"],
        "environment": {"type": environment["type"], "id": environment["id"]},
        "startedAt": time_option(params, "started_at") or format_time(moment),
        "releases": [release_body(release) for release in params["releases"]],
    }
    if environment.get("display_name") is not None:
        body["environment"]["displayName"] = environment["display_name"]
    completed_at = time_option(params, "completed_at")
    if completed_at is None and params["state"] in FINAL_STATES:
        completed_at = format_time(moment)
    if completed_at is not None:
        body["completedAt"] = completed_at
    for option, field in UPDATABLE_TEXT:
        if params.get(option) is not None:
            body[field] = params[option]
    return body


def time_option(params, option):
    """Option ``option`` as a time in the reference's form, or None when it is not set."""
    value = params.get(option)
    return None if value is None else format_time(parse_time(value, option))


def fixed_differences(params, current):
    """What the options ask that Opsgenie cannot change on an existing deployment (environment, releases)."""
    found = []
    environment = params.get("environment")
    if environment is not None:
        have_type, have_id, have_name = environment_of(current)
        wanted = (environment["type"], environment["id"],
                  have_name if environment.get("display_name") is None else environment["display_name"])
        if wanted != (have_type, have_id, have_name):
            found.append("environment (it is %s %s, %s)" % (have_type, have_id, have_name))
    if params.get("releases") is not None:
        if not same_releases([release_body(release) for release in params["releases"]], current.get("releases")):
            found.append("releases (it has %s)" % ", ".join("%s/%s@%s" % key for key in release_keys(current.get("releases"))))
    return found


def unchecked_texts(params, current):
    """The API fields set in the options that the read of ``current`` does not show, so cannot be compared.

    None for a Bitbucket Pipelines deployment: Opsgenie cannot update its texts at all, so asking for
    one stays a difference that is refused.
    """
    if current.get("type") == "pipelines":
        return []
    return [field for option, field in UPDATABLE_TEXT
            if field in TEXTS_READS_MAY_OMIT and params.get(option) and field not in current]


def planned_writes(params, current, moment):
    """``(fields, state)``: the body of an update (or None) and of a state update (or None).

    A text the read does not show (``unchecked_texts``) is not compared; it rides along with an
    update that is sent for another reason, so that a run never writes only to find it unverifiable.
    """
    fields = {}
    unchecked = unchecked_texts(params, current)
    for option, field in UPDATABLE_TEXT:
        wanted = params.get(option)
        if wanted is not None and field not in unchecked and wanted != (current.get(field) or ""):
            fields[field] = wanted
    started_at = time_option(params, "started_at")
    if started_at is not None and started_at != canonical_time(current.get("startedAt")):
        fields["startedAt"] = started_at
    completed_at = time_option(params, "completed_at")
    state = None
    if params["state"] != current.get("state"):
        # Opsgenie requires completedAt with every state change ("or update of deployment state").
        state = {"state": params["state"], "completedAt": completed_at or format_time(moment)}
    elif completed_at is not None and completed_at != canonical_time(current.get("completedAt")):
        state = {"state": params["state"], "completedAt": completed_at}
    if fields:
        fields.update((field, params[option]) for option, field in UPDATABLE_TEXT if field in unchecked)
    return (fields or None), state


def predicted_after_create(body):
    """The deployment as a read will show it once ``body`` is created (its id is not known yet)."""
    environment = body["environment"]
    deployment = {
        "id": None,
        "externalId": body["externalId"],
        "state": body["state"],
        "environment": {"environmentType": environment["type"], "identifier": environment["id"],
                        "displayName": environment.get("displayName", environment["id"])},
        "type": "api",
        "startedAt": body["startedAt"],
        "releases": [{"commit": dict(release["commit"]), "type": release["type"],
                      "repository": {"repoSlug": release["repository"]["repoSlug"],
                                     "workspace": release["repository"]["workspace"]["identifier"]}}
                     for release in body["releases"]],
    }
    for field in ("completedAt", "message", "description", "externalLink"):
        if field in body:
            deployment[field] = body[field]
    return deployment


def predicted_after_update(current, fields, state):
    """``current`` with the planned update and state update applied."""
    deployment = copy.deepcopy(current)
    for field, value in (fields or {}).items():
        if value == "" and field != "startedAt":
            deployment.pop(field, None)
        else:
            deployment[field] = value
    if state:
        deployment.update(state)
    return deployment


def diff_view(deployment):
    """A deployment for a diff: times in one form, so that only real changes show."""
    if not deployment:
        return {}
    shown = copy.deepcopy(deployment)
    for field in ("startedAt", "completedAt"):
        if shown.get(field):
            shown[field] = canonical_time(shown[field])
    return shown


#: What became of a write: processed, refused when processed, accepted and not processed yet (it
#: may still take effect), or sent without an answer that says whether it arrived.
PROCESSED = "processed"
REFUSED = "refused"
ACCEPTED = "accepted, not processed yet"
UNCONFIRMED = "sent, no answer"


class OpsgenieDeployment(Resource):
    """The deployment with ``params["external_id"]``, brought to the options; never created twice.

    Opsgenie answers each write with a request id and processes it later: with ``wait``, each
    write is followed until processed. The ids of the requests sent are in ``request_ids`` even
    when the run fails, each write and what became of it in ``writes``.
    """

    result_key = "deployment"

    def __init__(self, client, params, check_mode, waiter):
        super(OpsgenieDeployment, self).__init__()
        self.client = client
        self.params = params
        self.check_mode = check_mode
        self.waiter = waiter
        self.external_id = params["external_id"]
        # One moment for the whole run: every plan of it sets the same times.
        self.moment = now()
        self.request_ids = []
        self.writes = []

    def read(self):
        return self.client.get(self.external_id, "api")

    def desired(self, current):
        if current is None:
            return predicted_after_create(create_body(self.params, self.moment))
        fixed = fixed_differences(self.params, current)
        if fixed:
            raise InputError("deployment %s exists and Opsgenie cannot change its %s; keep the values it was created "
                             "with, or leave them out, or use another external_id for another release"
                             % (self.external_id, " or its ".join(fixed)))
        fields, state = planned_writes(self.params, current, self.moment)
        if not fields and not state:
            return current
        if fields and current.get("type") == "pipelines":
            raise InputError("deployment %s comes from Bitbucket Pipelines; Opsgenie can change only the state of "
                             "such a deployment, not %s" % (self.external_id, ", ".join(sorted(fields))))
        # Said in check mode too, so that it predicts the real run's warnings.
        self._warn_unshown(unchecked_texts(self.params, current), sent=bool(fields))
        return predicted_after_update(current, fields, state)

    def differs(self, current, desired):
        fields, state = planned_writes(self.params, current, self.moment)
        return bool(fields or state)

    def create(self, desired):
        body = create_body(self.params, self.moment)
        action = "create deployment %s" % self.external_id
        request_id = self._submitted(lambda: self.client.create(body), action)
        if not self.params["wait"]:
            return desired
        outcome = self._waited(request_id, action)
        return self._created(outcome.get("deploymentId"), desired, body)

    def created_meanwhile(self, error):
        # Opsgenie refuses a second deployment with one external id when it processes the create:
        # another run may have created it since the read.
        return isinstance(error, RequestFailed)

    def lost_race_warning(self, current, error):
        return ("deployment %s was created by another run after this run read it (request %s: %s); this run made it "
                "match the options instead" % (self.external_id, error.request_id, (error.outcome or {}).get("status")))

    def _created(self, deployment_id, predicted, body):
        """The result of a create that worked, read back by external id: the read the next run makes.

        The reference does not say that external ids are unique. If the read finds another deployment
        than the one this run created, two share the external id: every later run goes on with the one
        Opsgenie returns for it, so this run does too (and creates nothing more).
        """
        current = self.client.get(self.external_id, "api")
        if current is None:
            return self._read_back(deployment_id, predicted)
        if deployment_id and current.get("id") != deployment_id:
            self.warnings.append(
                "two deployments now have external id %s: %s, created by this run, and %s, which Opsgenie returns "
                "for that external id (another run created it at the same time). This run and later runs update %s; "
                "Opsgenie cannot delete %s" % (self.external_id, deployment_id, current.get("id"), current.get("id"),
                                               deployment_id))
            wanted = self.desired(current)
            return self.update(current, wanted) if self.differs(current, wanted) else current
        self._warn_unshown([field for field in unchecked_texts(self.params, current) if field in body])
        return current

    def update(self, current, desired):
        fields, state = planned_writes(self.params, current, self.moment)
        deployment_id = current["id"]
        submitted = []
        if fields:
            action = "update %s of deployment %s" % (", ".join(sorted(fields)), self.external_id)
            submitted.append((self._submitted(lambda: self.client.update(deployment_id, fields), action), action))
        if state:
            action = "set the state of deployment %s to %s" % (self.external_id, state["state"])
            submitted.append((self._submitted(
                lambda: self.client.update_state(deployment_id, state["state"], state["completedAt"]), action), action))
        if not self.params["wait"]:
            return desired
        for request_id, action in submitted:
            self._waited(request_id, action)
        return self._read_back(deployment_id, desired)

    def _warn_unshown(self, fields, sent=True):
        # One warning per run, and only in a run that writes: an unchanged run stays quiet.
        if not fields:
            return
        self.warnings.append(
            "Opsgenie's read of deployment %s does not show %s, so the module cannot check what Opsgenie has: "
            "the value asked for is %s" % (self.external_id, " or ".join(fields),
                                           "sent with this run's write" if sent else
                                           "sent with the next update of the deployment's texts or start time"))

    def _submitted(self, send, action):
        """The request id of a write ``send()`` submits, recorded in ``writes`` whatever happens."""
        try:
            request_id = send()
        except ApiError as error:
            if MAY_HAVE_CHANGED in (error.outcome or ""):
                # No answer to read (or none that could be read): Opsgenie may have taken it.
                self.writes.append(dict(action=action, request_id=None, outcome=UNCONFIRMED))
            raise
        self.request_ids.append(request_id)
        self.writes.append(dict(action=action, request_id=request_id, outcome=ACCEPTED))
        return request_id

    def _waited(self, request_id, action):
        """The processed outcome of a write, with what became of it noted in ``writes``."""
        write = next(write for write in self.writes if write["request_id"] == request_id)
        try:
            outcome = self.waiter.wait(request_id, action)
        except RequestFailed:
            write["outcome"] = REFUSED
            raise
        write["outcome"] = PROCESSED
        return outcome

    def _read_back(self, deployment_id, predicted):
        # The deployment as Opsgenie now has it; the prediction only if it cannot be read by id.
        if not deployment_id:
            return predicted
        return self.client.get(deployment_id, "id") or predicted

    def view(self, representation):
        return representation

    def diff_view(self, representation):
        return diff_view(representation)

    def extra_result(self):
        return dict(request_ids=self.request_ids)

    def failure_result(self, error):
        return dict(request_ids=self.request_ids, writes=self.writes)

    def changed_by_failure(self, error):
        # A write that was accepted may take effect after a failure (a timeout, say).
        return any(write["outcome"] != REFUSED for write in self.writes)


def build_deployment(module):
    """The OpsgenieDeployment the module's options describe; raises InputError for options Opsgenie would refuse."""
    params = module.params
    check_options(params)
    client = OpsgenieClient(params)
    return OpsgenieDeployment(client, params, module.check_mode, RequestWaiter(client, params["wait_timeout"]))
