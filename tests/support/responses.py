# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP answers made in memory, for tests of a client's handling of what a server says."""

from __future__ import annotations

import json

import requests


def answer(status, body, headers=None):
    """A requests.Response with ``status`` and ``body`` (JSON unless it is text already)."""
    response = requests.Response()
    response.status_code = status
    response._content = (json.dumps(body) if not isinstance(body, str) else body).encode("utf-8")
    response.headers.update({"Content-Type": "application/json"}, **(headers or {}))
    return response
