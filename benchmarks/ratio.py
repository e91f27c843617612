# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each module's unchanged task, both ways, against a plain ansible.builtin.uri GET of the same resource.

Per module: a play creates the resource; then each round is a play of N turns, each an unchanged
task run in the worker, the same task executed as a module (``opsforge_delivery_execution:
module``) and a uri GET task, the three taking turns at going first (so that all meet the same
load, and none always runs on a warmer machine), after one warm-up turn that is not counted; the
medians of the per-task wall times give the ratios. The sandbox's request log, with the time each
request arrived, tells which task sent which request: the requests per unchanged run.
"""

from __future__ import annotations

import statistics

from benchmarks.budgets import MODULES, RATIO_TARGET, REQUEST_BUDGETS, WORKER_RATIO_TARGET
from benchmarks.playbook import BenchmarkError
from benchmarks.services import JIRA_CLOUD_ID, READ_METHODS, token_request

SERVICE = {
    "rundeck_acl": "rundeck",
    "rundeck_job": "rundeck",
    "rundeck_project": "rundeck",
    "rundeck_key": "rundeck",
    "opsgenie_deployment": "opsgenie",
    "jira_deployment": "jira",
    "octopus_machine": "octopus",
    "gitea_token": "gitea",
}

JOB = {
    "name": "deploy",
    "group": "benchmark",
    "description": "Deploys the web tier",
    "loglevel": "INFO",
    "options": [{"name": "version", "required": True, "description": "Release to deploy"}],
    "sequence": {"keepgoing": False, "strategy": "node-first",
                 "commands": [{"exec": "/srv/bin/deploy ${option.version}"}, {"script": "echo deployed\n"}]},
}


def module_task(module):
    """The arguments of the module's unchanged task (the setup task has the same ones)."""
    return {
        "rundeck_acl": {
            "name": "benchmark-readers",
            "policy": {"description": "Readers may read every job", "context": {"project": ".*"},
                       "for": {"job": [{"allow": ["read"]}]}, "by": {"group": ["readers"]}},
        },
        "rundeck_job": {"project": "sandbox", "definition": JOB},
        "rundeck_project": {
            "name": "benchmark",
            "description": "Benchmark project",
            "config": {"project.execution.history.cleanup.enabled": "true"},
        },
        "rundeck_key": {"path": "keys/benchmark/db", "type": "password", "value": "benchmark-Pa55word"},
        "jira_deployment": {
            "pipeline_id": "benchmark-deploy", "environment_id": "prod-eu", "sequence_number": 42,
            "deployment_state": "successful", "display_name": "Release 1.4.0", "deployment_url": "https://ci.example.com/runs/42",
            "environment_type": "production", "issue_keys": ["WEB-1"],
        },
        "opsgenie_deployment": {
            "external_id": "benchmark-1",
            "state": "started",
            "environment": {"type": "Staging", "id": "eu-west-1-staging", "display_name": "Staging (Ireland)"},
            "releases": [{"workspace": "sandbox", "repo_slug": "app", "commit": "61445f308944af8f665326c29c02f16a4c3b0019"}],
            "started_at": "2026-11-23T09:00:00.000Z",
            "deployment_message": "Release 1.4.0",
        },
        "octopus_machine": {
            "name": "benchmark-web01",
            "environments": ["Production"],
            "roles": ["web-server"],
            "endpoint": {"communication_style": "listening", "uri": "https://web01.example.com:10933/",
                         "thumbprint": "8A3D1B2C4E5F60718293A4B5C6D7E8F901234567"},
        },
        "gitea_token": {"name": "benchmark", "scopes": ["read:user"]},
    }[module]


def setup_register(module):
    return "benchmark_setup_%s" % module


def uri_path(module):
    """The path of the plain GET of the module's resource (templated with the setup's result)."""
    register = setup_register(module)
    return {
        "rundeck_acl": "/api/49/system/acl/benchmark-readers.aclpolicy",
        "rundeck_job": "/api/49/job/{{ %s.job.id }}?format=json" % register,
        "rundeck_project": "/api/49/project/benchmark",
        "rundeck_key": "/api/49/storage/keys/benchmark/db",
        "opsgenie_deployment": "/v2/deployments/benchmark-1?type=api",
        "jira_deployment": "/jira/deployments/0.1/cloud/%s/pipelines/benchmark-deploy/environments/prod-eu/deployments/42"
                           % JIRA_CLOUD_ID,
        "octopus_machine": "/api/Spaces-1/machines/{{ %s.machine.Id }}" % register,
        "gitea_token": "/api/v1/users/alice/tokens",
    }[module]


def _module_name(module):
    return "opsforge.delivery.%s" % module


#: How each kind of task runs: the module's task in the worker and executed as a module, and the uri task.
KINDS = ("worker", "module", "uri")
EXECUTION = {"worker": "auto", "module": "module"}


