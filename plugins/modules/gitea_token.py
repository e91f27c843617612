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

from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import GITEA_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._gitea_token import build_token
from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_module


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        user=dict(type="str"),
        scopes=dict(type="list", elements="str"),
        recreate=dict(type="str", choices=["never", "on_change", "always"], default="never"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    run_module(new_module(argument_spec, GITEA_SPEC), build_token)


if __name__ == "__main__":
    main()
