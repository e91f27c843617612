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
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, require_yaml, run_resource
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import CreatedMeanwhile, Resource
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import (
    RUNDECK_SPEC,
    missing_project_warning,
    project_missing,
    write_may_have_taken_effect,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import (
    check_known_keys,
    differences,
    group_path,
    job_path,
    with_real_booleans,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_plan import (
    check_definition,
    convergence_warning,
    definition_uuid,
    desired_record,
    import_document,
    job_text,
    same_identity,
    switch_only,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_sync import JobSet
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_jobs import RundeckJobs, job_record

SINGLE_JOB_OPTIONS = ["uuid", "name", "group", "definition", "execution_enabled", "schedule_enabled"]


class RundeckJob(Resource):
    """One job, represented as a job record (see ``job_record``)."""

    def __init__(self, jobs, project, uuid, name, group, definition, switches, check_mode=False):
        self.check_mode = check_mode
        self.jobs = jobs
        self.project = project
        self.uuid = uuid
        self.name = name
        self.group = group_path(group)
        self.definition = definition
        self.switches = switches
        self.document = None
        self.warnings = []

    def _label(self):
        return self.uuid if self.uuid else job_path(self.group, self.name)

    def read(self):
        try:
            return self._read()
        except ApiError as exc:
            # An earlier task of the play may create the project; check mode could not know it.
            if not (self.check_mode and project_missing(exc)):
                raise
            self.warnings.append(missing_project_warning(self.project))
            return None

    def changed_by_failure(self, error):
        return write_may_have_taken_effect(self.jobs.http, error)

    def _read(self):
        if self.uuid:
            ids = [self.uuid]
        else:
            found = self.jobs.list(self.project, self.name, self.group)
            if len(found) > 1:
                raise InputError("%d jobs of project %s are named %s (UUIDs %s); give uuid to choose one"
                                 % (len(found), self.project, self._label(), ", ".join(item["id"] for item in found)))
            ids = [item["id"] for item in found]
        exported = self.jobs.export(self.project, ids)
        return job_record(self.jobs, self.project, exported[0]) if exported else None

    def desired(self, current):
        if self.definition is None:
            if current is None:
                raise InputError("job %s does not exist in project %s; give its definition to create it"
                                 % (self._label(), self.project))
            definition = current["definition"]
        else:
            definition = self.definition
        self.document = import_document(definition, current, self.switches)
        return desired_record(self.jobs, self.project, self.document, current)

    def differs(self, current, desired):
        return bool(differences(current["definition"], desired["definition"]))

    def create(self, desired):
        return self._write(desired, create=True)

    def update(self, current, desired):
        switches = switch_only(current, desired)
        if switches is None:
            return self._write(desired)
        for kind, enabled in switches:
            self.jobs.switch(current["id"], kind, enabled)
        return desired

    def _write(self, desired, create=False):
        if create:
            succeeded, skipped = self.jobs.create_definitions(self.project, [self.document])
            if skipped:
                raise CreatedMeanwhile()
        else:
            succeeded = self.jobs.import_definitions(self.project, [self.document])
        job_id = succeeded[0]["id"]
        exported = self.jobs.export(self.project, [job_id])
        if not exported:
            return dict(desired, id=job_id, href=self.jobs.href(job_id), permalink=self.jobs.permalink(self.project, job_id))
        stored = job_record(self.jobs, self.project, exported[0])
        warning = convergence_warning(stored, desired)
        if warning:
            self.warnings.append(warning)
        return stored

    def delete(self, current):
        self.jobs.delete([current["id"]])

    def diff_view(self, representation):
        return job_text(representation)


def build_job(module):
    params = module.params
    definition = params["definition"]
    key_warnings = []
    if definition is not None:
        definition = same_identity(definition, params["uuid"], params["name"], params["group"])
        if params["state"] == "present":
            check_definition(definition)
            key_warnings = check_known_keys(definition)
            definition = with_real_booleans(definition)
    uuid = params["uuid"] or definition_uuid(definition)
    name = params["name"] if params["name"] is not None else (definition or {}).get("name")
    group = params["group"] if params["group"] is not None else (definition or {}).get("group")
    if not uuid and not name:
        raise InputError("give uuid, or name (and group), or a definition with a name, to say which job to manage")
    switches = dict(executionEnabled=params["execution_enabled"], scheduleEnabled=params["schedule_enabled"])
    job = RundeckJob(RundeckJobs(params), params["project"], uuid, name, group, definition, switches, module.check_mode)
    job.warnings.extend(key_warnings)
    return job


def checked_definitions(definitions, state):
    """The definitions of ``jobs`` with real booleans, and the warnings about their keys.

    Raises InputError, before any request, for a key the job format does not have."""
    if state != "present":
        return definitions, []
    checked, warnings = [], []
    for index, definition in enumerate(definitions):
        where = "jobs[%d]" % index
        warnings.extend(check_known_keys(definition, where))
        checked.append(with_real_booleans(definition, where))
    return checked, warnings


def run_job_set(module):
    params = module.params
    job_set, key_warnings = None, []
    try:
        definitions, key_warnings = checked_definitions(params["jobs"], params["state"])
        job_set = JobSet(RundeckJobs(params), params["project"], definitions, params["state"],
                         params["purge"], params["purge_group"])
        changed, jobs, diffs, warnings = job_set.run(module.check_mode, with_diff=module._diff)
        warnings = key_warnings + warnings
    except InputError as exc:
        module.fail_json(msg=str(exc))
    except ApiError as exc:
        for warning in key_warnings + (job_set.warnings if job_set else []):
            module.warn(warning)
        # What the run did before it failed: the jobs written or deleted count as changed.
        done = job_set.done if job_set else None
        changed = bool(job_set and write_may_have_taken_effect(job_set.jobs.http, exc))
        module.fail_json(changed=changed, **dict(exc.to_result(), **({"jobs": done} if done else {})))
    for warning in warnings:
        module.warn(warning)
    result = dict(changed=changed, jobs=jobs)
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


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
    argument_spec.update(RUNDECK_SPEC)
    module = new_module(
        argument_spec,
        mutually_exclusive=[["jobs", option] for option in SINGLE_JOB_OPTIONS],
        required_one_of=[["jobs", "uuid", "name", "definition"]],
    )
    if module.params["purge"] and module.params["jobs"] is None:
        module.fail_json(msg="purge applies to jobs: list the jobs to keep in jobs")
    if module.params["purge_group"] is not None and not module.params["purge"]:
        module.fail_json(msg="purge_group limits purge: set purge to true as well, or remove purge_group")
    if module._diff:
        # The diff shows each job as YAML.
        require_yaml(module)
    if module.params["jobs"] is not None:
        run_job_set(module)
    else:
        run_resource(module, "job", build_job)


if __name__ == "__main__":
    main()
