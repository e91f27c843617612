# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck Key Storage entries: a password, private key or public key at a path under ``keys/``.

Rundeck never serves the content of a password or a private key, so such an entry is compared by
its kind alone; ``update`` says whether a present one is rewritten anyway. A public key is compared
by content when the server serves it (Rundeck 5.11 and later only with its download feature on).
The value never appears in a result, a diff or a message.
"""

from __future__ import annotations

import re

from ansible_collections.opsforge.delivery.plugins.module_utils._http import write_may_have_taken_effect
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import Resource
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_key_api import KEY_TYPES, RundeckKeys, key_type

UPDATE_RULES = ("on_create", "always")
#: Rundeck's rule for a storage path (StorageParams): segments of letters, digits and ",.+_-",
#: spaces inside a segment, no ".." segment.
_SEGMENT_RE = re.compile(r"^[a-zA-Z0-9,.+_-]([\sa-zA-Z0-9,.+_-]*[a-zA-Z0-9,.+_-])?$")


def key_path(path, allow_root=False):
    """``path`` as Rundeck names it, ``keys/...``; the ``keys/`` prefix is added when missing.

    Raises InputError for a path Rundeck would refuse: empty, only ``keys/`` (unless
    ``allow_root``), a ``..`` segment, an empty segment or a character outside letters, digits,
    ``,.+_-`` and inner spaces.
    """
    text = (path or "").strip().strip("/")
    if text == "keys" and allow_root:
        return "keys"
    if text == "keys":
        raise InputError("path must name a key below keys/, not keys/ itself")
    rest = text[len("keys/"):] if text.startswith("keys/") else text
    if not rest:
        raise InputError("path must name a key, such as keys/ci/db-password")
    for segment in rest.split("/"):
        if segment in ("", ".", "..") or not _SEGMENT_RE.match(segment):
            raise InputError("path %r is not a valid Rundeck key path: each part between slashes must be letters, "
                             "digits, ',', '.', '+', '_' or '-' (spaces only inside), and not '..'" % path)
    return "keys/" + rest


class RundeckKey(Resource):
    """A stored key: ``{"path", "name", "type", "meta"}`` as Rundeck shows it, never its value."""

    result_key = "key"

    def __init__(self, client, path, kind, value, update="on_create"):
        super(RundeckKey, self).__init__()
        self.client = client
        self.path = path
        self.kind = kind
        self.value = value
        self.update_rule = update
        #: The stored public key's content, when the server served it; None when unknown.
        self.stored_content = None

    def _represent(self, item):
        return dict(path=item.get("path") or self.path, name=item.get("name") or self.path.rsplit("/", 1)[-1],
                    type=key_type(item), meta=dict(item.get("meta") or {}))

    def read(self):
        item = self.client.get(self.path)
        if item is None:
            return None
        if item.get("type") == "directory":
            raise InputError("%s is a directory of Rundeck's key storage, not a key" % self.path)
        current = self._represent(item)
        if current["type"] == "public" and self.kind == "public" and self.value is not None:
            self.stored_content = self.client.public_content(self.path)
        return current

    def desired(self, current):
        meta = dict(current["meta"]) if current is not None and current["type"] == self.kind else {}
        return dict(path=self.path, name=self.path.rsplit("/", 1)[-1], type=self.kind, meta=meta)

    def differs(self, current, desired):
        return content_differs(current["type"], desired["type"], self.stored_content, self.value, self.update_rule)

    def create(self, desired):
        return self._represent(self.client.create(self.path, self.kind, self.value))

    def update(self, current, desired):
        return self._represent(self.client.update(self.path, self.kind, self.value))

    def delete(self, current):
        self.client.delete(self.path)

    def changed_by_failure(self, error):
        return write_may_have_taken_effect(self.client.http, error)

    def diff_view(self, representation):
        # Timestamps and sizes are the server's bookkeeping; the kind and the place are what a user set.
        return dict(path=representation["path"], type=representation["type"])


def content_differs(stored_type, wanted_type, stored_content, value, update_rule):
    """Whether a present key must be written: another kind, a public key whose content differs, or
    content the server does not serve (passwords, private keys, public keys without downloads)
    under ``update: always``."""
    if stored_type != wanted_type:
        return True
    if wanted_type == "public" and stored_content is not None:
        return stored_content != value
    return update_rule == "always"


def build_key(module):
    """The RundeckKey the module's options describe; raises InputError for options Rundeck would refuse."""
    params = module.params
    path = key_path(params["path"])
    if params["state"] == "present":
        if params["type"] is None or params["value"] is None:
            raise InputError("state=present needs type and value")
        if params["type"] not in KEY_TYPES:
            raise InputError("type must be one of %s" % ", ".join(KEY_TYPES))
        if params["value"] == "":
            raise InputError("value must not be empty")
    return RundeckKey(RundeckKeys(params), path, params["type"], params["value"], params["update"])
