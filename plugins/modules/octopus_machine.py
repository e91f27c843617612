#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: octopus_machine
short_description: Manage Octopus Deploy deployment targets
version_added: 0.1.0
description:
  - Registers, updates or removes a deployment target (a machine) of an Octopus Deploy space,
    through the REST API, starting from the server's C(/api) document and following its links.
  - Environments, tenants, the machine policy and the endpoint's account, proxy and worker pool
    are given by name or by ID; names match exactly, ignoring case.
  - Environments, roles, tenants and tenant tags are compared as sets, so their order does not
    matter. What the server reports about a target (health status, status summary, Calamari and
    Tentacle versions) never counts as a change.
  - An update sends the target as the server has it, with only the options given here changed;
    settings made elsewhere (in the web portal, by a Tentacle registration) stay as they are.
author:
  - opsforge maintainers (@opsforge)
options:
  name:
    description:
      - The target's name, unique in its space. Matched exactly, ignoring case.
      - Leading and trailing spaces are removed, as Octopus does.
    type: str
    required: true
  state:
    description:
      - V(present) makes sure the target exists as described; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  environments:
    description:
      - The environments the target belongs to, by name or ID. Required to create a target.
    type: list
    elements: str
  roles:
    description:
      - The target's roles (target tags). Required to create a target.
    type: list
    elements: str
  tenants:
    description:
      - The tenants the target serves, by name or ID.
      - Giving tenants (or tenant tags) to an untenanted target makes it V(Tenanted) unless
        O(tenanted_deployment_participation) says otherwise.
    type: list
    elements: str
  tenant_tags:
    description:
      - Tenant tags, each as C(TagSet/Tag), such as V(Tier/Gold).
    type: list
    elements: str
  tenanted_deployment_participation:
    description:
      - Whether the target takes part in tenanted deployments.
    type: str
    choices: [Untenanted, TenantedOrUntenanted, Tenanted]
  machine_policy:
    description:
      - The machine policy, by name or ID. When a new target has none, the server assigns its
        default policy.
    type: str
  disabled:
    description:
      - Whether the target is disabled.
    type: bool
  endpoint:
    description:
      - How Octopus reaches the target. Required to create a target.
      - When the target already has an endpoint of the same communication style, only the fields
        given here change; another style replaces the endpoint.
    type: dict
    suboptions:
      communication_style:
        description:
          - V(listening) (a listening Tentacle), V(polling) (a polling Tentacle), V(ssh),
            V(cloud_region), V(offline_drop) or V(kubernetes) (a Kubernetes cluster, through its API).
        type: str
        required: true
        choices: [listening, polling, ssh, cloud_region, offline_drop, kubernetes]
      uri:
        description:
          - V(listening) and V(polling), required. A listening Tentacle's https address, such as
            V(https://web01.example.com:10933/), or a polling Tentacle's subscription address, such as
            V(poll://abcdefghij0123456789/).
        type: str
      thumbprint:
        description:
          - V(listening) and V(polling), required. The Tentacle's certificate thumbprint.
        type: str
      proxy:
        description:
          - V(listening), V(ssh) and V(kubernetes). The proxy to reach the target through, by name or ID.
        type: str
      host:
        description:
          - V(ssh), required. The host name or address.
        type: str
      port:
        description:
          - V(ssh). The SSH port; 22 when not given.
        type: int
      fingerprint:
        description:
          - V(ssh), required. The host key fingerprint.
        type: str
      account:
        description:
          - V(ssh), required; V(kubernetes). The account to log in with, by name or ID.
        type: str
      dotnet_platform:
        description:
          - V(ssh). The .NET platform of the target, such as V(linux-x64), for self-contained Calamari.
        type: str
      default_worker_pool:
        description:
          - V(cloud_region) and V(kubernetes). The worker pool, by name or ID.
        type: str
      cluster_url:
        description:
          - V(kubernetes), required. The cluster's API address (https).
        type: str
      namespace:
        description:
          - V(kubernetes). The default namespace.
        type: str
      skip_tls_verification:
        description:
          - V(kubernetes). Whether to skip the check of the cluster's certificate.
        type: bool
      drop_folder_path:
        description:
          - V(offline_drop), required. The folder the packages are written to.
        type: str
      applications_directory:
        description:
          - V(offline_drop). The folder the applications are installed into on the target.
        type: str
      working_directory:
        description:
          - V(offline_drop). Octopus's working folder on the target.
        type: str
extends_documentation_fragment:
  - opsforge.delivery.octopus
  - opsforge.delivery.connection
  - opsforge.delivery.attributes
  - opsforge.delivery.attributes.octopus_group
notes:
  - "Requests: an unchanged run reads the API root, the target, and each kind of resource given
    by name (environments, tenants, machine policies, accounts, proxies, worker pools), one
    listing per kind; a space given by name adds two, one given by ID adds one."
  - The server checks a listening Tentacle's thumbprint when it first connects, not when the
    target is registered.
seealso:
  - plugin: opsforge.delivery.octopus_machine
    plugin_type: lookup
  - name: Octopus REST API
    description: Octopus Deploy's API documentation.
    link: https://octopus.com/docs/octopus-rest-api
"""

EXAMPLES = r"""
# The connection comes from OCTOPUS_URL and OCTOPUS_API_KEY (and OCTOPUS_SPACE) unless the task, or
# module_defaults for the group opsforge.delivery.octopus, sets url and api_key (and space).

- name: Register a listening Tentacle in Production
  opsforge.delivery.octopus_machine:
    name: web01
    environments: [Production]
    roles: [web-server]
    endpoint:
      communication_style: listening
      uri: https://web01.example.com:10933/
      thumbprint: 8A3F1C9E2B7D4F60A1C3E5B7D9F1A3C5E7B9D1F3

- name: An SSH build agent in Test, for tenant Acme
  opsforge.delivery.octopus_machine:
    name: build-agent-3
    environments: [Test]
    roles: [builder]
    tenants: [Acme]
    machine_policy: Transient
    endpoint:
      communication_style: ssh
      host: build-agent-3.example.com
      fingerprint: "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"
      account: deploy-ssh
      dotnet_platform: linux-x64

- name: A cloud region in space Platform, for steps that run on workers
  opsforge.delivery.octopus_machine:
    space: Platform
    name: aws-eu-west-1
    environments: [Staging, Production]
    roles: [aws-eu-west-1]
    endpoint:
      communication_style: cloud_region
      default_worker_pool: Default Worker Pool

- name: Take a target out of rotation
  opsforge.delivery.octopus_machine:
    name: web01
    disabled: true

- name: Remove a target
  opsforge.delivery.octopus_machine:
    name: web02
    state: absent
"""

RETURN = r"""
machine:
  description:
    - The target as the server has it after the task (in check mode, as it would have it),
      without the API's links; empty when it is absent.
  returned: always
  type: dict
  contains:
    Id:
      description: The target's ID; absent in check mode for a target that would be created.
      type: str
      sample: Machines-12
    Name:
      description: The target's name.
      type: str
      sample: web01
    EnvironmentIds:
      description: The IDs of its environments.
      type: list
      elements: str
      sample: [Environments-3]
    Roles:
      description: Its roles.
      type: list
      elements: str
      sample: [web-server]
    TenantIds:
      description: The IDs of its tenants.
      type: list
      elements: str
      sample: []
    TenantTags:
      description: Its tenant tags.
      type: list
      elements: str
      sample: []
    TenantedDeploymentParticipation:
      description: Whether it takes part in tenanted deployments.
      type: str
      sample: Untenanted
    MachinePolicyId:
      description: The ID of its machine policy.
      type: str
      sample: MachinePolicies-1
    IsDisabled:
      description: Whether it is disabled.
      type: bool
      sample: false
    HealthStatus:
      description: The health the server last saw (informational; never a change).
      type: str
      sample: Healthy
    Endpoint:
      description: How Octopus reaches it, with the fields of its communication style.
      type: dict
      sample: {"CommunicationStyle": "TentaclePassive", "Uri": "https://web01.example.com:10933/", "Thumbprint": "8A3F..."}
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_resource
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import OCTOPUS_SPEC, OctopusClient
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine import (
    STYLES,
    References,
    comparable,
    desired_machine,
    endpoint_settings,
    without_links,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import Resource, unique


class OctopusMachine(Resource):
    """One deployment target, represented as the server's resource."""

    def __init__(self, client, params):
        self.client = client
        self.params = params
        # Octopus trims the name it stores, so the target is found again by the trimmed name.
        self.name = params["name"].strip()
        self.space = client.space(params["space"])
        self.references = References(client, self.space)
        self.self_link = None

    def read(self):
        found = [item for item in self.client.items(self.space.links["Machines"], "find target %s" % self.name,
                                                    name=self.name, take=None)
                 if item.get("Name", "").lower() == self.name.lower()]
        if len(found) > 1:
            raise InputError("%d targets are named %s; rename one of them" % (len(found), self.name))
        if not found:
            return None
        self.self_link = found[0]["Links"]["Self"]
        return found[0]

    def desired(self, current):
        params = self.params
        if current is None:
            missing = [option for option in ("environments", "roles", "endpoint") if not params[option]]
            if missing:
                raise InputError("target %s does not exist; to create it, give %s" % (self.name, ", ".join(missing)))
        refs = self.references
        settings = dict(
            EnvironmentIds=None if params["environments"] is None else refs.resolve_all(
                "Environments", params["environments"], "environment"),
            Roles=None if params["roles"] is None else unique(params["roles"]),
            TenantIds=None if params["tenants"] is None else refs.resolve_all("Tenants", params["tenants"], "tenant"),
            TenantTags=None if params["tenant_tags"] is None else unique(params["tenant_tags"]),
            TenantedDeploymentParticipation=params["tenanted_deployment_participation"],
            MachinePolicyId=None if params["machine_policy"] is None else refs.resolve(
                "MachinePolicies", params["machine_policy"], "machine policy"),
            IsDisabled=params["disabled"],
        )
        endpoint = endpoint_settings(params["endpoint"], refs) if params["endpoint"] else None
        return desired_machine(current, self.name, settings, endpoint)

    def normalize(self, representation):
        return comparable(representation)

    def create(self, desired):
        return self.client.send("POST", self.space.links["Machines"], "create target %s" % self.name, desired,
                                expected=(201, 200))

    def created_meanwhile(self, error):
        # Octopus refuses a second target of one name with a validation error rather than a 409.
        return error.status == 400 and "with this name already exists" in (error.message or "")

    def update(self, current, desired):
        return self.client.send("PUT", self.self_link, "update target %s" % self.name, desired, expected=(200,))

    def delete(self, current):
        self.client.send("DELETE", self.self_link, "delete target %s" % self.name, expected=(200, 204))

    def view(self, representation):
        return without_links(representation)

    def diff_view(self, representation):
        return comparable(representation, fold_case=False)


def build_machine(module):
    if not module.params["name"].strip():
        raise InputError("name must not be empty")
    if module.params["tenant_tags"]:
        bad = [tag for tag in module.params["tenant_tags"] if tag.count("/") != 1 or "" in tag.split("/")]
        if bad:
            raise InputError("tenant_tags must each be TagSet/Tag, such as Tier/Gold: %s" % ", ".join(bad))
    return OctopusMachine(OctopusClient(module.params), module.params)


def main():
    endpoint_options = dict(
        communication_style=dict(type="str", required=True, choices=sorted(STYLES)),
        uri=dict(type="str"),
        thumbprint=dict(type="str"),
        proxy=dict(type="str"),
        host=dict(type="str"),
        port=dict(type="int"),
        fingerprint=dict(type="str"),
        account=dict(type="str"),
        dotnet_platform=dict(type="str"),
        default_worker_pool=dict(type="str"),
        cluster_url=dict(type="str"),
        namespace=dict(type="str"),
        skip_tls_verification=dict(type="bool"),
        drop_folder_path=dict(type="str"),
        applications_directory=dict(type="str"),
        working_directory=dict(type="str"),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        environments=dict(type="list", elements="str"),
        roles=dict(type="list", elements="str"),
        tenants=dict(type="list", elements="str"),
        tenant_tags=dict(type="list", elements="str"),
        tenanted_deployment_participation=dict(type="str", choices=["Untenanted", "TenantedOrUntenanted", "Tenanted"]),
        machine_policy=dict(type="str"),
        disabled=dict(type="bool"),
        endpoint=dict(type="dict", options=endpoint_options),
    )
    argument_spec.update(OCTOPUS_SPEC)
    module = new_module(argument_spec)
    run_resource(module, "machine", build_machine)


if __name__ == "__main__":
    main()
