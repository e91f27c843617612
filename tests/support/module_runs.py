# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Modules run in-process, as a task would run them, and the sandbox's request log."""

from __future__ import annotations

import json

from ansible.module_utils import basic


class ModuleExit(Exception):
    """A module's exit_json/fail_json, caught: ``result`` is what it returned."""

    def __init__(self, result):
        super().__init__(result)
        self.result = result


def module_args(args):
    """A context in which an AnsibleModule made in-process receives ``args``, on every ansible-core the collection supports."""
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19+
    except ImportError:  # before 2.19, AnsibleModule reads the serialized arguments from basic._ANSIBLE_ARGS
        from unittest import mock
        return mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
    return patch_module_args(args)


def run_module(main, args, check_mode=False, diff=False):
    """Run a module's main() in-process with ``args``; return its result dict.

    The module's warnings are in the result under ``warnings``, as a real run returns them: Ansible's
    own collector cannot be read reliably in-process, since a controller-side import earlier in the
    session (a lookup plugin) sends warnings to the display instead.
    """
    full = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    warned = []

    def with_warnings(result):
        if warned:
            result.setdefault("warnings", list(warned))
        return result

    def capture(_module, **result):
        raise ModuleExit(with_warnings(result))

    def capture_failure(_module, **result):
        result["failed"] = True
        raise ModuleExit(with_warnings(result))

    def record_warning(_module, warning):
        warned.append(warning)

    from unittest import mock
    with module_args(full), mock.patch.object(basic.AnsibleModule, "exit_json", capture), \
            mock.patch.object(basic.AnsibleModule, "fail_json", capture_failure), \
            mock.patch.object(basic.AnsibleModule, "warn", record_warning):
        try:
            main()
        except ModuleExit as done:
            return done.result
    raise AssertionError("the module returned without exit_json or fail_json")


def requests_log(sandbox, service="rundeck"):
    import requests
    return requests.get(sandbox.urls[service] + "/__sandbox__/requests", timeout=5).json()
