# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes each task's wall time and outcome to the JSON file named by BENCHMARK_TIMINGS."""

from __future__ import annotations

DOCUMENTATION = """
name: task_timer
type: aggregate
short_description: Records the wall time of every task for the benchmarks
description:
  - Writes a list of C(play), C(task), C(seconds), C(start), C(end), C(status), C(changed) and
    C(items) entries to the file named by the E(BENCHMARK_TIMINGS) environment variable when the
    playbook ends. C(start) and C(end) are epoch times, to match the sandbox's request log.
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = []
        self.play = None
        self.started = None
        self.started_at = None

    def v2_playbook_on_play_start(self, play):
        self.play = play.get_name()

    def v2_playbook_on_task_start(self, task, is_conditional):
        # A monotonic clock: the span from queueing the task to its result, as a person waits for it.
        self.started = time.perf_counter()
        self.started_at = time.time()

    def _record(self, result, status):
        outcome = result._result
        record = {
            "play": self.play,
            "task": result._task.get_name(),
            "seconds": time.perf_counter() - self.started,
            "start": self.started_at,
            "end": time.time(),
            "status": status,
            "changed": bool(outcome.get("changed")),
            "items": len(outcome.get("results") or []),
        }
        if status == "failed":
            record["msg"] = str(outcome.get("msg", ""))[:2000]
        self.records.append(record)

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("BENCHMARK_TIMINGS")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(self.records, handle, indent=1)
