#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rundeck_project
short_description: Manage Rundeck projects and their configuration properties
version_added: 0.1.0
description:
  - Create or delete a Rundeck project, and set or remove the configuration properties you name.
  - Only what the task names is managed. Properties not named in O(config), and the description
    and label when their options are omitted, are left as they are and never cause a change, so
    the properties Rundeck, its web interface and other tools set are kept.
  - An update writes each differing property on its own (one request per property), never the
    whole configuration at once, which would replace every property of the project.
  - A new project is created with every given property in one request; Rundeck then adds its own
    defaults (such as the node executor, the file copier and a resource model source) for the
    properties the task does not set. A default that O(config) sets to V(null) is removed right
    after the creation.
author:
  - opsforge maintainers (@opsforge)
options:
  name:
    description:
      - The project's name.
      - Rundeck allows letters, digits and the characters C(_), C(-), C(+) and C(.), which may not
        come first.
    type: str
    required: true
  state:
    description:
      - V(present) makes sure the project exists with the given properties, V(absent) deletes it,
        with its jobs, executions and ACL policies.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - The project's description, the property C(project.description).
      - An empty string removes it. Omit it to leave the description as it is.
    type: str
  label:
    description:
      - The project's display name in Rundeck's web interface, the property C(project.label).
      - An empty string removes it. Omit it to leave the label as it is.
      - Rundeck shows the label from API version 26 on; the property is managed whatever
        O(api_version) is.
    type: str
  config:
    description:
      - Configuration properties to manage, by property name, for example
        V(project.execution.history.cleanup.enabled) or V(service.NodeExecutor.default.provider).
      - Values are sent as text; booleans as V(true) or V(false), numbers as written.
      - A value of V(null) means the property must not be set; it is removed if present.
      - Rundeck refuses empty values, so an empty string is an error; use V(null) to remove a property.
      - Property names must not be empty or contain C(/). C(project.name) is Rundeck's own, and
        C(project.description) and C(project.label) are set with O(description) and O(label).
    type: dict
extends_documentation_fragment:
  - opsforge.delivery.rundeck
  - opsforge.delivery.connection
  - opsforge.delivery.attributes
  - opsforge.delivery.attributes.rundeck_group
notes:
  - A project is deleted with C(deferred=false) (API version 45 and later), so it is gone when the
    task ends; the deletion of a project with a long execution history may need a larger O(timeout).
  - Managing a project's properties needs C(configure) (or C(admin)) access to the project, since
    Rundeck shows them to no one else; with less, the task fails and says so. Creating or deleting a
    project alone does not read them.
  - An unchanged run costs one request. An update costs one request per differing property, plus
    one to read the project back.
seealso:
  - plugin: opsforge.delivery.rundeck_project
    plugin_type: lookup
  - module: opsforge.delivery.rundeck_acl
  - module: opsforge.delivery.rundeck_job
  - name: Rundeck API, projects
    description: The project endpoints this module uses, and the project configuration.
    link: https://docs.rundeck.com/docs/api/#projects
"""

EXAMPLES = r"""
# The connection comes from the RUNDECK_URL and RUNDECK_API_TOKEN environment variables here.
- name: A project for the web tier, with a description, a label and two properties
  opsforge.delivery.rundeck_project:
    name: web
    description: Deployments of the web tier
    label: Web tier
    config:
      project.execution.history.cleanup.enabled: true
      project.execution.history.cleanup.retention.days: 60

- name: Remove one property and leave every other one as it is
  opsforge.delivery.rundeck_project:
    name: web
    config:
      project.execution.history.cleanup.retention.days: null

- name: Manage several projects, connection set once for all Rundeck tasks
  module_defaults:
    group/opsforge.delivery.rundeck:
      url: "{{ rundeck_url }}"
      api_token: "{{ vault_rundeck_token }}"
  block:
    - name: One project per team, executed over SSH
      opsforge.delivery.rundeck_project:
        name: "{{ item }}"
        config:
          service.NodeExecutor.default.provider: sshj-ssh
          service.FileCopier.default.provider: sshj-scp
      loop: [payments, search]

    - name: A project that is no longer wanted
      opsforge.delivery.rundeck_project:
        name: search
        state: absent
"""

RETURN = r"""
project:
  description:
    - The project as the server has it after the task (in check mode, as it would have it).
    - In check mode a project about to be created shows only C(project.name) and the properties the
      task sets; Rundeck adds its own defaults when it creates the project.
    - Empty when the project is absent.
  returned: always
  type: dict
  contains:
    name:
      description: The project's name.
      type: str
      sample: web
    description:
      description: The project's description; empty when it has none.
      type: str
      sample: Deployments of the web tier
    label:
      description: The project's label; empty when it has none.
      type: str
      sample: Web tier
    url:
      description: The project's API address, as Rundeck gives it.
      type: str
      sample: https://rundeck.example.com/api/49/project/web
    config:
      description:
        - Every configuration property of the project, as text.
        - Empty when the token may not read them (no C(configure) access to the project).
      type: dict
      sample:
        project.name: web
        project.description: Deployments of the web tier
        project.label: Web tier
        project.execution.history.cleanup.enabled: "true"
        resources.source.1.type: local
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_module
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_project import build_project


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        description=dict(type="str"),
        label=dict(type="str"),
        config=dict(type="dict"),
    )
    run_module(new_module(argument_spec, RUNDECK_SPEC), build_project)


if __name__ == "__main__":
    main()
