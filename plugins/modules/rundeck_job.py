#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rundeck_job
short_description: Manage Rundeck job definitions, one job or a whole project at once
version_added: 0.1.0
description:
  - Creates, updates or deletes Rundeck jobs from definitions in Rundeck's job format (the
    format of the YAML and JSON job exports), either one job (O(definition)) or a list of jobs
    of one project (O(jobs)).
  - Rundeck fills in defaults and reshapes a definition when it stores it (ids, default flags,
    structured schedules, option delimiters, strings for numbers, the map or list form of
    notifications, sorted keys). The module brings the server's export and the given definition
    to the same canonical form before it compares them, so a job whose definition Rundeck
    already has is left alone, and the task reports no change.
  - An update imports the definition with the job's UUID, so Rundeck replaces the job in place
    and keeps its execution history; a job is never deleted and created again. Renaming a job
    or moving it to another group works the same way when the job is identified by its UUID.
  - An update replaces the whole definition, like any Rundeck job import; settings missing from
    the definition go back to Rundeck's defaults. The two switches C(executionEnabled) and
    C(scheduleEnabled) are the exception; see O(execution_enabled).
  - After each write the job is read back; when Rundeck stored it differently from its
    definition (a field the server drops or rewrites), a warning names the fields, because the
    next run would report a change again.
  - Needs Rundeck API version 44 (Rundeck 5.0) or later, which reads and writes jobs as JSON.
author:
  - opsforge maintainers (@opsforge)
