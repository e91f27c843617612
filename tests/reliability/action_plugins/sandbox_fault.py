# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Arms a sandbox fault from a playbook, on the controller: a step between two tasks that costs
milliseconds instead of a module run."""

from __future__ import annotations

import json
import urllib.request

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        url = self._task.args.get("url")
        fault = self._task.args.get("fault")
        if not url or not isinstance(fault, dict):
            raise AnsibleActionFail("sandbox_fault needs url (a service's base URL) and fault (a mapping)")
        request = urllib.request.Request(url.rstrip("/") + "/__sandbox__/faults", data=json.dumps(fault).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            result["faults"] = json.loads(response.read())
        result["changed"] = False
        return result
