# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """Jira Cloud connection options (an on-premises integration's OAuth credentials). PLUGINS adds where
    lookups also read them from."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - The base URL of Atlassian's API gateway, where the token endpoint (C(/oauth/token)) and the
        Deployments API (C(/jira/deployments/0.1/cloud/<cloud id>)) are. Change it only to reach a
        proxy or the collection's sandbox.
      - If not set, the value of the E(JIRA_URL) environment variable is used (an empty variable
        counts as unset).
    type: str
    default: https://api.atlassian.com
  cloud_id:
    description:
      - The cloud id of the Jira Cloud site, as C(https://<site>/_edge/tenant_info) shows it.
      - If not set, the value of the E(JIRA_CLOUD_ID) environment variable is used (an empty
        variable counts as unset).
      - Exactly one of O(cloud_id) and O(site) is used. One given in the task (or in
        C(module_defaults), or as a lookup keyword) wins over the other's environment variable (or
        lookup variable); with neither, or both given the same way, the task fails before any request.
    type: str
  site:
    description:
      - The address of the Jira Cloud site, such as V(https://example.atlassian.net) (a host name
        alone is taken as C(https://)); its cloud id is read once from C(/_edge/tenant_info), which
        needs no credential.
      - If not set, the value of the E(JIRA_SITE) environment variable is used (an empty variable
        counts as unset).
      - Exactly one of O(cloud_id) and O(site) is used; see O(cloud_id).
    type: str
  client_id:
    description:
      - The client id of the OAuth credentials a site admin created for this integration (Jira
        settings, Apps, OAuth credentials), with the Deployments permission.
      - If not set, the value of the E(JIRA_CLIENT_ID) environment variable is used (an empty
        variable counts as unset). Without either, the task fails before any request.
    type: str
  client_secret:
    description:
      - The secret of those credentials. It is sent only to the token endpoint, in the request body;
        the access token the module gets for it is kept for the rest of the task, never shown, and
        renewed when it expires or Jira refuses it.
      - If not set, the value of the E(JIRA_CLIENT_SECRET) environment variable is used (an empty
        variable counts as unset). Without either, the task fails before any request.
    type: str
"""

    PLUGINS = r"""
options:
  url:
    env:
      - name: JIRA_URL
    vars:
      - name: jira_url
  cloud_id:
    env:
      - name: JIRA_CLOUD_ID
    vars:
      - name: jira_cloud_id
  site:
    env:
      - name: JIRA_SITE
    vars:
      - name: jira_site
  client_id:
    env:
      - name: JIRA_CLIENT_ID
    vars:
      - name: jira_client_id
  client_secret:
    env:
      - name: JIRA_CLIENT_SECRET
    vars:
      - name: jira_client_secret
notes:
  - Each item the terms name must exist; one that does not is an error, not an empty result.
"""
