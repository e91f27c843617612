# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rundeck_acl
short_description: Read Rundeck system and project ACL policies
version_added: 0.1.0
description:
  - Returns ACL policies stored in Rundeck's database, each as a dictionary with its C(name),
    C(project) and C(policy) text, exactly as the server stores it.
  - Reads the system policies, or those of O(project).
author:
  - opsforge maintainers (@opsforge)
options:
  _terms:
    description:
      - Names of the policies to read, with or without the C(.aclpolicy) suffix.
      - Without terms, every policy of the scope is returned.
    type: list
    elements: str
    required: false
  project:
    description:
      - The project whose policies to read. Omit it for the system policies.
    type: str
extends_documentation_fragment:
  - opsforge.delivery.rundeck
  - opsforge.delivery.rundeck.plugins
  - opsforge.delivery.connection
notes:
  - Reading every policy of a scope costs one request for the listing and one per policy.
seealso:
  - module: opsforge.delivery.rundeck_acl
"""

EXAMPLES = r"""
- name: Show the text of one system policy, with the connection given to the lookup
  ansible.builtin.debug:
    msg: "{{ lookup('opsforge.delivery.rundeck_acl', 'build-runners', url=rundeck_url, api_token=vault_rundeck_token).policy }}"

- name: Names of every policy of project web (connection from RUNDECK_URL and RUNDECK_API_TOKEN)
  ansible.builtin.debug:
    msg: "{{ query('opsforge.delivery.rundeck_acl', project='web') | map(attribute='name') }}"
"""

RETURN = r"""
_raw:
  description: One dictionary per policy.
  type: list
  elements: dict
  contains:
    name:
      description: The policy file name, with the C(.aclpolicy) suffix.
      type: str
    project:
      description: The project of the policy; null for a system policy.
      type: str
    policy:
      description: The policy text as stored.
      type: str
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC, RundeckClient, acl_file_name, invalid_acl_name
from ansible_collections.opsforge.delivery.plugins.plugin_utils._lookup import ServiceLookupBase


class LookupModule(ServiceLookupBase):

    connection_spec = RUNDECK_SPEC

    def lookup(self, terms, options):
        project = options.get("project")
        for term in terms:
            problem = invalid_acl_name(term)
            if problem:
                raise AnsibleLookupError("%s: %r" % (problem, term))
        client = RundeckClient(options)
        names = [acl_file_name(term) for term in terms] if terms else client.list_acls(project)
        policies = []
        for name in names:
            text = client.get_acl(name, project)
            if text is None:
                scope = "project %s" % project if project else "the system scope"
                raise AnsibleLookupError("Rundeck: no ACL policy named %s in %s" % (name, scope))
            policies.append(dict(name=name, project=project, policy=text))
        return policies
