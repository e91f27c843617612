# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes every task result of a run to the JSON file named by RELIABILITY_RESULTS."""

from __future__ import annotations

DOCUMENTATION = """
name: result_recorder
type: aggregate
short_description: Records every task result as JSON for the reliability suite
description:
  - Writes a list of C(host), C(task), C(status), C(seconds) and C(result) entries to the file named by the
    E(RELIABILITY_RESULTS) environment variable when the play ends.
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "result_recorder"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = []
        self.task_started = time.monotonic()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.task_started = time.monotonic()

    def _record(self, result, status):
        outcome = dict(result._result)
        if status == "ok" and outcome.get("changed"):
            status = "changed"
        self.records.append({
            "host": result._host.get_name(),
            "task": result._task.get_name(),
            "status": status,
            "seconds": round(time.monotonic() - self.task_started, 3),
            "result": json.loads(json.dumps(outcome, default=str)),
        })

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("RELIABILITY_RESULTS")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(self.records, handle, indent=1)
