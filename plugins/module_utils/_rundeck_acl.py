# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck ACL policies: the policy text checked, compared by meaning, shown as text, read and written."""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, write_may_have_taken_effect
from ansible_collections.opsforge.delivery.plugins.module_utils._module import require_yaml
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import Resource, TextView
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import (
    RundeckClient,
    acl_file_name,
    canonical_acl_documents,
    invalid_acl_name,
    missing_project_warning,
    project_missing,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._yaml import YAMLError, dump_documents, load_documents


class RundeckAcl(Resource):
    """A policy file: ``{"name", "project", "policy"}`` with the policy text as stored."""

    result_key = "acl"

    def __init__(self, client, name, project, policy_text, check_mode=False):
        super(RundeckAcl, self).__init__()
        self.client = client
        self.name = acl_file_name(name)
        self.project = project
        self.policy_text = policy_text
        self.check_mode = check_mode

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

    def canonical(self, representation):
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


def build_acl(module):
    """The RundeckAcl the module's options describe; raises InputError for options Rundeck would refuse."""
    require_yaml(module)
    params = module.params
    problem = invalid_acl_name(params["name"])
    if problem:
        raise InputError(problem)
    text = policy_text(params["policy"]) if params["state"] == "present" else None
    return RundeckAcl(RundeckClient(params), params["name"], params["project"], text, module.check_mode)
