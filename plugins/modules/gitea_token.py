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
  - With O(tokens), one task manages many tokens of one user from one listing of the user's
    tokens; with O(exclusive), the user's other tokens (of a name prefix, when one is given) are
    deleted.
  - Works with Gitea 1.20 and later. Older servers name scopes differently (C(repo), C(admin:org),
    C(sudo) and so on, which Gitea 1.20 migrated) and are not supported.
author:
  - opsforge maintainers (@opsforge)
options:
  name:
    description:
      - The token's name, unique among the user's tokens. An empty name, or one of blanks only, is
        refused before any request.
      - Exactly one of O(name) and O(tokens) is required.
    type: str
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
      - With O(tokens), the scopes of each item that gives none.
    type: list
    elements: str
  recreate:
    description:
      - What to do with an existing token.
      - V(never) keeps it; when its scopes differ from O(scopes), a warning says so.
      - V(on_change) replaces it with a new token when its scopes differ.
      - V(always) replaces it on every run (rotation).
      - With O(tokens), the choice of each item that makes none.
      - Gitea refuses two tokens with the same name, so a replacement deletes the old token (by
        its id) and then creates the new one; everything that can be checked beforehand (the
        scopes, the credentials, the user) is checked before the old token is deleted.
    type: str
    choices: [never, on_change, always]
    default: never
  tokens:
    description:
      - Many tokens of O(user) in one task, each with the O(name), O(scopes) and O(recreate) of a
        single token; what an item leaves out comes from the task's O(scopes) and O(recreate).
        Mutually exclusive with O(name).
      - Two items must not name the same token.
      - The result lists each token under RV(tokens); the secrets (C(sha1)) of the tokens created are there,
        so put C(no_log) on the task.
    type: list
    elements: dict
    suboptions:
      name:
        description: The token's name, as O(name).
        type: str
        required: true
      scopes:
        description: Its scopes, as O(scopes). Defaults to O(scopes).
        type: list
        elements: str
      recreate:
        description: As O(recreate). Defaults to O(recreate).
        type: str
        choices: [never, on_change, always]
  exclusive:
    description:
      - With O(tokens), also delete every other token of O(user) (only those whose name starts
        with O(exclusive_scope.name_prefix), when it is given). The deletions show in check mode
        and in the diff before they happen.
      - Only with O(state=present).
    type: bool
    default: false
  exclusive_scope:
    description:
      - Limits what O(exclusive) may delete. Requires O(exclusive=true).
    type: dict
    suboptions:
      name_prefix:
        description:
          - Only tokens whose name starts with this text (case-sensitive) are deleted, such as
            V(ci-) for the tokens a rotation made.
        type: str
  state:
    description:
      - V(present) makes sure the token (or each token of O(tokens)) exists, V(absent) deletes it.
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
    and sends nothing else, for one token as for a list of O(tokens)."
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

- name: The build service account has exactly these tokens of the prefix ci- (others of the prefix go)
  opsforge.delivery.gitea_token:
    user: deployer
    scopes: [read:repository]
    tokens:
      - name: ci-build
      - name: ci-publish
        scopes: [read:repository, write:package]
    exclusive: true
    exclusive_scope:
      name_prefix: ci-
  no_log: true
  register: ci_tokens
"""

RETURN = r"""
token:
  description: The token after the task (in check mode, as it would be); empty when it is absent.
  returned: when O(name) is used
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
tokens:
  description:
    - With O(tokens), what happened to each token, as lists of tokens in the shape of RV(token), in
      the order of the list (deletions of O(exclusive) after it, by name). A token created or
      replaced carries its secret (C(sha1)) in this run only. In check mode, what would happen.
  returned: when O(tokens) is used
  type: dict
  contains:
    created:
      description: The tokens created.
      type: list
      elements: dict
      sample:
        - {"id": 42, "name": "ci-build", "scopes": ["read:repository"], "token_last_eight": "16c3e37d",
           "sha1": "9fcb1158165773dd010fca5f0cf7174316c3e37d"}
    replaced:
      description: The tokens replaced by new ones (O(recreate)).
      type: list
      elements: dict
    deleted:
      description: The tokens deleted (with O(state=absent), or by O(exclusive)).
      type: list
      elements: dict
    unchanged:
      description: The tokens kept as they are.
      type: list
      elements: dict
    not_done:
      description:
        - When the task fails after its writes began, the tokens it had still to write, by action
          (C(create), C(replace), C(delete)); the lists above then hold what was done.
      returned: on failure
      type: dict
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
from ansible_collections.opsforge.delivery.plugins.module_utils._gitea_token_set import build_tokens
from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_module

RECREATE = ["never", "on_change", "always"]


def main():
    argument_spec = dict(
        name=dict(type="str"),
        user=dict(type="str"),
        scopes=dict(type="list", elements="str"),
        recreate=dict(type="str", choices=RECREATE, default="never"),
        # Names, scopes and choices: no secret among them.
        tokens=dict(type="list", elements="dict", no_log=False, options=dict(
            name=dict(type="str", required=True),
            scopes=dict(type="list", elements="str"),
            recreate=dict(type="str", choices=RECREATE),
        )),
        exclusive=dict(type="bool", default=False),
        exclusive_scope=dict(type="dict", options=dict(name_prefix=dict(type="str"))),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = new_module(argument_spec, GITEA_SPEC, mutually_exclusive=[("name", "tokens")],
                        required_one_of=[("name", "tokens")])
    run_module(module, build_tokens)


if __name__ == "__main__":
    main()
