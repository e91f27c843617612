# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of the opsgenie_deployment module: read by external id, then create, update or nothing.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.
"""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._http import MAY_HAVE_CHANGED, ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_deployment import (
    create_body,
    fixed_differences,
    now,
    planned_writes,
    predicted_after_create,
    predicted_after_update,
    unchecked_texts,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_wait import RequestFailed

#: What became of a write: processed, refused when processed, accepted and not processed yet (it
#: may still take effect), or sent without an answer that says whether it arrived.
PROCESSED = "processed"
REFUSED = "refused"
ACCEPTED = "accepted, not processed yet"
UNCONFIRMED = "sent, no answer"


class DeploymentSync(object):
    """Brings the deployment with ``params["external_id"]`` to the options; never creates it twice.

    ``run()`` returns ``(changed, before, after)``; the ids of the requests sent are in
    ``request_ids`` even when it raises, each write and what became of it in ``writes``, and
    notes for the user in ``warnings``.
    """

    def __init__(self, client, params, check_mode, waiter):
        self.client = client
        self.params = params
        self.check_mode = check_mode
        self.waiter = waiter
        self.external_id = params["external_id"]
        self.request_ids = []
        self.writes = []
        self.warnings = []

    @property
    def may_have_changed(self):
        """Whether a write of this run took effect or may still do so: all but those Opsgenie refused."""
        return any(write["outcome"] != REFUSED for write in self.writes)

    def run(self):
        moment = now()
        current = self.client.get(self.external_id, "api")
        if current is None:
            return self._create(moment)
        return self._update(current, moment)

    def _create(self, moment):
        body = create_body(self.params, moment)
        predicted = predicted_after_create(body)
        if self.check_mode:
            return True, None, predicted
        action = "create deployment %s" % self.external_id
        request_id = self._submitted(lambda: self.client.create(body), action)
        if not self.params["wait"]:
            return True, None, predicted
        try:
            outcome = self._waited(request_id, action)
        except RequestFailed as exc:
            # Another run may have created it since the read (Opsgenie refuses a second
            # deployment with one external id): then this run goes on from that one.
            current = self.client.get(self.external_id, "api")
            if current is None:
                raise
            self.warnings.append("deployment %s was created by another run after this run read it (request %s: %s); "
                                 "this run made it match the options instead"
                                 % (self.external_id, request_id, (exc.outcome or {}).get("status")))
            return self._update(current, moment)
        return self._created(outcome.get("deploymentId"), predicted, body, moment)

    def _created(self, deployment_id, predicted, body, moment):
        """The result of a create that worked, read back by external id: the read the next run makes.

        The reference does not say that external ids are unique. If the read finds another deployment
        than the one this run created, two share the external id: every later run goes on with the one
        Opsgenie returns for it, so this run does too (and creates nothing more).
        """
        current = self.client.get(self.external_id, "api")
        if current is None:
            return True, None, self._read_back(deployment_id, predicted)
        if deployment_id and current.get("id") != deployment_id:
            self.warnings.append(
                "two deployments now have external id %s: %s, created by this run, and %s, which Opsgenie returns "
                "for that external id (another run created it at the same time). This run and later runs update %s; "
                "Opsgenie cannot delete %s" % (self.external_id, deployment_id, current.get("id"), current.get("id"),
                                               deployment_id))
            changed, _before, after = self._update(current, moment)
            return True, None, after
        self._warn_unshown([field for field in unchecked_texts(self.params, current) if field in body])
        return True, None, current

    def _update(self, current, moment):
        fixed = fixed_differences(self.params, current)
        if fixed:
            raise InputError("deployment %s exists and Opsgenie cannot change its %s; keep the values it was created "
                             "with, or leave them out, or use another external_id for another release"
                             % (self.external_id, " or its ".join(fixed)))
        fields, state = planned_writes(self.params, current, moment)
        if not fields and not state:
            return False, current, current
        unshown = unchecked_texts(self.params, current)
        if fields and current.get("type") == "pipelines":
            raise InputError("deployment %s comes from Bitbucket Pipelines; Opsgenie can change only the state of "
                             "such a deployment, not %s" % (self.external_id, ", ".join(sorted(fields))))
        predicted = predicted_after_update(current, fields, state)
        # Said in check mode too, so that it predicts the real run's warnings.
        self._warn_unshown(unshown, sent=bool(fields))
        if self.check_mode:
            return True, current, predicted
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
            return True, current, predicted
        for request_id, action in submitted:
            self._waited(request_id, action)
        return True, current, self._read_back(deployment_id, predicted)

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
