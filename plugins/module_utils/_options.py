# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection options shared by every module and lookup.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.
"""

from __future__ import annotations

import os

from ansible.module_utils.errors import AnsibleFallbackNotFound


class InputError(Exception):
    """The user's input cannot work; raised before any request is sent."""


def nonempty_env_fallback(*names):
    """Like Ansible's env_fallback, but an empty variable counts as unset.

    AWX exports every optional credential field, the empty ones as "", and an empty value must
    never override a default or turn a check off.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


def env_option(names, **spec):
    """An argument spec entry that falls back to the first non-empty environment variable."""
    spec["fallback"] = (nonempty_env_fallback, list(names))
    return spec


#: Options every service shares: TLS, timeouts and retries.
COMMON_CONNECTION_SPEC = dict(
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    client_cert=dict(type="path"),
    client_key=dict(type="path", no_log=False),
    timeout=dict(type="float", default=30),
    retries=dict(type="int", default=3),
)


def connection_spec(service_spec):
    """The full connection argument spec of a service: its own options plus the common ones."""
    spec = dict(COMMON_CONNECTION_SPEC)
    spec.update(service_spec)
    return spec


def transport_options(params):
    """The keyword arguments of HttpClient that come from the common options."""
    return dict(
        validate_certs=params.get("validate_certs", True) is not False,
        ca_path=params.get("ca_path") or None,
        client_cert=params.get("client_cert") or None,
        client_key=params.get("client_key") or None,
        timeout=params.get("timeout") or 30,
        retries=3 if params.get("retries") is None else params["retries"],
    )
