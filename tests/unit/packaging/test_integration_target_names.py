# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One integration target per module and per lookup, named module_<name> and lookup_<name>.

The prefix keeps a target apart from a role of the same name: the targets run as roles, and the
collection has a role named as a module (rundeck_project).
"""

from __future__ import annotations

import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TARGETS = os.path.join(ROOT, "tests", "integration", "targets")


def plugins(folder):
    return {name[:-3] for name in os.listdir(os.path.join(ROOT, "plugins", folder)) if name.endswith(".py") and name != "__init__.py"}


def targets():
    """The targets that run, without the hidden ones the others include."""
    found = set()
    for name in os.listdir(TARGETS):
        with open(os.path.join(TARGETS, name, "aliases"), encoding="utf-8") as handle:
            if "hidden" not in handle.read().split():
                found.add(name)
    return found


def test_each_module_and_lookup_has_its_target_and_there_are_no_others():
    expected = {"module_" + name for name in plugins("modules")} | {"lookup_" + name for name in plugins("lookup")}
    assert targets() == expected
