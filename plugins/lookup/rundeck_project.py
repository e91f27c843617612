# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rundeck_project
short_description: Read Rundeck projects and their configuration properties
version_added: 0.1.0
description:
  - Returns Rundeck projects by name, each as a dictionary with its C(name), C(description),
    C(label), C(url) and every configuration property in C(config), the same shape the
    M(opsforge.delivery.rundeck_project) module returns.
  - Without terms, returns every project the token may see, as Rundeck lists them (without their
    properties).
author:
  - opsforge maintainers (@opsforge)
options:
  _terms:
    description:
      - Names of the projects to read.
      - Without terms, every project is returned.
    type: list
    elements: str
    required: false
extends_documentation_fragment:
  - opsforge.delivery.rundeck
  - opsforge.delivery.rundeck.plugins
  - opsforge.delivery.connection
notes:
  - Reading a project's properties needs C(configure) (or C(admin)) access to the project.
  - Each named project costs one request; the listing costs one request in all.
seealso:
  - module: opsforge.delivery.rundeck_project
"""

EXAMPLES = r"""
# The connection comes from the RUNDECK_URL and RUNDECK_API_TOKEN environment variables, or from
# the variables rundeck_url and rundeck_api_token.
- name: Show the node executor of project sandbox
  ansible.builtin.debug:
    msg: "{{ lookup('opsforge.delivery.rundeck_project', 'sandbox').config['service.NodeExecutor.default.provider'] }}"

- name: Names of every project
  ansible.builtin.debug:
    msg: "{{ query('opsforge.delivery.rundeck_project') | map(attribute='name') }}"
"""

RETURN = r"""
_raw:
  description:
    - One dictionary per project.
    - With terms, each has C(name), C(description), C(label), C(url) and C(config).
    - Without terms, each is a project as Rundeck lists it, with C(name), C(description) and C(url);
      C(label) from API version 26 and C(created) from API version 33.
  type: list
  elements: dict
  contains:
    name:
      description: The project's name.
      type: str
    description:
      description: The project's description; empty when it has none.
      type: str
    label:
      description: The project's label; empty when it has none.
      type: str
    url:
      description: The project's API address, as Rundeck gives it.
      type: str
    config:
      description: Every configuration property of the project, as text (named projects only).
      type: dict
    created:
      description: When the project was created (listing only, API version 33 and later).
      type: str
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_project_properties import invalid_project_name, record_from_answer
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_project_api import RundeckProjects
from ansible_collections.opsforge.delivery.plugins.plugin_utils._lookup import ServiceLookupBase


class LookupModule(ServiceLookupBase):

    connection_spec = RUNDECK_SPEC

    def lookup(self, terms, options):
        terms = [term if isinstance(term, str) else str(term) for term in terms]
        for term in terms:
            problem = invalid_project_name(term)
            if problem:
                raise AnsibleLookupError(problem)
        projects = RundeckProjects(options)
        if not terms:
            return projects.list()
        found = []
        for name in terms:
            project = projects.get(name)
            if project is None:
                raise AnsibleLookupError("Rundeck: no project named %s" % name)
            found.append(record_from_answer(project))
        return found
