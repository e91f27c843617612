# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rundeck_job
short_description: Read Rundeck job definitions
version_added: 0.1.0
description:
  - Returns jobs of a Rundeck project, each with its UUID, name, group, addresses and its
    definition in the canonical form that the P(opsforge.delivery.rundeck_job#module) module
    compares (and accepts as a definition).
  - Reads the jobs named in the terms, or every job of O(project) (within O(group) when given).
  - Needs Rundeck API version 44 or later.
author:
  - opsforge maintainers (@opsforge)
options:
  _terms:
    description:
      - The jobs to read, each given by its UUID or by its path C(group/name) (C(name) alone, or
        C(/name), for a job at the top level).
      - A term without a C(/) is first taken as a UUID, then as the name of a top-level job.
      - Without terms, every job of O(project) (or of O(group)) is returned.
    type: list
    elements: str
    required: false
  project:
    description:
      - The project whose jobs to read.
    type: str
    required: true
  group:
    description:
      - Without terms, return only the jobs of this group and its subgroups.
    type: str
extends_documentation_fragment:
  - opsforge.delivery.rundeck
  - opsforge.delivery.rundeck.plugins
  - opsforge.delivery.connection
notes:
  - A job path in the terms that several jobs share is an error; name such a job by its UUID.
  - Reading costs two requests whatever the number of jobs; one listing and one export.
seealso:
  - module: opsforge.delivery.rundeck_job
"""

EXAMPLES = r"""
# The connection comes from RUNDECK_URL and RUNDECK_API_TOKEN (or the variables rundeck_url and
# rundeck_api_token) unless the lookup is given url and api_token.

- name: The canonical definition of one job
  ansible.builtin.debug:
    msg: "{{ lookup('opsforge.delivery.rundeck_job', 'release/deploy', project='web').definition }}"

- name: Copy every job of group release from project web to project web-staging
  opsforge.delivery.rundeck_job:
    project: web-staging
    jobs: "{{ query('opsforge.delivery.rundeck_job', project='web', group='release') | map(attribute='definition') }}"
"""

RETURN = r"""
_raw:
  description: One dictionary per job, in the order of the terms (without terms, by group and name).
  type: list
  elements: dict
  contains:
    id:
      description: The job's UUID.
      type: str
    name:
      description: The job's name.
      type: str
    group:
      description: The job's group path; an empty string at the top level.
      type: str
    project:
      description: The job's project.
      type: str
    href:
      description: The job's address in the API.
      type: str
    permalink:
      description: The job's page in Rundeck's web interface.
      type: str
    definition:
      description: The job's definition in canonical form, without C(id), C(uuid) and C(project).
      type: dict
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_format import group_path, in_group
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_api import RundeckJobs, job_record
from ansible_collections.opsforge.delivery.plugins.plugin_utils._lookup import ServiceLookupBase


def find_job(listed, term, project):
    """The listed job a term names: a UUID or a ``group/name`` path."""
    if "/" not in term:
        by_id = [item for item in listed if item["id"] == term]
        if by_id:
            return by_id[0]
        group, name = "", term
    else:
        group, name = term.rsplit("/", 1)
        group = group_path(group)
    found = [item for item in listed if item["name"] == name and group_path(item.get("group")) == group]
    if not found:
        raise AnsibleLookupError("Rundeck: project %s has no job with the UUID or path %r" % (project, term))
    if len(found) > 1:
        raise AnsibleLookupError("Rundeck: %d jobs of project %s have the path %r (UUIDs %s); name one by its UUID"
                                 % (len(found), project, term, ", ".join(item["id"] for item in found)))
    return found[0]


class LookupModule(ServiceLookupBase):

    connection_spec = RUNDECK_SPEC

    def lookup(self, terms, options):
        project = options["project"]
        if not project:
            raise AnsibleLookupError("missing required option: project")
        jobs = RundeckJobs(options)
        listed = jobs.list(project)
        if terms:
            selected = [find_job(listed, term, project) for term in terms]
        else:
            selected = [item for item in listed if in_group(item.get("group"), options.get("group"))]
        ids = [item["id"] for item in selected]
        exported = dict((doc.get("uuid") or doc.get("id"), doc) for doc in jobs.export(project, sorted(set(ids))))
        missing = [job_id for job_id in ids if job_id not in exported]
        if missing:
            raise AnsibleLookupError("Rundeck: jobs %s of project %s disappeared while they were read; try again"
                                     % (", ".join(missing), project))
        return [job_record(jobs, project, exported[job_id]) for job_id in ids]
