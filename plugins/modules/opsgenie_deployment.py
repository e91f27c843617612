#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: opsgenie_deployment
short_description: Record a release as an Opsgenie deployment, from start to finish
version_added: 0.1.0
description:
  - Creates an Opsgenie deployment record for a release, and updates its state and texts as the
    release goes on. Call it when a release starts and again when it ends; the deployment is
    identified by O(external_id), so every call for one release updates the same record and
    never creates a second one.
  - An unchanged run reads the deployment once and writes nothing. A change writes only what
    differs, with Opsgenie's update-state and update endpoints.
  - Opsgenie processes writes asynchronously. With O(wait) (the default) the module follows
    each write until Opsgenie has processed it and fails when Opsgenie reports that it did not
    work, with Opsgenie's reason and the request id.
  - Opsgenie links deployments to services through the Bitbucket Cloud repositories of their
    releases; the workspaces must be connected to the Opsgenie account and the repositories
    mapped to services.
  - Opsgenie's end of life - Atlassian stopped selling Opsgenie on 2025-06-04 and ends its support,
    REST API included, on 2027-04-05. A site migrated to Jira Service Management has Opsgenie turned
    off 120 days after its migration date; Atlassian says Opsgenie's REST API keeps working until
    2027-04-05 but advises moving off it before Opsgenie is turned off. The module keeps working
    against Opsgenie until then and is removed in version 2.0.0 of the collection; record
    deployments with M(opsforge.delivery.jira_deployment) instead.
author:
  - opsforge maintainers (@opsforge)
deprecated:
  removed_in: 2.0.0
  why: >-
    Atlassian stopped selling Opsgenie on 2025-06-04 and ends its support, REST API included, on
    2027-04-05. A site migrated to Jira Service Management has Opsgenie turned off 120 days after
    its migration date (or sooner, when a site admin turns it off), and Jira Service Management's
    operations REST API has no deployment endpoints.
  alternative: >-
    Use M(opsforge.delivery.jira_deployment), which records deployments through Jira Cloud's
    Deployments API; the role opsforge.delivery.deployment_tracking records in both while you move
    (its variable C(deployment_tracking_backend) takes V(jira) next to V(opsgenie)).
  removed_from_collection: opsforge.delivery
options:
  external_id:
    description:
      - Your identifier of the release, for example the CI pipeline's run id. It is how the
        module finds the deployment again.
      - Opsgenie's reference does not say whether two deployments may share an external id. If a
        run finds, right after creating the deployment, that Opsgenie returns another deployment
        for the external id (another run created one at the same moment), it warns, goes on with
        the one Opsgenie returns, as every later run will, and creates nothing more. Opsgenie
        cannot delete the extra one.
    type: str
    required: true
  state:
    description:
      - The deployment's state.
      - Reaching V(successful) or V(failed) sets the completion time (O(completed_at), or now).
    type: str
    required: true
    choices: [initial, started, successful, failed]
  environment:
    description:
      - Where the release is deployed.
      - Required when the deployment is created. Opsgenie cannot change it afterwards; a later
        call may leave it out, and fails if it differs.
    type: dict
    suboptions:
      type:
        description:
          - The environment's category.
        type: str
        required: true
        choices: [Test, Staging, Production]
      id:
        description:
          - The environment's identifier, for example V(eu-west-1-prod).
        type: str
        required: true
      display_name:
        description:
          - The environment's name as Opsgenie shows it; Opsgenie's default is the identifier.
        type: str
  releases:
    description:
      - The Bitbucket Cloud commits the release deploys, one per repository.
      - Required when the deployment is created. Opsgenie cannot change them afterwards; a later
        call may leave them out, and fails if they differ.
    type: list
    elements: dict
    suboptions:
      workspace:
        description:
          - The Bitbucket workspace, by name, or by UUID with O(releases[].workspace_is_uuid).
          - Opsgenie's reference does not say whether a read names the workspace as it was sent.
            When a read gives a UUID for a name (or the reverse), the module cannot tell whether
            they are the same workspace and compares only the repository and the commit.
        type: str
        required: true
      workspace_is_uuid:
        description:
          - Whether O(releases[].workspace) is the workspace's UUID.
        type: bool
        default: false
      repo_slug:
        description:
          - The repository's slug in the workspace.
        type: str
        required: true
      commit:
        description:
          - The SHA of the deployed commit.
        type: str
        required: true
  started_at:
    description:
      - When the deployment began, as an ISO 8601 date and time (UTC when it has no zone), for
        example V(2026-03-26T14:05:07.594Z).
      - Defaults to now when the deployment is created; compared only when given.
    type: str
  completed_at:
    description:
      - When the deployment ended, in the form of O(started_at).
      - Defaults to now when the state becomes V(successful) or V(failed), and when the state
        changes (Opsgenie requires a time with every state change); compared only when given.
    type: str
  deployment_message:
    description:
      - The deployment's message, the line Opsgenie shows for it. An empty string clears it.
      - Opsgenie's field is C(message), a name Ansible reserves.
    type: str
  description:
    description:
      - The deployment's description. An empty string clears it.
      - Opsgenie's reference does not show the description in a read of a deployment. When a
        read does not show it, the module cannot compare it; see O(external_link).
    type: str
  external_link:
    description:
      - A link to the deployment in your deployment tool. An empty string clears it.
      - Opsgenie's reference does not show the link in a read of a deployment. When a read does
        not show it, the module cannot compare it. It is sent when the deployment is created, and
        with any update of the deployment's texts or start time, and the run that sends it warns
        once that it cannot be checked; a run that changes nothing else does not send it and says
        nothing, so that repeated runs stay unchanged.
    type: str
  wait:
    description:
      - Follow each write until Opsgenie has processed it, fail if it did not work, and return
        the deployment as Opsgenie then has it.
      - With V(false), the module returns once Opsgenie has accepted the writes; RV(deployment)
        is then what was asked for, not yet confirmed.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait, for all the writes of one run together, before failing.
      - A write not processed in time may still be applied later, so the failure reports
        C(changed=true) and gives its request id.
    type: int
    default: 60
