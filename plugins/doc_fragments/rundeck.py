# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """Rundeck connection options. PLUGINS adds where lookups also read them from."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - The Rundeck server's base URL, without C(/api), for example V(https://rundeck.example.com:4440).
      - If not set, the value of the E(RUNDECK_URL) environment variable is used (an empty
        variable counts as unset). Without either, the task fails before any request.
    type: str
  api_token:
    description:
      - A Rundeck API token, sent in the C(X-Rundeck-Auth-Token) header.
      - If not set, the value of the E(RUNDECK_API_TOKEN) environment variable is used (an empty
        variable counts as unset). Without either, the task fails before any request.
    type: str
  api_version:
    description:
      - The Rundeck API version to use in request paths (C(/api/<api_version>/)).
      - Rundeck supports versions from 14 up to its own current version; the server refuses a
        version it does not know, and the task then says so.
    type: int
    default: 49
"""

    PLUGINS = r"""
options:
  url:
    env:
      - name: RUNDECK_URL
    vars:
      - name: rundeck_url
  api_token:
    env:
      - name: RUNDECK_API_TOKEN
    vars:
      - name: rundeck_api_token
"""
