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
  - With O(policies), one task manages many policies of one scope (the system, or O(project)) with
    one listing of the scope, the texts read O(read_concurrency) at a time, and a write only for
    each policy that differs, in the order of the list. With O(exclusive), the scope's
    policies that the list does not name are deleted.
author:
  - opsforge maintainers (@opsforge)
options:
  name:
    description:
      - The policy's name, with or without the C(.aclpolicy) suffix that Rundeck requires.
      - Must not contain C(/).
      - Exactly one of O(name) and O(policies) is required.
    type: str
  project:
    description:
      - The project the policy belongs to (or, with O(policies), every policy of the list). Omit
        it for system policies.
      - A project policy must not have a C(context) section (Rundeck sets it to the project); a
        system policy must have one.
    type: str
  policy:
    description:
      - The policy, either as YAML text (stored exactly as given, comments included) or as a
        list of policy documents (mappings), which the module writes as a YAML stream.
      - A single mapping is taken as a list of one document.
      - Required when O(name) is given and O(state=present).
    type: raw
  policies:
    description:
      - Many policies of one scope in one task, each with the O(name) and O(policy) of a single
        policy. Mutually exclusive with O(name) and O(policy).
      - Two items must not name the same policy (a name with or without the C(.aclpolicy) suffix
        names the same one).
      - With O(state=absent), each item needs only its name, and the policies named are deleted.
      - Use it rather than a loop for more than a few policies; a task costs Ansible a module
        start whatever it does, and the reads of one task run side by side.
    type: list
    elements: dict
    suboptions:
      name:
        description: The policy's name, as O(name).
        type: str
        required: true
      policy:
        description: The policy, as O(policy). Required when O(state=present).
        type: raw
  exclusive:
    description:
      - With O(policies), also delete every policy of the scope (the system, or O(project)) that
        the list does not name. The deletions show in check mode and in the diff before they
        happen.
      - Only policies stored through the API are seen; policy files on the server are not.
      - An empty O(policies) with O(exclusive=true) deletes every policy of the scope.
      - Only with O(state=present).
    type: bool
    default: false
  read_concurrency:
    description:
      - With O(policies), how many policy texts are read at a time (Rundeck's listing does not
        hold them). From 1 to 32.
      - An answer C(429 Too Many Requests) still makes each read wait and try again.
    type: int
    default: 8
  state:
    description:
      - V(present) makes sure the policy (or each policy of O(policies)) exists with this content,
        V(absent) deletes it.
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
    no answer, or an answer that could not be read). With O(policies), it also reports what it
    did before the failure (RV(policies)), and what it had still to do (RV(policies.not_done)).
  - "Requests: an unchanged single policy costs one read; an unchanged O(policies) list costs one
    listing and one read per policy (with O(exclusive), also one per policy the list does not
    name), O(read_concurrency) at a time."
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

- name: Every policy of project web from the acl directory next to the playbook (one per file), and no others
  opsforge.delivery.rundeck_acl:
    project: web
    policies: "{{ dict(names | zip(texts)) | dict2items(key_name='name', value_name='policy') }}"
    exclusive: true
  vars:
    files: "{{ query('ansible.builtin.fileglob', playbook_dir ~ '/acl/*.aclpolicy') | sort }}"
    names: "{{ files | map('basename') | map('regex_replace', '[.]aclpolicy$', '') | list }}"
    texts: "{{ query('ansible.builtin.file', *files, rstrip=false) }}"
"""

RETURN = r"""
acl:
  description:
    - The policy as the server has it after the task (in check mode, as it would have it).
    - Empty when the policy is absent.
  returned: when O(name) is used
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
policies:
  description:
    - With O(policies), what happened to each policy, as lists of C({name, project}), in the order
      of the list (deletions of O(exclusive) after it, by name). In check mode, what would happen.
  returned: when O(policies) is used
  type: dict
  contains:
    created:
      description: The policies created.
      type: list
      elements: dict
      sample: [{"name": "deployers.aclpolicy", "project": "web"}]
    updated:
      description: The policies whose text was replaced.
      type: list
      elements: dict
    deleted:
      description: The policies deleted (with O(state=absent), or by O(exclusive)).
      type: list
      elements: dict
    unchanged:
      description: The policies already as given.
      type: list
      elements: dict
    not_done:
      description:
        - When the task fails after its writes began, the policies it had still to write, by
          action (C(create), C(update), C(delete)); the lists above then hold what was done.
      returned: on failure
      type: dict
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_module
from ansible_collections.opsforge.delivery.plugins.module_utils._parallel import DEFAULT_READ_CONCURRENCY
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_acl_set import build_acls


def main():
    argument_spec = dict(
        name=dict(type="str"),
        project=dict(type="str"),
        policy=dict(type="raw"),
        policies=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            policy=dict(type="raw"),
        )),
        exclusive=dict(type="bool", default=False),
        read_concurrency=dict(type="int", default=DEFAULT_READ_CONCURRENCY),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = new_module(argument_spec, RUNDECK_SPEC, mutually_exclusive=[("name", "policies"), ("policy", "policies")],
                        required_one_of=[("name", "policies")])
    run_module(module, build_acls)


if __name__ == "__main__":
    main()
