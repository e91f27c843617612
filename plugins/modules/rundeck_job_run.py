#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rundeck_job_run
short_description: Run a Rundeck job and follow its execution
version_added: 0.2.0
description:
  - Starts an execution of a Rundeck job, by default waits until it ends, and returns the
    execution (its status as Rundeck names it, its addresses, dates and the job's arguments) and
    the last lines of its log.
  - An execution that ends otherwise than C(succeeded) (C(failed), C(aborted), C(timedout), ...)
    fails the task with its status and the end of its log, unless O(fail_on_failure=false).
  - A run is always a change. In check mode the job is looked up (the task fails when it does
    not exist) but nothing is started; a warning says so.
author:
  - opsforge maintainers (@opsforge)
options:
  uuid:
    description:
      - The job's UUID. Either O(uuid), or O(name) with O(project), names the job.
      - With O(project) as well, the job must belong to that project.
    type: str
  project:
    description:
      - The project of the job. Required with O(name).
    type: str
  name:
    description:
      - The job's name, found in O(project) and O(group) as P(opsforge.delivery.rundeck_job#module)
        finds it. Several jobs of that name and group are an error; give O(uuid) then.
    type: str
  group:
    description:
      - The job's group path, for example V(release/web). Omit it for a job at the top level.
    type: str
  options:
    description:
      - The values of the job's options, by option name. Numbers and booleans are sent as text
        (V(true), V(false), V(8080)); a list is a multi-valued option.
      - Options not given take the job's default values; Rundeck refuses the run when a required
        option has neither, or when an enforced option gets a value that is not allowed.
    type: dict
  node_filter:
    description:
      - A node filter that replaces the job's own, for example V(tags:web !name:web3).
    type: str
  log_level:
    description:
      - The log level of the execution; by default the job's own.
    type: str
    choices: [DEBUG, VERBOSE, INFO, WARN, ERROR]
  as_user:
    description:
      - Run the job as this user. The API token needs the C(runAs) permission for the job;
        Rundeck refuses the run otherwise.
    type: str
  wait:
    description:
      - Wait until the execution ends. With V(false), the task returns the running execution
        as soon as Rundeck started it.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for the execution to end. When it is still running then, the
        task fails; the execution goes on unless O(abort_on_timeout=true).
    type: float
    default: 600
  abort_on_timeout:
    description:
      - Abort the execution when it is still running after O(wait_timeout) seconds. The task
        fails with the status Rundeck gives it then (normally C(aborted)).
    type: bool
    default: false
  fail_on_failure:
    description:
      - Fail the task when the execution ends otherwise than C(succeeded). With V(false), the
        task returns the execution whatever its status (a wait that times out still fails).
    type: bool
    default: true
  log_lines:
    description:
      - How many of the last lines of the execution's log to return (one request once the
        execution ended). V(0) reads no log.
    type: int
    default: 20
extends_documentation_fragment:
  - opsforge.delivery.rundeck
  - opsforge.delivery.connection
  - opsforge.delivery.attributes
  - opsforge.delivery.attributes.rundeck_group
notes:
  - Requests of a run - the job is found with one request when named by O(name) (or, in check
    mode, by O(uuid)); one request starts it; the execution is read after pauses that start at
    half a second and grow by half up to five seconds; one request reads the end of the log.
  - With C(--diff), the diff shows the job and the options of the run.
  - Needs Rundeck API version 18 or later.
seealso:
  - module: opsforge.delivery.rundeck_job
  - plugin: opsforge.delivery.rundeck_execution
    plugin_type: lookup
  - name: Rundeck API - Running a Job
    description: The request this module sends.
    link: https://docs.rundeck.com/docs/api/#running-a-job
"""

EXAMPLES = r"""
# The connection comes from RUNDECK_URL and RUNDECK_API_TOKEN unless the task, or module_defaults
# for the group opsforge.delivery.rundeck, sets url and api_token.

