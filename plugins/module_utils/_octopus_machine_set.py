# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many deployment targets of one space in one task: one listing of the targets, each kind of name
resolved once for all of them, and with ``exclusive`` the targets of a stated scope that the list
does not name deleted."""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, write_may_have_taken_effect
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import OctopusClient
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine import (
    OctopusMachine,
    References,
    build_single_machine,
    check_endpoint_fields,
    check_target_options,
    machine_key,
    only_target_named,
    resolve_space,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import CREATE, DELETE, NOTHING, REPLACE, UPDATE, ResourceSet, item_options

#: The options an item of ``machines`` takes besides its name; one it leaves out is the task's.
ITEM_OPTIONS = ("state", "environments", "roles", "tenants", "tenant_tags", "tenanted_deployment_participation",
                "machine_policy", "disabled", "endpoint", "endpoint_style_change")
#: The criteria of ``exclusive_scope``.
SCOPE_CRITERIA = ("environments", "roles", "name_prefix")


def scope_criteria(scope):
    """The criteria ``exclusive_scope`` gives: empty lists and a blank prefix are none."""
    scope = scope or {}
    given = {}
    for name in ("environments", "roles"):
        values = [value for value in scope.get(name) or [] if value.strip()]
        if values:
            given[name] = values
    # Names are trimmed at their start, so a prefix is too; a space inside or at its end counts.
    prefix = (scope.get("name_prefix") or "").lstrip()
    if prefix:
        given["name_prefix"] = prefix
    return given


def in_scope(machine, environment_ids=None, roles=None, name_prefix=None):
    """Whether a listed target matches every criterion given: one of the environments (by id), one of
    the roles, a name that starts with the prefix; ids, roles and names compared ignoring case, as
    Octopus compares them."""
    if environment_ids is not None:
        have = set(str(item).lower() for item in machine.get("EnvironmentIds") or [])
        if not have & set(item.lower() for item in environment_ids):
            return False
    if roles is not None:
        have = set(str(item).lower() for item in machine.get("Roles") or [])
        if not have & set(item.lower() for item in roles):
            return False
    if name_prefix is not None and not machine_key(machine.get("Name") or "").startswith(name_prefix.lower()):
        return False
    return True


def check_set_options(params):
    """Refuse, before any request, what ``exclusive`` and ``exclusive_scope`` cannot mean."""
    exclusive, scope = params["exclusive"], params["exclusive_scope"]
    if scope is not None and not exclusive:
        raise InputError("exclusive_scope limits exclusive: set exclusive: true as well, or remove exclusive_scope")
    if not exclusive:
        return
    if params["machines"] is None:
        raise InputError("exclusive applies to machines: list the targets to keep in machines")
    if params["state"] == "absent":
        raise InputError("exclusive keeps the targets machines lists and deletes the others of its scope, which "
                         "state: absent contradicts; to delete targets, list them with state: absent, without exclusive")
    if not scope_criteria(scope):
        raise InputError("exclusive needs exclusive_scope with at least one of environments, roles or name_prefix: "
                         "without a scope it would delete every target of the space that machines does not list, "
                         "the targets other teams and tools register there too")


def machine_items(params):
    """``(where, options)`` of each item of ``machines``, checked as a single target is, before any request."""
    items, seen = [], {}
    for index, item in enumerate(params["machines"]):
        options = item_options(item, params, ITEM_OPTIONS)
        options.update(name=item["name"], space=params["space"])
        where = "machines[%d] (%s)" % (index, item["name"].strip())
        check_target_options(options, where)
        if options["state"] == "present" and options["endpoint"]:
            try:
                check_endpoint_fields(options["endpoint"])
            except InputError as error:
                raise InputError("%s: %s" % (where, error))
        key = machine_key(item["name"])
        if key in seen:
            raise InputError("machines[%d] and machines[%d] name the same target (%s): Octopus Deploy compares names "
                             "ignoring case and the spaces around them" % (seen[key], index, item["name"].strip()))
        seen[key] = index
        items.append((where, options))
    return items


class OctopusMachineSet(ResourceSet):
    """The targets of one space that ``machines`` lists, each an OctopusMachine planned as a single one
    would be, and with an exclusive scope the other targets of that scope, to delete.

    The space is resolved once, every target of the space is read in one listing, and the names of
    environments, tenants, policies and endpoint resources go through one References, so each
    kind is listed at most once for the whole set.
    """

    result_key = "machines"
    listed_actions = (CREATE, UPDATE, REPLACE, DELETE, NOTHING)

    def __init__(self, client, space, items, scope=None):
        super(OctopusMachineSet, self).__init__()
        self.client = client
        self.space_name = space
        self.items = items
        #: The criteria of exclusive_scope, or None without exclusive.
        self.scope = scope

    def read(self, check_mode):
        space = resolve_space(self.client, self.space_name, check_mode, self.warnings)
        references = References(self.client, space, predicting=check_mode, warnings=self.warnings)
        listed = self._list(space)
        by_name = {}
        for machine in listed:
            by_name.setdefault(machine_key(machine.get("Name") or ""), []).append(machine)
        entries = []
        for where, options in self.items:
            member = OctopusMachine(self.client, options, check_mode, space, references, where)
            try:
                current = only_target_named(by_name.get(machine_key(member.name), []), member.name)
            except InputError as error:
                raise InputError("%s: %s" % (where, error))
            if current is not None:
                member.self_link = current["Links"]["Self"]
            entries.append((member, options["state"], current))
        if self.scope is not None:
            entries.extend(self._out_of_list(listed, check_mode, space, references))
        self.members = [member for member, _state, _current in entries]
        return entries

    def _list(self, space):
        if space is None:
            # A space that check mode found missing has no targets yet.
            return []
        return self.client.items(space.links["Machines"], "list the targets of %s"
                                 % ("space %s" % (space.name or space.id) if space.id else "the default space"))

    def _out_of_list(self, listed, check_mode, space, references):
        """``(member, "absent", current)`` for each listed target of the scope that ``machines`` does not name, by name."""
        named = set(machine_key(options["name"]) for _where, options in self.items)
        environments = self.scope.get("environments")
        environment_ids = references.resolve_all("Environments", environments, "exclusive_scope environment") \
            if environments else None
        others = [machine for machine in listed if machine_key(machine.get("Name") or "") not in named
                  and in_scope(machine, environment_ids, self.scope.get("roles"), self.scope.get("name_prefix"))]
        entries = []
        for machine in sorted(others, key=lambda item: (machine_key(item.get("Name") or ""), item.get("Id") or "")):
            options = dict((name, None) for name in ITEM_OPTIONS)
            options.update(name=machine.get("Name") or "", state="absent", endpoint_style_change="fail", space=self.space_name)
            member = OctopusMachine(self.client, options, check_mode, space, references)
            member.self_link = machine["Links"]["Self"]
            entries.append((member, "absent", machine))
        return entries

    def apply(self, changes):
        """Each change in turn, in the order of the result; a create that another run beat goes on from
        what that run made, as a single target's does."""
        for change in changes:
            member, current = change.member, change.current
            if change.action == CREATE:
                try:
                    change.finished(member.create(change.wanted))
                except ApiError as error:
                    if not member.created_meanwhile(error):
                        raise
                    self._after_lost_race(change, error)
            elif change.action == UPDATE:
                change.finished(member.update(current, change.wanted))
            elif change.action == REPLACE:
                change.finished(member.replace(current, change.wanted))
            elif change.action == DELETE:
                member.delete(current)
                change.finished(None)

    @staticmethod
    def _after_lost_race(change, error):
        current = change.member.read()
        if current is None:
            raise error
        change.went_on_after_lost_race(current)
        if change.action == UPDATE:
            change.finished(change.member.update(current, change.wanted))

    def changed_by_failure(self, error):
        return write_may_have_taken_effect(self.client.http, error) or super(OctopusMachineSet, self).changed_by_failure(error)


def build_machine(module):
    """The OctopusMachine, or with ``machines`` the OctopusMachineSet, that the module's options describe;
    raises InputError, before any request, for options Octopus would refuse."""
    params = module.params
    check_set_options(params)
    if params["machines"] is None:
        return build_single_machine(module)
    items = machine_items(params)
    scope = scope_criteria(params["exclusive_scope"]) if params["exclusive"] else None
    return OctopusMachineSet(OctopusClient(params), params["space"], items, scope)
