# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: octopus_machine
short_description: Read Octopus Deploy deployment targets
version_added: 0.1.0
description:
  - Returns deployment targets of an Octopus Deploy space, each as the server has it (without
    the API's links), with the names of its environments, tenants and machine policy next to
    their IDs.
  - Reads the targets named in the terms, or every target of the space that matches the filters.
author:
  - opsforge maintainers (@opsforge)
options:
  _terms:
    description:
      - Names of the targets to read, matched exactly, ignoring case. Without terms, every target
        that matches the filters is returned.
    type: list
    elements: str
    required: false
  environments:
    description:
      - Only targets in any of these environments, by name or ID.
    type: list
    elements: str
  roles:
    description:
      - Only targets with any of these roles.
    type: list
    elements: str
  health_statuses:
    description:
      - Only targets whose health is one of these.
    type: list
    elements: str
    choices: [Healthy, Unavailable, Unknown, HasWarnings, Unhealthy]
  disabled:
    description:
      - Only disabled targets (V(true)) or only enabled ones (V(false)).
    type: bool
  page_size:
    description:
      - How many targets to ask for per request; the lookup follows the server's links to the
        next page until it has them all.
    type: int
    default: 2000
extends_documentation_fragment:
  - opsforge.delivery.octopus
  - opsforge.delivery.octopus.plugins
  - opsforge.delivery.connection
notes:
  - Targets are read in pages of O(page_size); the names come from one listing each of
    environments, tenants and machine policies.
seealso:
  - module: opsforge.delivery.octopus_machine
"""

EXAMPLES = r"""
# The connection comes from OCTOPUS_URL and OCTOPUS_API_KEY, and the space from OCTOPUS_SPACE (or the
# variables octopus_url, octopus_api_key and octopus_space), unless the lookup is given them. An
# access token (OCTOPUS_ACCESS_TOKEN, the variable octopus_access_token, or access_token) works
# instead of the API key; exactly one of the two may be set.

- name: The health of every web server in Production
  ansible.builtin.debug:
    msg: "{{ query('opsforge.delivery.octopus_machine', environments=['Production'], roles=['web-server'])
             | items2dict(key_name='Name', value_name='HealthStatus') }}"

- name: The environments of one target, by name
  ansible.builtin.debug:
    msg: "{{ lookup('opsforge.delivery.octopus_machine', 'web01').EnvironmentNames }}"
"""

RETURN = r"""
_raw:
  description:
    - One dictionary per target, as the server returns it (see the C(machine) result of the
      P(opsforge.delivery.octopus_machine#module) module), plus C(EnvironmentNames),
      C(TenantNames) and C(MachinePolicyName).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import LARGE_PAGE, OCTOPUS_SPEC, OctopusClient
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine import References, without_links
from ansible_collections.opsforge.delivery.plugins.plugin_utils._lookup import ServiceLookupBase


class LookupModule(ServiceLookupBase):

    connection_spec = OCTOPUS_SPEC

    def lookup(self, terms, options):
        client = OctopusClient(options)
        space = client.space(options.get("space"))
        references = References(client, space)
        environments = options.get("environments")
        filters = dict(
            environmentIds=references.resolve_all("Environments", environments, "environment") if environments else None,
            roles=options.get("roles") or None,
            healthStatuses=options.get("health_statuses") or None,
            isDisabled=None if options.get("disabled") is None else str(options["disabled"]).lower(),
            name=terms[0] if len(terms) == 1 else None,
        )
        machines = client.items(space.links["Machines"], "list the deployment targets",
                                take=options.get("page_size") or LARGE_PAGE, **filters)
        if terms:
            by_name = dict((machine.get("Name", "").lower(), machine) for machine in machines)
            missing = [term for term in terms if term.lower() not in by_name]
            if missing:
                raise AnsibleLookupError("Octopus Deploy: no deployment target named %s%s" % (
                    ", ".join(missing), " matches the filters" if any(filters.values()) else ""))
            machines = [by_name[term.lower()] for term in terms]
        return [self._with_names(without_links(machine), references) for machine in machines]

    @staticmethod
    def _with_names(machine, references):
        machine["EnvironmentNames"] = [references.name_of("Environments", item) for item in machine.get("EnvironmentIds") or []]
        tenants = machine.get("TenantIds") or []
        machine["TenantNames"] = [references.name_of("Tenants", item) for item in tenants] if tenants else []
        policy = machine.get("MachinePolicyId")
        machine["MachinePolicyName"] = references.name_of("MachinePolicies", policy) if policy else None
        return machine
