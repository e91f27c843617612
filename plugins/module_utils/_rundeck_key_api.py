# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck's Key Storage endpoints: metadata, listings, public key content, writes by content type."""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RundeckService

#: The content type that stores each kind of key.
CONTENT_TYPES = {
    "password": "application/x-rundeck-data-password",
    "private": "application/octet-stream",
    "public": "application/pgp-keys",
}
KEY_TYPES = tuple(sorted(CONTENT_TYPES))
#: What the storage controller answers, as ``{"error": ...}``, for a path that holds nothing.
NOT_FOUND_PREFIX = "resource not found: "
JSON_ACCEPT = {"Accept": "application/json"}


def key_type(item):
    """The kind of a stored key from its metadata: password, private, public, or None for other content."""
    meta = item.get("meta") or {}
    if meta.get("Rundeck-data-type") == "password":
        return "password"
    kind = meta.get("Rundeck-key-type")
    if kind in CONTENT_TYPES:
        return kind
    # Older or other stores may only keep the content type.
    media = (meta.get("Rundeck-content-type") or "").split(";", 1)[0].strip()
    for name, content_type in CONTENT_TYPES.items():
        if media == content_type:
            return name
    return None


def _missing(error):
    # A 404 of the storage controller itself, not of something else at the server's address.
    return error.status == 404 and NOT_FOUND_PREFIX in (error.message or "")


class RundeckKeys(RundeckService):
    """The Key Storage of one Rundeck server; paths are given as ``keys/...``."""

    @staticmethod
    def _path(path):
        # The API adds "keys/" itself: storage/keys/<the rest>.
        rest = path[len("keys"):].lstrip("/") if path == "keys" or path.startswith("keys/") else path
        return "storage/keys/" + quote(rest, safe="/")

    def get(self, path):
        """The metadata of a key or the listing of a directory, or None when the path holds nothing."""
        action = "read the key storage path %s" % path
        try:
            response = self.http.request("GET", self._path(path), action, headers=JSON_ACCEPT)
        except ApiError as exc:
            if _missing(exc):
                return None
            raise
        return self.decode(response, action)

    def public_content(self, path):
        """A public key's content as text, or None when the server serves only its metadata.

        Rundeck 5.11 and later serve the content only when ``feature.publicKeysDownload.enabled``
        is set; otherwise they answer the metadata as JSON whatever the ``Accept`` header says.
        """
        action = "read the public key %s" % path
        response = self.http.request("GET", self._path(path), action, headers={"Accept": CONTENT_TYPES["public"]})
        media = (response.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if media != CONTENT_TYPES["public"]:
            return None
        return response.content.decode("utf-8", "replace")

    def create(self, path, kind, value):
        return self._write("POST", (201,), "create", path, kind, value)

    def update(self, path, kind, value):
        return self._write("PUT", (200,), "update", path, kind, value)

    def _write(self, method, expected, verb, path, kind, value):
        action = "%s the %s key %s" % (verb, kind, path)
        headers = dict(JSON_ACCEPT, **{"Content-Type": CONTENT_TYPES[kind]})
        return self.write(method, self._path(path), action, expected=expected, headers=headers,
                          data=value.encode("utf-8"))

    def delete(self, path):
        action = "delete the key %s" % path
        self.http.request("DELETE", self._path(path), action, expected=(204,))