def _turn(module, uri, number, first, prefix=""):
    """The three kinds of task, ``first`` (0 to 2) going first; each named ``<kind> <module> <number>``."""
    tasks = []
    for kind in KINDS:
        task = {"name": "%s%s %s %d" % (prefix, kind, module, number)}
        if kind == "uri":
            task["ansible.builtin.uri"] = uri
        else:
            task.update({_module_name(module): module_task(module), "vars": {"opsforge_delivery_execution": EXECUTION[kind]}})
        tasks.append(task)
    return tasks[first:] + tasks[:first]


def plays(services, modules, tasks, rounds, warm_up=True):
    """The plays of one playbook that measures ``modules``."""
    defaults = services.module_defaults()
    result = [{
        "name": "setup",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": defaults,
        "tasks": [{"name": "setup %s" % module, _module_name(module): module_task(module), "register": setup_register(module)}
                  for module in modules] + services.uri_setup_tasks(set(SERVICE[module] for module in modules)),
    }]
    for module in modules:
        service = SERVICE[module]
        uri = dict(services.uri_auth(service), url=services.urls[service] + uri_path(module), status_code=200)

        for number in range(rounds):
            # The kinds take turns, so that all meet the same load; who goes first changes every turn.
            round_tasks = _turn(module, uri, 0, number % 3, "warm-up ") if warm_up else []
            for task in range(tasks):
                round_tasks += _turn(module, uri, task, (number + task) % 3)
            result.append({"name": "round %d %s" % (number, module), "hosts": "localhost", "gather_facts": False,
                           "module_defaults": defaults, "tasks": round_tasks})
    return result


def measure(services, runner, modules=MODULES, tasks=30, rounds=5, one_playbook=False, warm_up=True, progress=print):
    """Results per module: median task times, their ratio, and requests per unchanged run."""
    results = {}
    groups = [list(modules)] if one_playbook else [[module] for module in modules]
    for group in groups:
        progress("ratio: %s (%d rounds of %d turns of a task in the worker, as a module and a uri task)"
                 % (", ".join(group), rounds, tasks))
        services.reset()
        name = "ratio-%s" % group[0] if len(group) == 1 else "ratio"
        records = runner.run(name, plays(services, group, tasks, rounds, warm_up))
        for module in group:
            results[module] = summarize(services, module, records)
    return results


def summarize(services, module, records):
    """One module's figures from the task records of its plays and the sandbox's request log."""
    service = SERVICE[module]
    rounds = {}
    runs = []
    for record in records:
        if not record["play"].startswith("round ") or not record["play"].endswith(" " + module):
            continue
        counted = not record["task"].startswith("warm-up ")
        kind = record["task"].replace("warm-up ", "", 1).split(" ", 1)[0]
        requests = services.requests_during(service, record)
        if kind == "uri" and len(requests) != 1:
            raise BenchmarkError("%s: the sandbox logged %d requests during a uri task; cannot tell which task sent what"
                                 % (module, len(requests)))
        if kind != "uri":
            if record["changed"]:
                raise BenchmarkError("%s: a run of the same task reported a change; the benchmark measures unchanged runs" % module)
            writes = [entry for entry in requests if entry["method"] not in READ_METHODS and not token_request(entry)]
            if writes:
                raise BenchmarkError("%s: an unchanged run wrote: %s" % (module, writes))
            runs.append(requests)
        if counted:
            rounds.setdefault(record["play"], dict((name, []) for name in KINDS))[kind].append(record["seconds"])
    setup = [record for record in records if record["task"] == "setup %s" % module]
    if not setup or not setup[0]["changed"]:
        raise BenchmarkError("%s: the setup task did not create the resource" % module)
    medians = dict((kind, statistics.median([seconds for kinds in rounds.values() for seconds in kinds[kind]])) for kind in KINDS)

    def per_round(kind):
        return [statistics.median(kinds[kind]) / statistics.median(kinds["uri"]) for dummy, kinds in sorted(rounds.items())]

    counts = [len(requests) for requests in runs]
    return {
        "service": service,
        "worker_median_s": medians["worker"],
        "module_median_s": medians["module"],
        "uri_median_s": medians["uri"],
        "worker_ratio": medians["worker"] / medians["uri"],
        "worker_ratio_per_round": per_round("worker"),
        "worker_ratio_target": WORKER_RATIO_TARGET,
        "module_ratio": medians["module"] / medians["uri"],
        "module_ratio_per_round": per_round("module"),
        "module_ratio_target": RATIO_TARGET,
        "tasks_measured": dict((kind, sum(len(kinds[kind]) for kinds in rounds.values())) for kind in KINDS),
        # The most any unchanged run (either way) sent; every run of the same task should send the same.
        "requests_per_unchanged_run": max(counts),
        "requests_fewest": min(counts),
        "unchanged_runs_counted": len(counts),
        "request_budget": REQUEST_BUDGETS[module],
        "requests_seen": sorted({"%s %s" % (entry["method"], entry["path"]) for requests in runs for entry in requests}),
    }
