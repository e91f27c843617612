# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""python -m benchmarks [--quick] [--output DIR] [--report FILE]: run every benchmark against an in-process sandbox.

Exits 0 when every budget and target is met, 1 when one is missed, 2 when a benchmark could not run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time

from benchmarks import acl_loop, imports, ratio, report, scale, sets, sets_octopus, worker_imports
from benchmarks.budgets import (LOOP_SIZES, MODULES, RATIO_TARGET, SCALE_SIZES, SET_RUNS, SET_SIZES,
                                WORKER_RATIO_TARGET)
from benchmarks.playbook import BenchmarkError, PlaybookRunner, check_layout
from benchmarks.services import Services

#: Rounds, turns per round, warm-up turns, import repeats and forked workers: the full run and the quick one.
SETTINGS = {
    "full": {"rounds": 5, "tasks": 30, "warm_up": True, "import_repeats": 7, "workers": 7},
    "quick": {"rounds": 1, "tasks": 1, "warm_up": False, "import_repeats": 1, "workers": 1},
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and one task per measure, to check that the benchmarks still work; only request budgets count")
    parser.add_argument("--output", default=os.path.join("build", "benchmark"),
                        help="folder for results.json and the playbooks' work files (default: %(default)s)")
    parser.add_argument("--report", help="write the Markdown report (docs/performance.md) here")
    parser.add_argument("--only", choices=["ratio", "scale", "loop", "sets", "imports"], action="append",
                        help="run only these parts (may be repeated)")
    return parser.parse_args(argv)


def machine_facts():
    from ansible.release import __version__ as ansible_version
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_count": os.cpu_count(),
        "load_before": "%.2f" % os.getloadavg()[0],
        "python": platform.python_version(),
        "ansible_core": ansible_version,
        "platform": platform.platform(),
    }


def run(args):
    mode = "quick" if args.quick else "full"
    settings = dict(SETTINGS[mode], ratio_target=RATIO_TARGET, worker_ratio_target=WORKER_RATIO_TARGET)
    parts = args.only or ["ratio", "scale", "loop", "sets", "imports"]
    output = os.path.abspath(args.output)
    results = {"mode": mode, "machine": machine_facts(), "settings": settings, "ratio": {}, "scale": {}, "loop": {}, "sets": {},
               "imports": {}, "worker_imports": {}}

    started = time.monotonic()

    def progress(message):
        print("benchmark: [%4.0f s] %s" % (time.monotonic() - started, message), flush=True)

    with Services() as services:
        # A quick run keeps the payloads of its few ratio tasks for the import times, sparing a playbook run.
        kept = args.quick and "ratio" in parts
        runner = PlaybookRunner(os.path.join(output, "work"), env=imports.KEEP_PAYLOADS if kept else None)
        if "ratio" in parts:
            results["ratio"] = ratio.measure(services, runner, MODULES, settings["tasks"], settings["rounds"],
                                             one_playbook=args.quick, warm_up=settings["warm_up"], progress=progress)
        if "scale" in parts:
            results["scale"] = scale.measure(services, runner, SCALE_SIZES[mode], enforce_time_targets=not args.quick,
                                             progress=progress)
        if "loop" in parts:
            results["loop"] = acl_loop.measure(services, runner, LOOP_SIZES[mode], progress=progress)
        if "sets" in parts:
            results["sets"] = sets.measure(services, runner, SET_SIZES[mode], enforce_time_targets=not args.quick,
                                           progress=progress)
            rows = sets_octopus.measure(services, runner, SET_SIZES[mode]["octopus_machines"], SET_RUNS[mode],
                                        progress=progress)
            results["sets"].update(sets.from_rows(rows, enforce_time_targets=not args.quick))
        if "imports" in parts:
            task_args = dict((module, ratio.module_task(module)) for module in MODULES)
            results["imports"] = imports.measure(services, os.path.join(output, "payloads"), task_args, settings["import_repeats"],
                                                 kept=runner.workdir if kept else None, progress=progress)
            results["worker_imports"] = worker_imports.measure(services, MODULES, settings["workers"], progress=progress)
    os.makedirs(output, exist_ok=True)
    with open(os.path.join(output, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1, sort_keys=True)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as handle:
            handle.write(report.render(results))
    return results


def main(argv=None):
    args = parse_args(argv)
    try:
        check_layout()
        results = run(args)
    except BenchmarkError as exc:
        print("benchmark: cannot measure: %s" % exc, file=sys.stderr)
        return 2
    found = report.misses(results)
    for miss in found:
        print("benchmark: missed: %s" % miss, file=sys.stderr)
    print("benchmark: %s; results in %s" % ("%d missed" % len(found) if found else "every budget and target met",
                                            os.path.join(os.path.abspath(args.output), "results.json")))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
