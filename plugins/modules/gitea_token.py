#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gitea_token
short_description: Manage Gitea access tokens
version_added: 0.1.0
description:
  - Creates, rotates or deletes a Gitea access token of a user, identified by its name.
  - Gitea shows a token's secret only once, in the answer that creates it. The module returns it
    as RV(token.sha1) in that run only; put C(no_log) on the task (see the examples). The secret
    never appears in a diff, a warning or an error.
  - Scopes are compared as the permissions they grant, so their order, repeats, and a C(read:)
    scope next to the C(write:) scope of the same kind make no difference.
  - Works with Gitea 1.20 and later. Older servers name scopes differently (C(repo), C(admin:org),
    C(sudo) and so on, which Gitea 1.20 migrated) and are not supported.
author:
  - opsforge maintainers (@opsforge)
options:
  name:
    description:
      - The token's name, unique among the user's tokens. An empty name, or one of blanks only, is
        refused before any request.
    type: str
    required: true
  user:
    description:
      - The user who owns the token. Defaults to O(username), and so does an empty value.
      - For another user, O(username) must be a site administrator; the module then acts for the
        user through Gitea's C(sudo).
    type: str
  scopes:
    description:
      - The token's scopes, such as V(read:repository) or V(write:package), or V(all).
      - V(public-only) limits the other scopes to public repositories and organizations; it grants
        nothing by itself, so it needs at least one other scope. It is compared like any other
        scope.
      - Required when the token is created.
    type: list
    elements: str
  recreate:
    description:
      - What to do with an existing token.
      - V(never) keeps it; when its scopes differ from O(scopes), a warning says so.
      - V(on_change) replaces it with a new token when its scopes differ.
      - V(always) replaces it on every run (rotation).
      - Gitea refuses two tokens with the same name, so a replacement deletes the old token (by
        its id) and then creates the new one; everything that can be checked beforehand (the
        scopes, the credentials, the user) is checked before the old token is deleted.
    type: str
    choices: [never, on_change, always]
    default: never
  state:
    description:
      - V(present) makes sure the token exists, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - opsforge.delivery.gitea
  - opsforge.delivery.connection
  - opsforge.delivery.attributes
  - opsforge.delivery.attributes.gitea_group
notes:
  - "Requests: an unchanged run reads the user's tokens in pages of 50, the largest Gitea serves,
    and sends nothing else."
  - Check mode predicts a creation without a secret and writes nothing. Its result and diff are
    those of the real run, except for what only Gitea can make (the new token's id, the last eight
    characters of its secret, and the secret).
  - In check mode, a O(user) Gitea does not have yet (one an earlier task of the play creates, and
    in check mode only predicts) gets a warning that names it, and the module predicts what a run
    would do once the user exists. A run while the user is still missing fails.
  - A run that fails after a write Gitea confirmed, or after a write whose outcome is unknown,
    reports C(changed=true), and lists in RV(deleted) the tokens it deleted. A replacement deletes
    the old token before it creates the new one, so a failed create leaves the user without it.
  - Gitea before 1.22 does not list the scopes in the answer that creates a token; the module then
    returns them as Gitea stores them, without another request. Gitea stores them in its own order,
    without a scope another one already grants, and every C(write:) scope together as C(all).
seealso:
  - plugin: opsforge.delivery.gitea_token
    plugin_type: lookup
"""

EXAMPLES = r"""
# Gitea's token endpoints take only a user name and password. The connection comes from GITEA_URL,
# GITEA_USERNAME and GITEA_PASSWORD unless the task, or module_defaults for the group
# opsforge.delivery.gitea, sets url, username and password.

- name: A token for the CI system to read repositories and publish packages
  opsforge.delivery.gitea_token:
    username: ci-bot
    password: "{{ vault_ci_bot_password }}"
    name: ci
    scopes: [read:repository, write:package]
  no_log: true
  register: ci_token

- name: Store the secret (only there in the run that created the token)
  ansible.builtin.copy:
    content: "{{ ci_token.token.sha1 }}"
    dest: "{{ ci_token_file }}"
    mode: "0600"
  no_log: true
  when: ci_token.token.sha1 is defined

- name: An administrator (GITEA_USERNAME) rotates user deployer's deploy token
  opsforge.delivery.gitea_token:
    user: deployer
    name: deploy
    scopes: [read:repository]
    recreate: always
  no_log: true
  register: deploy_token

- name: Remove a token of the user the connection logs in as
  opsforge.delivery.gitea_token:
    name: old-laptop
    state: absent
"""

RETURN = r"""
token:
  description: The token after the task (in check mode, as it would be); empty when it is absent.
  returned: always
  type: dict
  contains:
    id:
      description: The token's id; null in check mode for a token that would be created.
      type: int
      sample: 42
    name:
      description: The token's name.
      type: str
      sample: ci
    scopes:
      description: Its scopes, as Gitea stores and lists them (also in the diff).
      type: list
      elements: str
      sample: [write:package, read:repository]
    token_last_eight:
      description: The last eight characters of the secret, to tell tokens apart.
      type: str
      sample: 16c3e37d
    sha1:
      description:
        - The secret. Only in the run that created the token, and never in check mode.
      returned: when the token was created
      type: str
      sample: 9fcb1158165773dd010fca5f0cf7174316c3e37d
deleted:
  description:
    - The tokens this run deleted before it failed (without their secrets), such as the token a
      replacement deleted before its create failed.
  returned: on failure
  type: list
  elements: dict
  sample: [{"id": 41, "name": "ci", "scopes": ["read:repository"], "token_last_eight": "0ad1f2c3"}]
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import (
    GITEA_SPEC,
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
from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module
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


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        user=dict(type="str"),
        scopes=dict(type="list", elements="str"),
        recreate=dict(type="str", choices=["never", "on_change", "always"], default="never"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    argument_spec.update(GITEA_SPEC)
    module = new_module(argument_spec)
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


if __name__ == "__main__":
    main()
