# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rundeck_execution
short_description: Read Rundeck executions and their output
version_added: 0.2.0
description:
  - Returns executions of Rundeck jobs, in the form the P(opsforge.delivery.rundeck_job_run#module)
    module returns them.
  - With terms, the executions of those ids, each with its log when O(output=true).
  - Without terms, the executions of a job (O(uuid), or O(name) and O(group) in O(project)) or, with
    O(project) alone, of a project, newest first; O(status), O(max) and O(offset) apply to both,
    O(user), O(begin), O(end) and O(recent) to a project's.
  - Needs Rundeck API version 18 or later.
author:
  - opsforge maintainers (@opsforge)
options:
  _terms:
    description:
      - Execution ids.
    type: list
    elements: str
    required: false
  output:
    description:
      - With terms, add each execution's log as C(output), a list of entries with C(log),
        C(level), C(node), C(stepctx), C(time) and C(absolute_time).
    type: bool
    default: false
  project:
    description:
      - The project whose executions to list, or the project of the job named by O(name).
    type: str
  uuid:
    description:
      - The UUID of the job whose executions to list.
    type: str
  name:
    description:
      - The name of the job whose executions to list, found in O(project) and O(group).
    type: str
  group:
    description:
      - The group path of the job named by O(name); omit it for a job at the top level.
    type: str
  status:
    description:
      - Only executions with this status.
    type: str
    choices: [running, succeeded, failed, aborted, timedout]
  user:
    description:
      - Only a project's executions started by this user.
    type: str
  begin:
    description:
      - Only a project's executions that ended after this moment (ISO 8601, for example
        V(2026-05-01T00:00:00Z), or milliseconds since the epoch).
    type: str
  end:
    description:
      - Only a project's executions that ended before this moment (as O(begin)).
    type: str
  recent:
    description:
      - Only a project's executions that ended within this period, for example V(1h), V(2d), V(1w).
    type: str
  max:
    description:
      - How many executions to return at most. Rundeck's own default page is 20.
    type: int
  offset:
    description:
      - How many of the newest executions to skip.
    type: int
extends_documentation_fragment:
  - opsforge.delivery.rundeck
  - opsforge.delivery.rundeck.plugins
  - opsforge.delivery.connection
seealso:
  - module: opsforge.delivery.rundeck_job_run
"""

EXAMPLES = r"""
# The connection comes from RUNDECK_URL and RUNDECK_API_TOKEN (or the variables rundeck_url and
# rundeck_api_token) unless the lookup is given url and api_token.

- name: The addresses of the last five failed executions of a job
  ansible.builtin.debug:
    msg: "{{ query('opsforge.delivery.rundeck_execution', project='web', group='release', name='deploy',
             status='failed', max=5) | map(attribute='permalink') }}"

- name: Run a job, then read all of its output
  opsforge.delivery.rundeck_job_run:
    project: web
    group: release
    name: smoke-test
  register: smoke

- name: Print the log of that run
  ansible.builtin.debug:
    msg: "{{ lookup('opsforge.delivery.rundeck_execution', smoke.execution.id, output=true).output | map(attribute='log') }}"

- name: What ran in the project during the last day
  ansible.builtin.debug:
    msg: "{{ query('opsforge.delivery.rundeck_execution', project='web', recent='1d') | map(attribute='status') }}"
"""

RETURN = r"""
_raw:
  description: One dictionary per execution, as P(opsforge.delivery.rundeck_job_run#module) returns it.
  type: list
  elements: dict
  contains:
    id:
      description: The execution's id.
      type: int
    status:
      description: The execution's status as Rundeck names it.
      type: str
    permalink:
      description: The execution's page in Rundeck's web interface.
      type: str
    user:
      description: The user the execution ran as.
      type: str
    date_started:
      description: When it started (ISO 8601, UTC).
      type: str
    date_ended:
      description: When it ended; null while it runs.
      type: str
    argstring:
      description: The job's arguments.
      type: str
    job:
      description: The job - C(id), C(name), C(group), C(project), C(permalink).
      type: dict
    output:
      description: The execution's log entries (with O(output=true)).
      type: list
      elements: dict
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_execution_api import RundeckExecutions, execution_view
from ansible_collections.opsforge.delivery.plugins.plugin_utils._lookup import ServiceLookupBase

#: Entries read per request while reading a whole log.
OUTPUT_PAGE = 500
_ENTRY_KEYS = ("log", "level", "node", "stepctx", "time", "absolute_time", "user")
_PROJECT_ONLY = ("user", "begin", "end", "recent")


def read_output(executions, execution_id):
    """Every entry of an execution's log, page by page, until Rundeck says it has sent all there is."""
    entries = []
    offset = 0
    while True:
        page = executions.output(execution_id, offset=offset, maxlines=OUTPUT_PAGE)
        received = page.get("entries") or []
        entries.extend(dict((key, entry[key]) for key in _ENTRY_KEYS if key in entry) for entry in received)
        next_offset = int(page.get("offset") or 0)
        # A running execution's log may grow: what is there now is the answer.
        if page.get("completed") or not received or next_offset <= offset:
            return entries
        offset = next_offset


class LookupModule(ServiceLookupBase):
    connection_spec = RUNDECK_SPEC

    def lookup(self, terms, options):
        executions = RundeckExecutions(options)
        if terms:
            return [self._one(executions, str(term), options["output"]) for term in terms]
        if options.get("uuid") and options.get("name"):
            raise AnsibleLookupError("give uuid or name, not both")
        if options.get("name") and not options.get("project"):
            raise AnsibleLookupError("name needs project: the project of the job")
        paging = dict(max_items=options.get("max"), offset=options.get("offset"))
        if options.get("uuid") or options.get("name"):
            given = [name for name in _PROJECT_ONLY if options.get(name)]
            if given:
                raise AnsibleLookupError("%s select(s) a project's executions: omit uuid and name to use them"
                                         % ", ".join(given))
            job = executions.resolve_job(options.get("uuid"), options.get("project"), options.get("name"),
                                         options.get("group"))
            listing = executions.job_executions(job["id"], status=options.get("status"), **paging)
        elif options.get("project"):
            listing = executions.project_executions(
                options["project"], status=options.get("status"), user=options.get("user"), begin=options.get("begin"),
                end=options.get("end"), recent=options.get("recent"), **paging)
        else:
            raise AnsibleLookupError("give execution ids as terms, or a project (with a job's name) or a job's uuid")
        return [execution_view(item) for item in listing.get("executions") or []]

    @staticmethod
    def _one(executions, term, output):
        if not term.isdigit():
            raise AnsibleLookupError("Rundeck: %r is no execution id (a whole number)" % term)
        view = execution_view(executions.execution(term))
        if output:
            view["output"] = read_output(executions, term)
        return view
