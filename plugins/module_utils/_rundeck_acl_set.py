# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many ACL policies of one scope in one task: one listing, the texts read a bounded number at a time."""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, write_may_have_taken_effect
from ansible_collections.opsforge.delivery.plugins.module_utils._module import require_yaml
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._parallel import check_read_concurrency, read_all
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import ResourceSet
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import (
    ACL_SUFFIX,
    RundeckClient,
    acl_file_name,
    invalid_acl_name,
    missing_project_warning,
    project_missing,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_acl import RundeckAcl, build_acl, policy_text


class RundeckAclSet(ResourceSet):
    """The policies of one scope (the system, or one project) that a list names; with ``exclusive``,
    the scope's other policies too, to delete. Each policy is a RundeckAcl, planned as a single one."""

    result_key = "policies"

    def __init__(self, client, project, policies, state="present", exclusive=False, read_concurrency=8):
        super(RundeckAclSet, self).__init__()
        self.client = client
        self.project = project
        #: (file name, policy text or None), in the order of the list.
        self.policies = policies
        self.state = state
        self.exclusive = exclusive
        self.read_concurrency = read_concurrency

    def read(self, check_mode):
        listed = self._list(check_mode)
        named = [name for name, dummy in self.policies]
        # Rundeck keeps nothing but policy files in a scope; anything else is not this set's to delete.
        others = sorted(name for name in listed if name not in named and name.endswith(ACL_SUFFIX)) if self.exclusive else []
        existing = set(listed)
        to_read = [name for name in named if name in existing] + others
        texts = dict(zip(to_read, read_all(self._read_text, to_read, self.read_concurrency)))
        items = []
        for name, text in self.policies:
            member = RundeckAcl(self.client, name, self.project, text, check_mode)
            items.append((member, self.state, self._current(member, texts.get(name))))
        for name in others:
            member = RundeckAcl(self.client, name, self.project, None, check_mode)
            current = self._current(member, texts.get(name))
            if current is not None:
                items.append((member, "absent", current))
        self.members = [member for member, dummy, dummy2 in items]
        return items

    def _list(self, check_mode):
        try:
            return self.client.list_acls(self.project)
        except ApiError as exc:
            # An earlier task of the play may create the project; check mode could not know it.
            if not (check_mode and self.project and project_missing(exc)):
                raise
            self.warnings.append(missing_project_warning(self.project))
            return []

    def _read_text(self, name):
        # None when the policy went away between the listing and this read.
        return self.client.get_acl(name, self.project)

    @staticmethod
    def _current(member, text):
        return None if text is None else dict(name=member.name, project=member.project, policy=text)

    def item_view(self, member, representation):
        return dict(name=representation["name"], project=representation["project"])

    def changed_by_failure(self, error):
        return super(RundeckAclSet, self).changed_by_failure(error) or write_may_have_taken_effect(self.client.http, error)


def build_acls(module):
    """The RundeckAclSet of ``policies``, or the RundeckAcl of ``name``; raises InputError for options Rundeck
    would refuse, before any request."""
    params = module.params
    if params["policies"] is None:
        if params["exclusive"]:
            raise InputError("exclusive applies to policies: list the policies to keep in policies")
        if params["state"] == "present" and params["policy"] is None:
            raise InputError("policy is required with state=present")
        return build_acl(module)
    return build_acl_set(module)


def build_acl_set(module):
    """The RundeckAclSet of the ``policies`` option; raises InputError, before any request, for a name or a
    policy Rundeck would refuse, and for two items naming one policy."""
    params = module.params
    require_yaml(module)
    problem = check_read_concurrency(params["read_concurrency"])
    if problem:
        raise InputError(problem)
    if params["exclusive"] and params["state"] == "absent":
        raise InputError("exclusive deletes the policies the list does not name: it applies to state=present only")
    policies, seen = [], {}
    for index, item in enumerate(params["policies"]):
        where = "policies[%d]" % index
        problem = invalid_acl_name(item["name"])
        if problem:
            raise InputError("%s: %s" % (where, problem))
        name = acl_file_name(item["name"])
        if name in seen:
            raise InputError("policies[%d] and %s both name the policy %s" % (seen[name], where, name))
        seen[name] = index
        text = None
        if params["state"] == "present":
            if item.get("policy") is None:
                raise InputError("%s: policy is required with state=present" % where)
            try:
                text = policy_text(item["policy"])
            except InputError as exc:
                raise InputError("%s (%s): %s" % (where, name, exc))
        policies.append((name, text))
    return RundeckAclSet(RundeckClient(params), params["project"], policies, params["state"], params["exclusive"],
                         params["read_concurrency"])
