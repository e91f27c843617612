# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Rundeck Key Storage over HTTP: /storage/keys."""

import requests

PUBLIC = b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7 ci@example\n"
JSON = {"Accept": "application/json"}


def put(api, auth, method, path, content_type, body):
    headers = dict(auth, **JSON)
    headers["Content-Type"] = content_type
    return requests.request(method, "%s/storage/keys/%s" % (api, path), headers=headers, data=body)


def test_each_kind_gets_its_metadata_and_masks(api, auth):
    assert put(api, auth, "POST", "ci/db", "application/x-rundeck-data-password", b"s3cret").status_code == 201
    assert put(api, auth, "POST", "ci/id_rsa", "application/octet-stream", b"PRIVATE").status_code == 201
    created = put(api, auth, "POST", "ci/id.pub", "application/pgp-keys", PUBLIC)
    assert created.status_code == 201
    assert created.json()["meta"]["Rundeck-key-type"] == "public"
    assert created.json()["meta"]["Rundeck-content-size"] == str(len(PUBLIC))
    assert len(created.json()["meta"]) == 7

    password = requests.get(api + "/storage/keys/ci/db", headers=dict(auth, **JSON)).json()
    assert password["path"] == "keys/ci/db" and password["name"] == "db" and password["type"] == "file"
    assert password["url"].endswith("/storage/keys/ci/db")
    # Passwords carry a data type, not a key type; masked content has no size.
    assert password["meta"]["Rundeck-data-type"] == "password"
    assert "Rundeck-key-type" not in password["meta"]
    assert "Rundeck-content-size" not in password["meta"]
    assert password["meta"]["Rundeck-content-mask"] == "content"
    private = requests.get(api + "/storage/keys/ci/id_rsa", headers=dict(auth, **JSON)).json()
    assert private["meta"]["Rundeck-key-type"] == "private"


def test_listing_names_direct_children(api, auth):
    put(api, auth, "POST", "ci/db", "application/x-rundeck-data-password", b"x")
    put(api, auth, "POST", "ci/sub/deep", "application/x-rundeck-data-password", b"x")
    listing = requests.get(api + "/storage/keys/ci", headers=dict(auth, **JSON)).json()
    assert listing["type"] == "directory" and listing["path"] == "keys/ci" and listing["meta"] == {}
    assert [(r["path"], r["type"]) for r in listing["resources"]] == [("keys/ci/db", "file"), ("keys/ci/sub", "directory")]
    root = requests.get(api + "/storage/keys/", headers=dict(auth, **JSON)).json()
    assert root["path"] == "keys" and [r["path"] for r in root["resources"]] == ["keys/ci"]


def test_secret_content_is_refused_and_public_content_follows_the_download_feature(sandbox, api, auth):
    put(api, auth, "POST", "ci/db", "application/x-rundeck-data-password", b"s3cret")
    put(api, auth, "POST", "ci/id.pub", "application/pgp-keys", PUBLIC)
    refused = requests.get(api + "/storage/keys/ci/db", headers=dict(auth, Accept="application/x-rundeck-data-password"))
    assert (refused.status_code, refused.json()) == (403, {"error": "unauthorized"})
    # The newest releases serve a public key's content only with the download feature on.
    metadata = requests.get(api + "/storage/keys/ci/id.pub", headers=dict(auth, Accept="application/pgp-keys"))
    assert metadata.headers["Content-Type"].startswith("application/json")
    sandbox.controls["rundeck"].state.keys.public_keys_download = True
    content = requests.get(api + "/storage/keys/ci/id.pub", headers=dict(auth, Accept="application/pgp-keys"))
    assert content.content == PUBLIC and content.headers["Content-Type"] == "application/pgp-keys"
    # Asking for anything never serves a masked key.
    anything = requests.get(api + "/storage/keys/ci/db", headers=dict(auth, Accept="*/*"))
    assert anything.status_code == 200 and anything.json()["meta"]["Rundeck-data-type"] == "password"


def test_post_conflicts_put_and_delete_need_the_key(api, auth):
    assert put(api, auth, "POST", "ci/db", "application/x-rundeck-data-password", b"a").status_code == 201
    again = put(api, auth, "POST", "ci/db", "application/x-rundeck-data-password", b"a")
    assert (again.status_code, again.json()) == (409, {"error": "resource already exists: /keys/ci/db"})
    directory = put(api, auth, "POST", "ci", "application/x-rundeck-data-password", b"a")
    assert (directory.status_code, directory.json()) == (409, {"error": "directory already exists: /keys/ci"})
    missing = put(api, auth, "PUT", "ci/other", "application/x-rundeck-data-password", b"a")
    assert (missing.status_code, missing.json()) == (404, {"error": "resource not found: /keys/ci/other"})
    # PUT may change the kind: the new content type decides.
    changed = put(api, auth, "PUT", "ci/db", "application/octet-stream", b"PRIVATE")
    assert changed.status_code == 200 and changed.json()["meta"]["Rundeck-key-type"] == "private"
    assert requests.delete(api + "/storage/keys/ci/db", headers=auth).status_code == 204
    gone = requests.delete(api + "/storage/keys/ci/db", headers=auth)
    assert gone.status_code == 404
    assert gone.json()["errorCode"] == "api.error.item.doesnotexist"
    assert gone.json()["message"] == "Resource does not exist: /keys/ci/db"
    read = requests.get(api + "/storage/keys/ci/db", headers=dict(auth, **JSON))
    assert (read.status_code, read.json()) == (404, {"error": "resource not found: /keys/ci/db"})


def test_paths_are_checked(api, auth):
    root = put(api, auth, "POST", "", "application/x-rundeck-data-password", b"a")
    assert root.status_code == 400 and root.json()["errorCode"] == "api.error.invalid.request"
    odd = put(api, auth, "POST", "ci/b@d", "application/x-rundeck-data-password", b"a")
    assert odd.status_code == 400 and odd.json()["errorCode"] == "api.error.invalid.request"
