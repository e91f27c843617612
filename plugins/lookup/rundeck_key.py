# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rundeck_key
short_description: Read what Rundeck's Key Storage holds, never a secret
version_added: 0.2.0
description:
  - Returns entries of Rundeck's Key Storage, each as a dictionary with its C(path), C(name),
    C(type) and the metadata Rundeck keeps (C(meta)).
  - A term that names a key returns that key; a term that names a directory returns what lies
    directly in it, keys and directories. Without terms, the top of the key storage (C(keys/)) is
    listed.
  - Passwords and private keys are never read (Rundeck refuses to give them); only their metadata is
    returned. With O(public_content), a public key's text is returned as C(content).
options:
  _terms:
    description:
      - Paths to read, with or without the C(keys/) prefix, such as C(keys/ci) or C(ci/deploy.pub).
    type: list
    elements: str
    required: false
  public_content:
    description:
      - Also read the text of each public key returned (one more request per public key).
      - Rundeck 5.11 and later serve it only when C(rundeck.feature.publicKeysDownload.enabled) is
        set on the server; otherwise C(content) is null.
    type: bool
    default: false
extends_documentation_fragment:
  - opsforge.delivery.rundeck
  - opsforge.delivery.rundeck.plugins
  - opsforge.delivery.connection
notes:
  - Each term costs one request, and each public key one more with O(public_content).
seealso:
  - module: opsforge.delivery.rundeck_key
"""

EXAMPLES = r"""
- name: Paths of every entry under keys/ci, with the connection given to the lookup
  ansible.builtin.debug:
    msg: "{{ query('opsforge.delivery.rundeck_key', 'keys/ci', url=rundeck_url, api_token=vault_rundeck_token) | map(attribute='path') }}"

- name: Whether a password is stored (connection from RUNDECK_URL and RUNDECK_API_TOKEN)
  ansible.builtin.debug:
    msg: "{{ query('opsforge.delivery.rundeck_key', 'keys/ci') | selectattr('path', 'equalto', 'keys/ci/db-password') | list | length == 1 }}"
"""

RETURN = r"""
_raw:
  description: One dictionary per entry.
  type: list
  elements: dict
  contains:
    path:
      description: The entry's path, beginning with C(keys/).
      type: str
    name:
      description: The last part of the path.
      type: str
    type:
      description:
        - V(password), V(private) or V(public) for a key, V(directory) for a directory; null for
          content of another kind.
      type: str
    meta:
      description: The metadata Rundeck keeps for a key; empty for a directory.
      type: dict
    content:
      description: The public key's text; only with O(public_content), null for other entries.
      type: str
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_key import key_path
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_key_api import RundeckKeys, key_type
from ansible_collections.opsforge.delivery.plugins.plugin_utils._lookup import ServiceLookupBase


def _entry(item):
    directory = item.get("type") == "directory"
    path = item.get("path") or ""
    return dict(path=path, name=item.get("name") or path.rsplit("/", 1)[-1],
                type="directory" if directory else key_type(item), meta=dict(item.get("meta") or {}))


class LookupModule(ServiceLookupBase):

    connection_spec = RUNDECK_SPEC

    def lookup(self, terms, options):
        paths = [key_path(term, allow_root=True) for term in terms] if terms else ["keys"]
        client = RundeckKeys(options)
        entries = []
        for path in paths:
            item = client.get(path)
            if item is None:
                raise AnsibleLookupError("Rundeck: no key storage entry at %s" % path)
            if item.get("type") == "directory":
                entries.extend(_entry(child) for child in item.get("resources") or [])
            else:
                entries.append(_entry(item))
        if options.get("public_content"):
            for entry in entries:
                entry["content"] = client.public_content(entry["path"]) if entry["type"] == "public" else None
        return entries