extends_documentation_fragment:
  - opsforge.delivery.opsgenie
  - opsforge.delivery.connection
  - opsforge.delivery.attributes
  - opsforge.delivery.attributes.opsgenie_group
notes:
  - "Requests: an unchanged run sends one (the read by external id). A creation sends the
    write, polls its status (a few times, less than a second apart at first) and reads the
    deployment back; an update sends one write per endpoint it needs."
  - Check mode reads the deployment and predicts the result without writing; a deployment that
    would be created has no C(id) yet.
  - Opsgenie has no endpoint to delete a deployment, so there is no O(state=absent).
seealso:
  - plugin: opsforge.delivery.opsgenie_deployment
    plugin_type: lookup
  - name: Opsgenie Deployment API
    description: The API this module uses.
    link: https://docs.opsgenie.com/docs/deployment-api
"""

EXAMPLES = r"""
# The connection comes from OPSGENIE_API_KEY and OPSGENIE_URL unless the task, or module_defaults
# for the group opsforge.delivery.opsgenie, sets api_key and url. Accounts in Opsgenie's EU
# instance set url (or OPSGENIE_URL) to https://api.eu.opsgenie.com.

- name: Record the start of the release
  opsforge.delivery.opsgenie_deployment:
    external_id: "{{ release_id }}"
    state: started
    environment:
      type: Production
      id: eu-west-1
      display_name: Production (Ireland)
    releases:
      - workspace: acme
        repo_slug: shop
        commit: "{{ release_commit }}"
    deployment_message: "Release {{ release_version }}"
    external_link: "https://ci.example.com/runs/{{ release_id }}"

- name: Record its end (environment and releases are already known to Opsgenie)
  opsforge.delivery.opsgenie_deployment:
    external_id: "{{ release_id }}"
    state: successful

- name: Or record a failure, with the reason, without waiting for Opsgenie to process the write
  opsforge.delivery.opsgenie_deployment:
    external_id: "{{ release_id }}"
    state: failed
    description: Smoke tests failed; rolled back
    wait: false
"""

RETURN = r"""
deployment:
  description:
    - The deployment as Opsgenie has it after the task, in the form of Opsgenie's read by
      identifier. In check mode, and with O(wait=false), it is what was asked for.
  returned: always
  type: dict
  contains:
    id:
      description: Opsgenie's id of the deployment; null when it is yet to be created.
      type: str
      sample: 7b25450b-c668-4eb4-b75c-77333ca1ada7
    externalId:
      description: The O(external_id).
      type: str
      sample: run-1842
    state:
      description: The state.
      type: str
      sample: successful
    environment:
      description: The environment, as C(environmentType), C(identifier) and C(displayName).
      type: dict
      sample: {environmentType: Production, identifier: eu-west-1, displayName: Production (Ireland)}
    type:
      description: Where the deployment came from, V(api) for this module.
      type: str
      sample: api
    startedAt:
      description: When it began.
      type: str
      sample: "2026-03-26T14:05:07.594Z"
    completedAt:
      description: When it ended.
      type: str
      returned: when set
      sample: "2026-03-26T14:15:07.59Z"
    releases:
      description: The releases, each with C(commit.sha), C(type) and C(repository) (C(repoSlug), C(workspace)).
      type: list
      elements: dict
    message:
      description: The message.
      type: str
      returned: when set
    description:
      description: The description.
      type: str
      returned: when set
    externalLink:
      description: The link to the deployment tool.
      type: str
      returned: when set
request_ids:
  description: The ids of the asynchronous requests the task sent, in order (empty when nothing was written).
  returned: always
  type: list
  elements: str
  sample: [43a23c5c-35bf-4ea4-9c26-a4f71023e120]
writes:
  description:
    - When the task fails, each write it sent, with C(action), C(request_id) and C(outcome), one of
      V(processed), V(refused) (Opsgenie processed and refused it), V(accepted, not processed yet)
      (it may still take effect) or V(sent, no answer).
    - C(changed) is true when any of them is not V(refused).
  returned: failure
  type: list
  elements: dict
  sample:
    - action: set the state of deployment run-1842 to successful
      request_id: 43a23c5c-35bf-4ea4-9c26-a4f71023e120
      outcome: accepted, not processed yet
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_module
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie import OPSGENIE_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_deployment import ENVIRONMENT_TYPES, STATES, build_deployment


def main():
    argument_spec = dict(
        external_id=dict(type="str", required=True),
        state=dict(type="str", required=True, choices=list(STATES)),
        environment=dict(type="dict", options=dict(
            type=dict(type="str", required=True, choices=list(ENVIRONMENT_TYPES)),
            id=dict(type="str", required=True),
            display_name=dict(type="str"),
        )),
        releases=dict(type="list", elements="dict", options=dict(
            workspace=dict(type="str", required=True),
            workspace_is_uuid=dict(type="bool", default=False),
            repo_slug=dict(type="str", required=True),
            commit=dict(type="str", required=True),
        )),
        started_at=dict(type="str"),
        completed_at=dict(type="str"),
        deployment_message=dict(type="str"),
        description=dict(type="str"),
        external_link=dict(type="str"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=60),
    )
    # Its state option is the deployment's state; the deployment itself is always present.
    run_module(new_module(argument_spec, OPSGENIE_SPEC), build_deployment, state="present")


if __name__ == "__main__":
    main()
