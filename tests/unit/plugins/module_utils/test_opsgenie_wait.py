"""Following asynchronous requests: monotonic deadline, growing pauses, failures with the request id."""

from __future__ import annotations

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_wait import (
    RequestFailed,
    RequestTimedOut,
    RequestWaiter,
)


class FakeClock(object):
    def __init__(self):
        self.now = 100.0
        self.pauses = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.now += seconds


class Statuses(object):
    """Answers None (not processed) ``pending`` times, then ``outcome``."""

    def __init__(self, pending, outcome):
        self.pending = pending
        self.outcome = outcome
        self.polls = 0

    def request_status(self, request_id):
        self.polls += 1
        return None if self.polls <= self.pending else self.outcome


def waiter(client, timeout, clock):
    return RequestWaiter(client, timeout, clock=clock, sleep=clock.sleep)


def test_a_processed_request_returns_its_outcome_after_growing_pauses():
    clock = FakeClock()
    client = Statuses(4, {"isSuccess": True, "deploymentId": "d1"})
    assert waiter(client, 60, clock).wait("r1", "create")["deploymentId"] == "d1"
    # A pause before every poll: the first poll is never wasted on a request just accepted.
    assert clock.pauses == [0.25, 0.5, 1.0, 2.0, 2.0]
    assert client.polls == 5


def test_pauses_stop_growing_at_the_maximum():
    clock = FakeClock()
    waiter(Statuses(7, {"isSuccess": True}), 60, clock).wait("r1", "create")
    assert clock.pauses == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0]


def test_a_failed_request_raises_with_the_server_status_and_the_request_id():
    clock = FakeClock()
    outcome = {"action": "Create", "isSuccess": False, "status": "Bitbucket Integration with name: nope not found"}
    with pytest.raises(RequestFailed) as caught:
        waiter(Statuses(0, outcome), 60, clock).wait("r-42", "create deployment run-1")
    assert str(caught.value) == ("Opsgenie: could not create deployment run-1: request r-42 failed: "
                                 "Bitbucket Integration with name: nope not found")
    assert caught.value.to_result() == {"msg": str(caught.value), "request_id": "r-42", "outcome": outcome}


def test_the_deadline_is_kept_and_the_last_poll_is_at_it():
    clock = FakeClock()
    client = Statuses(1000, None)
    with pytest.raises(RequestTimedOut) as caught:
        waiter(client, 3, clock).wait("r-7", "set the state of deployment run-1 to successful")
    assert clock.now == 103.0
    assert clock.pauses == [0.25, 0.5, 1.0, 1.25]
    assert client.polls == 4
    assert "request r-7 was not processed within 3 seconds (wait_timeout)" in str(caught.value)
    assert caught.value.request_id == "r-7"


def test_writes_of_one_run_share_one_deadline():
    clock = FakeClock()
    first, second = Statuses(2, {"isSuccess": True}), Statuses(1000, None)

    class TwoRequests(object):
        def request_status(self, request_id):
            return (first if request_id == "r1" else second).request_status(request_id)

    shared = waiter(TwoRequests(), 2, clock)
    shared.wait("r1", "update")
    assert clock.now == 101.75
    with pytest.raises(RequestTimedOut):
        shared.wait("r2", "set state")
    # The second request had what the first left of the two seconds.
    assert clock.now == 102.0 and clock.pauses == [0.25, 0.5, 1.0, 0.25]


def test_a_zero_timeout_polls_once():
    clock = FakeClock()
    client = Statuses(1, {"isSuccess": True})
    with pytest.raises(RequestTimedOut):
        waiter(client, 0, clock).wait("r1", "create")
    assert client.polls == 1 and clock.pauses == []


def test_the_message_of_a_failed_write_carries_no_credential():
    from ansible_collections.opsforge.delivery.plugins.module_utils._http import MASK, register_secret
    from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_wait import AsyncWriteError

    register_secret("wait-test-genie-key")
    result = AsyncWriteError("Opsgenie refused the write: key wait-test-genie-key is not allowed", "req-1").to_result()
    assert "wait-test-genie-key" not in result["msg"] and MASK in result["msg"]
    assert result["request_id"] == "req-1"
