# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Gitea access tokens: found by name, kept, replaced or deleted, shown without their secret.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.
"""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import (
    GiteaClient,
    check_scopes,
    check_token_name,
    describe_scopes,
    granted,
    name_taken,
    normalize_scopes,
    public_token,
    stored_scopes,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._http import MAY_HAVE_CHANGED, ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError


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


def ensure_token(client, params, check_mode, warnings, deleted):
    """Bring the token to its state; returns (changed, before, after), ``after`` with a secret only when created.

    Each token deleted is added to ``deleted`` as soon as Gitea confirms it, for a failure that follows.
    """
    name = params["name"]
    found = [token for token in list_tokens(client, check_mode, warnings) if token.get("name") == name]
    if params["state"] == "absent":
        if found and not check_mode:
            for token in found:
                client.delete_token(token["id"], name)
                deleted.append(public_token(token))
        return bool(found), (found[0] if found else None), None
    if len(found) > 1:
        raise InputError("user %s has %d tokens named %s (ids %s); delete the extra ones"
                         % (client.user, len(found), name, ", ".join(str(token["id"]) for token in found)))
    current = found[0] if found else None
    scopes = params["scopes"]
    if current is None and scopes is None:
        raise InputError("token %s of %s does not exist; give scopes to create it" % (name, client.user))
    same_scopes = scopes is None or granted(current and current.get("scopes")) == granted(scopes)
    if current is not None:
        recreate = params["recreate"]
        if recreate == "never" and not same_scopes:
            warnings.append("token %s of %s keeps its scopes %s although scopes asks for %s; set recreate to "
                            "on_change to replace it" % (name, client.user, describe_scopes(current.get("scopes")),
                                                         describe_scopes(scopes)))
        if recreate == "never" or (recreate == "on_change" and same_scopes):
            return False, current, current
    wanted_scopes = scopes if scopes is not None else stored_scopes(current)
    if not wanted_scopes:
        # A token Gitea 1.20 or 1.21 stored without any scope; refused before its deletion.
        raise InputError("token %s of %s has no scopes to keep; give scopes to replace it" % (name, client.user))
    if check_mode:
        return True, current, dict(id=None, name=name, scopes=normalize_scopes(wanted_scopes), token_last_eight=None)
    if current is not None:
        client.delete_token(current["id"], name)
        deleted.append(public_token(current))
    try:
        created = client.create_token(name, wanted_scopes)
    except ApiError as exc:
        if current is None:
            return _found_after_lost_race(client, name, exc, warnings)
        note = " (the token it replaces, id %s, was deleted first, because Gitea refuses two tokens with one name)"
        raise exc.with_message(exc.message + note % current["id"])
    return True, current, created


def _found_after_lost_race(client, name, error, warnings):
    """The token another run created between this run's listing and its create, left as it is."""
    if MAY_HAVE_CHANGED in (error.outcome or ""):
        raise error.with_message(error.message + "; if the token was created, Gitea will not show its secret again, so "
                                 "a second run finds it without one: set recreate to always to replace it")
    if not name_taken(error):
        raise error
    found = [token for token in client.list_tokens() if token.get("name") == name]
    if not found:
        raise error
    warnings.append("token %s of %s was created by another run after this run listed the tokens; this run left it "
                    "as it is (its secret went to that run)" % (name, client.user))
    return False, found[0], found[0]


def write_may_have_taken_effect(client, error):
    """Whether a failed run may have changed something: a write Gitea confirmed, or one whose outcome is unknown."""
    return bool(client is not None and client.http.completed_writes) or MAY_HAVE_CHANGED in (error.outcome or "")


def run_token(module):
    """The gitea_token module's run: the token brought to its state, the module exited with the result."""
    params = module.params
    warnings, deleted, client = [], [], None
    try:
        check_token_name(params["name"])
        if params["scopes"] is not None and params["state"] == "present":
            check_scopes(params["scopes"])
        client = GiteaClient(params, params["user"])
        changed, before, after = ensure_token(client, params, module.check_mode, warnings, deleted)
    except InputError as exc:
        module.fail_json(msg=str(exc))
    except ApiError as exc:
        for warning in warnings:
            module.warn(warning)
        # What this run did before it failed: changed when a write may have taken effect, and the
        # tokens it deleted (a replacement deletes the old token before it creates the new one).
        module.fail_json(changed=write_may_have_taken_effect(client, exc), deleted=deleted, **exc.to_result())
    for warning in warnings:
        module.warn(warning)
    token = public_token(after)
    if after and after.get("sha1"):
        token["sha1"] = after["sha1"]
    result = dict(changed=changed, token=token)
    if module._diff:
        result["diff"] = dict(before=diff_view(before), after=diff_view(after))
    module.exit_json(**result)
