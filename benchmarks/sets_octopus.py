# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many Octopus targets: a loop of single-target tasks against one task with ``machines``.

The targets are created first, by one set task that is not measured; then one playbook runs the
loop of single-target tasks and the set task over the same targets, both unchanged, and a second
playbook runs them again while the sandbox delays every read by ``READ_DELAY`` seconds (its ``delay``
fault), as a server farther away or under load would. The loop's time is that of its one run (of
many tasks); the set task runs several times, and its time is their median, since one short task
is at the mercy of whatever else the machine does. Each scenario gives one row (see ``row``).
"""

from __future__ import annotations

import statistics

from benchmarks.budgets import SET_REQUEST_BUDGETS
from benchmarks.playbook import BenchmarkError
from benchmarks.services import READ_METHODS

SERVICE = "octopus"
#: The delay the sandbox adds to every read of the second run, in seconds.
READ_DELAY = 0.05
#: Scenario -> (task name, label of the report, with the size).
SCENARIOS = {
    "octopus_machine_loop": ("octopus_machine loop of single targets", "`octopus_machine` in a loop of {size} single-target tasks"),
    "octopus_machine_set": ("octopus_machine set of targets", "`octopus_machine` with `machines` of {size} targets, one task"),
}


def fleet(count):
    """``count`` listening targets that share their environments and roles, each with its own endpoint."""
    return [{"name": "fleet-%03d" % number,
             "endpoint": {"communication_style": "listening", "uri": "https://fleet-%03d.example.com:10933/" % number,
                          "thumbprint": "%040X" % number}} for number in range(1, count + 1)]


#: What every target of the fleet shares, given once in the set task and in each task of the loop.
SHARED = {"environments": ["Production"], "roles": ["web-server"]}


def set_task(name):
    return {"name": name, "opsforge.delivery.octopus_machine": dict(SHARED, machines="{{ benchmark_fleet }}")}


def loop_task(name):
    single = dict(SHARED, name="{{ item.name }}", endpoint="{{ item.endpoint }}")
    return {"name": name, "opsforge.delivery.octopus_machine": single, "loop": "{{ benchmark_fleet }}",
            "loop_control": {"label": "{{ item.name }}"}}


def play(services, fleet_file, name, tasks):
    return {"name": name, "hosts": "localhost", "gather_facts": False, "module_defaults": services.module_defaults(),
            "vars_files": [fleet_file], "vars": {"opsforge_delivery_execution": "module"}, "tasks": tasks}


def row(scenario, size, read_delay, seconds, requests):
    """One scenario's figures: wall time, requests of one run (all reads) and the budget, when it has one."""
    result = {"scenario": scenario, "service": SERVICE, "label": SCENARIOS[scenario][1].format(size=size), "size": size,
              "read_delay_ms": int(round(read_delay * 1000)), "seconds": seconds, "seconds_per_item": seconds / size,
              "requests": len(requests)}
    if scenario in SET_REQUEST_BUDGETS:
        result["request_budget"] = SET_REQUEST_BUDGETS[scenario]
    return result


def measure(services, runner, size, runs=1, progress=print):
    """The rows of the loop and the set (the median of ``runs`` runs), unchanged, without and with a delay on every read."""
    services.reset()
    fleet_file = runner.write_vars("sets-octopus-fleet", {"benchmark_fleet": fleet(size)})
    progress("sets: creating %d Octopus targets with one task" % size)
    created = runner.run("sets-octopus-create", [play(services, fleet_file, "create", [set_task("create the fleet")])])
    if not created[0]["changed"]:
        raise BenchmarkError("sets: the task that creates the fleet reported no change")
    control = services.sandbox.controls[SERVICE]
    rows = []
    for read_delay in (0, READ_DELAY):
        progress("sets: %d Octopus targets unchanged, a loop and a set, %d ms on every read" % (size, read_delay * 1000))
        loop_name, set_name = SCENARIOS["octopus_machine_loop"][0], SCENARIOS["octopus_machine_set"][0]
        tasks = [loop_task(loop_name)] + [set_task("%s, run %d" % (set_name, run)) for run in range(1, runs + 1)]
        if read_delay:
            control.add_faults({"method": "GET", "path": ".", "delay": read_delay, "times": 10 ** 9})
        try:
            records = runner.run("sets-octopus-%dms" % (read_delay * 1000), [play(services, fleet_file, "unchanged", tasks)])
        finally:
            control.clear_faults()
        for scenario, (task, _label) in SCENARIOS.items():
            runs_of_task = [record for record in records if record["task"] == task or record["task"].startswith(task + ", run ")]
            requests = [unchanged_requests(services, record) for record in runs_of_task]
            seconds = statistics.median(record["seconds"] for record in runs_of_task)
            rows.append(row(scenario, size, read_delay, seconds, max(requests, key=len)))
    return rows


def unchanged_requests(services, record):
    """The requests of a task's run, which must have changed nothing and written nothing."""
    if record["changed"]:
        raise BenchmarkError("sets: %s reported a change; the benchmark measures unchanged runs" % record["task"])
    requests = services.requests_during(SERVICE, record)
    writes = [entry for entry in requests if entry["method"] not in READ_METHODS]
    if writes:
        raise BenchmarkError("sets: %s wrote: %s" % (record["task"], writes[:3]))
    return requests
