# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Large inputs and large servers: many jobs in one task, many policies in a loop, many targets and tokens.

The sandbox is seeded through its own stores before the playbook starts (seeding is not measured);
the jobs and the policies are created by the measured first runs themselves.
"""

from __future__ import annotations

from benchmarks.budgets import SCALE_TIME_TARGETS, scale_request_budgets
from benchmarks.playbook import BenchmarkError
from benchmarks.services import GITEA_USER, READ_METHODS

PROJECT = "benchmark-scale"
#: Scenario -> (task name, whether the run must report a change).
SCENARIOS = {
    "rundeck_job_bulk_first": ("rundeck_job bulk first run", True),
    "rundeck_job_bulk_unchanged": ("rundeck_job bulk unchanged run", False),
    "rundeck_acl_loop_first": ("rundeck_acl loop first run", True),
    "rundeck_acl_loop_unchanged": ("rundeck_acl loop unchanged run", False),
    "octopus_lookup_all": ("octopus_machine lookup of every target", False),
    "octopus_lookup_one": ("octopus_machine lookup of one target by name", False),
    "gitea_token_unchanged": ("gitea_token unchanged run", False),
    "gitea_lookup_all": ("gitea_token lookup of every token", False),
}
#: The service each scenario talks to.
SERVICE_OF = {
    "rundeck_job_bulk_first": "rundeck",
    "rundeck_job_bulk_unchanged": "rundeck",
    "rundeck_acl_loop_first": "rundeck",
    "rundeck_acl_loop_unchanged": "rundeck",
    "octopus_lookup_all": "octopus",
    "octopus_lookup_one": "octopus",
    "gitea_token_unchanged": "gitea",
    "gitea_lookup_all": "gitea",
}
#: What each scenario's size counts.
SIZE_OF = {
    "rundeck_job_bulk_first": "rundeck_jobs",
    "rundeck_job_bulk_unchanged": "rundeck_jobs",
    "rundeck_acl_loop_first": "acl_policies",
    "rundeck_acl_loop_unchanged": "acl_policies",
    "octopus_lookup_all": "octopus_machines",
    "octopus_lookup_one": "octopus_machines",
    "gitea_token_unchanged": "gitea_tokens",
    "gitea_lookup_all": "gitea_tokens",
}


def job_definitions(count):
    """``count`` job definitions of several shapes: options, schedules, node filters, notifications."""
    jobs = []
    for number in range(1, count + 1):
        job = {
            "name": "job-%04d" % number,
            "group": "team-%02d/%s" % (number % 20, "deploy" if number % 2 else "maintenance"),
            "description": "Job %d of the scale benchmark" % number,
            "loglevel": "INFO",
            "sequence": {"keepgoing": False, "strategy": "node-first", "commands": [
                {"exec": "/srv/bin/run-%d ${option.version}" % number},
                {"script": "#!/bin/sh\necho step two of job %d\n" % number, "description": "Report"},
            ]},
            "options": [{"name": "version", "required": True, "value": "1.0.%d" % number},
                        {"name": "region", "values": ["eu", "us"], "enforced": True, "value": "eu"}],
        }
        if number % 3 == 0:
            job["schedule"] = {"crontab": "0 %d %d ? * * *" % (number % 60, number % 24)}
        if number % 4 == 0:
            job["nodefilters"] = {"filter": "tags: web", "dispatch": {"threadcount": 2, "keepgoing": True}}
        if number % 5 == 0:
            job["notification"] = {"onfailure": {"email": {"recipients": "ops@example.com", "subject": "Job failed"}}}
        jobs.append(job)
    return jobs


def _task(scenario, action, args, **keywords):
    """The task of a scenario, named as SCENARIOS says."""
    return dict({"name": SCENARIOS[scenario][0], action: args}, **keywords)


def plays(services, runner, sizes):
    jobs_file = runner.write_vars("scale-jobs", {"benchmark_jobs": job_definitions(sizes["rundeck_jobs"])})
    acl = {"name": "scale-{{ item }}",
           "policy": {"description": "Policy {{ item }}", "context": {"project": "team-{{ item }}"},
                      "for": {"job": [{"allow": ["read", "run"]}]}, "by": {"group": ["team-{{ item }}"]}}}
    acl_loop = "{{ range(1, %d) | list }}" % (sizes["acl_policies"] + 1)
    bulk = {"project": PROJECT, "jobs": "{{ benchmark_jobs }}"}
    machines, tokens = sizes["octopus_machines"], sizes["gitea_tokens"]
    middle_machine, middle_token = "scale-%05d" % (machines // 2 + 1), "scale-%04d" % (tokens // 2 + 1)
    credentials = services.credentials
    assert_all_machines = "query('opsforge.delivery.octopus_machine') | length == %d" % machines
    assert_one_machine = "lookup('opsforge.delivery.octopus_machine', '%s').Name == '%s'" % (middle_machine, middle_machine)
    assert_all_tokens = "query('opsforge.delivery.gitea_token') | length == %d" % tokens
    tasks = [
        {"name": "Create the project %s" % PROJECT, "opsforge.delivery.rundeck_project": {"name": PROJECT}},
        _task("rundeck_job_bulk_first", "opsforge.delivery.rundeck_job", bulk),
        _task("rundeck_job_bulk_unchanged", "opsforge.delivery.rundeck_job", bulk),
        _task("rundeck_acl_loop_first", "opsforge.delivery.rundeck_acl", acl, loop=acl_loop),
        _task("rundeck_acl_loop_unchanged", "opsforge.delivery.rundeck_acl", acl, loop=acl_loop),
        _task("octopus_lookup_all", "ansible.builtin.assert", {"that": [assert_all_machines], "quiet": True}),
        _task("octopus_lookup_one", "ansible.builtin.assert", {"that": [assert_one_machine], "quiet": True}),
        _task("gitea_token_unchanged", "opsforge.delivery.gitea_token", {"name": middle_token, "scopes": ["read:user"]}),
        _task("gitea_lookup_all", "ansible.builtin.assert", {"that": [assert_all_tokens], "quiet": True}),
    ]
    return [{
        "name": "scale",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": services.module_defaults(),
        "vars_files": [jobs_file],
        # The lookups' connection variables.
        "vars": {"octopus_url": services.urls["octopus"], "octopus_api_key": credentials["octopus_api_key"],
                 "gitea_url": services.urls["gitea"], "gitea_username": GITEA_USER,
                 "gitea_password": credentials["gitea_alice_password"]},
        "tasks": tasks,
    }]


def measure(services, runner, sizes, enforce_time_targets=True, progress=print):
    """Seconds and requests of each scale scenario."""
    services.reset()
    progress("scale: seeding %d Octopus targets and %d Gitea tokens" % (sizes["octopus_machines"], sizes["gitea_tokens"]))
    services.seed_octopus_machines(sizes["octopus_machines"])
    services.seed_gitea_tokens(sizes["gitea_tokens"])
    progress("scale: %s" % ", ".join("%s %d" % item for item in sorted(sizes.items())))
    records = runner.run("scale", plays(services, runner, sizes))
    by_task = {record["task"]: record for record in records}
    budgets = scale_request_budgets(sizes)
    results = {}
    for scenario, (task, changes) in SCENARIOS.items():
        record = by_task[task]
        if record["changed"] != changes:
            wanted, got = ("a change" if flag else "no change" for flag in (changes, record["changed"]))
            raise BenchmarkError("%s: expected %s, got %s" % (task, wanted, got))
        size = sizes[SIZE_OF[scenario]]
        result = {"task": task, "size": size, "seconds": record["seconds"]}
        if record["items"]:
            result["seconds_per_item"] = record["seconds"] / record["items"]
        requests = services.requests_during(SERVICE_OF[scenario], record)
        result["requests"] = len(requests)
        if scenario in budgets:
            writes = [entry for entry in requests if entry["method"] not in READ_METHODS]
            if writes:
                raise BenchmarkError("%s wrote: %s" % (task, writes[:3]))
            result["request_budget"] = budgets[scenario]
        if enforce_time_targets and scenario in SCALE_TIME_TARGETS:
            result["seconds_target"] = SCALE_TIME_TARGETS[scenario]
        results[scenario] = result
    return results
