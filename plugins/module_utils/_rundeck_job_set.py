# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many jobs of one project in one task: one listing, one export, one import per kind of write, one delete."""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, write_may_have_taken_effect
from ansible_collections.opsforge.delivery.plugins.module_utils._module import require_yaml
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import CREATE, DELETE, UPDATE, ResourceSet
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import missing_project_warning, project_missing
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job import RundeckJob
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import check_known_keys, group_path, in_group, job_path, with_real_booleans
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_document import (
    check_definition,
    convergence_warning,
    definition_uuid,
    same_identity,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_api import ImportRefused, RundeckJobs, job_record

SUMMARY_KEYS = ("id", "name", "group", "project", "href", "permalink")


def summary(record):
    return dict((key, record.get(key)) for key in SUMMARY_KEYS)


class RundeckJobSet(ResourceSet):
    """The jobs of one project that a list of definitions describes, and with ``purge`` the others
    (of ``purge_group``) to delete. Each job is a RundeckJob, planned as a single one would be."""

    result_key = "jobs"

    def __init__(self, jobs, project, definitions, state="present", purge=False, purge_group=None):
        super(RundeckJobSet, self).__init__()
        self.jobs = jobs
        self.project = project
        self.definitions = definitions
        self.state = state
        self.purge = purge
        self.purge_group = purge_group
        seen = {}
        for index, definition in enumerate(definitions):
            where = "jobs[%d]" % index
            if state == "present":
                check_definition(definition, where)
            elif not isinstance(definition, dict) or not (definition_uuid(definition) or definition.get("name")):
                raise InputError("%s must be a mapping with the uuid or the name (and group) of a job" % where)
            identity = definition_uuid(definition) or job_path(definition.get("group"), definition.get("name"))
            if identity in seen:
                raise InputError("jobs[%d] and jobs[%d] describe the same job (%s)" % (seen[identity], index, identity))
            seen[identity] = index

    def read(self, check_mode):
        listed = self._list(check_mode)
        matches = self._match(listed)
        matched_ids = set(match["id"] for match in matches if match)
        purged_ids = [item["id"] for item in listed if self.purge and item["id"] not in matched_ids
                      and in_group(group_path(item.get("group")), self.purge_group)]
        # One export for the managed jobs and for those a purge deletes (their diff shows them).
        exported = self._records(self.jobs.export(self.project, [match["id"] for match in matches if match] + purged_ids))
        items = []
        for definition, match in zip(self.definitions, matches):
            member = RundeckJob(self.jobs, self.project, definition_uuid(definition), definition.get("name"),
                                definition.get("group"), definition if self.state == "present" else None, {})
            items.append((member, self.state, exported.get(match["id"]) if match else None))
        for job_id in purged_ids:
            if job_id in exported:
                record = exported[job_id]
                member = RundeckJob(self.jobs, self.project, job_id, record["name"], record["group"], None, {})
                items.append((member, "absent", record))
        self.members = [member for member, dummy, dummy2 in items]
        return items

    def _list(self, check_mode):
        try:
            return self.jobs.list(self.project)
        except ApiError as exc:
            # An earlier task of the play may create the project; check mode could not know it.
            if not (check_mode and project_missing(exc)):
                raise
            self.warnings.append(missing_project_warning(self.project))
            return []

    def _match(self, listed):
        """Each definition's listed job (or None), refusing ambiguous names and repeated jobs."""
        by_id = dict((item["id"], item) for item in listed)
        by_path = {}
        for item in listed:
            by_path.setdefault((group_path(item.get("group")), item["name"]), []).append(item)
        matches, seen = [], {}
        for index, definition in enumerate(self.definitions):
            uuid = definition_uuid(definition)
            if uuid:
                match, key = by_id.get(uuid), uuid
            else:
                path = (group_path(definition.get("group")), definition.get("name"))
                found = by_path.get(path, [])
                if len(found) > 1:
                    raise InputError("jobs[%d]: %d jobs of project %s are named %s (UUIDs %s); add the uuid of the one "
                                     "to manage" % (index, len(found), self.project, job_path(*path),
                                                    ", ".join(item["id"] for item in found)))
                match = found[0] if found else None
                key = match["id"] if match else path
            if key in seen:
                raise InputError("jobs[%d] and jobs[%d] describe the same job (%s)" % (seen[key], index, key if uuid else job_path(*path)))
            seen[key] = index
            matches.append(match)
        return matches

    def _records(self, exported):
        """Exported definitions as records, by job id."""
        records = (job_record(self.jobs, self.project, document) for document in exported)
        return dict((record["id"], record) for record in records)

    def apply(self, changes):
        """New jobs in one import that leaves alone any job another run created meanwhile, existing
        ones in another, the written jobs read back in one export; then one delete for the rest."""
        written = {}
        creates = [change for change in changes if change.action == CREATE]
        if creates:
            try:
                succeeded, skipped = self.jobs.create_definitions(self.project, [change.member.document(None) for change in creates])
            except ImportRefused as exc:
                self._imported(creates, exc.succeeded)
                raise
            written.update(self._imported(creates, succeeded))
            self._after_lost_races(creates, skipped)
        updates = [change for change in changes if change.action == UPDATE and not change.done]
        if updates:
            try:
                succeeded = self.jobs.import_definitions(self.project, [change.member.document(change.current) for change in updates])
            except ImportRefused as exc:
                self._imported(updates, exc.succeeded)
                raise
            written.update(self._imported(updates, succeeded))
        if written:
            stored = self._records(self.jobs.export(self.project, [job_id for job_id in written.values() if job_id]))
            for change, job_id in written.items():
                if job_id in stored:
                    warning = convergence_warning(stored[job_id], change.wanted)
                    if warning:
                        self.warnings.append(warning)
                    change.finished(stored[job_id])
        deletions = [change for change in changes if change.action == DELETE]
        if deletions:
            self._delete(deletions)

    def _imported(self, changes, succeeded):
        """The changes an import wrote (its ``succeeded`` entries, numbered from 1), marked done; their job ids."""
        by_number = dict((int(item["index"]), item.get("id")) for item in succeeded)
        ids = {}
        for number, change in enumerate(changes, start=1):
            if number in by_number:
                job_id = ids[change] = by_number[number]
                change.finished(dict(change.wanted, id=job_id, href=self.jobs.href(job_id) if job_id else None,
                                     permalink=self.jobs.permalink(self.project, job_id) if job_id else None))
        return ids

    def _after_lost_races(self, creates, skipped):
        """Plan again each job another run created between this run's read and its import."""
        if not skipped:
            return
        # A skipped entry names the job by the imported definition's id: for a definition without
        # a UUID that is the job's database id, which Rundeck's idlist takes but no export carries.
        # The server skipped it for its name and group, so those find it among the exported jobs.
        existing = self._records(self.jobs.export(self.project, [str(item["id"]) for item in skipped if item.get("id")]))
        by_path = dict(((group_path(record.get("group")), record.get("name")), record) for record in existing.values())
        for item in skipped:
            current = existing.get(item.get("id")) or by_path.get((group_path(item.get("group")), item.get("name")))
            if current is not None:
                creates[int(item["index"]) - 1].went_on_after_lost_race(current)

    def _delete(self, deletions):
        try:
            self.jobs.delete([change.current["id"] for change in deletions])
        except ApiError as exc:
            # Rundeck deletes each job on its own: those it does not name as failed are gone.
            failed = set(str(item.get("id")) for item in exc.details or [] if isinstance(item, dict))
            if exc.status == 200:
                for change in deletions:
                    if change.current["id"] not in failed:
                        change.finished(None)
            raise
        for change in deletions:
            change.finished(None)

    def item_view(self, member, representation):
        return summary(representation)

    def changed_by_failure(self, error):
        return write_may_have_taken_effect(self.jobs.http, error)


def build_jobs(module):
    """The RundeckJob, or with ``jobs`` the RundeckJobSet, that the module's options describe; raises
    InputError for options Rundeck would refuse."""
    params = module.params
    if params["purge"] and params["jobs"] is None:
        raise InputError("purge applies to jobs: list the jobs to keep in jobs")
    if params["purge_group"] is not None and not params["purge"]:
        raise InputError("purge_group limits purge: set purge to true as well, or remove purge_group")
    if module._diff:
        # The diff shows each job as YAML.
        require_yaml(module)
    if params["jobs"] is not None:
        return build_job_set(params)
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


def build_job_set(params):
    """The RundeckJobSet of ``jobs``; raises InputError, before any request, for a key the job format does not have."""
    definitions, warnings = params["jobs"], []
    if params["state"] == "present":
        checked = []
        for index, definition in enumerate(definitions):
            where = "jobs[%d]" % index
            warnings.extend(check_known_keys(definition, where))
            checked.append(with_real_booleans(definition, where))
        definitions = checked
    job_set = RundeckJobSet(RundeckJobs(params), params["project"], definitions, params["state"], params["purge"],
                            params["purge_group"])
    job_set.warnings.extend(warnings)
    return job_set
