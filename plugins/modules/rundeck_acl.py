#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rundeck_acl
short_description: Manage Rundeck system and project ACL policies
version_added: 0.1.0
description:
  - Create, update or delete an ACL policy stored in Rundeck's database, either a system policy
    or a policy of one project.
  - A policy that means the same as the one on the server is left alone, even when its text is
    formatted differently, commented differently or orders keys differently; the YAML documents
    are compared as data. The C(allow), C(deny), C(group), C(username) and C(urn) entries are
    compared as sets, and a single value equals a list of that one value.
  - An update replaces the policy text with O(policy) (Rundeck stores the text exactly as sent).
  - Rundeck validates every YAML document of a policy; when it refuses one, the task fails with
    the server's errors for each document and nothing is written.
author:
  - opsforge maintainers (@opsforge)
options:
  name:
    description:
      - The policy's name, with or without the C(.aclpolicy) suffix that Rundeck requires.
      - Must not contain C(/).
    type: str
    required: true
  project:
    description:
      - The project the policy belongs to. Omit it for a system policy.
      - A project policy must not have a C(context) section (Rundeck sets it to the project); a
        system policy must have one.
    type: str
  policy:
    description:
      - The policy, either as YAML text (stored exactly as given, comments included) or as a
        list of policy documents (mappings), which the module writes as a YAML stream.
      - A single mapping is taken as a list of one document.
      - Required when O(state=present).
    type: raw
  state:
    description:
      - V(present) makes sure the policy exists with this content, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - opsforge.delivery.rundeck
  - opsforge.delivery.connection
  - opsforge.delivery.attributes
  - opsforge.delivery.attributes.rundeck_group
notes:
  - Policies stored in files on the Rundeck server (C($RDECK_BASE/etc)) are not visible through
    the API and are not managed by this module.
  - In check mode, a project policy of a project that does not exist yet (one an earlier task of
    the play creates) is predicted as created, with a warning; a real run fails while the
    project is missing.
  - A failed task reports C(changed=true) when its write may have taken effect (the request got
    no answer, or an answer that could not be read).
seealso:
  - plugin: opsforge.delivery.rundeck_acl
    plugin_type: lookup
  - name: Rundeck ACL policy format
    description: The document format of C(.aclpolicy) files.
    link: https://docs.rundeck.com/docs/manual/document-format-reference/aclpolicy-v10.html
"""

EXAMPLES = r"""
# The connection comes from RUNDECK_URL and RUNDECK_API_TOKEN unless the task, or module_defaults
# for the group opsforge.delivery.rundeck, sets url and api_token.

- name: Let the build group run jobs in every project
  opsforge.delivery.rundeck_acl:
    name: build-runners
    policy:
      - description: Build group may read and run jobs in every project
        context:
          project: ".*"
        for:
          job:
            - allow: [read, run]
        by:
          group: build
      - description: Build group may see every project
        context:
          application: rundeck
        for:
          project:
            - allow: read
        by:
          group: build

- name: Manage the policies of one project, connection set once for all Rundeck tasks
  module_defaults:
    group/opsforge.delivery.rundeck:
      url: "{{ rundeck_url }}"
      api_token: "{{ vault_rundeck_token }}"
  block:
    - name: Deployers may run the release jobs of project web (the policy file is kept next to the playbook)
      opsforge.delivery.rundeck_acl:
        project: web
        name: deployers
        policy: "{{ lookup('ansible.builtin.file', 'acl/web-deployers.aclpolicy') }}"

    - name: Remove a policy that is no longer wanted
      opsforge.delivery.rundeck_acl:
        project: web
        name: contractors
        state: absent
"""

RETURN = r"""
acl:
  description:
    - The policy as the server has it after the task (in check mode, as it would have it).
    - Empty when the policy is absent.
  returned: always
  type: dict
  contains:
    name:
      description: The policy file name, with the C(.aclpolicy) suffix.
      type: str
      sample: deployers.aclpolicy
    project:
      description: The project of the policy; null for a system policy.
      type: str
      sample: web
    policy:
      description: The policy text as stored.
      type: str
      sample: "description: Deployers\nfor:\n  job:\n    - allow: run\nby:\n  group: deployers\n"
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_module
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_acl import build_acl


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        project=dict(type="str"),
        policy=dict(type="raw"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = new_module(argument_spec, RUNDECK_SPEC, required_if=[("state", "present", ["policy"])])
    run_module(module, build_acl)


if __name__ == "__main__":
    main()
