# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The verdict on every budget and target, and docs/performance.md written from the results."""

from __future__ import annotations

from benchmarks.budgets import MODULES

SCALE_LABELS = {
    "rundeck_job_bulk_first": "`rundeck_job`, `jobs` of {size} jobs in one task, first run (creates them)",
    "rundeck_job_bulk_unchanged": "`rundeck_job`, the same {size} jobs, unchanged run",
    "rundeck_acl_loop_first": "`rundeck_acl` in a loop of {size} policies, first run (creates them)",
    "rundeck_acl_loop_unchanged": "`rundeck_acl` in a loop of {size} policies, unchanged run",
    "octopus_lookup_all": "`octopus_machine` lookup of every target, {size} targets",
    "octopus_lookup_one": "`octopus_machine` lookup of one target by name among {size}",
    "gitea_token_unchanged": "`gitea_token` unchanged run, a user with {size} tokens",
    "gitea_lookup_all": "`gitea_token` lookup of every token, a user with {size} tokens",
}


def module_misses(figures, enforce_times):
    """What one module's figures miss (empty when nothing)."""
    found = []
    if figures["requests_per_unchanged_run"] > figures["request_budget"]:
        found.append("%d requests per unchanged run, budget %d" % (figures["requests_per_unchanged_run"], figures["request_budget"]))
    for way, words in (("worker", "in the worker"), ("module", "executed as a module")):
        if enforce_times and figures["%s_ratio" % way] > figures["%s_ratio_target" % way]:
            found.append("%s, %.2f times the uri task, target %.2f" % (words, figures["%s_ratio" % way], figures["%s_ratio_target" % way]))
    return found


def loop_misses(figures, enforce_times):
    """What the loop of ACL policies misses (empty when nothing)."""
    if enforce_times and figures["speedup"] < figures["speedup_target"]:
        return ["%.1f times faster in the worker, target %.1f" % (figures["speedup"], figures["speedup_target"])]
    return []


def scale_misses(figures, enforce_times):
    """What one scale scenario's figures miss (empty when nothing)."""
    found = []
    if "request_budget" in figures and figures["requests"] > figures["request_budget"]:
        found.append("%d requests, budget %d" % (figures["requests"], figures["request_budget"]))
    if enforce_times and "seconds_target" in figures and figures["seconds"] > figures["seconds_target"]:
        found.append("%.1f s, target %.1f s" % (figures["seconds"], figures["seconds_target"]))
    return found


SET_LABELS = {
    "rundeck_acl": "`rundeck_acl`, {size} policies",
    "gitea_token": "`gitea_token`, {size} tokens of one user",
    "octopus_machine": "`octopus_machine`, {size} targets sharing environments and roles",
}


def set_misses(figures, enforce_times):
    """What one set scenario's figures miss (empty when nothing)."""
    found = []
    if "request_budget" in figures and figures["requests"] > figures["request_budget"]:
        found.append("%d requests, budget %d" % (figures["requests"], figures["request_budget"]))
    if enforce_times and "speedup_target" in figures and figures["speedup"] < figures["speedup_target"]:
        found.append("%.1f times as fast as the loop, target %.0f" % (figures["speedup"], figures["speedup_target"]))
    if enforce_times and "seconds_target" in figures and figures["seconds"] > figures["seconds_target"]:
        found.append("%.2f s, target %.1f s" % (figures["seconds"], figures["seconds_target"]))
    return found


def misses(results):
    """Each budget or target the results miss, as a sentence; empty when all are met.

    A quick run's timings are too few to judge: only its request counts are.
    """
    enforce_times = results["mode"] == "full"
    found = []
    for module, figures in sorted(results["ratio"].items()):
        found += ["%s: %s" % (module, miss) for miss in module_misses(figures, enforce_times)]
    for scenario, figures in sorted(results["scale"].items()):
        found += ["%s: %s" % (scenario, miss) for miss in scale_misses(figures, enforce_times)]
    if results.get("loop"):
        found += ["rundeck_acl loop: %s" % miss for miss in loop_misses(results["loop"], enforce_times)]
    for scenario, figures in sorted(results.get("sets", {}).items()):
        found += ["%s: %s" % (scenario, miss) for miss in set_misses(figures, enforce_times)]
    return found


def _verdict(found):
    return "**missed**: " + "; ".join(found) if found else "met"


