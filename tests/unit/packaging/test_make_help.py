# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make help` lists every target of the Makefile with its text, so that it is the way to find them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
MAKEFILE = os.path.join(ROOT, "Makefile")

# The Makefile is development-only: an installed collection does not ship it.
pytestmark = pytest.mark.skipif(not os.path.isfile(MAKEFILE) or not shutil.which("make"), reason="no Makefile or no make")


def phony_targets():
    with open(MAKEFILE, encoding="utf-8") as handle:
        return re.search(r"^\.PHONY:(.*)$", handle.read(), re.M).group(1).split()


def make_help():
    # Not the environment of a make that runs this test: its jobserver flags are not for this one.
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    done = subprocess.run(["make", "-s", "--no-print-directory", "help"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_every_target_is_listed_once_with_its_text():
    listed = re.findall(r"^  (\S+) +(\S.*)$", make_help(), re.M)
    names = [name for name, text in listed]
    assert sorted(names) == sorted(phony_targets())


def test_continuation_lines_are_kept_and_aligned():
    lines = make_help().splitlines()
    test = next(index for index, line in enumerate(lines) if line.startswith("  test "))
    column = len(lines[test]) - len(lines[test].split(None, 1)[1])
    assert lines[test + 1].startswith(" " * column) and not lines[test + 1][column].isspace()
    assert "integration target and every plugin's EXAMPLES on every supported ansible-core" in lines[test + 2]
