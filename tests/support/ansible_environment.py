# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a subprocess needs to run with the same ansible-core as this process: its commands, its Python path.

In a virtual environment with ansible-core installed, the commands are the scripts beside the interpreter
and the library is in site-packages. ansible-test's own environments hold neither: ansible-core comes
through PYTHONPATH there, and ansible-test puts its commands first on PATH.
"""

from __future__ import annotations

import os
import shutil
import sys


def ansible_command(name):
    """The path of the ansible-core command ``name`` (ansible-playbook, ansible-galaxy) of this process's ansible-core."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(beside):
        return beside
    found = shutil.which(name)
    if found is None:
        raise RuntimeError("%s is neither beside %s nor on PATH" % (name, sys.executable))
    return found


def python_path(*first):
    """A PYTHONPATH with the folders ``first`` before what this process's PYTHONPATH already holds."""
    return os.pathsep.join(path for path in first + (os.environ.get("PYTHONPATH"),) if path)
