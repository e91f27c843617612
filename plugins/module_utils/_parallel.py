# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reads of a set that the API cannot answer in one listing, a bounded number at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

#: Reads in flight at a time unless the task says otherwise (Terraform's default parallelism is 10).
DEFAULT_READ_CONCURRENCY = 8
#: The most a task may ask for: more would only queue at the server (and a 429 backs off anyway).
MAX_READ_CONCURRENCY = 32


def check_read_concurrency(value):
    """The number of reads in flight a task asked for; an error message (str) when it is out of range."""
    if not 1 <= value <= MAX_READ_CONCURRENCY:
        return "read_concurrency must be between 1 and %d, not %d" % (MAX_READ_CONCURRENCY, value)
    return None


def read_all(function, items, limit=DEFAULT_READ_CONCURRENCY):
    """``function(item)`` for each item, at most ``limit`` at a time, in the order of ``items``.

    The first failure, in that order, is raised once the reads under way have ended; no read
    starts after a failure is known.
    """
    items = list(items)
    if limit <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(limit, len(items))) as pool:
        futures = [pool.submit(function, item) for item in items]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise
