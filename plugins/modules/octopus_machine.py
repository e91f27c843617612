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
  - With O(machines), one task manages many targets of one space (a whole fleet), reading them
    all in one listing; with O(exclusive), it also deletes the targets of a stated scope
    (O(exclusive_scope)) that the list does not name.
author:
  - opsforge maintainers (@opsforge)
options:
  name:
    description:
      - The target's name, unique in its space. Matched exactly, ignoring case.
      - Leading and trailing spaces are removed, as Octopus does.
      - One of O(name) and O(machines) is required; they are mutually exclusive.
    type: str
  state:
    description:
      - V(present) makes sure the target exists as described; V(absent) deletes it.
      - With O(machines), the state of each item that does not give its own.
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
        given here change; the others keep their current values. The fields marked required below
        are required only for a new target, or when the communication style changes.
      - Octopus cannot change the communication style of an existing target (it refuses the update);
        see O(endpoint_style_change).
    type: dict
    suboptions: &endpoint_suboptions
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
          - An empty string removes the proxy the target has.
        type: str
      host:
        description:
          - V(ssh), required. The host name or address.
        type: str
      port:
        description:
          - V(ssh). The SSH port; 22 for a new target when not given. An existing SSH target keeps its port.
        type: int
      fingerprint:
        description:
          - V(ssh), required. The host key fingerprint.
        type: str
      account:
        description:
          - V(ssh), required. The account to log in with, by name or ID.
          - V(kubernetes), for O(endpoint.authentication_type) V(standard) (an account alone implies it)
            and V(azure), required; for V(aws) and V(google_cloud), required unless
            O(endpoint.use_instance_role) or O(endpoint.use_vm_service_account) is V(true). The account the
            cluster is reached with (a token or user name and password account, an Azure service
            principal, an AWS account, a Google Cloud account).
        type: str
      dotnet_platform:
        description:
          - V(ssh). The .NET platform of the target, such as V(linux-x64), for self-contained Calamari.
        type: str
      default_worker_pool:
        description:
          - V(cloud_region) and V(kubernetes). The worker pool, by name or ID.
          - An empty string removes it (the space's default pool is used).
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
          - V(kubernetes). Whether to skip the check of the cluster's certificate. Octopus keeps it as the
            text V(True) or V(False), which is what is sent.
        type: bool
      cluster_certificate:
        description:
          - V(kubernetes). The certificate, by name or ID, in Octopus's certificate library that the
            cluster's certificate is checked against (its certificate authority).
          - An empty string removes it.
        type: str
      cluster_certificate_path:
        description:
          - V(kubernetes). The path of a file on the worker that holds the cluster's certificate
            authority, such as the pod's V(/var/run/secrets/kubernetes.io/serviceaccount/ca.crt) with
            O(endpoint.authentication_type=pod_service).
        type: str
      authentication_type:
        description:
          - V(kubernetes). How Octopus authenticates to the cluster. V(standard) (a token or user name
            and password account), V(aws) (an AWS account and an EKS cluster), V(azure) (an Azure account
            and an AKS cluster), V(google_cloud) (a Google Cloud account and a GKE cluster),
            V(certificate) (a client certificate) or V(pod_service) (the token of the pod's service
            account).
          - When not given, the type the endpoint has (V(standard) for a new endpoint) if any
            authentication option is given; otherwise the endpoint's authentication is left as it is.
          - The options a type requires are required when the endpoint gets that type; an endpoint
            that has it already keeps the values of those not given.
          - A type's switches (O(endpoint.use_instance_role), O(endpoint.assume_role),
            O(endpoint.admin_login), O(endpoint.impersonate_service_account),
            O(endpoint.use_vm_service_account)) are V(false) on a new endpoint of that type unless given.
        type: str
        choices: [aws, azure, certificate, google_cloud, pod_service, standard]
      client_certificate:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=certificate), required. The client
            certificate in Octopus's certificate library, by name or ID (such as V(Certificates-1)).
        type: str
      cluster_name:
        description:
          - V(kubernetes) with O(endpoint.authentication_type) V(aws), V(azure) or V(google_cloud),
            required. The name of the cluster in that cloud.
        type: str
      cluster_resource_group:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=azure), required. The cluster's resource group.
        type: str
      admin_login:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=azure). Whether to log in to the AKS cluster
            with its administrator credentials. Octopus keeps it as the text V(True) or V(False), which
            is what is sent.
        type: bool
      use_instance_role:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=aws). Whether to run as the AWS role of the
            worker's EC2 instance instead of an account; then O(endpoint.account) may be left out.
        type: bool
      assume_role:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=aws). Whether to assume another AWS role;
            V(true) needs O(endpoint.assumed_role_arn).
        type: bool
      assumed_role_arn:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=aws). The ARN of the role to assume.
        type: str
      assumed_role_session:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=aws). The session name of the assumed role.
        type: str
      assume_role_session_duration:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=aws). How long the assumed role's session
            lasts, in seconds (Octopus's C(AssumeRoleSessionDurationSeconds)).
        type: int
      assume_role_external_id:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=aws). The external ID the role's trust
            policy asks for.
        type: str
      project:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=google_cloud), required. The Google Cloud project.
        type: str
      region:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=google_cloud). The cluster's region
            (a regional cluster).
        type: str
      zone:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=google_cloud). The cluster's zone (a zonal cluster).
        type: str
      impersonate_service_account:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=google_cloud). Whether to impersonate
            service accounts; V(true) needs O(endpoint.service_account_emails).
        type: bool
      service_account_emails:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=google_cloud). The email addresses of the
            service accounts to impersonate, comma-separated, as Octopus keeps them.
        type: str
      use_vm_service_account:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=google_cloud). Whether to run as the service
            account of the worker's VM instead of an account; then O(endpoint.account) may be left out.
        type: bool
      token_path:
        description:
          - V(kubernetes) with O(endpoint.authentication_type=pod_service), required. The path of the
            service account token file inside the pod.
        type: str
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
  endpoint_style_change:
    description:
      - What to do when the target exists with another communication style than
        O(endpoint.communication_style). Octopus refuses to change a target's communication style.
      - V(fail) fails the task before anything is written, with a message that says so.
      - V(replace) deletes the target and creates it again with the new endpoint, keeping its
        environments, roles, tenants, machine policy and other settings. The new target has a new
        ID and none of the old one's history; if the creation fails, the target is gone. Check mode
        and C(--diff) show the replacement, and the task warns about it.
    type: str
    choices: [fail, replace]
    default: fail
  machines:
    description:
      - Many targets of the space in one task, each a mapping of the options of one target.
        An option an item leaves out is the task's option of the same name, so that
        O(environments), O(roles), O(endpoint) and the others can be given once for all items;
        an item's O(machines[].endpoint) replaces the task's O(endpoint) as a whole.
      - Each item is checked before any request, as a single target is; two items that name the
        same target (names compare ignoring case and the spaces around them) fail the task.
      - The space is resolved once and every target of the space is read in one listing; each
        kind of resource named (environments, tenants, machine policies, accounts, certificates,
        proxies, worker pools) is listed at most once for all items. Only the targets that differ
        are written, one request each, in the order of the list, then the deletions of
        O(exclusive) by name.
      - Mutually exclusive with O(name).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The target's name, as O(name).
        type: str
        required: true
      state:
        description:
          - V(present) or V(absent), as O(state); the task's O(state) when left out.
        type: str
        choices: [present, absent]
      environments:
        description:
          - As O(environments); the task's when left out.
        type: list
        elements: str
      roles:
        description:
          - As O(roles); the task's when left out.
        type: list
        elements: str
      tenants:
        description:
          - As O(tenants); the task's when left out.
        type: list
        elements: str
      tenant_tags:
        description:
          - As O(tenant_tags); the task's when left out.
        type: list
        elements: str
      tenanted_deployment_participation:
        description:
          - As O(tenanted_deployment_participation); the task's when left out.
        type: str
        choices: [Untenanted, TenantedOrUntenanted, Tenanted]
      machine_policy:
        description:
          - As O(machine_policy); the task's when left out.
        type: str
      disabled:
        description:
          - As O(disabled); the task's when left out.
        type: bool
      endpoint:
        description:
          - As O(endpoint), with the same suboptions; the task's O(endpoint) when left out.
        type: dict
        suboptions: *endpoint_suboptions
      endpoint_style_change:
        description:
          - As O(endpoint_style_change); the task's when left out.
        type: str
        choices: [fail, replace]
  exclusive:
    description:
      - With O(machines), also delete the targets of the space that O(machines) does not name,
        but only those within O(exclusive_scope), which is then required.
      - Check mode and C(--diff) show these deletions before they happen.
      - Not with O(state=absent).
    type: bool
    default: false
  exclusive_scope:
    description:
      - The targets O(exclusive) may delete, those that match every criterion given. Deleting
        every other target of a space would also delete what other teams and tools register
        there, so at least one criterion is required.
      - Only with O(exclusive=true).
    type: dict
    suboptions:
      environments:
        description:
          - Targets in any of these environments, by name or ID.
        type: list
        elements: str
      roles:
        description:
          - Targets with any of these roles, compared ignoring case.
        type: list
        elements: str
      name_prefix:
        description:
          - Targets whose name starts with this text, compared ignoring case.
        type: str
extends_documentation_fragment:
  - opsforge.delivery.octopus
  - opsforge.delivery.connection
  - opsforge.delivery.attributes
  - opsforge.delivery.attributes.octopus_group
notes:
  - "Requests: an unchanged run reads the API root, the target, and each kind of resource given
    by name (environments, tenants, machine policies, accounts, certificates, proxies, worker pools),
    one listing per kind; a space given by name adds two, one given by ID adds one. Removing a
    proxy or worker pool the target has reads their listing once, to name it in the diff. On a server
    without a default space, a task without O(space) reads the current user and that user's
    spaces, then fails."
  - "Requests with O(machines): an unchanged set of any size reads the API root, one listing of the
    space's targets (one request per 2000 targets), and one listing of each kind of resource named,
    whatever the number of items: 3 requests for targets in the default space with environments by
    name. A space given by name adds two, one given by ID adds one. A run that writes sends one
    request per target created, updated or deleted (two for a replaced one)."
  - "With O(machines), a failure part-way ends the task at the failed target: RV(machines) lists
    what was done, and under C(not_done) what was still to do; C(changed) is true when a write took
    effect. Running the task again goes on from what the server then has."
  - "A refused creation is followed by one more read of the name: a target found there was made by
    a concurrent run and the task goes on from it."
  - The server checks a listening Tentacle's thumbprint when it first connects, not when the
    target is registered.
  - "Check mode predicts what the real run returns: the fields the server fills in (the default
    machine policy, each communication style's other endpoint fields) included; a target to be
    created has no C(Id), health or status yet. Predicting the default machine policy of a new
    target costs one listing of the machine policies."
  - "In check mode, a space, environment, tenant or other resource given by name that does not
    exist yet (an earlier task of the play only predicted it) is taken as the name given, with a
    warning, and the task reports what it would do; a real run fails on it."
  - "C(--diff) shows the names the task gave next to the IDs they stand for: C(EnvironmentNames),
    C(TenantNames), C(MachinePolicyName), and in the endpoint C(AccountName), C(ProxyName),
    C(DefaultWorkerPoolName), C(ClusterCertificateName) and C(ClientCertificateName)."
  - "A failure after a write (or during one that may have reached the server) reports
    C(changed=true) and lists the writes the server confirmed in C(writes); with
    O(endpoint_style_change=replace) a failed creation leaves the target deleted."
seealso:
  - plugin: opsforge.delivery.octopus_machine
    plugin_type: lookup
  - name: Octopus REST API
    description: Octopus Deploy's API documentation.
    link: https://octopus.com/docs/octopus-rest-api
"""

EXAMPLES = r"""
# The connection comes from OCTOPUS_URL and OCTOPUS_API_KEY (and OCTOPUS_SPACE) unless the task, or
# module_defaults for the group opsforge.delivery.octopus, sets url and api_key (and space). A service
# account's access token from an OpenID Connect exchange works instead of the API key: set
# OCTOPUS_ACCESS_TOKEN (or access_token) and leave OCTOPUS_API_KEY (and api_key) unset.

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

- name: An AKS cluster, reached with an Azure service principal and its admin login
  opsforge.delivery.octopus_machine:
    name: aks-prod
    environments: [Production]
    roles: [k8s]
    endpoint:
      communication_style: kubernetes
      cluster_url: https://aks-prod.example.com:443
      namespace: web
      authentication_type: azure
      account: azure-sp
      cluster_name: aks-prod
      cluster_resource_group: rg-prod
      admin_login: true

- name: An EKS cluster, reached as the worker's instance role, assuming a deployment role
  opsforge.delivery.octopus_machine:
    name: eks-prod
    environments: [Production]
    roles: [k8s]
    endpoint:
      communication_style: kubernetes
      cluster_url: https://eks-prod.example.com
      authentication_type: aws
      use_instance_role: true
      cluster_name: eks-prod
      assume_role: true
      assumed_role_arn: arn:aws:iam::123456789012:role/octopus-deploy
      assumed_role_session: octopus
      assume_role_session_duration: 3600

- name: A GKE cluster, reached with a Google Cloud account
  opsforge.delivery.octopus_machine:
    name: gke-prod
    environments: [Production]
    roles: [k8s]
    endpoint:
      communication_style: kubernetes
      cluster_url: https://gke-prod.example.com
      authentication_type: google_cloud
      account: gcp-deploy
      project: delivery-prod
      zone: europe-west1-b
      cluster_name: gke-prod

- name: A cluster reached with a client certificate, checked against the cluster's CA certificate
  opsforge.delivery.octopus_machine:
    name: k8s-onprem
    environments: [Test]
    roles: [k8s]
    endpoint:
      communication_style: kubernetes
      cluster_url: https://k8s.example.com:6443
      authentication_type: certificate
      client_certificate: k8s-client
      cluster_certificate: k8s-cluster-ca

- name: The cluster Octopus runs in, reached with its pod's service account token
  opsforge.delivery.octopus_machine:
    name: k8s-local
    environments: [Test]
    roles: [k8s]
    endpoint:
      communication_style: kubernetes
      cluster_url: https://kubernetes.default.svc
      authentication_type: pod_service
      token_path: /var/run/secrets/kubernetes.io/serviceaccount/token
      cluster_certificate_path: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt

- name: Reach web02 directly, without the proxy it had
  opsforge.delivery.octopus_machine:
    name: web02
    endpoint:
      communication_style: listening
      proxy: ""

- name: Take a target out of rotation
  opsforge.delivery.octopus_machine:
    name: web01
    disabled: true

- name: Remove a target
  opsforge.delivery.octopus_machine:
    name: web02
    state: absent

- name: The shop's web servers in one task, and no other shop web server in Production
  opsforge.delivery.octopus_machine:
    # Given once for every item that does not give its own.
    environments: [Production]
    roles: [shop-web]
    machine_policy: Default Machine Policy
    machines:
      - name: shop-web01
        endpoint:
          communication_style: listening
          uri: https://shop-web01.example.com:10933/
          thumbprint: 1C3E5B7D9F1A3C5E7B9D1F38A3F1C9E2B7D4F60A
      - name: shop-web02
        endpoint:
          communication_style: listening
          uri: https://shop-web02.example.com:10933/
          thumbprint: 3C5E7B9D1F38A3F1C9E2B7D4F60A1C3E5B7D9F1A
        disabled: true
      - name: shop-canary
        environments: [Test]
        endpoint:
          communication_style: listening
          uri: https://shop-canary.example.com:10933/
          thumbprint: 5B7D9F1A3C5E7B9D1F38A3F1C9E2B7D4F60A1C3E
    # Also delete the targets with the role shop-web in Production that the list does not name.
    exclusive: true
    exclusive_scope:
      environments: [Production]
      roles: [shop-web]
"""

RETURN = r"""
machine:
  description:
    - The target as the server has it after the task (in check mode, as it would have it),
      without the API's links; empty when it is absent.
  returned: when O(name) is used
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
machines:
  description:
    - With O(machines), what happened to each target, as lists of targets in the shape of
      RV(machine) (in check mode, as the server would have them).
  returned: when O(machines) is used
  type: dict
  contains:
    created:
      description: The targets created.
      type: list
      elements: dict
    updated:
      description: The targets updated.
      type: list
      elements: dict
    replaced:
      description: The targets deleted and created again with another communication style (O(endpoint_style_change=replace)).
      type: list
      elements: dict
    deleted:
      description: The targets deleted, by O(machines[].state=absent) or by O(exclusive).
      type: list
      elements: dict
    unchanged:
      description: The targets already as described.
      type: list
      elements: dict
    not_done:
      description:
        - When the task fails after its writes began, the targets it had still to write, by action
          (C(create), C(update), C(replace), C(delete)), each as it was to be; the lists above then
          hold what was done.
      returned: on failure
      type: dict
writes:
  description:
    - The writes the server confirmed before the task failed (method, path and status), when a
      failure follows a write or a write that may have reached the server; C(changed) is then true.
  returned: failure after a write
  type: list
  elements: str
  sample: ["DELETE /api/Spaces-1/machines/Machines-12 (HTTP 200)"]
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_module
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import OCTOPUS_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine import ENDPOINT_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine_set import build_machine

PARTICIPATIONS = ["Untenanted", "TenantedOrUntenanted", "Tenanted"]


def main():
    # The options of one target; an item of machines takes the same ones, without their defaults,
    # so that what an item leaves out is the task's.
    item_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"]),
        environments=dict(type="list", elements="str"),
        roles=dict(type="list", elements="str"),
        tenants=dict(type="list", elements="str"),
        tenant_tags=dict(type="list", elements="str"),
        tenanted_deployment_participation=dict(type="str", choices=PARTICIPATIONS),
        machine_policy=dict(type="str"),
        disabled=dict(type="bool"),
        endpoint=dict(type="dict", options=ENDPOINT_SPEC),
        endpoint_style_change=dict(type="str", choices=["fail", "replace"]),
    )
    argument_spec = dict(
        item_spec,
        name=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        endpoint_style_change=dict(type="str", choices=["fail", "replace"], default="fail"),
        machines=dict(type="list", elements="dict", options=item_spec),
        exclusive=dict(type="bool", default=False),
        exclusive_scope=dict(type="dict", options=dict(
            environments=dict(type="list", elements="str"),
            roles=dict(type="list", elements="str"),
            name_prefix=dict(type="str"),
        )),
    )
    module = new_module(argument_spec, OCTOPUS_SPEC, mutually_exclusive=[["name", "machines"]],
                        required_one_of=[["name", "machines"]])
    run_module(module, build_machine)


if __name__ == "__main__":
    main()
