# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """Opsgenie connection options. PLUGINS adds where lookups also read them from."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - The Opsgenie API's base URL, without C(/v2). Accounts in Opsgenie's EU instance set
        V(https://api.eu.opsgenie.com).
      - If not set, the value of the E(OPSGENIE_URL) environment variable is used (an empty
        variable counts as unset).
    type: str
    default: https://api.opsgenie.com
  api_key:
    description:
      - The key of an Opsgenie API integration, sent in the C(Authorization) header after
        C(GenieKey). Writes need an integration with create and update access.
      - If not set, the value of the E(OPSGENIE_API_KEY) environment variable is used (an empty
        variable counts as unset). Without either, the task fails before any request.
    type: str
"""

    PLUGINS = r"""
options:
  url:
    env:
      - name: OPSGENIE_URL
    vars:
      - name: opsgenie_url
  api_key:
    env:
      - name: OPSGENIE_API_KEY
    vars:
      - name: opsgenie_api_key
notes:
  - Each item the terms name must exist; one that does not is an error, not an empty result.
"""
