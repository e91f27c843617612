# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: jira_deployment
short_description: Read Jira Cloud deployments by pipeline, environment and sequence number
version_added: 0.2.0
description:
  - Returns the deployments Jira stores for O(pipeline_id) and O(environment_id) with the sequence
    numbers the terms give, as Jira's read by key shows them.
  - It reads through the Deployments API of an on-premises integration, with the same OAuth
    credentials as M(opsforge.delivery.jira_deployment).
author:
  - opsforge maintainers (@opsforge)
options:
  _terms:
    description:
      - The sequence numbers of the deployments to read (numbers written as text are taken).
    type: list
    elements: int
    required: true
  pipeline_id:
    description:
      - The identifier of the deployments' pipeline.
    type: str
    required: true
  environment_id:
    description:
      - The identifier of their environment.
    type: str
    required: true
extends_documentation_fragment:
  - opsforge.delivery.jira
  - opsforge.delivery.jira.plugins
  - opsforge.delivery.connection
notes:
  - Jira applies submissions asynchronously, so a deployment submitted moments ago without waiting
    may not be found yet.
seealso:
  - module: opsforge.delivery.jira_deployment
"""

EXAMPLES = r"""
# The connection comes from JIRA_CLIENT_ID, JIRA_CLIENT_SECRET and JIRA_CLOUD_ID or JIRA_SITE (or the
# variables jira_client_id, jira_client_secret, jira_cloud_id, jira_site) unless the lookup is given them.

- name: The state of the release's deployment to production
  ansible.builtin.debug:
    msg: >-
      {{ lookup('opsforge.delivery.jira_deployment', release_build_number,
                pipeline_id='shop-deploy', environment_id='prod-eu').state }}

- name: The issues two deployments delivered
  ansible.builtin.debug:
    msg: >-
      {{ query('opsforge.delivery.jira_deployment', 4710, 4711, pipeline_id='shop-deploy', environment_id='prod-eu')
         | map(attribute='associations') | flatten | selectattr('associationType', 'equalto', 'issueKeys')
         | map(attribute='values') | flatten | unique }}
"""

RETURN = r"""
_raw:
  description: One dictionary per deployment, as Jira's read by key gives it.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.validation import check_type_int

from ansible_collections.opsforge.delivery.plugins.module_utils._jira import JIRA_SPEC, JiraClient
from ansible_collections.opsforge.delivery.plugins.plugin_utils._lookup import ServiceLookupBase


class LookupModule(ServiceLookupBase):

    connection_spec = JIRA_SPEC

    def lookup(self, terms, options):
        if not terms:
            raise AnsibleLookupError("Jira: give the sequence numbers of the deployments to read as terms")
        pipeline_id, environment_id = (options.get("pipeline_id") or "").strip(), (options.get("environment_id") or "").strip()
        if not pipeline_id or not environment_id:
            raise AnsibleLookupError("Jira: pipeline_id and environment_id must not be empty")
        numbers = []
        for term in terms:
            try:
                numbers.append(check_type_int(term))
            except TypeError:
                raise AnsibleLookupError("Jira: %r is not a sequence number (a whole number)" % (term,)) from None
        client = JiraClient(options)
        deployments = []
        for number in numbers:
            deployment = client.get(pipeline_id, environment_id, number)
            if deployment is None:
                raise AnsibleLookupError("Jira: no %s" % client.describe_key(pipeline_id, environment_id, number))
            deployments.append(deployment)
        return deployments
