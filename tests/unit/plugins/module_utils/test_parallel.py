"""Reads of a set, a bounded number at a time, in order, the first failure raised."""

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._parallel import check_read_concurrency, read_all


def test_results_come_in_the_order_of_the_items_whatever_order_the_reads_end_in():
    def slow_first(number):
        time.sleep(0.05 if number == 0 else 0)
        return number * 10
    assert read_all(slow_first, range(5), limit=4) == [0, 10, 20, 30, 40]


def test_no_more_than_the_limit_run_at_once():
    lock, running, most = threading.Lock(), [0], [0]

    def read(number):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return number
    assert read_all(read, range(20), limit=3) == list(range(20))
    assert most[0] == 3


def test_the_first_failure_in_item_order_is_raised():
    def read(number):
        if number in (2, 4):
            raise ValueError("read %d failed" % number)
        return number
    with pytest.raises(ValueError, match="read 2 failed"):
        read_all(read, range(6), limit=6)


def test_a_limit_of_one_reads_in_the_callers_thread():
    threads = read_all(lambda item: threading.current_thread(), range(3), limit=1)
    assert set(threads) == {threading.current_thread()}


@pytest.mark.parametrize("value, problem", [(1, False), (8, False), (32, False), (0, True), (33, True), (-1, True)])
def test_read_concurrency_is_between_1_and_32(value, problem):
    assert bool(check_read_concurrency(value)) is problem
