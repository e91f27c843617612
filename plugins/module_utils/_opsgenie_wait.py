# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Following Opsgenie's asynchronous writes until they are processed."""

from __future__ import annotations

import time

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ServiceFailure, scrub
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie import SERVICE


class AsyncWriteError(ServiceFailure):
    """A write Opsgenie accepted did not work, or was not processed in time."""

    def __init__(self, message, request_id, outcome=None):
        super(AsyncWriteError, self).__init__(message)
        self.request_id = request_id
        self.outcome = outcome

    def to_result(self):
        # Opsgenie's own words about a failed write pass the same scrubbing as every other message.
        result = dict(msg=scrub(str(self)), request_id=self.request_id)
        if self.outcome is not None:
            result["outcome"] = self.outcome
        return result


class RequestFailed(AsyncWriteError):
    """Opsgenie processed the request and reports ``isSuccess: false``."""


class RequestTimedOut(AsyncWriteError):
    """The request was still unprocessed when the time allowed ran out."""


class RequestWaiter(object):
    """Polls request statuses on a monotonic clock until processed or the deadline passes.

    Each poll follows a pause; pauses start short (Opsgenie usually processes within a second)
    and double up to ``max_pause``; the last is cut so that the final poll happens at the deadline.
    """

    def __init__(self, client, timeout, first_pause=0.25, max_pause=2.0, clock=time.monotonic, sleep=time.sleep):
        self.client = client
        self.timeout = timeout
        self.first_pause = first_pause
        self.max_pause = max_pause
        self.clock = clock
        self.sleep = sleep
        self.deadline = None

    def start(self):
        """Start the clock; every later ``wait`` shares one deadline."""
        self.deadline = self.clock() + self.timeout

    def wait(self, request_id, action):
        """The processed outcome of ``request_id``; raises RequestFailed or RequestTimedOut."""
        if self.deadline is None:
            self.start()
        pause = self.first_pause
        while True:
            # A write is never processed the moment it is accepted: pause before each poll.
            left = self.deadline - self.clock()
            if left > 0:
                self.sleep(min(pause, left))
                pause = min(pause * 2, self.max_pause)
            outcome = self.client.request_status(request_id)
            if outcome is not None:
                if outcome.get("isSuccess") is False:
                    raise RequestFailed("%s: could not %s: request %s failed: %s"
                                        % (SERVICE, action, request_id, outcome.get("status") or "no reason given"),
                                        request_id, outcome)
                return outcome
            if self.deadline - self.clock() <= 0:
                raise RequestTimedOut(
                    "%s: could not %s: request %s was not processed within %s seconds (wait_timeout). Opsgenie "
                    "may still apply it: run the task again to see the deployment as it is then, or raise "
                    "wait_timeout" % (SERVICE, action, request_id, _seconds(self.timeout)), request_id)


def _seconds(value):
    return int(value) if float(value).is_integer() else value
