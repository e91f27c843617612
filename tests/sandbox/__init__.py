# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Emulators of the vendor REST APIs the collection talks to, for tests and CI.

Run ``python -m tests.sandbox`` or use :class:`Sandbox` in-process; see README.md.
"""

from .server import DEFAULT_CREDENTIALS, DEFAULT_PORTS, Sandbox

__all__ = ["DEFAULT_CREDENTIALS", "DEFAULT_PORTS", "Sandbox"]
