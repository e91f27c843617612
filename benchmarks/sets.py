# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A loop of single-item tasks against one set task, unchanged, on a near server and on one 50 ms away.

For each resource kind (ACL policies, Gitea tokens): a loop of one task per item and one task with
the whole list, both unchanged; then the same again with every read of that service held back by the
sandbox's ``delay`` fault. The items are made by a set task first, which is not measured. Both
ways execute their module as a module (``opsforge_delivery_execution: module``): the comparison is
the one of many tasks against one, apart from where a task runs (``acl_loop.py`` compares that).
"""

from __future__ import annotations

from benchmarks.budgets import GITEA_PAGE, SET_DELAY, SET_TARGETS, pages
from benchmarks.playbook import BenchmarkError
from benchmarks.services import READ_METHODS

#: Resource kind -> (service, module, what its size counts).
KINDS = {
    "rundeck_acl": ("rundeck", "opsforge.delivery.rundeck_acl", "acl_policies"),
    "gitea_token": ("gitea", "opsforge.delivery.gitea_token", "gitea_tokens"),
}
#: Ways of running an unchanged estate.
WAYS = ("loop", "set")


def items(kind, size):
    """The ``size`` items of a kind, as a set task lists them."""
    if kind == "rundeck_acl":
        return [{"name": "set-%03d" % number,
                 "policy": {"description": "Policy %d" % number, "context": {"project": "team-%d" % number},
                            "for": {"job": [{"allow": ["read", "run"]}]}, "by": {"group": ["team-%d" % number]}}}
                for number in range(1, size + 1)]
    return [{"name": "set-%03d" % number} for number in range(1, size + 1)]


def _task_name(kind, way, delayed):
    return "%s %s unchanged%s" % (kind, way, " (reads delayed)" if delayed else "")


def _tasks(kind, size, delayed):
    module = KINDS[kind][1]
    listed = "{{ %s_items }}" % kind
    common = {"scopes": ["read:user"]} if kind == "gitea_token" else {}
    set_key = "policies" if kind == "rundeck_acl" else "tokens"
    return [
        {"name": _task_name(kind, "loop", delayed), module: dict(common, **{"name": "{{ item.name }}"},
                                                                 **({"policy": "{{ item.policy }}"} if kind == "rundeck_acl" else {})),
         "loop": listed, "loop_control": {"label": "{{ item.name }}"}},
        {"name": _task_name(kind, "set", delayed), module: dict(common, **{set_key: listed})},
    ]


def plays(services, sizes, delayed):
    """One play: for each kind, the unchanged loop and the unchanged set task (the items exist already)."""
    variables = dict(("%s_items" % kind, items(kind, sizes[KINDS[kind][2]])) for kind in KINDS)
    tasks = []
    for kind in KINDS:
        tasks += _tasks(kind, sizes[KINDS[kind][2]], delayed)
    variables["opsforge_delivery_execution"] = "module"
    return [{"name": "sets", "hosts": "localhost", "gather_facts": False, "module_defaults": services.module_defaults(),
             "vars": variables, "tasks": tasks}]


def seed_plays(services, sizes):
    """The items, made by one set task per kind (not measured)."""
    variables = dict(("%s_items" % kind, items(kind, sizes[KINDS[kind][2]])) for kind in KINDS)
    tasks = [
        {"name": "seed the policies", "opsforge.delivery.rundeck_acl": {"policies": "{{ rundeck_acl_items }}"}},
        {"name": "seed the tokens", "no_log": True,
         "opsforge.delivery.gitea_token": {"tokens": "{{ gitea_token_items }}", "scopes": ["read:user"]}},
    ]
    return [{"name": "sets seed", "hosts": "localhost", "gather_facts": False, "module_defaults": services.module_defaults(),
             "vars": variables, "tasks": tasks}]


def request_budget(kind, way, size):
    """Requests an unchanged run may send: a loop reads each item on its own, a set lists once."""
    if kind == "rundeck_acl":
        # One GET per policy; a set adds the scope's listing.
        return size + (1 if way == "set" else 0)
    # The user's tokens, one page of 50 at a time, for each task (each item of a loop).
    return pages(size, GITEA_PAGE) * (size if way == "loop" else 1)


def from_rows(rows, enforce_time_targets=True):
    """The rows of a benchmark of its own (``sets_octopus``: scenario, size, read_delay_ms, seconds, requests,
    request_budget) in this module's form, with the set's speed against the loop."""
    results = {}
    for row in rows:
        figures = {"task": row["label"], "size": row["size"], "seconds": row["seconds"], "requests": row["requests"],
                   "delay_s": row["read_delay_ms"] / 1000.0}
        if "request_budget" in row:
            figures["request_budget"] = row["request_budget"]
        results["%s%s" % (row["scenario"], "_delayed" if row["read_delay_ms"] else "")] = figures
    _compare(results, sorted(set(row["scenario"].rsplit("_", 1)[0] for row in rows)), enforce_time_targets)
    return results


def _compare(results, kinds, enforce_time_targets):
    """Each set's speed against its loop, and its targets (full size only)."""
    for kind in kinds:
        for suffix in ("", "_delayed"):
            loop, one_task = results["%s_loop%s" % (kind, suffix)], results["%s_set%s" % (kind, suffix)]
            one_task["speedup"] = loop["seconds"] / one_task["seconds"] if one_task["seconds"] else 0.0
            if enforce_time_targets:
                targets = SET_TARGETS.get("%s_set%s" % (kind, suffix), {})
                one_task.update(("%s_target" % name, value) for name, value in targets.items())


def measure(services, runner, sizes, enforce_time_targets=True, progress=print):
    """Seconds and requests of the loop and the set of each kind, without and with a delay on every read."""
    services.reset()
    progress("sets: seeding %s" % ", ".join("%s %d" % (kind, sizes[KINDS[kind][2]]) for kind in KINDS))
    runner.run("sets-seed", seed_plays(services, sizes))
    results = {}
    for delayed in (False, True):
        if delayed:
            for service in set(service for service, dummy, dummy2 in KINDS.values()):
                services.add_fault(service, {"method": "GET", "path": "/api/", "delay": SET_DELAY, "times": 1000000})
        progress("sets: unchanged loops and sets%s" % (" with %.0f ms per read" % (SET_DELAY * 1000) if delayed else ""))
        records = runner.run("sets-delayed" if delayed else "sets", plays(services, sizes, delayed))
        by_task = dict((record["task"], record) for record in records)
        for kind, (service, dummy, size_key) in KINDS.items():
            for way in WAYS:
                record = by_task[_task_name(kind, way, delayed)]
                if record["changed"]:
                    raise BenchmarkError("%s changed something" % record["task"])
                sent = services.requests_during(service, record)
                writes = [entry for entry in sent if entry["method"] not in READ_METHODS]
                if writes:
                    raise BenchmarkError("%s wrote: %s" % (record["task"], writes[:3]))
                results["%s_%s%s" % (kind, way, "_delayed" if delayed else "")] = {
                    "task": record["task"], "size": sizes[size_key], "seconds": record["seconds"], "requests": len(sent),
                    "request_budget": request_budget(kind, way, sizes[size_key]), "delay_s": SET_DELAY if delayed else 0}
    services.clear_faults()
    _compare(results, KINDS, enforce_time_targets)
    return results
