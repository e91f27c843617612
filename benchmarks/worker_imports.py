# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the worker way's imports cost: once in the main process, or in every forked worker.

ansible-playbook forks a worker for each task, and its strategy loads a task's action plugin in
the main process first: the action imports its module, and with it requests and the service
client, there, once, and every worker inherits them. A new Python process does the same here:
it loads ansible-core's action base (as ansible-playbook's main process has), imports every
module's action plugin, one after the other (timed: the cost paid once; the modules share
requests and the module_utils, so the first pays most), then forks workers one after the other,
each running a module's main() in-process for an unchanged task, as a task's worker does. The
same without the imports in the main process gives what each task would pay if its worker
imported them. The first worker of each module creates the resource and is not counted.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

from benchmarks.playbook import COLLECTIONS_PATH, BenchmarkError
from benchmarks.ratio import SERVICE, module_task
from tests.support.ansible_environment import python_path

ACTIONS = "ansible_collections.opsforge.delivery.plugins.action."
FORKING_PROCESS = r'''
import importlib, json, os, sys, time
import ansible.plugins.action.normal  # noqa: F401 (ansible-playbook's main process has it)
imported_first, runs, tasks = sys.argv[1] == "yes", int(sys.argv[2]), json.loads(sys.argv[3])
once = {}
if imported_first:
    for action_name in tasks:
        started = time.perf_counter()
        importlib.import_module(action_name)
        once[action_name] = time.perf_counter() - started
workers = dict((action_name, []) for action_name in tasks)
for action_name, args in tasks.items():
    for dummy in range(runs):
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            started = time.perf_counter()
            action = importlib.import_module(action_name)
            from ansible_collections.opsforge.delivery.plugins.plugin_utils._module_in_process import run_in_process
            output = run_in_process(action.ActionModule.module.main, args, {})
            os.write(writer, json.dumps({"seconds": time.perf_counter() - started, "rc": output.rc,
                                         "result": output.stdout[-2000:]}).encode())
            os._exit(0)
        os.close(writer)
        with os.fdopen(reader) as handle:
            workers[action_name].append(json.loads(handle.read()))
        os.waitpid(pid, 0)
print(json.dumps({"once": once, "workers": workers}))
'''


def forked_workers(tasks, imported_first, runs):
    """The import time of each action in the main process (none when it imports nothing) and each worker's seconds."""
    done = subprocess.run([sys.executable, "-c", FORKING_PROCESS, "yes" if imported_first else "no", str(runs), json.dumps(tasks)],
                          env=dict(os.environ, PYTHONPATH=python_path(COLLECTIONS_PATH)), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchmarkError("the forking process failed: %s" % done.stderr[-2000:])
    measured = json.loads(done.stdout)
    seconds = {}
    for action_name, workers in measured["workers"].items():
        for worker in workers:
            result = json.loads(worker["result"]) if worker["result"].startswith("{") else {}
            if worker["rc"] != 0:
                raise BenchmarkError("a worker's run of %s failed: %s" % (action_name, worker["result"]))
            if worker is not workers[0] and result.get("changed"):
                raise BenchmarkError("%s: a run after the first changed something; the runs must be unchanged" % action_name)
        seconds[action_name] = [worker["seconds"] for worker in workers[1:]]
    return measured["once"], seconds


def measure(services, modules, runs, progress=print):
    """Per module: its import in the main process, and a worker's task with and without the imports there."""
    connections = services.module_defaults()
    tasks = dict((ACTIONS + module, dict(connections["group/opsforge.delivery.%s" % SERVICE[module]], **module_task(module)))
                 for module in modules)
    progress("worker imports: %d workers per module forked after the imports in the main process, and %d without" % (runs, runs))
    services.reset()
    once, inherited = forked_workers(tasks, True, runs + 1)
    services.reset()
    dummy, importing = forked_workers(tasks, False, runs + 1)
    return dict((module, {
        "main_process_import_s": once[ACTIONS + module],
        "worker_task_inherited_median_s": statistics.median(inherited[ACTIONS + module]),
        "worker_task_importing_median_s": statistics.median(importing[ACTIONS + module]),
    }) for module in modules)
