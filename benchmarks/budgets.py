# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every budget and target of the benchmarks, in one place; a run that misses one exits non-zero.

The request budgets are the costs the plugins' documentation promises (the notes of each module
and lookup) and the integration targets check.
"""

from __future__ import annotations

#: The modules compared with a plain ``ansible.builtin.uri`` GET of the same resource.
#: rundeck_job_run has no unchanged task: every run of it starts an execution.
MODULES = ("rundeck_acl", "rundeck_job", "rundeck_project", "rundeck_key", "opsgenie_deployment", "jira_deployment",
           "octopus_machine", "gitea_token")

#: Median wall time of an unchanged task executed as a module over that of a uri GET task, at most.
RATIO_TARGET = 1.10
#: Median wall time of an unchanged task run in the worker over that of a uri GET task, at most.
WORKER_RATIO_TARGET = 0.25
#: A loop of unchanged ACL policies in the worker: how many times faster than executed as a module, at least.
LOOP_SPEEDUP_TARGET = 8.0
#: The loop's policies: the full run, and the quick one.
LOOP_SIZES = {"full": 100, "quick": 2}

#: Requests an unchanged run of each module sends in the benchmark's scenario, at most.
REQUEST_BUDGETS = {
    # GET of the policy file.
    "rundeck_acl": 1,
    # A job named by name and group: the listing that finds its UUID, and the export.
    "rundeck_job": 2,
    # GET of the project, whose answer holds its properties.
    "rundeck_project": 1,
    # The metadata of the key's path (a password's content cannot be read back).
    "rundeck_key": 1,
    # The read by external id.
    "opsgenie_deployment": 1,
    # The OAuth token (a task's worker or process starts without one), and the read by pipeline, environment, number.
    "jira_deployment": 2,
    # The API root, the target by name, and the environments named (one listing), in the default space.
    "octopus_machine": 3,
    # One page of the user's tokens (up to 50 tokens).
    "gitea_token": 1,
}

#: Gitea's largest page of tokens, and Octopus's page the lookup asks for by default.
GITEA_PAGE = 50
OCTOPUS_PAGE = 2000

#: The scale scenarios' sizes: the full run, and the quick one that only checks the code still works.
SCALE_SIZES = {
    "full": {"rundeck_jobs": 1000, "acl_policies": 100, "octopus_machines": 10000, "gitea_tokens": 500},
    "quick": {"rundeck_jobs": 12, "acl_policies": 2, "octopus_machines": 30, "gitea_tokens": 60},
}

#: The sets benchmark's sizes: the full run, and the quick one.
SET_SIZES = {
    "full": {"acl_policies": 100, "gitea_tokens": 30, "octopus_machines": 100},
    "quick": {"acl_policies": 3, "gitea_tokens": 3, "octopus_machines": 3},
}
#: Runs of the Octopus set task, whose median is its time (a loop of single tasks is one run of many tasks).
SET_RUNS = {"full": 5, "quick": 1}
#: Requests an unchanged set task may send whatever its size, where that holds.
SET_REQUEST_BUDGETS = {
    # The API root, one listing of the targets, one of the environments (the space's default, by name).
    "octopus_machine_set": 10,
}
#: Seconds the sandbox holds back every read in the sets benchmark's second round (a server far away).
SET_DELAY = 0.05
#: Targets of the set tasks (full size only): ``speedup`` over the loop of single-item tasks, at least;
#: ``seconds``, at most.
SET_TARGETS = {
    "rundeck_acl_set": {"speedup": 20.0},
    "rundeck_acl_set_delayed": {"seconds": 3.0},
}

#: Wall-time targets of the scale scenarios, in seconds (full size only).
SCALE_TIME_TARGETS = {
    "rundeck_job_bulk_unchanged": 10.0,
}


def pages(count, size):
    """Requests to read ``count`` items in pages of ``size`` (an empty listing still takes one)."""
    return max(1, -(-count // size))


def scale_request_budgets(sizes):
    """Requests each scale scenario's measured run may send, for the given sizes."""
    return {
        # A listing of the project and one export, whatever the number of jobs.
        "rundeck_job_bulk_unchanged": 2,
        # One GET per policy.
        "rundeck_acl_loop_unchanged": sizes["acl_policies"],
        # The API root, the pages of targets, and one listing each of environments and machine policies
        # (tenants too when a target has some; these have none).
        "octopus_lookup_all": 1 + pages(sizes["octopus_machines"], OCTOPUS_PAGE) + 2,
        # The API root, the target by name, and the same two listings.
        "octopus_lookup_one": 1 + 1 + 2,
        # One request per page of 50 tokens.
        "gitea_token_unchanged": pages(sizes["gitea_tokens"], GITEA_PAGE),
        "gitea_lookup_all": pages(sizes["gitea_tokens"], GITEA_PAGE),
    }