def _set_lines(figures_by_scenario, enforce_times):
    """The section on sets: a loop of single-item tasks against one task with the whole list."""
    any_delay = next(iter(figures for figures in figures_by_scenario.values() if figures["delay_s"]), {}).get("delay_s", 0)
    lines = [
        "",
        "## Sets: a loop against one task",
        "",
        "An estate that is already as the play says, checked by a loop of one task per item and by one task",
        "with the whole list (`policies`, `tokens`): wall time of the whole loop and of the one task, the",
        "requests each sent, and how many times as fast the one task was. The second rows of each kind hold",
        "every read back by %.0f ms (the sandbox's `delay` fault), as a server far away would. Both execute" % (any_delay * 1000),
        "their module as a module (`opsforge_delivery_execution: module`), so that only the number of tasks differs.",
        "Targets: 100 unchanged policies in one task at least 20 times as fast as the loop, and under 3 s",
        "with every read delayed; 100 unchanged Octopus targets in one task with at most 10 requests.",
        "",
        "| estate | reads delayed (ms) | loop (s) | loop requests | one task (s) | one task's requests | budget | times as fast | verdict |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for kind, label in SET_LABELS.items():
        for suffix in ("", "_delayed"):
            loop = figures_by_scenario.get("%s_loop%s" % (kind, suffix))
            one_task = figures_by_scenario.get("%s_set%s" % (kind, suffix))
            if loop is None or one_task is None:
                continue
            lines.append("| %s | %.0f | %.2f | %d | %.2f | %d | %d | %.1f | %s |" % (
                label.format(size=one_task["size"]), one_task["delay_s"] * 1000, loop["seconds"], loop["requests"],
                one_task["seconds"], one_task["requests"], one_task.get("request_budget", ""), one_task["speedup"],
                _verdict(set_misses(one_task, enforce_times) + set_misses(loop, enforce_times))))
    return lines


def render(results):
    """docs/performance.md: the machine, the comparison with uri, the scale figures, the import times."""
    machine = results["machine"]
    enforce_times = results["mode"] == "full"
    lines = [
        "# Performance",
        "",
        "<!-- Generated by `make benchmark` from build/benchmark/results.json; edit benchmarks/ instead. -->",
        "",
        "This page is generated by `make benchmark`; [benchmarks/README.md](../benchmarks/README.md), in the source",
        "repository, says what it measures and how. Timings depend on the machine and on what else it runs:",
        "compare figures taken on the same machine, and trust the request counts, which do not vary.",
        "",
        "## Machine",
        "",
        "| fact | value |",
        "| --- | --- |",
        "| measured | %s |" % machine["date"],
        "| CPUs | %s |" % machine["cpu_count"],
        "| load average (1 min) before the run | %s |" % machine["load_before"],
        "| Python | %s |" % machine["python"],
        "| ansible-core | %s |" % machine["ansible_core"],
        "| platform | %s |" % machine["platform"],
        "| mode | %s |" % results["mode"],
        "",
        "## Unchanged runs, both ways, against a plain `ansible.builtin.uri` GET",
        "",
        "Each module's unchanged task, run in the worker (the default when a task runs on the controller) and",
        "executed as a module (`opsforge_delivery_execution: module`), against a `uri` task that GETs the same",
        "resource from the same sandbox: median wall time per task over %d rounds of %d turns of the three, taking"
        % (results["settings"]["rounds"], results["settings"]["tasks"]),
        "turns at going first; and the most requests any of those unchanged runs sent (the sandbox logs when",
        "each request arrives, so each request is put down to the task that was running). Targets: at most",
        "%.2f times the `uri` task in the worker, %.2f executed as a module."
        % (results["settings"]["worker_ratio_target"], results["settings"]["ratio_target"]),
        "",
        "Executed as a module, most of a task's wall time is Ansible's module execution, the same as `uri`'s:",
        "the AnsiballZ payload, a new Python process and its imports. In the worker, the task skips all three:",
        "its module's main() runs in the process Ansible forked for the task, whose imports it inherits.",
        "",
        "| module | in the worker (ms) | as a module (ms) | uri task (ms) | worker / uri | module / uri | worker / uri per round "
        "| requests per unchanged run | budget | verdict |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    for module in MODULES:
        figures = results["ratio"].get(module)
        if figures is None:
            continue
        lines.append("| `%s` | %.0f | %.0f | %.0f | %.2f | %.2f | %s | %d | %d | %s |" % (
            module, figures["worker_median_s"] * 1000, figures["module_median_s"] * 1000, figures["uri_median_s"] * 1000,
            figures["worker_ratio"], figures["module_ratio"], " ".join("%.2f" % value for value in figures["worker_ratio_per_round"]),
            figures["requests_per_unchanged_run"], figures["request_budget"], _verdict(module_misses(figures, enforce_times))))
    loop = results.get("loop")
    if loop:
        lines += [
            "",
            "## A loop of unchanged ACL policies, both ways",
            "",
            "`rundeck_acl` in a loop of %d unchanged policies, one GET each: in the worker (the mean of a run before and"
            % loop["size"],
            "one after), and executed as a module, as every task ran before. Target: at least %.0f times faster in the worker."
            % loop["speedup_target"],
            "",
            "| policies | in the worker (s) | executed as a module (s) | per policy, worker / module (ms) | speedup | verdict |",
            "| ---: | ---: | ---: | --- | ---: | --- |",
            "| %d | %.2f | %.2f | %.0f / %.0f | %.1f | %s |" % (
                loop["size"], loop["worker_seconds"], loop["module_seconds"], loop["worker_seconds"] * 1000 / loop["size"],
                loop["module_seconds"] * 1000 / loop["size"], loop["speedup"], _verdict(loop_misses(loop, enforce_times))),
        ]
    lines += [
        "",
        "## Scale",
        "",
        "The sandbox is seeded through its own stores before the run; seeding is not measured.",
        "",
        "| scenario | seconds | per item (ms) | requests | budget | target (s) | verdict |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for scenario, label in SCALE_LABELS.items():
        figures = results["scale"].get(scenario)
        if figures is None:
            continue
        lines.append("| %s | %.2f | %s | %s | %s | %s | %s |" % (
            label.format(size=figures["size"]), figures["seconds"],
            "%.0f" % (figures["seconds_per_item"] * 1000) if "seconds_per_item" in figures else "",
            figures["requests"], figures.get("request_budget", ""),
            "%.0f" % figures["seconds_target"] if "seconds_target" in figures else "", _verdict(scale_misses(figures, enforce_times))))
    if results.get("sets"):
        lines += _set_lines(results["sets"], enforce_times)
    lines += [
        "",
        "## Import time",
        "",
        "*Payload*: a new Python process imports the module from its AnsiballZ zip, as a task does (the",
        "zip's files are compiled every time; installed libraries come from their bytecode cache), median",
        "and best of %d. *Staged tree*: `python -X importtime` of the module from the staged collection,"
        % results["settings"]["import_repeats"],
        "median, with the cumulative time of the third-party libraries it loads.",
        "",
        "| module | payload import, median (ms) | payload import, best (ms) | staged tree (ms) | of which libraries (ms) |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for module, figures in results["imports"].items():
        libraries = ", ".join("%s %.0f" % item for item in sorted(figures["staged"]["libraries_ms"].items())) or "none"
        name = "`ansible.builtin.uri` (reference)" if module == "uri" else "`%s`" % module
        lines.append("| %s | %.0f | %.0f | %.0f | %s |" % (
            name, figures["payload"]["median_s"] * 1000, figures["payload"]["min_s"] * 1000, figures["staged"]["total_ms"], libraries))
    if results.get("worker_imports"):
        lines += [
            "",
            "In the worker, a task imports nothing: the strategy loads the action in Ansible's main process before",
            "it forks the task's worker, and the action imports its module (requests and the service client with it)",
            "there, once. *Once*: that import in a process that has ansible-core loaded. *Per task*: a worker forked from",
            "it runs the module's main() for an unchanged task, median of %d; and the same when the main process has not"
            % results["settings"]["workers"],
            "imported the module first, so that every worker imports it.",
            "",
            "| module | once, in the main process (ms) | per task, imports inherited (ms) | per task, imported by each worker (ms) |",
            "| --- | ---: | ---: | ---: |",
        ]
        for module, figures in results["worker_imports"].items():
            lines.append("| `%s` | %.0f | %.0f | %.0f |" % (
                module, figures["main_process_import_s"] * 1000, figures["worker_task_inherited_median_s"] * 1000,
                figures["worker_task_importing_median_s"] * 1000))
    found = misses(results)
    lines += ["", "## Verdict", ""]
    if found:
        lines += ["Missed:", ""] + ["- %s" % item for item in found]
    else:
        lines.append("Every budget and target is met.")
    if results["mode"] != "full":
        lines += ["", "A quick run: tiny sizes and one task of each kind; only the request budgets count."]
    return "\n".join(lines) + "\n"
