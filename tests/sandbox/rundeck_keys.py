# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rundeck Key Storage: ``/api/V/storage/keys/<path>``, as the storage controller answers it.

Keys are files in a tree under ``keys/``; directories exist because a key lies under them. The
content type a key is uploaded with decides its kind: private keys and passwords are masked (their
content is never served), public keys are served when the client asks for ``application/pgp-keys``
(or anything) and the release serves downloads (before 5.11 always, since then only with the
``feature.publicKeysDownload.enabled`` setting, off by default: ``public_keys_download`` here).
"""

import json
import re
from datetime import datetime, timezone

from flask import request
from werkzeug.wrappers import Response

from .rundeck_versions import emulated_release, error, server_api_version

PRIVATE_TYPE = "application/octet-stream"
PUBLIC_TYPE = "application/pgp-keys"
PASSWORD_TYPE = "application/x-rundeck-data-password"
#: The user the sandbox's token belongs to, named in the created/modified metadata.
TOKEN_USER = "admin"
#: From this release, public key content is served only when the download feature is on.
DOWNLOAD_FLAG_RELEASE = (5, 11)
#: The order the server writes metadata in; a key shows only those it has.
META_ORDER = (
    "Rundeck-content-type",
    "Rundeck-content-size",
    "Rundeck-content-creation-time",
    "Rundeck-content-modify-time",
    "Rundeck-auth-created-username",
    "Rundeck-auth-modified-username",
    "Rundeck-key-type",
    "Rundeck-data-type",
    "Rundeck-content-mask",
)
# The server's rule for a storage path: segments of letters, digits and ",.+_-" (spaces inside),
# no ".." segment.
_PATH_RE = re.compile(r"^/?((?!\.\.(/|$))[a-zA-Z0-9,.+_-][\sa-zA-Z0-9,.+_-]*?/?)+$")
_PATH_PATTERN = r"^\/?((?!\.\.(\/|$))[a-zA-Z0-9,\.+_-][\sa-zA-Z0-9,\.+_-]*?\/?)+$"


def _now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _storage_error(status, message):
    # The storage controller's own errors are {"error": message}, not the API's error body.
    return Response(json.dumps({"error": message}), status=status, content_type="application/json")


def _invalid_path(resource_path):
    message = ("Property [resourcePath] of class [class com.dtolabs.rundeck.app.support.StorageParams] with value [%s] "
               "does not match the required pattern [%s]" % (resource_path, _PATH_PATTERN))
    return error(400, "api.error.invalid.request", "Invalid API Request: %s" % message, [message])


def key_meta(content_type, size, created=None, created_by=TOKEN_USER):
    """The metadata the server keeps for a key uploaded with ``content_type``."""
    moment = _now()
    meta = {
        "Rundeck-content-type": content_type,
        "Rundeck-content-size": str(size),
        "Rundeck-content-creation-time": created or moment,
        "Rundeck-content-modify-time": moment,
        "Rundeck-auth-created-username": created_by,
        "Rundeck-auth-modified-username": TOKEN_USER,
    }
    media = content_type.split(";", 1)[0].strip()
    if media == PRIVATE_TYPE:
        meta.update({"Rundeck-key-type": "private", "Rundeck-content-mask": "content"})
    elif media == PUBLIC_TYPE:
        meta["Rundeck-key-type"] = "public"
    elif media == PASSWORD_TYPE:
        # Passwords carry a data type, not a key type.
        meta.update({"Rundeck-data-type": "password", "Rundeck-content-mask": "content"})
    return meta


def _masked(meta):
    return "content" in (meta.get("Rundeck-content-mask") or "").split(",")


class KeyStore(object):
    """The key tree: ``"keys/a/b"`` -> ``{"content": bytes, "meta": {...}}``."""

    def __init__(self):
        self.keys = {}
        #: None follows the release; True or False sets the server's download feature.
        self.public_keys_download = None
        #: Every masked content (password, private key) ever written, kept across resets, so that
        #: tests can look for them in what a run printed.
        self.masked_written = set()

    def clear(self):
        self.keys = {}
        self.public_keys_download = None

    def is_directory(self, path):
        if path == "keys":
            return True
        prefix = path + "/"
        return any(name.startswith(prefix) for name in self.keys)

    def children(self, path):
        """The files and directories right under a directory: ``(name, is_directory)``, sorted."""
        prefix = path + "/"
        found = {}
        for name in self.keys:
            if name.startswith(prefix):
                rest = name[len(prefix):]
                head, dummy, tail = rest.partition("/")
                found[prefix + head] = bool(tail) or found.get(prefix + head, False)
        return sorted(found.items())


class KeyApi(object):
    """The view of ``/storage/keys``; the state holds a KeyStore as ``keys``."""

    def __init__(self, state):
        self.state = state

    def _url(self, path):
        return "%sapi/%d/storage/%s" % (request.host_url, server_api_version(), path)

    def _meta(self, meta):
        masked = _masked(meta)
        return dict((key, meta[key]) for key in META_ORDER
                    if meta.get(key) and not (masked and key == "Rundeck-content-size"))

    def _item(self, store, path, is_directory):
        return {
            "path": path,
            "type": "directory" if is_directory else "file",
            "name": None if is_directory else path.rsplit("/", 1)[-1],
            "url": self._url(path),
            "meta": {} if is_directory else self._meta(store.keys[path]["meta"]),
        }

    def _download_enabled(self, store):
        if store.public_keys_download is not None:
            return store.public_keys_download
        return emulated_release() < DOWNLOAD_FLAG_RELEASE

    def _file_response(self, store, path, status=200):
        entry = store.keys[path]
        meta = entry["meta"]
        content_type = meta.get("Rundeck-content-type") or ""
        accept = request.headers.get("Accept")
        asked = bool(content_type) and content_type in (accept or "")
        any_format = accept is None or accept.strip() in ("", "*/*")
        if asked and _masked(meta):
            return _storage_error(403, "unauthorized")
        if self._download_enabled(store) and (asked or any_format) and not _masked(meta):
            return Response(entry["content"], status=status, content_type=content_type)
        return Response(json.dumps(self._item(store, path, False)), status=status, content_type="application/json")

    def keys(self, version, resource=""):
        resource_path = "/keys/%s" % (resource or "")
        if resource and not _PATH_RE.match(resource_path):
            return _invalid_path(resource_path)
        path = resource_path.strip("/")
        method = request.method
        store = self.state.keys
        with self.state.lock:
            if method == "GET":
                return self._get(store, resource_path, path)
            # Writes need a path below keys/.
            if len(resource_path) <= len("/keys/"):
                return _invalid_path(resource_path)
            if method == "POST":
                if path in store.keys:
                    return _storage_error(409, "resource already exists: %s" % resource_path)
                if store.is_directory(path):
                    return _storage_error(409, "directory already exists: %s" % resource_path)
                return self._store(store, path, None, 201)
            if method == "PUT":
                if path not in store.keys:
                    return _storage_error(404, "resource not found: %s" % resource_path)
                return self._store(store, path, store.keys[path]["meta"], 200)
            # DELETE
            if path not in store.keys:
                return error(404, "api.error.item.doesnotexist", "Resource does not exist: %s" % resource_path,
                             ["Resource", resource_path])
            del store.keys[path]
            return Response(status=204)

    def _get(self, store, resource_path, path):
        if path in store.keys:
            return self._file_response(store, path)
        if not store.is_directory(path):
            return _storage_error(404, "resource not found: %s" % resource_path)
        listing = self._item(store, path, True)
        children = store.children(path)
        if children:
            listing["resources"] = [self._item(store, child, is_dir) for child, is_dir in children]
        return Response(json.dumps(listing), content_type="application/json")

    def _store(self, store, path, previous, status):
        content = request.get_data()
        content_type = request.headers.get("Content-Type") or ""
        created = previous.get("Rundeck-content-creation-time") if previous else None
        created_by = previous.get("Rundeck-auth-created-username", TOKEN_USER) if previous else TOKEN_USER
        meta = key_meta(content_type, len(content), created, created_by)
        store.keys[path] = {"content": content, "meta": meta}
        if _masked(meta) and content:
            store.masked_written.add(content.decode("utf-8", "replace"))
        return self._file_response(store, path, status)
