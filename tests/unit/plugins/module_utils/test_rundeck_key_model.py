# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rundeck_key model without a server: paths, kinds, the update rule."""

from __future__ import annotations

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_key import content_differs, key_path
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_key_api import RundeckKeys, key_type


@pytest.mark.parametrize("given, expected", [
    ("keys/ci/db-password", "keys/ci/db-password"),
    ("ci/db-password", "keys/ci/db-password"),
    ("/keys/ci/db-password/", "keys/ci/db-password"),
    ("keys/project/web/my key.pem", "keys/project/web/my key.pem"),
    ("a,b+c_d-e.f", "keys/a,b+c_d-e.f"),
])
def test_key_path(given, expected):
    assert key_path(given) == expected


@pytest.mark.parametrize("given", ["", "keys", "keys/", "keys/ci/../x", "ci//x", "ci/b@d", "ci/ x", "ci/x /y", "ci/.."])
def test_key_path_refuses_what_rundeck_refuses(given):
    with pytest.raises(InputError):
        key_path(given)


def test_the_root_is_a_path_for_listing_only():
    assert key_path("keys", allow_root=True) == "keys"
    with pytest.raises(InputError):
        key_path("", allow_root=True)


@pytest.mark.parametrize("meta, expected", [
    ({"Rundeck-data-type": "password", "Rundeck-content-type": "application/x-rundeck-data-password"}, "password"),
    ({"Rundeck-key-type": "private"}, "private"),
    ({"Rundeck-key-type": "public"}, "public"),
    ({"Rundeck-content-type": "application/pgp-keys"}, "public"),
    ({"Rundeck-content-type": "text/plain"}, None),
    ({}, None),
])
def test_key_type_from_metadata(meta, expected):
    assert key_type({"meta": meta}) == expected


@pytest.mark.parametrize("stored, wanted, content, value, rule, expected", [
    # Secrets cannot be read back: the rule decides.
    ("password", "password", None, "x", "on_create", False),
    ("password", "password", None, "x", "always", True),
    ("private", "private", None, "x", "on_create", False),
    ("private", "private", None, "x", "always", True),
    # Another kind is always written.
    ("password", "private", None, "x", "on_create", True),
    ("public", "password", "k", "x", "on_create", True),
    # Public keys by content when it was served, whatever the rule.
    ("public", "public", "k", "k", "always", False),
    ("public", "public", "k", "other", "on_create", True),
    # Public keys the server does not serve follow the rule.
    ("public", "public", None, "k", "on_create", False),
    ("public", "public", None, "k", "always", True),
])
def test_differs_follows_the_update_rule(stored, wanted, content, value, rule, expected):
    assert content_differs(stored, wanted, content, value, rule) is expected


def test_request_paths_drop_the_keys_prefix_the_api_adds():
    assert RundeckKeys._path("keys/ci/db") == "storage/keys/ci/db"
    assert RundeckKeys._path("keys") == "storage/keys/"
    assert RundeckKeys._path("keys/ci/my key") == "storage/keys/ci/my%20key"
