# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A loop of unchanged ACL policies, both ways: run in the worker, and executed as a module.

One playbook: a task creates the policies; then the same unchanged loop runs in the worker,
executed as a module (``opsforge_delivery_execution: module``, as every task ran before the worker
way), and in the worker again, so that the worker's figure (the mean of its two runs) is taken on
both sides of the module's. The speedup is the module's time over the worker's.
"""

from __future__ import annotations

from benchmarks.budgets import LOOP_SPEEDUP_TARGET
from benchmarks.playbook import BenchmarkError
from benchmarks.services import READ_METHODS

#: The measured runs, in order: their task names and how each runs.
RUNS = (("acl loop in the worker, before", "auto"), ("acl loop executed as a module", "module"),
        ("acl loop in the worker, after", "auto"))
SETUP = "acl loop setup"


def plays(services, size):
    acl = {"name": "loop-{{ item }}",
           "policy": {"description": "Policy {{ item }}", "context": {"project": "loop-{{ item }}"},
                      "for": {"job": [{"allow": ["read", "run"]}]}, "by": {"group": ["loop-{{ item }}"]}}}
    loop = "{{ range(1, %d) | list }}" % (size + 1)
    tasks = [{"name": SETUP, "opsforge.delivery.rundeck_acl": acl, "loop": loop}]
    tasks += [{"name": name, "opsforge.delivery.rundeck_acl": acl, "loop": loop, "vars": {"opsforge_delivery_execution": execution}}
              for name, execution in RUNS]
    return [{"name": "acl loop", "hosts": "localhost", "gather_facts": False, "module_defaults": services.module_defaults(),
             "tasks": tasks}]


def measure(services, runner, size, progress=print):
    """Seconds of each unchanged loop, requests each sent, and the speedup of the worker."""
    services.reset()
    progress("acl loop: %d policies, unchanged, in the worker and executed as a module" % size)
    records = dict((record["task"], record) for record in runner.run("acl-loop", plays(services, size)))
    if not records[SETUP]["changed"]:
        raise BenchmarkError("%s: the policies were not created" % SETUP)
    seconds = {}
    for name, execution in RUNS:
        record = records[name]
        requests = services.requests_during("rundeck", record)
        if record["changed"] or record["items"] != size or any(entry["method"] not in READ_METHODS for entry in requests):
            raise BenchmarkError("%s: not an unchanged loop of %d policies" % (name, size))
        if len(requests) != size:
            raise BenchmarkError("%s: %d requests, one per policy expected" % (name, len(requests)))
        seconds[name] = record["seconds"]
    worker = (seconds[RUNS[0][0]] + seconds[RUNS[2][0]]) / 2
    module = seconds[RUNS[1][0]]
    return {
        "size": size,
        "worker_seconds": worker,
        "worker_runs_seconds": [seconds[RUNS[0][0]], seconds[RUNS[2][0]]],
        "module_seconds": module,
        "requests_per_run": size,
        "speedup": module / worker,
        "speedup_target": LOOP_SPEEDUP_TARGET,
    }
