# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How long each module takes to import, as a task's payload pays it and from an installed tree.

A task sends its module as an AnsiballZ payload: a zip of the module and every module_utils file
it needs, imported straight from the zip (so compiled from source every time), plus the
libraries installed on the host (requests, PyYAML, uritemplate), which Python loads from
their cached bytecode. The payloads are kept from one playbook run and their zips imported
alone, alternating between the modules; ``python -X importtime`` of the staged tree shows
what the third-party libraries cost within that.
"""

from __future__ import annotations

import base64
import glob
import os
import re
import statistics
import subprocess
import sys
import time

from benchmarks.budgets import MODULES
from benchmarks.playbook import COLLECTIONS_PATH, BenchmarkError, PlaybookRunner
from tests.support.ansible_environment import python_path

#: The environment of a playbook run that keeps the payloads it sends.
KEEP_PAYLOADS = {"ANSIBLE_KEEP_REMOTE_FILES": "1"}
#: The reference: the module of ansible.builtin.uri.
URI = "uri"
#: Libraries whose share of the import time is reported.
LIBRARIES = ("requests", "yaml", "uritemplate")
#: A kept payload's module name and zip: ansible-core 2.19+ writes them as keyword arguments, one a line;
#: earlier releases as a ZIPDATA constant and the name that runpy runs.
_PAYLOAD_FIELD = re.compile(r"^(module_fqn|zip_data)='([^']*)',?$", re.MULTILINE)
_ZIPDATA_CONSTANT = re.compile(r"^\s*ZIPDATA = '([^']*)'$", re.MULTILINE)
_RUNPY_MODULE = re.compile(r"runpy\.run_module\(mod_name='([^']*)'")
_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


def run_for_payloads(services, workdir, task_args):
    """Run each module's task (and a uri task) once, keeping the payloads in ``workdir``."""
    runner = PlaybookRunner(workdir, env=KEEP_PAYLOADS)
    tasks = [{"name": "payload %s" % module, "opsforge.delivery.%s" % module: args} for module, args in task_args.items()]
    tasks.append({"name": "payload uri", "ansible.builtin.uri": {"url": services.urls["rundeck"] + "/api/49/system/acl/",
                                                                 "headers": services.uri_auth("rundeck")["headers"]}})
    # Executed as modules: a task run in the worker sends no payload.
    runner.run("payloads", [{"name": "payloads", "hosts": "localhost", "gather_facts": False, "vars": {"opsforge_delivery_execution": "module"},
                             "module_defaults": services.module_defaults(), "tasks": tasks}])


def payload_fields(path):
    """{"module_fqn": the module's Python name, "zip_data": the base64 zip} of the kept payload at ``path``."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    fields = dict(_PAYLOAD_FIELD.findall(text))
    if not fields:
        zip_data, module_fqn = _ZIPDATA_CONSTANT.search(text), _RUNPY_MODULE.search(text)
        if zip_data and module_fqn:
            fields = {"zip_data": zip_data.group(1), "module_fqn": module_fqn.group(1)}
    if set(fields) != {"module_fqn", "zip_data"}:
        raise BenchmarkError("cannot find the module's name and zip in the payload %s" % path)
    return fields


def payload_zips(workdir, modules):
    """The zip of each kept payload under ``workdir``: {module: (module's Python name, zip path)}."""
    zips = {}
    for path in sorted(glob.glob(os.path.join(workdir, ".ansible-remote", "*", "AnsiballZ_*.py"))):
        module = os.path.basename(path)[len("AnsiballZ_"):-len(".py")]
        if module in zips:
            continue
        fields = payload_fields(path)
        target = os.path.join(workdir, "payload_%s.zip" % module)
        with open(target, "wb") as handle:
            handle.write(base64.b64decode(fields["zip_data"]))
        zips[module] = (fields["module_fqn"], target)
    missing = sorted((set(modules) | {URI}) - set(zips))
    if missing:
        raise BenchmarkError("no payload was kept for %s" % ", ".join(missing))
    return dict((module, zips[module]) for module in list(modules) + [URI])


def _import_seconds(fqn, path):
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, %r); import %s" % (path, fqn)], check=True)
    return time.perf_counter() - started


def payload_import_times(zips, repeats):
    """Seconds to import each payload's module in a new Python process: {module: {"median", "min"}}."""
    times = {module: [] for module in zips}
    for dummy in range(repeats):
        for module, (fqn, path) in sorted(zips.items()):
            times[module].append(_import_seconds(fqn, path))
    return {module: {"median_s": statistics.median(values), "min_s": min(values)} for module, values in times.items()}


def importtime(fqn):
    """``python -X importtime`` of ``fqn`` from the staged tree: (cumulative µs, {library: cumulative µs})."""
    env = dict(os.environ, PYTHONPATH=python_path(COLLECTIONS_PATH))
    process = subprocess.run([sys.executable, "-X", "importtime", "-c", "import %s" % fqn], capture_output=True, text=True,
                             env=env, cwd=COLLECTIONS_PATH, check=True)
    total, libraries = None, {}
    for line in process.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if not match:
            continue
        name, cumulative = match.group(4), int(match.group(2))
        if name in LIBRARIES and name not in libraries:
            libraries[name] = cumulative
        if name == fqn:
            total = cumulative
    return total, libraries


def staged_import_times(repeats):
    """Median ``-X importtime`` figures of each module from the staged tree, in milliseconds."""
    fqns = dict((module, "ansible_collections.opsforge.delivery.plugins.modules.%s" % module) for module in MODULES)
    fqns[URI] = "ansible.modules.uri"
    samples = {module: [] for module in fqns}
    for dummy in range(repeats):
        for module, fqn in fqns.items():
            samples[module].append(importtime(fqn))
    result = {}
    for module, runs in samples.items():
        libraries = sorted({name for dummy, found in runs for name in found})
        result[module] = {
            "total_ms": statistics.median(total for total, dummy in runs) / 1000.0,
            "libraries_ms": dict((name, statistics.median(found.get(name, 0) for dummy, found in runs) / 1000.0) for name in libraries),
        }
    return result


def measure(services, workdir, task_args, repeats=7, kept=None, progress=print):
    """Import times of each module and of uri; ``kept`` is a folder where a run already kept their payloads."""
    progress("imports: payload imports (%d runs each) and -X importtime of the staged tree" % repeats)
    if kept is None:
        services.reset()
        run_for_payloads(services, workdir, task_args)
        kept = workdir
    payload = payload_import_times(payload_zips(kept, list(task_args)), repeats)
    staged = staged_import_times(repeats)
    return dict((module, {"payload": payload[module], "staged": staged[module]}) for module in list(MODULES) + [URI])
