#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: jira_deployment
short_description: Record a release as a Jira Cloud deployment, from start to finish, or delete one
version_added: 0.2.0
description:
  - Creates a deployment record in Jira Cloud through the Deployments API, the way build and deploy
    tools (Jenkins, Bitbucket Pipelines, Octopus Deploy) report them, so that the issues and
    services it names show the deployment, and Jira Service Management's change management can read
    it. Call it when a release starts and again when it ends; the record is identified by
    O(pipeline_id), O(environment_id) and O(sequence_number), so every call for one release updates
    the same record.
  - An unchanged run reads the deployment once and writes nothing. A change submits the whole
    record, as Jira stores it with the options applied, with an C(updateSequenceNumber) higher than
    the stored one (Jira ignores a submission whose number is not higher).
  - Jira applies submissions and deletions asynchronously. With O(wait) (the default) the module
    reads the deployment until Jira shows the write, and returns it as Jira then has it.
  - A deployment Jira rejects, or one that names an issue key or a service Jira does not know, fails
    the task with Jira's reasons and the unknown keys. Jira keeps a deployment for the issues and
    services it knows, so that failure reports C(changed) when Jira accepted the deployment.
  - It replaces M(opsforge.delivery.opsgenie_deployment) for deployment tracking in Atlassian's
    products, as Opsgenie's support ends on 2027-04-05.
author:
  - opsforge maintainers (@opsforge)
options:
  pipeline_id:
    description:
      - The identifier of the pipeline that deploys, unique for your deployment tool, such as
        V(shop-deploy). Leading and trailing spaces are removed.
    type: str
    required: true
  pipeline_name:
    description:
      - The pipeline's name as Jira shows it. Defaults to O(pipeline_id) when the deployment is
        created; compared only when given.
    type: str
  pipeline_url:
    description:
      - A link to the pipeline in your tool. Defaults to O(deployment_url) when the deployment is
        created; compared only when given.
    type: str
  environment_id:
    description:
      - The identifier of the environment deployed to, shared by the pipelines that deploy there,
        such as V(prod-eu). Leading and trailing spaces are removed.
    type: str
    required: true
  environment_name:
    description:
      - The environment's name as Jira shows it. Defaults to O(environment_id) when the deployment
        is created; compared only when given.
    type: str
  environment_type:
    description:
      - The kind of environment, which Jira uses to tell production deployments apart. Defaults to
        V(unmapped) when the deployment is created; compared only when given.
    type: str
    choices: [unmapped, development, testing, staging, production]
  sequence_number:
    description:
      - The number of this deployment in its pipeline and environment, such as the CI run's number;
        it must grow from one deployment to the next (Jira orders deployments by it). A number
        written as text (V("42")) is taken.
    type: int
    required: true
  deployment_state:
    description:
      - The deployment's state in Jira. Required when the deployment is created.
      - Jira's field is C(state); the module's O(state) says whether the record exists.
    type: str
    choices: [unknown, pending, in_progress, cancelled, failed, rolled_back, successful]
  display_name:
    description:
      - The name Jira shows for the deployment, at most 255 characters. Required when the deployment
        is created.
    type: str
  deployment_url:
    description:
      - A link to the deployment in your tool. Required when the deployment is created.
      - The connection's address is O(url).
    type: str
  description:
    description:
      - A short description, at most 255 characters. Defaults to O(display_name) when the deployment
        is created (Jira requires one, and Atlassian's own Jenkins integration does the same).
    type: str
  label:
    description:
      - A label Jira shows with the deployment, such as the version deployed. An empty string
        removes it.
    type: str
  duration:
    description:
      - How long the deployment took, in seconds.
    type: int
  triggered_by:
    description:
      - The email address of the person who started the deployment.
      - It is sent with each write of the module. Jira's read of a deployment does not show it, so
        it is never compared and never the reason for a write.
    type: str
  issue_keys:
    description:
      - The Jira issues the deployment delivers, by key, such as V(WEB-123).
      - When given, they replace the issues the deployment names; when left out, those stay.
      - With O(service_ids), at least one is required when the deployment is created, and at most
        500 together.
    type: list
    elements: str
  service_ids:
    description:
      - The Jira Service Management services (ids or keys) the deployment changes.
      - When given, they replace the services the deployment names; when left out, those stay.
    type: list
    elements: str
  state:
    description:
      - V(present) creates or updates the deployment; V(absent) deletes it (only O(pipeline_id),
        O(environment_id) and O(sequence_number) are needed then).
      - The deployment's own state in Jira is O(deployment_state).
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Read the deployment after each write until Jira shows it, and return it as Jira then has it.
      - With V(false), the module returns once Jira has accepted the write; RV(deployment) is then
        what was submitted.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for Jira to show the write before failing. A write not shown in
        time may still be applied later, so the failure reports C(changed=true).
    type: int
    default: 60
extends_documentation_fragment:
  - opsforge.delivery.jira
  - opsforge.delivery.connection
  - opsforge.delivery.attributes
  - opsforge.delivery.attributes.jira_group
notes:
  - "Requests: an access token (once per task; it is kept for the task's later requests and never
    shown), and with O(site) the site's cloud id; then an unchanged run sends one read. A change
    sends one submission and reads until Jira shows it."
  - Check mode reads the deployment and predicts the result, including the C(updateSequenceNumber)
    and C(lastUpdated) the run would send, without any write.
  - Jira's schema limits the texts to 255 characters and the links to 2000; the module refuses
    longer ones before any request.
