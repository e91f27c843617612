# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """Octopus Deploy connection options. PLUGINS adds where lookups also read them from."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - The Octopus Server's base URL, without C(/api), for example V(https://octopus.example.com).
      - If not set, the value of the E(OCTOPUS_URL) environment variable is used (an empty
        variable counts as unset). Without either, the task fails before any request.
    type: str
  api_key:
    description:
      - An Octopus API key (C(API-...)), sent in the C(X-Octopus-ApiKey) header.
      - If not set, the value of the E(OCTOPUS_API_KEY) environment variable is used (an empty
        variable counts as unset).
      - Exactly one of O(api_key) and O(access_token) is used. One given in the task (or in
        C(module_defaults), or as a lookup keyword) wins over the other's environment variable (or
        lookup variable); with neither, or both given the same way, the task fails before any request.
    type: str
  access_token:
    description:
      - "An access token of a service account, as an OpenID Connect exchange with the Octopus Server
        gives one, sent as C(Authorization: Bearer <token>), as the official clients send it. Use
        it instead of O(api_key) on a server that accepts OpenID Connect for its API."
      - If not set, the value of the E(OCTOPUS_ACCESS_TOKEN) environment variable is used (an
        empty variable counts as unset).
      - Exactly one of O(api_key) and O(access_token) is used; see O(api_key).
      - The token is short-lived; get it shortly before the play runs.
    type: str
  space:
    description:
      - The space, by name or ID (such as V(Spaces-1)). Names match exactly, ignoring case.
      - If not set, the value of the E(OCTOPUS_SPACE) environment variable is used; without
        either, the server's default space, found as Octopus.Client finds it (among the spaces of
        the API key's user). A server whose default space is disabled, or a key whose user may not
        use it, needs a space here; the task fails before any write and says so.
    type: str
requirements:
  - uritemplate (Python library, 4.1 or later)
"""

    PLUGINS = r"""
options:
  url:
    env:
      - name: OCTOPUS_URL
    vars:
      - name: octopus_url
  api_key:
    env:
      - name: OCTOPUS_API_KEY
    vars:
      - name: octopus_api_key
  access_token:
    env:
      - name: OCTOPUS_ACCESS_TOKEN
    vars:
      - name: octopus_access_token
  space:
    env:
      - name: OCTOPUS_SPACE
    vars:
      - name: octopus_space
notes:
  - Each item the terms name must exist; one that does not is an error, not an empty result.
"""
