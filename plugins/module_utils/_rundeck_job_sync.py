# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many jobs of one project at once: one listing, one export, one import, one delete.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.
"""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
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
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_jobs import job_record

SUMMARY_KEYS = ("id", "name", "group", "project", "href", "permalink")


def summary(record):
    return dict((key, record.get(key)) for key in SUMMARY_KEYS)


class JobSet(object):
    """The jobs of one project that a list of definitions describes.

    ``run`` returns ``(changed, jobs, diffs, warnings)``: ``jobs`` holds the created, updated,
    deleted and unchanged jobs, ``diffs`` one entry per change (none unless ``with_diff``).
    """

    def __init__(self, jobs, project, definitions, state="present", purge=False, purge_group=None):
        self.jobs = jobs
        self.project = project
        self.definitions = definitions
        self.state = state
        self.purge = purge
        self.purge_group = purge_group
        self.warnings = []
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

    def run(self, check_mode, with_diff=True):
        listed = self.jobs.list(self.project)
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
                writes.append((document, current, wanted))
                if with_diff:
                    # Writing each job as YAML costs more than comparing it: only for --diff.
                    diffs.append(text_diff(job_text(current) if current else None, job_text(wanted)))
        if with_diff:
            diffs.extend(text_diff(job_text(record), None) for record in deletions)

        written = [wanted for dummy, dummy2, wanted in writes]
        if not check_mode:
            if writes:
                written = self._import(writes)
            if deletions:
                self.jobs.delete([record["id"] for record in deletions])
        for (dummy, current, dummy2), record in zip(writes, written):
            jobs["updated" if current else "created"].append(summary(record))
        jobs["deleted"] = [summary(record) for record in deletions]
        return bool(writes or deletions), jobs, diffs, self.warnings

    def _records(self, exported):
        """Exported definitions as records, by job id."""
        records = (job_record(self.jobs, self.project, document) for document in exported)
        return dict((record["id"], record) for record in records)

    def _import(self, writes):
        """Import every write in one request, then read the written jobs back in one export."""
        succeeded = self.jobs.import_definitions(self.project, [document for document, dummy, dummy2 in writes])
        by_index = dict((int(item["index"]), item) for item in succeeded)
        ids = [by_index[index + 1]["id"] for index in range(len(writes)) if index + 1 in by_index]
        stored = self._records(self.jobs.export(self.project, ids))
        records = []
        for index, (dummy, dummy2, wanted) in enumerate(writes):
            item = by_index.get(index + 1, {})
            record = stored.get(item.get("id"))
            if record is None:
                record = dict(wanted, id=item.get("id"), href=item.get("href"), permalink=item.get("permalink"))
            else:
                warning = convergence_warning(record, wanted)
                if warning:
                    self.warnings.append(warning)
            records.append(record)
        return records