seealso:
  - plugin: opsforge.delivery.jira_deployment
    plugin_type: lookup
  - module: opsforge.delivery.opsgenie_deployment
  - name: Jira Software Cloud REST API, Deployments
    description: The API this module uses.
    link: https://developer.atlassian.com/cloud/jira/software/rest/api-group-deployments/
  - name: Integrating Jira Software Cloud with on-premises tools
    description: How a site admin creates the OAuth credentials this module uses.
    link: https://developer.atlassian.com/cloud/jira/software/integrate-jsw-cloud-with-onpremises-tools/
"""

EXAMPLES = r"""
# The connection comes from JIRA_CLIENT_ID, JIRA_CLIENT_SECRET and JIRA_CLOUD_ID (or JIRA_SITE)
# unless the task, or module_defaults for the group opsforge.delivery.jira, sets them.

- name: Record the start of the release
  opsforge.delivery.jira_deployment:
    pipeline_id: shop-deploy
    pipeline_name: Shop deployment
    pipeline_url: https://ci.example.com/pipelines/shop-deploy
    environment_id: prod-eu
    environment_name: Production (EU)
    environment_type: production
    sequence_number: "{{ release_build_number }}"
    deployment_state: in_progress
    display_name: "Shop {{ release_version }}"
    deployment_url: "https://ci.example.com/pipelines/shop-deploy/runs/{{ release_build_number }}"
    label: "{{ release_version }}"
    issue_keys: [WEB-12, WEB-15]
    service_ids: [web-frontend]

- name: Record its end (the record keeps what the first task gave)
  opsforge.delivery.jira_deployment:
    pipeline_id: shop-deploy
    environment_id: prod-eu
    sequence_number: "{{ release_build_number }}"
    deployment_state: successful

- name: Delete a deployment recorded by mistake
  opsforge.delivery.jira_deployment:
    pipeline_id: shop-deploy
    environment_id: prod-eu
    sequence_number: 1
    state: absent
"""

RETURN = r"""
deployment:
  description:
    - The deployment as Jira stores it after the task, in the form of Jira's read by key; empty
      after a deletion. In check mode, and with O(wait=false), it is what was submitted.
  returned: always
  type: dict
  contains:
    deploymentSequenceNumber:
      description: The O(sequence_number).
      type: int
      sample: 4711
    updateSequenceNumber:
      description: The number of the last write; each write of the module sends a higher one.
      type: int
      sample: 1795350907000
    displayName:
      description: The name Jira shows.
      type: str
      sample: Shop 2026.11.3
    url:
      description: The link to the deployment.
      type: str
      sample: https://ci.example.com/pipelines/shop-deploy/runs/4711
    description:
      description: The description.
      type: str
    label:
      description: The label.
      type: str
      returned: when set
    duration:
      description: The duration in seconds.
      type: int
      returned: when set
    lastUpdated:
      description: When the record was last written.
      type: str
      sample: "2026-11-23T10:15:07.000Z"
    state:
      description: The deployment's state.
      type: str
      sample: successful
    pipeline:
      description: The pipeline, as C(id), C(displayName) and C(url).
      type: dict
    environment:
      description: The environment, as C(id), C(displayName) and C(type).
      type: dict
      sample: {id: prod-eu, displayName: Production (EU), type: production}
    associations:
      description: The issues (C(associationType) C(issueKeys)) and services (C(serviceIdOrKeys)) the
        deployment names, each with its C(values).
      type: list
      elements: dict
    schemaVersion:
      description: The version of Jira's deployment schema.
      type: str
      sample: "1.0"
writes:
  description:
    - When the task fails, each write it sent, with C(action) and C(outcome), one of V(accepted),
      V(rejected) (nothing stored) or V(sent, no answer) (it may have taken effect).
  returned: failure
  type: list
  elements: dict
  sample:
    - action: submit deployment 4711 of pipeline shop-deploy to environment prod-eu
      outcome: accepted
rejected:
  description: When Jira refused the submission, the deployments it rejected, each with its C(key) and C(errors).
  returned: failure
  type: list
  elements: dict
unknown_issue_keys:
  description: When the submission named issues Jira does not know, their keys.
  returned: failure
  type: list
  elements: str
  sample: [WEB-9999]
unknown_associations:
  description: When the submission named issues or services Jira does not know, each C(associationType) with its C(values).
  returned: failure
  type: list
  elements: dict
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._jira import JIRA_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._jira_deployment import ENVIRONMENT_TYPES, STATES, build_deployment
from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_module


def main():
    argument_spec = dict(
        pipeline_id=dict(type="str", required=True),
        pipeline_name=dict(type="str"),
        pipeline_url=dict(type="str"),
        environment_id=dict(type="str", required=True),
        environment_name=dict(type="str"),
        environment_type=dict(type="str", choices=list(ENVIRONMENT_TYPES)),
        sequence_number=dict(type="int", required=True),
        deployment_state=dict(type="str", choices=list(STATES)),
        display_name=dict(type="str"),
        deployment_url=dict(type="str"),
        description=dict(type="str"),
        label=dict(type="str"),
        duration=dict(type="int"),
        triggered_by=dict(type="str"),
        # Issue keys are no secret: no_log=False says so to the check for names like "key".
        issue_keys=dict(type="list", elements="str", no_log=False),
        service_ids=dict(type="list", elements="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=60),
    )
    run_module(new_module(argument_spec, JIRA_SPEC), build_deployment)


if __name__ == "__main__":
    main()
