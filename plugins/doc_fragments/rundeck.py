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
      - When not set, version 49 is used. A server older than that (Rundeck 5.0 and 5.1 serve up
        to 46, 5.2 and 5.3 up to 47, 5.4 and 5.5 up to 48) refuses it and names its own current
        version; the refused request is then sent once more at that version, which the task keeps
        for all its other requests (one extra request per task). A version that is set is never
        changed.
    type: int
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
notes:
  - Each item the terms name must exist; one that does not is an error, not an empty result.
"""
