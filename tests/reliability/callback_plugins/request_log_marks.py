# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Notes, as each task starts, how long the sandbox's request logs are, so each request can be put down to its task."""

from __future__ import annotations

DOCUMENTATION = """
name: request_log_marks
type: aggregate
short_description: Marks the position in the sandbox's request logs at the start of every task
description:
  - Reads C(/__sandbox__/requests) of every service named in the JSON object of the
    E(RELIABILITY_SANDBOX_URLS) environment variable (service name to base URL) when each task starts,
    and writes the list of C(task) and C(offsets) entries to the file named by E(RELIABILITY_REQUEST_MARKS)
    when the play ends.
  - The requests of a task are those between its mark and the next one (tasks run one at a time on one host).
"""

import json
import os
import urllib.request

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "request_log_marks"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls = json.loads(os.environ.get("RELIABILITY_SANDBOX_URLS") or "{}")
        self.marks = []

    def _offsets(self):
        offsets = {}
        for service, url in self.urls.items():
            # The control API's own requests are not logged, so reading the log does not move it.
            with urllib.request.urlopen(url.rstrip("/") + "/__sandbox__/requests", timeout=10) as response:
                offsets[service] = len(json.load(response))
        return offsets

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.marks.append({"task": task.get_name(), "offsets": self._offsets()})

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("RELIABILITY_REQUEST_MARKS")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(self.marks, handle, indent=1)
