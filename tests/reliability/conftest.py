# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the reliability suite: one sandbox on free ports, reset per test, and real playbook runs."""

from __future__ import annotations

import os
import sys

import pytest

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if COLLECTION_ROOT not in sys.path:
    sys.path.insert(0, COLLECTION_ROOT)

from tests.sandbox import Sandbox  # noqa: E402  (after the path set-up above)
from tests.reliability.playbook import PlaybookRunner  # noqa: E402
from tests.reliability.sandbox_client import SandboxClient  # noqa: E402


@pytest.fixture(scope="session")
def sandbox_server():
    with Sandbox(host="127.0.0.1", ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server):
    """The sandbox, freshly reset: seeded state, an empty request log, no faults."""
    sandbox_server.reset()
    return SandboxClient(sandbox_server)


@pytest.fixture
def playbook(tmp_path, sandbox):
    """Runs playbooks whose tasks get every service's connection from module_defaults (retries: 2)."""
    return PlaybookRunner(tmp_path, sandbox.module_defaults(retries=2))
