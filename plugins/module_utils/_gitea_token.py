# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Gitea access tokens: found by name, kept, replaced or deleted, shown without their secret."""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import (
    GiteaClient,
    check_scopes,
    check_token_name,
    describe_scopes,
    granted,
    name_taken,
    canonical_scopes,
    public_token,
    stored_scopes,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._http import MAY_HAVE_CHANGED, ApiError, write_may_have_taken_effect
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import Resource


def diff_view(token):
    """A token in a diff: which one it is (id, last eight characters) and its scopes as Gitea stores them
    (the order of the result and of the server), never its secret."""
    if not token:
        return {}
    return dict(id=token.get("id"), name=token["name"], scopes=stored_scopes(token),
                token_last_eight=token.get("token_last_eight"))


def list_tokens(client, check_mode, warnings):
    """The user's tokens; in check mode none for a user Gitea confirms it does not have yet.

    An earlier task of the play (one that only predicted its change in check mode, too) may be the
    one to create the user, so check mode predicts what a run would do once the user exists.
    """
    try:
        return client.list_tokens()
    except ApiError as exc:
        if not (check_mode and exc.status == 404 and client.acts_for_another and client.user_missing()):
            raise
    warnings.append("Gitea has no user %s yet; check mode predicts what a run would do once it exists (created by an "
                    "earlier task, for example); a run while it is still missing fails" % client.user)
    return []


class GiteaToken(Resource):
    """A user's token, found by name: kept, replaced (deleted, then created) or deleted; never updated in place."""

    result_key = "token"

    def __init__(self, client, params, check_mode=False):
        super(GiteaToken, self).__init__()
        self.client = client
        self.name = params["name"]
        self.scopes = params["scopes"]
        self.recreate = params["recreate"]
        self.state = params["state"]
        self.check_mode = check_mode
        #: The tokens of that name the read found (a delete removes them all).
        self.found = []
        #: Each token deleted, as soon as Gitea confirms it: a failure that follows reports them.
        self.deleted = []

    def read(self):
        return self.take(list_tokens(self.client, self.check_mode, self.warnings))

    def take(self, tokens):
        """This token among the user's ``tokens`` (None when absent); the others of its name are deleted with it."""
        self.found = [token for token in tokens if token.get("name") == self.name]
        if len(self.found) > 1 and self.state == "present":
            raise InputError("user %s has %d tokens named %s (ids %s); delete the extra ones"
                             % (self.client.user, len(self.found), self.name,
                                ", ".join(str(token["id"]) for token in self.found)))
        return self.found[0] if self.found else None

    def desired(self, current):
        if current is None and self.scopes is None:
            raise InputError("token %s of %s does not exist; give scopes to create it" % (self.name, self.client.user))
        if current is not None and not self.must_replace(current, None):
            return current
        if not self._scopes_to_send(current):
            raise InputError("token %s of %s has no scopes to keep; give scopes to replace it"
                             % (self.name, self.client.user))
        # What check mode predicts: Gitea gives the new token its id and the last eight characters.
        return dict(id=None, name=self.name, scopes=canonical_scopes(self._scopes_to_send(current)),
                    token_last_eight=None)

    def must_replace(self, current, desired):
        same_scopes = self.scopes is None or granted(current.get("scopes")) == granted(self.scopes)
        if self.recreate == "never" and not same_scopes:
            warning = ("token %s of %s keeps its scopes %s although scopes asks for %s; set recreate to on_change to "
                       "replace it" % (self.name, self.client.user, describe_scopes(current.get("scopes")),
                                       describe_scopes(self.scopes)))
            if warning not in self.warnings:
                self.warnings.append(warning)
        return self.recreate == "always" or (self.recreate == "on_change" and not same_scopes)

    def differs(self, current, desired):
        # A token cannot be changed in place: only replaced (see must_replace).
        return False

    def _scopes_to_send(self, current):
        return self.scopes if self.scopes is not None else stored_scopes(current)

    def create(self, desired):
        try:
            return self.client.create_token(self.name, self._scopes_to_send(None))
        except ApiError as error:
            if MAY_HAVE_CHANGED in (error.outcome or ""):
                raise error.with_message(error.message + "; if the token was created, Gitea will not show its secret "
                                         "again, so a second run finds it without one: set recreate to always to "
                                         "replace it")
            raise

    def created_meanwhile(self, error):
        return isinstance(error, ApiError) and name_taken(error)

    def lost_race_warning(self, current, error):
        return ("token %s of %s was created by another run after this run listed the tokens; this run left it as it "
                "is (its secret went to that run)" % (self.name, self.client.user))

    def replace(self, current, desired):
        self._delete_token(current)
        try:
            return self.client.create_token(self.name, self._scopes_to_send(current))
        except ApiError as error:
            note = (" (the token it replaces, id %s, was deleted first, because Gitea refuses two tokens with one name)"
                    % current["id"])
            raise error.with_message(error.message + note)

    def delete(self, current):
        for token in self.found:
            self._delete_token(token)

    def _delete_token(self, token):
        self.client.delete_token(token["id"], self.name)
        self.deleted.append(public_token(token))

    def view(self, representation):
        # The secret is returned in the run that creates the token, and only then.
        token = public_token(representation)
        if representation.get("sha1"):
            token["sha1"] = representation["sha1"]
        return token

    def diff_view(self, representation):
        return diff_view(representation)

    def failure_result(self, error):
        return dict(deleted=self.deleted)

    def changed_by_failure(self, error):
        return write_may_have_taken_effect(self.client.http, error)


def build_token(module):
    """The GiteaToken the module's options describe; raises InputError for options Gitea would refuse."""
    params = module.params
    check_token_name(params["name"])
    if params["scopes"] is not None and params["state"] == "present":
        check_scopes(params["scopes"])
    return GiteaToken(GiteaClient(params, params["user"]), params, module.check_mode)
