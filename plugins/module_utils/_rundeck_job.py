# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck jobs: one job read, compared by its canonical definition, imported or switched, deleted; or a set of jobs.

The job format is in ``_rundeck_job_format``, the document an import sends in ``_rundeck_job_document``,
and a set of jobs in one task in ``_rundeck_job_set``.
"""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, write_may_have_taken_effect
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import CreatedMeanwhile, Resource
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import missing_project_warning, project_missing
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import differences, group_path, job_path
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_document import (
    convergence_warning,
    desired_record,
    import_document,
    diff_view,
    switch_only,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_api import job_record


class RundeckJob(Resource):
    """One job, represented as a job record (see ``job_record``)."""

    result_key = "job"

    def __init__(self, jobs, project, uuid, name, group, definition, switches, check_mode=False):
        super(RundeckJob, self).__init__()
        self.check_mode = check_mode
        self.jobs = jobs
        self.project = project
        self.uuid = uuid
        self.name = name
        self.group = group_path(group)
        self.definition = definition
        self.switches = switches

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

    def document(self, current):
        """The document to import for the job as it is (``current``, or None when absent)."""
        if self.definition is None:
            if current is None:
                raise InputError("job %s does not exist in project %s; give its definition to create it"
                                 % (self._label(), self.project))
            return import_document(current["definition"], current, self.switches)
        return import_document(self.definition, current, self.switches)

    def desired(self, current):
        return desired_record(self.jobs, self.project, self.document(current), current)

    def differs(self, current, desired):
        return bool(differences(current["definition"], desired["definition"]))

    def create(self, desired):
        return self._write(None, desired)

    def lost_race_warning(self, current, error):
        return ("job %s was created by another run after this run read the project; this run went on from that job"
                % current.get("name"))

    def update(self, current, desired):
        switches = switch_only(current, desired)
        if switches is None:
            return self._write(current, desired)
        for kind, enabled in switches:
            self.jobs.switch(current["id"], kind, enabled)
        return desired

    def _write(self, current, desired):
        if current is None:
            succeeded, skipped = self.jobs.create_definitions(self.project, [self.document(None)])
            if skipped:
                raise CreatedMeanwhile()
        else:
            succeeded = self.jobs.import_definitions(self.project, [self.document(current)])
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
        return diff_view(representation)
