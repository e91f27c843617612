# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What to send for a job: its checked definition, its identity, the import document, the diff."""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import TextView
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import differences, group_path, job_path
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_api import job_record
from ansible_collections.opsforge.delivery.plugins.module_utils._yaml import dump_sorted

#: The definition fields that the execution and schedule switches change.
SWITCHES = (("executionEnabled", "execution"), ("scheduleEnabled", "schedule"))


def check_definition(definition, where="definition"):
    """Refuse, before any request, a definition Rundeck could not import at all."""
    if not isinstance(definition, dict):
        raise InputError("%s must be a mapping in Rundeck's job format, not %s" % (where, type(definition).__name__))
    name = definition.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError("%s has no name: every job needs a name" % where)
    if "/" in name:
        raise InputError("%s: the job name %r contains '/'; put the folder part in group" % (where, name))
    sequence = definition.get("sequence")
    commands = sequence.get("commands") if isinstance(sequence, dict) else None
    if not isinstance(commands, list) or not commands:
        raise InputError("%s (job %s): sequence.commands must list at least one step"
                         % (where, job_path(definition.get("group"), name)))


def definition_uuid(definition):
    """The UUID a definition names (``uuid``, or the ``id`` an export carries next to it)."""
    if not isinstance(definition, dict):
        return None
    return definition.get("uuid") or definition.get("id") or None


def import_document(definition, current, switches=None):
    """The document to import for ``definition``, given the job as it is (``current``, or None).

    ``switches`` maps executionEnabled/scheduleEnabled to a boolean or None. A switch that
    neither ``switches`` nor the definition sets keeps the job's current value, so that a job
    disabled on the server stays disabled when its definition is updated. An existing job keeps
    its UUID: the import then replaces it in place, with its execution history.
    """
    document = dict((k, v) for k, v in definition.items() if k != "id")
    # Rundeck matches a definition without a UUID by its group exactly as sent.
    if document.get("group") is not None:
        document["group"] = group_path(document["group"])
    for key, dummy in SWITCHES:
        wanted = (switches or {}).get(key)
        if wanted is not None:
            document[key] = wanted
        elif document.get(key) is None and current is not None:
            document[key] = current["definition"][key]
    if current is not None:
        document["uuid"] = current["id"]
    elif not document.get("uuid") and definition_uuid(definition):
        # Rundeck reads only "uuid" from a definition; an "id" alone would be dropped and the job
        # created under a new UUID that the next run could not find by the "id" it was given.
        document["uuid"] = definition_uuid(definition)
    return document


def desired_record(jobs, project, document, current):
    """The record the job should have after the import of ``document``."""
    return job_record(jobs, project, document, current["id"] if current is not None else None)


def switch_only(current, desired):
    """The switches to flip, when they are the only difference; None when an import is needed."""
    changed = differences(current["definition"], desired["definition"])
    keys = dict(SWITCHES)
    if not changed or any(key not in keys for key in changed):
        return None
    return [(keys[key], desired["definition"][key]) for key in changed]


def convergence_warning(stored, desired):
    """A warning when Rundeck stored a job differently from what was imported, else None."""
    fields = differences(stored["definition"], desired["definition"])
    if not fields:
        return None
    return ("Rundeck stored job %s (%s) differently from its definition, in: %s. Rundeck drops or rewrites "
            "these fields, so the next run will report a change again; compare them with what the rundeck_job "
            "lookup returns for this job." % (job_path(stored["group"], stored["name"]), stored["id"], ", ".join(fields)))


def diff_view(record):
    """A job for ``--diff``: its canonical definition as YAML, headed by its path and project."""
    header = "job %s in project %s" % (job_path(record["group"], record["name"]), record["project"])
    return TextView(dump_sorted(record["definition"]), header)


def same_identity(definition, uuid=None, name=None, group=None):
    """``definition`` with the identity options applied: they win over the same keys in it."""
    definition = dict(definition)
    if uuid:
        definition["uuid"] = uuid
        definition.pop("id", None)
    if name is not None:
        definition["name"] = name
    if group is not None:
        definition["group"] = group_path(group)
    return definition
