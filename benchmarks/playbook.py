# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs ansible-playbook with the staged collection and reads the time each task took."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import yaml

from tests.support.ansible_environment import ansible_command

HERE = os.path.dirname(os.path.abspath(__file__))
# <collections path>/ansible_collections/opsforge/delivery/benchmarks
COLLECTION_ROOT = os.path.dirname(HERE)
COLLECTIONS_PATH = os.path.abspath(os.path.join(COLLECTION_ROOT, os.pardir, os.pardir, os.pardir))
ANSIBLE_PLAYBOOK = ansible_command("ansible-playbook")


class BenchmarkError(Exception):
    """A benchmark could not be measured (a playbook failed, a run was not unchanged...)."""


def check_layout():
    """Refuse to run outside a tree laid out as ansible_collections/opsforge/delivery."""
    parts = COLLECTION_ROOT.replace(os.sep, "/").split("/")[-3:]
    if parts != ["ansible_collections", "opsforge", "delivery"]:
        raise BenchmarkError("run the benchmarks from a tree laid out as ansible_collections/opsforge/delivery "
                             "(`make benchmark` stages one); this one is %s" % COLLECTION_ROOT)


class PlaybookRunner:
    """Writes playbooks into ``workdir`` and runs them on localhost; returns each task's record.

    ``workdir`` is emptied first: nothing a previous run left (kept payloads among them) is taken for this run's.
    """

    def __init__(self, workdir, env=None):
        self.workdir = workdir
        self.env = dict(env or {})
        shutil.rmtree(workdir, ignore_errors=True)
        os.makedirs(workdir)

    def write_vars(self, name, data):
        """A vars file (JSON, which YAML reads) for large data; returns its path."""
        path = os.path.join(self.workdir, name + ".json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        return path

    def run(self, name, plays):
        """Run ``plays`` (a list of play mappings); the task_timer records, in order.

        Raises BenchmarkError when the playbook fails; its output is in ``<workdir>/<name>.log``.
        """
        playbook = os.path.join(self.workdir, name + ".yml")
        with open(playbook, "w", encoding="utf-8") as handle:
            handle.write(yaml.safe_dump(plays, sort_keys=False, width=200))
        inventory = os.path.join(self.workdir, "inventory.yml")
        with open(inventory, "w", encoding="utf-8") as handle:
            handle.write(yaml.safe_dump({"all": {"hosts": {"localhost": {
                "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
        timings = os.path.join(self.workdir, name + ".timings.json")
        log = os.path.join(self.workdir, name + ".log")
        if os.path.exists(timings):
            os.remove(timings)
        with open(log, "w", encoding="utf-8") as output:
            process = subprocess.run([ANSIBLE_PLAYBOOK, "-i", inventory, playbook], stdout=output, stderr=subprocess.STDOUT,
                                     env=self.environment(timings), cwd=self.workdir, check=False)
        records = []
        if os.path.exists(timings):
            with open(timings, encoding="utf-8") as handle:
                records = json.load(handle)
        failed = [record for record in records if record["status"] != "ok"]
        if process.returncode != 0 or failed:
            detail = "; ".join("%s: %s" % (record["task"], record.get("msg", record["status"])) for record in failed)
            detail = ": " + detail if detail else ""
            raise BenchmarkError("playbook %s failed (exit %d)%s; see %s" % (name, process.returncode, detail, log))
        return records

    def environment(self, timings):
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("ANSIBLE_", "RUNDECK_", "OPSGENIE_", "OCTOPUS_", "GITEA_"))}
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_PATH,
            "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "task_timer",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCAL_TEMP": os.path.join(self.workdir, ".ansible-local"),
            "ANSIBLE_REMOTE_TEMP": os.path.join(self.workdir, ".ansible-remote"),
            "BENCHMARK_TIMINGS": timings,
        })
        env.update(self.env)
        return env
