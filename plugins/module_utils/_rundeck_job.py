# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck jobs: one job read, compared by its canonical definition, imported or switched, deleted; or a set of jobs.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.

The job format is in ``_rundeck_job_format``, the document an import sends in ``_rundeck_job_plan``,
and the run of a set of jobs in ``_rundeck_job_sync``.
"""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._module import require_yaml, run_resource
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import CreatedMeanwhile, Resource
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import (
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
    """The RundeckJob the module's options describe; raises InputError for options Rundeck would refuse."""
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
    """The run for ``jobs``: every listed job brought to its state, the module exited with the result."""
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


def run_job(module):
    """The rundeck_job module's run: one job, or the set of ``jobs``, brought to its state; the module exited with the result."""
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
