#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rundeck_key
short_description: Manage passwords, private keys and public keys in Rundeck's Key Storage
version_added: 0.2.0
description:
  - Create, rewrite or delete one entry of Rundeck's Key Storage - a password, a private key or a
    public key - at a path under C(keys/).
  - Rundeck never gives the content of a password or a private key back, so the module cannot tell
    whether a stored one holds O(value). O(update) decides what happens to an entry that exists -
    leave it (V(on_create)) or write it again on every run (V(always), which then always reports a
    change).
  - A public key is compared by content, read back with C(Accept) C(application/pgp-keys). Rundeck
    5.11 and later serve that content only when C(rundeck.feature.publicKeysDownload.enabled) is
    set on the server; without it a public key is treated like a password, by O(update).
  - An entry stored as another kind than O(type) is rewritten in place as O(type) (Rundeck changes
    the kind with the content type of the upload), whatever O(update) says.
  - The value is never part of the result, the diff, a warning or an error message.
author:
  - opsforge maintainers (@opsforge)
options:
  path:
    description:
      - Where the entry is stored, such as C(keys/ci/db-password).
      - The C(keys/) prefix Rundeck requires is added when missing, so C(ci/db-password) names the
        same entry.
      - Each part between slashes may hold letters, digits, C(,), C(.), C(+), C(_), C(-) and spaces
        inside; C(..) is refused, as Rundeck refuses it.
    type: str
    required: true
  type:
    description:
      - The kind of entry. Required when O(state=present).
      - V(password) is stored as C(application/x-rundeck-data-password), V(private) as
        C(application/octet-stream), V(public) as C(application/pgp-keys).
    type: str
    choices: [password, private, public]
  value:
    description:
      - The password or the key's text. Required when O(state=present).
    type: str
  update:
    description:
      - What to do with an entry of the same kind that exists but whose content cannot be read back.
      - V(on_create) writes the value only when the entry is created (or changes kind); a present
        entry is left alone and reported unchanged.
      - V(always) writes the value on every run and reports a change.
      - A public key whose content the server serves is rewritten only when it differs, whatever
        this option says.
    type: str
    choices: [on_create, always]
    default: on_create
  state:
    description:
      - V(present) makes sure the entry exists, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - opsforge.delivery.rundeck
  - opsforge.delivery.connection
  - opsforge.delivery.attributes
  - opsforge.delivery.attributes.rundeck_group
notes:
  - Only the key storage of the API is managed (C(/api/V/storage/keys)); project key storage paths
    such as C(keys/project/NAME/...) are ordinary paths there.
  - A task whose path is a directory of the key storage fails without writing.
  - A failed task reports C(changed=true) when its write may have taken effect (the request got
    no answer, or an answer that could not be read).
seealso:
  - plugin: opsforge.delivery.rundeck_key
    plugin_type: lookup
  - name: Rundeck Key Storage
    description: What Rundeck keeps in Key Storage and how jobs and nodes use it.
    link: https://docs.rundeck.com/docs/manual/key-storage/key-storage.html
"""

EXAMPLES = r"""
# The connection comes from RUNDECK_URL and RUNDECK_API_TOKEN unless the task, or module_defaults
# for the group opsforge.delivery.rundeck, sets url and api_token.

- name: Store the database password the deploy jobs use, once
  opsforge.delivery.rundeck_key:
    path: keys/ci/db-password
    type: password
    value: "{{ vault_db_password | default('example-only') }}"

- name: Keep the password in step with the vault on every run (reports a change each time)
  opsforge.delivery.rundeck_key:
    path: ci/db-password
    type: password
    value: "{{ vault_db_password | default('example-only') }}"
    update: always

- name: Publish the deploy user's public key (compared by content when the server serves it)
  opsforge.delivery.rundeck_key:
    path: keys/ci/deploy.pub
    type: public
    value: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2Yk9lZ3pKd3hQb2dxQ2V4YW1wbGU deploy@example"

- name: Remove a password that is no longer used
  opsforge.delivery.rundeck_key:
    path: keys/ci/old-password
    state: absent
"""

RETURN = r"""
key:
  description:
    - The entry as the server shows it after the task (in check mode, as it would be), never its
      value.
    - Empty when the entry is absent.
  returned: always
  type: dict
  contains:
    path:
      description: The entry's path, beginning with C(keys/).
      type: str
      sample: keys/ci/db-password
    name:
      description: The last part of the path.
      type: str
      sample: db-password
    type:
      description: The kind of entry, V(password), V(private) or V(public).
      type: str
      sample: password
    meta:
      description:
        - The metadata Rundeck keeps (C(Rundeck-content-type), C(Rundeck-key-type) or
          C(Rundeck-data-type), C(Rundeck-content-mask), times and user names); empty in check mode
          for an entry not written yet.
      type: dict
      sample:
        Rundeck-content-type: application/x-rundeck-data-password
        Rundeck-data-type: password
        Rundeck-content-mask: content
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_module
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_key import build_key


def main():
    argument_spec = dict(
        path=dict(type="str", required=True),
        type=dict(type="str", choices=["password", "private", "public"]),
        value=dict(type="str", no_log=True),
        update=dict(type="str", choices=["on_create", "always"], default="on_create"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = new_module(argument_spec, RUNDECK_SPEC, required_if=[("state", "present", ["type", "value"])])
    run_module(module, build_key)


if __name__ == "__main__":
    main()
