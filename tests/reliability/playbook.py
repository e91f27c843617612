# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs real ansible-playbook processes with the collection, and reads what each task returned."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from tests.support.ansible_environment import ansible_command

HERE = os.path.dirname(os.path.abspath(__file__))
# <collections path>/ansible_collections/opsforge/delivery/tests/reliability
COLLECTIONS_PATH = os.path.abspath(os.path.join(HERE, *[os.pardir] * 5))
ANSIBLE_PLAYBOOK = ansible_command("ansible-playbook")


class PlaybookRun:
    """What one ansible-playbook run left behind."""

    def __init__(self, returncode, stdout, stderr, records, log_text, playbook):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.records = records
        self.log_text = log_text
        self.playbook = playbook

    def results(self, task):
        """Every host's result of the task named ``task``."""
        found = [record for record in self.records if record["task"] == task]
        if not found:
            raise AssertionError("no task named %r ran; tasks run: %s\n%s" % (task, self.task_names(), self.output()))
        return found

    def result(self, task):
        """The one result of ``task`` (on a single host)."""
        found = self.results(task)
        assert len(found) == 1, "task %r ran on %d hosts" % (task, len(found))
        return found[0]

    def summary(self):
        """One line per task result: host, task, status and message."""
        return "\n".join("%s | %s | %s | %.1f s | %s" % (record["host"], record["task"], record["status"], record["seconds"],
                                                         record["result"].get("msg", ""))
                         for record in self.records)

    def task_names(self):
        return sorted({record["task"] for record in self.records})

    def output(self):
        """Everything a person would read to debug the run."""
        return "--- playbook\n%s\n--- stdout\n%s\n--- stderr\n%s" % (self.playbook, self.stdout, self.stderr)


class PlaybookRunner:
    """Writes a playbook into ``workdir`` and runs it against local hosts."""

    def __init__(self, workdir, module_defaults=None):
        self.workdir = str(workdir)
        self.module_defaults = module_defaults or {}
        self.count = 0

    def run(self, tasks, hosts=1, forks=5, verbosity=0, check=False, diff=False, extra_vars=None, env=None,
            module_defaults=None, host_vars=None, timeout=600):
        """Run ``tasks`` (a list of task mappings) on ``hosts`` local hosts; return a PlaybookRun.

        ``host_vars`` maps a host name (``host01``...) to its variables.
        """
        self.count += 1
        name = "run%02d" % self.count
        play = {
            "name": "Reliability scenario",
            "hosts": "targets",
            "gather_facts": False,
            "module_defaults": self.module_defaults if module_defaults is None else module_defaults,
            "tasks": tasks,
        }
        playbook_text = yaml.safe_dump([play], sort_keys=False)
        playbook_path = os.path.join(self.workdir, name + ".yml")
        with open(playbook_path, "w", encoding="utf-8") as handle:
            handle.write(playbook_text)
        inventory_path = os.path.join(self.workdir, name + ".inventory.yml")
        with open(inventory_path, "w", encoding="utf-8") as handle:
            handle.write(yaml.safe_dump(self.inventory(hosts, host_vars or {})))
        records_path = os.path.join(self.workdir, name + ".results.json")
        log_path = os.path.join(self.workdir, name + ".log")
        command = [ANSIBLE_PLAYBOOK, "-i", inventory_path, "--forks", str(forks), playbook_path]
        if verbosity:
            command.append("-" + "v" * verbosity)
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if extra_vars:
            command += ["--extra-vars", json.dumps(extra_vars)]
        process = subprocess.run(command, capture_output=True, text=True, env=self.environment(records_path, log_path, env),
                                 cwd=self.workdir, timeout=timeout, check=False)
        records = []
        if os.path.exists(records_path):
            with open(records_path, encoding="utf-8") as handle:
                records = json.load(handle)
        log_text = ""
        if os.path.exists(log_path):
            with open(log_path, encoding="utf-8") as handle:
                log_text = handle.read()
        return PlaybookRun(process.returncode, process.stdout, process.stderr, records, log_text, playbook_text)

    @staticmethod
    def inventory(hosts, host_vars):
        names = ["localhost"] if hosts == 1 else ["host%02d" % number for number in range(1, hosts + 1)]
        return {"all": {"children": {"targets": {"hosts": {name: dict(host_vars.get(name, {})) for name in names}}},
                        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}

    @staticmethod
    def environment(records_path, log_path, extra):
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("ANSIBLE_", "RUNDECK_", "OPSGENIE_", "OCTOPUS_", "GITEA_", "JIRA_"))}
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_PATH,
            "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins"),
            "ANSIBLE_ACTION_PLUGINS": os.path.join(HERE, "action_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "result_recorder",
            "ANSIBLE_LOG_PATH": log_path,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_HOST_KEY_CHECKING": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCAL_TEMP": os.path.join(os.path.dirname(log_path), ".ansible-tmp"),
            "RELIABILITY_RESULTS": records_path,
        })
        env.update(extra or {})
        return env