options:
  project:
    description:
      - The project the jobs belong to.
    type: str
    required: true
  uuid:
    description:
      - The UUID of the one job to manage. When given, it identifies the job, and O(name) and
        O(group) (or the same keys in O(definition)) may rename it or move it to another group.
      - A UUID that no job of O(project) has creates the job with this UUID.
      - Without it, the job is found by O(name) and O(group), or by the C(uuid) (or C(id)) key of
        O(definition).
    type: str
  name:
    description:
      - The job's name. Wins over the C(name) key of O(definition).
      - Without O(uuid), O(name) and O(group) identify the job; when several jobs of the project
        have this name and group, the task fails and asks for the UUID.
    type: str
  group:
    description:
      - The job's group path, such as V(ops/deploy). An empty string, or no group anywhere,
        means the top level. Wins over the C(group) key of O(definition).
      - Leading and trailing slashes are removed, as Rundeck does.
    type: str
  definition:
    description:
      - The job, as one job of Rundeck's job format (a mapping with C(name), C(sequence) and
        any other settings), for example one entry of a YAML job export.
      - C(id), C(uuid) and C(project) keys of an export may stay in it; C(id) counts as the
        UUID when there is no C(uuid).
      - Required to create a job. Without it, only O(execution_enabled), O(schedule_enabled) or
        O(state=absent) apply to an existing job.
      - A key that Rundeck's job format does not have at its place (such as C(descripton), or
        C(recipients) beside rather than inside C(email)) fails the task before any request,
        with the path of each such key (for example C(sequence.commands[2])) and the keys it
        comes close to. Keys Rundeck reads in any release from 5.0 on are accepted. A command
        or script step may also carry keys of its own, which Rundeck 5.6 and later keep beside
        the step; one that comes close to a key of the step gives a warning. The entries of
        O(jobs) are checked the same way.
      - Switches such as C(multipleExecutions), C(keepgoing) or a step's C(nodeStep) may be
        written as the text V(true) or V(false) (any case), or as V(1) or V(0); they are sent as
        booleans, because Rundeck reads most switches with Groovy truth, where any text,
        V(false) too, is true. Any other value for a switch fails the task before any request.
    type: dict
  jobs:
    description:
      - Many jobs of O(project), each a definition like O(definition). Each is identified by
        its C(uuid) (or C(id)) key if it has one, else by its C(name) and C(group).
      - New jobs are sent in one import request and changed ones in another (see the notes).
      - With O(state=absent), each entry needs only the identifying keys, and the jobs found are
        deleted.
      - Mutually exclusive with O(uuid), O(name), O(group), O(definition),
        O(execution_enabled) and O(schedule_enabled).
    type: list
    elements: dict
  purge:
    description:
      - With O(jobs), also delete the jobs of the project that O(jobs) does not list (within
        O(purge_group) when given).
    type: bool
    default: false
  purge_group:
    description:
      - Limits O(purge) to the jobs of this group and its subgroups.
    type: str
  execution_enabled:
    description:
      - Whether the job may run. Wins over C(executionEnabled) in O(definition).
      - When neither sets it, an existing job keeps its current setting (a job disabled in
        Rundeck's interface stays disabled), and a new job is enabled.
      - When this switch is the only difference, it is flipped through Rundeck's
        enable/disable endpoint without importing the definition.
    type: bool
  schedule_enabled:
    description:
      - Whether the job's schedule is active. Wins over C(scheduleEnabled) in O(definition).
        Otherwise it behaves as O(execution_enabled) does.
    type: bool
  state:
    description:
      - V(present) makes sure the job (or each job of O(jobs)) exists with this definition,
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
  - "Requests: an unchanged run reads one job with one request when O(uuid) identifies it, and
    with two (a listing and an export) when its name does. O(jobs) of any size costs two: one
    listing of the project and one export. A run that writes sends the new jobs of O(jobs) in
    one import (which leaves alone a job another run created meanwhile) and the changed ones in
    another, so two imports when it has both, then one export that reads the written jobs back;
    all the deleted ones go in one delete request."
  - Rundeck answers an import with HTTP 200 even when it refuses a job; the task then fails
    with Rundeck's reason for each refused job and the names of those it imported. With O(jobs),
    the jobs Rundeck accepted stay imported, and nothing is purged; the failed result has
    C(changed=true) when any job was written, and the RV(jobs) lists of what was done.
  - Check mode sends only the reading requests, and the diff shows what would change.
  - In check mode, jobs of a project that does not exist yet (one an earlier task of the play
    creates) are predicted as created, with a warning; a real run fails while the project is
    missing.
  - The diff shows each job's canonical definition as YAML; a multi-line string, such as an
    inline script, is written as a literal block (C(|)) whenever such a block gives back exactly
    the same text, and quoted otherwise (for example with spaces at the end of a line).
seealso:
  - plugin: opsforge.delivery.rundeck_job
    plugin_type: lookup
  - name: Rundeck job YAML format
    description: The job definition format (JSON has the same structure).
    link: https://docs.rundeck.com/docs/manual/document-format-reference/job-yaml-v12.html
"""

EXAMPLES = r"""
# The connection comes from RUNDECK_URL and RUNDECK_API_TOKEN unless the task, or module_defaults
# for the group opsforge.delivery.rundeck, sets url and api_token.

- name: A nightly cleanup job at the top level of project ops
  opsforge.delivery.rundeck_job:
    project: ops
    definition:
      name: nightly-cleanup
      description: Remove old build artifacts
      schedule:
        crontab: "0 30 2 ? * * *"
      sequence:
        commands:
          - exec: find /srv/artifacts -mtime +14 -delete

- name: Pause a job's schedule during a freeze, without touching its definition
  opsforge.delivery.rundeck_job:
    project: web
    name: deploy
    group: release
    schedule_enabled: false

- name: Move a job to another group; its UUID and history stay
  opsforge.delivery.rundeck_job:
    project: web
    uuid: 1b6a0f52-3d0c-4c36-9d1e-8b7a2f0c5e11
    group: release/legacy
    definition: "{{ lookup('ansible.builtin.file', 'rundeck/deploy.yaml') | from_yaml }}"

- name: Remove a job
  opsforge.delivery.rundeck_job:
    project: web
    name: deploy-old
    group: release
    state: absent

- name: Keep every job of project web as in the repository, and delete the others
  opsforge.delivery.rundeck_job:
    project: web
    jobs: "{{ lookup('ansible.builtin.file', 'rundeck/web-jobs.yaml') | from_yaml }}"
    purge: true
"""

RETURN = r"""
job:
  description:
    - The job after the task (in check mode, as it would be); empty when it is absent.
    - Returned when one job is managed.
  returned: when O(jobs) is not used
  type: dict
  contains:
    id:
      description: The job's UUID; null in check mode for a job that would be created without one.
      type: str
      sample: 1b6a0f52-3d0c-4c36-9d1e-8b7a2f0c5e11
    name:
      description: The job's name.
      type: str
      sample: deploy
    group:
      description: The job's group path; an empty string at the top level.
      type: str
      sample: release
    project:
      description: The job's project.
      type: str
      sample: web
    href:
      description: The job's address in the API.
      type: str
      sample: https://rundeck.example.com/api/49/job/1b6a0f52-3d0c-4c36-9d1e-8b7a2f0c5e11
    permalink:
      description: The job's page in Rundeck's web interface.
      type: str
      sample: https://rundeck.example.com/project/web/job/show/1b6a0f52-3d0c-4c36-9d1e-8b7a2f0c5e11
    definition:
      description:
        - The job's definition in canonical form, without C(id), C(uuid) and C(project); this is
          the form the module compares, and a valid definition to import.
      type: dict
      sample:
        name: deploy
        group: release
        description: ""
        loglevel: INFO
        executionEnabled: true
        scheduleEnabled: true
        nodeFilterEditable: true
        sequence:
          keepgoing: false
          strategy: node-first
          commands:
            - exec: /srv/bin/deploy
jobs:
  description:
    - What happened to each job, as lists of jobs with C(id), C(name), C(group), C(project),
      C(href) and C(permalink) (C(id), C(href) and C(permalink) are null in check mode for jobs
      that would be created without a UUID).
  returned: when O(jobs) is used
  type: dict
  contains:
    created:
      description: The jobs created.
      type: list
      elements: dict
    updated:
      description: The jobs updated.
      type: list
      elements: dict
    deleted:
      description: The jobs deleted (with O(state=absent) or O(purge)).
      type: list
      elements: dict
    unchanged:
      description: The jobs already as defined.
      type: list
      elements: dict
    not_done:
      description:
        - When the task fails after its writes began, the jobs it had still to write, by action
          (C(create), C(update), C(delete)); the lists above then hold what was done.
      returned: on failure
      type: dict
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_module
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_set import build_jobs

SINGLE_JOB_OPTIONS = ["uuid", "name", "group", "definition", "execution_enabled", "schedule_enabled"]


def main():
    argument_spec = dict(
        project=dict(type="str", required=True),
        uuid=dict(type="str"),
        name=dict(type="str"),
        group=dict(type="str"),
        definition=dict(type="dict"),
        jobs=dict(type="list", elements="dict"),
        purge=dict(type="bool", default=False),
        purge_group=dict(type="str"),
        execution_enabled=dict(type="bool"),
        schedule_enabled=dict(type="bool"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = new_module(
        argument_spec,
        RUNDECK_SPEC,
        mutually_exclusive=[["jobs", option] for option in SINGLE_JOB_OPTIONS],
        required_one_of=[["jobs", "uuid", "name", "definition"]],
    )
    run_module(module, build_jobs)


if __name__ == "__main__":
    main()
