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

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, require_yaml, run_resource
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import Resource, TextView
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import (
    RUNDECK_SPEC,
    RundeckClient,
    acl_file_name,
    canonical_acl_documents,
    invalid_acl_name,
    missing_project_warning,
    project_missing,
    write_may_have_taken_effect,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._yaml import (
    YAMLError,
    dump_documents,
    load_documents,
)


class RundeckAcl(Resource):
    """A policy file: ``{"name", "project", "policy"}`` with the policy text as stored."""

    def __init__(self, client, name, project, policy_text, check_mode=False):
        self.client = client
        self.name = acl_file_name(name)
        self.project = project
        self.policy_text = policy_text
        self.check_mode = check_mode
        self.warnings = []

    def _represent(self, text):
        return dict(name=self.name, project=self.project, policy=text)

    def read(self):
        try:
            text = self.client.get_acl(self.name, self.project)
        except ApiError as exc:
            # An earlier task of the play may create the project; check mode could not know it.
            if not (self.check_mode and self.project and project_missing(exc)):
                raise
            self.warnings.append(missing_project_warning(self.project))
            return None
        return None if text is None else self._represent(text)

    def changed_by_failure(self, error):
        return write_may_have_taken_effect(self.client.http, error)

    def desired(self, current):
        return self._represent(self.policy_text)

    def normalize(self, representation):
        try:
            return canonical_acl_documents(load_documents(representation["policy"]))
        except YAMLError:
            # Text that does not parse can only be compared as text.
            return representation["policy"]

    def create(self, desired):
        return self._represent(self.client.create_acl(self.name, desired["policy"], self.project))

    def update(self, current, desired):
        return self._represent(self.client.update_acl(self.name, desired["policy"], self.project))

    def delete(self, current):
        self.client.delete_acl(self.name, self.project)

    def diff_view(self, representation):
        scope = "project %s" % self.project if self.project else "system"
        return TextView(representation["policy"], "%s (%s)" % (self.name, scope))


def policy_text(policy):
    """The text to store: YAML text as given, or documents written as a YAML stream."""
    if isinstance(policy, str):
        try:
            documents = load_documents(policy)
        except YAMLError as exc:
            raise InputError("policy is not valid YAML: %s" % exc)
        if not documents:
            raise InputError("policy is empty: give at least one policy document")
        bad = [i + 1 for i, doc in enumerate(documents) if not isinstance(doc, dict)]
        if bad:
            raise InputError("policy document(s) %s are not mappings; each document must be a mapping with "
                             "description, for and by sections" % ", ".join(map(str, bad)))
        return policy
    documents = [policy] if isinstance(policy, dict) else policy
    if not isinstance(documents, list) or not documents or not all(isinstance(doc, dict) for doc in documents):
        raise InputError("policy must be YAML text, a mapping, or a non-empty list of mappings (one per policy document)")
    return dump_documents(documents)


def build_resource(module):
    params = module.params
    problem = invalid_acl_name(params["name"])
    if problem:
        raise InputError(problem)
    text = policy_text(params["policy"]) if params["state"] == "present" else None
    return RundeckAcl(RundeckClient(params), params["name"], params["project"], text, module.check_mode)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        project=dict(type="str"),
        policy=dict(type="raw"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    argument_spec.update(RUNDECK_SPEC)
    module = new_module(argument_spec, required_if=[("state", "present", ["policy"])])
    require_yaml(module)
    run_resource(module, "acl", build_resource)


if __name__ == "__main__":
    main()