- name: Make sure the job exists (definitions are managed by rundeck_job)
  opsforge.delivery.rundeck_job:
    project: sandbox
    definition:
      name: greet
      group: examples
      options:
        - name: who
          value: world
      sequence:
        commands:
          - exec: echo hello ${option.who} from ${node.name}

- name: Run it and wait for it to end
  opsforge.delivery.rundeck_job_run:
    project: sandbox
    group: examples
    name: greet
    options:
      who: ansible
  register: greeting

- name: Show how it ended
  ansible.builtin.debug:
    msg: "{{ greeting.execution.status }}: {{ greeting.log_lines | join(' / ') }}"

- name: Start it and move on without waiting
  opsforge.delivery.rundeck_job_run:
    uuid: "{{ greeting.execution.job.id }}"
    wait: false

- name: Run it with a limit on the wait, aborting it when it takes longer
  opsforge.delivery.rundeck_job_run:
    project: sandbox
    group: examples
    name: greet
    log_level: DEBUG
    wait_timeout: 120
    abort_on_timeout: true
"""

RETURN = r"""
execution:
  description:
    - The execution as Rundeck reports it when the task ends (in check mode, the job that would
      run and the options given, the execution's own fields empty).
  returned: always
  type: dict
  contains:
    id:
      description: The execution's id.
      type: int
      sample: 42
    status:
      description:
        - The execution's status as Rundeck names it - C(running), C(succeeded), C(failed),
          C(aborted), C(timedout), C(failed-with-retry) or C(other).
      type: str
      sample: succeeded
    href:
      description: The execution's address in the API.
      type: str
    permalink:
      description: The execution's page in Rundeck's web interface.
      type: str
      sample: https://rundeck.example.com/project/web/execution/show/42
    project:
      description: The project of the execution.
      type: str
    user:
      description: The user the execution ran as.
      type: str
    date_started:
      description: When it started (ISO 8601, UTC).
      type: str
      sample: "2026-05-13T16:58:59Z"
    date_ended:
      description: When it ended (ISO 8601, UTC); null while it runs.
      type: str
    argstring:
      description: The job's arguments as Rundeck recorded them (defaults included).
      type: str
      sample: -who ansible
    options:
      description: The job's arguments by option name.
      type: dict
      sample: {"who": "ansible"}
    job:
      description: The job run - C(id), C(name), C(group), C(project), C(permalink).
      type: dict
    successful_nodes:
      description: The nodes on which every step succeeded.
      type: list
      elements: str
    failed_nodes:
      description: The nodes on which a step failed.
      type: list
      elements: str
    aborted_by:
      description: Who aborted the execution, when it was aborted.
      type: str
      returned: when aborted
log_lines:
  description: The last O(log_lines) lines of the execution's log (also in a failed result).
  returned: always
  type: list
  elements: str
  sample: ["hello ansible from localhost"]
"""

from ansible_collections.opsforge.delivery.plugins.module_utils._module import new_module, run_module
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import RUNDECK_SPEC
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_run import build_job_run


def main():
    argument_spec = dict(
        uuid=dict(type="str"),
        project=dict(type="str"),
        name=dict(type="str"),
        group=dict(type="str"),
        options=dict(type="dict"),
        node_filter=dict(type="str"),
        log_level=dict(type="str", choices=["DEBUG", "VERBOSE", "INFO", "WARN", "ERROR"]),
        as_user=dict(type="str"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="float", default=600),
        abort_on_timeout=dict(type="bool", default=False),
        fail_on_failure=dict(type="bool", default=True),
        log_lines=dict(type="int", default=20),
    )
    module = new_module(argument_spec, RUNDECK_SPEC, mutually_exclusive=[("uuid", "name")],
                        required_one_of=[("uuid", "name")], required_by={"name": "project"})
    run_module(module, build_job_run)


if __name__ == "__main__":
    main()
