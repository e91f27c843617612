# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many jobs of one project at once: one listing, one export, one import, one delete.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.
"""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import missing_project_warning, project_missing
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import text_diff
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import (
    differences,
    group_path,
    in_group,
    job_path,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_plan import (
    check_definition,
    convergence_warning,
    definition_uuid,
    desired_record,
    import_document,
    job_text,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_jobs import ImportRefused, job_record

SUMMARY_KEYS = ("id", "name", "group", "project", "href", "permalink")


def summary(record):
    return dict((key, record.get(key)) for key in SUMMARY_KEYS)


class JobSet(object):
    """The jobs of one project that a list of definitions describes.

    ``run`` returns ``(changed, jobs, diffs, warnings)``: ``jobs`` holds the created, updated,
    deleted and unchanged jobs, ``diffs`` one entry per change (none unless ``with_diff``).
    When a request fails, ``done`` holds the same lists for what the run did before.
    """

    def __init__(self, jobs, project, definitions, state="present", purge=False, purge_group=None):
        self.jobs = jobs
        self.project = project
        self.definitions = definitions
        self.state = state
        self.purge = purge
        self.purge_group = purge_group
        self.warnings = []
        self.done = None
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

    def _list(self, check_mode):
        try:
            return self.jobs.list(self.project)
        except ApiError as exc:
            # An earlier task of the play may create the project; check mode could not know it.
            if not (check_mode and project_missing(exc)):
                raise
            self.warnings.append(missing_project_warning(self.project))
            return []

    def run(self, check_mode, with_diff=True):
        listed = self._list(check_mode)
        matches = self._match(listed)
        matched_ids = set(match["id"] for match in matches if match)
        purged_ids = [item["id"] for item in listed if self.purge and item["id"] not in matched_ids
                      and in_group(group_path(item.get("group")), self.purge_group)]
        # One export for the managed jobs and for those a purge deletes (their diff shows them).
        wanted_ids = [match["id"] for match in matches if match] + purged_ids
        exported = self._records(self.jobs.export(self.project, wanted_ids))
        currents = [exported.get(match["id"]) if match else None for match in matches]

        jobs = dict(created=[], updated=[], deleted=[], unchanged=[])
        diffs, writes = [], []
        deletions = [] if self.state == "present" else [current for current in currents if current is not None]
        deletions.extend(exported[job_id] for job_id in purged_ids if job_id in exported)
        if self.state == "present":
            for definition, current in zip(self.definitions, currents):
                document = import_document(definition, current)
                wanted = desired_record(self.jobs, self.project, document, current)
                if current is not None and not differences(current["definition"], wanted["definition"]):
                    jobs["unchanged"].append(summary(current))
                    continue
                writes.append((document, current, wanted, definition))

        outcomes = [("updated" if current else "created", wanted) for dummy, current, wanted, dummy2 in writes]
        if not check_mode:
            self.done = dict(created=[], updated=[], deleted=[], unchanged=list(jobs["unchanged"]))
            if writes:
                writes, outcomes = self._import(writes)
            if deletions:
                self._delete(deletions)
            self.done = None
        if with_diff:
            # Writing each job as YAML costs more than comparing it: only for --diff. A job another
            # run created meanwhile, already as wanted, is no change of this run's.
            diffs = [text_diff(job_text(current) if current else None, job_text(wanted))
                     for (dummy, current, wanted, dummy2), (kind, dummy3) in zip(writes, outcomes) if kind != "unchanged"]
            diffs.extend(text_diff(job_text(record), None) for record in deletions)
        for kind, record in outcomes:
            jobs[kind].append(summary(record))
        jobs["deleted"] = [summary(record) for record in deletions]
        return bool(jobs["created"] or jobs["updated"] or deletions), jobs, diffs, self.warnings

    def _delete(self, deletions):
        try:
            self.jobs.delete([record["id"] for record in deletions])
        except ApiError as exc:
            # Rundeck deletes each job on its own: those it does not name as failed are gone.
            failed = set(str(item.get("id")) for item in exc.details or [] if isinstance(item, dict))
            if exc.status == 200:
                self.done["deleted"] = [summary(record) for record in deletions if record["id"] not in failed]
            raise

    def _records(self, exported):
        """Exported definitions as records, by job id."""
        records = (job_record(self.jobs, self.project, document) for document in exported)
        return dict((record["id"], record) for record in records)

    def _import(self, writes):
        """Write every job: new ones in one import that leaves alone any job another run created
        meanwhile, existing ones in another; then read the written jobs back in one export.
        Returns the writes as finally made (a lost race turns a create into an update or nothing)
        and ``(kind, record)`` per write, kind ``created``, ``updated`` or ``unchanged``."""
        kinds = ["updated" if write[1] else "created" for write in writes]
        ids = {}
        creates = [index for index, kind in enumerate(kinds) if kind == "created"]
        if creates:
            try:
                succeeded, skipped = self.jobs.create_definitions(self.project, [writes[index][0] for index in creates])
            except ImportRefused as exc:
                self._imported(writes, creates, exc.succeeded, "created")
                raise
            ids.update(self._ids_by_write(creates, succeeded))
            self._imported(writes, creates, succeeded, "created")
            writes, kinds = self._after_lost_races(writes, kinds, creates, skipped)
        updates = [index for index, kind in enumerate(kinds) if kind == "updated"]
        if updates:
            try:
                succeeded = self.jobs.import_definitions(self.project, [writes[index][0] for index in updates])
            except ImportRefused as exc:
                self._imported(writes, updates, exc.succeeded, "updated")
                raise
            ids.update(self._ids_by_write(updates, succeeded))
            self._imported(writes, updates, succeeded, "updated")
        stored = self._records(self.jobs.export(self.project, [job_id for job_id in ids.values() if job_id]))
        outcomes = []
        for index, (dummy, current, wanted, dummy2) in enumerate(writes):
            if kinds[index] == "unchanged":
                outcomes.append(("unchanged", current))
                continue
            record = stored.get(ids.get(index))
            if record is None:
                item_id = ids.get(index)
                record = dict(wanted, id=item_id, href=self.jobs.href(item_id) if item_id else None,
                              permalink=self.jobs.permalink(self.project, item_id) if item_id else None)
            else:
                warning = convergence_warning(record, wanted)
                if warning:
                    self.warnings.append(warning)
            outcomes.append((kinds[index], record))
        return writes, outcomes

    def _imported(self, writes, indexes, succeeded, kind):
        """Note in ``done`` the jobs an import wrote (its ``succeeded`` entries)."""
        for index, job_id in sorted(self._ids_by_write(indexes, succeeded).items()):
            wanted = writes[index][2]
            self.done[kind].append(summary(dict(wanted, id=job_id, href=self.jobs.href(job_id) if job_id else None,
                                                permalink=self.jobs.permalink(self.project, job_id) if job_id else None)))

    @staticmethod
    def _ids_by_write(indexes, succeeded):
        """Job ids of an import's ``succeeded`` entries (numbered from 1), by position in the writes."""
        by_index = dict((int(item["index"]), item.get("id")) for item in succeeded)
        return dict((write, by_index[number]) for number, write in enumerate(indexes, start=1) if number in by_index)

    def _after_lost_races(self, writes, kinds, creates, skipped):
        """The writes again, for jobs another run created between this run's read and its import:
        unchanged when that job is already as wanted, else an update of it."""
        if not skipped:
            return writes, kinds
        writes, kinds = list(writes), list(kinds)
        # A skipped entry names the job by the imported definition's id: for a definition without
        # a UUID that is the job's database id, which Rundeck's idlist takes but no export carries.
        # The server skipped it for its name and group, so those find it among the exported jobs.
        existing = self._records(self.jobs.export(self.project, [str(item["id"]) for item in skipped if item.get("id")]))
        by_path = dict(((group_path(record.get("group")), record.get("name")), record) for record in existing.values())
        for item in skipped:
            index = creates[int(item["index"]) - 1]
            current = existing.get(item.get("id")) or by_path.get((group_path(item.get("group")), item.get("name")))
            if current is None:
                continue
            definition = writes[index][3]
            document = import_document(definition, current)
            wanted = desired_record(self.jobs, self.project, document, current)
            self.warnings.append("job %s was created by another run after this run read the project; this run "
                                 "went on from that job" % summary(current).get("name"))
            if differences(current["definition"], wanted["definition"]):
                writes[index], kinds[index] = (document, current, wanted, definition), "updated"
            else:
                writes[index], kinds[index] = (document, current, current, definition), "unchanged"
        return writes, kinds
