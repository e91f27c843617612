# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the collection is, for tests wherever they sit in tests/."""

from __future__ import annotations

import os

# <collections path>/ansible_collections/opsforge/delivery: the repository or the staged collection.
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The folder that holds ansible_collections/ (meaningful in a staged or installed tree only).
COLLECTIONS_PATH = os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION_ROOT)))
# Files the unit tests read: exports of a real server and the like.
UNIT_FIXTURES = os.path.join(COLLECTION_ROOT, "tests", "unit", "fixtures")
