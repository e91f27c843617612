# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The idempotency engine: read, normalize, compare, plan, check mode, apply, diff.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.

A module describes its resource with a ``Resource`` subclass (how to read, create, update and
delete it, and how to put both sides in one comparable shape); ``ensure`` decides what to do.
"""

from __future__ import annotations

import copy

from ansible_collections.opsforge.delivery.plugins.module_utils._http import MASK, ApiError

CREATE = "create"
UPDATE = "update"
DELETE = "delete"
NOTHING = "none"


class CreatedMeanwhile(Exception):
    """A create found the resource already there: another run made it after this run read it."""


class Resource(object):
    """One managed object. Subclasses implement the I/O and, where needed, the normal form.

    ``desired(current)`` returns the full representation the object should have, built from
    ``current`` (None when absent) with only the user's settings applied, so that nothing the
    user did not mention is lost on update.
    """

    #: Keys whose values never appear in a diff or a result.
    secret_keys = frozenset()

    def read(self):
        raise NotImplementedError

    def desired(self, current):
        raise NotImplementedError

    def create(self, desired):
        raise NotImplementedError

    def update(self, current, desired):
        raise NotImplementedError

    def delete(self, current):
        raise NotImplementedError

    def created_meanwhile(self, error):
        """Whether a create's ApiError says the resource exists now (by default, HTTP 409 Conflict)."""
        return error.status == 409

    def normalize(self, representation):
        """The comparable form: server-filled and volatile fields removed, sets ordered."""
        return representation

    def differs(self, current, desired):
        return self.normalize(current) != self.normalize(desired)

    def view(self, representation):
        """What the module returns for this representation (secrets masked)."""
        return mask_secrets(representation, self.secret_keys)

    def diff_view(self, representation):
        """What ``--diff`` shows; a dict, or text (see ``text_diff``)."""
        return self.view(representation)


class Outcome(object):
    """What ``ensure`` decided and did."""

    def __init__(self, action, before, after):
        self.action = action
        self.before = before
        self.after = after

    @property
    def changed(self):
        return self.action != NOTHING


def plan(resource, state, current):
    """Decide create / update / delete / nothing, and the representation wanted after it."""
    if state == "absent":
        return (DELETE, None) if current is not None else (NOTHING, None)
    desired = resource.desired(current)
    if current is None:
        return CREATE, desired
    if resource.differs(current, desired):
        return UPDATE, desired
    return NOTHING, current


def ensure(resource, state, check_mode):
    """Bring the resource to ``state``; in check mode, send no write and predict the result."""
    current = resource.read()
    action, wanted = plan(resource, state, current)
    if check_mode or action == NOTHING:
        return Outcome(action, current, wanted)
    if action == CREATE:
        try:
            return Outcome(action, current, resource.create(wanted))
        except (CreatedMeanwhile, ApiError) as error:
            if isinstance(error, ApiError) and not resource.created_meanwhile(error):
                raise
            # Several runs raced to create it and another one won: go on from what that run made.
            return _after_lost_race(resource, state, error)
    if action == UPDATE:
        return Outcome(action, current, resource.update(current, wanted))
    resource.delete(current)
    return Outcome(action, current, None)


def _after_lost_race(resource, state, error):
    current = resource.read()
    if current is None:
        raise error
    action, wanted = plan(resource, state, current)
    if action == UPDATE:
        return Outcome(action, current, resource.update(current, wanted))
    return Outcome(NOTHING, current, current)


def build_diff(resource, outcome):
    """The ``diff`` of a result: before and after as the resource shows them, secrets masked."""
    before = resource.diff_view(outcome.before) if outcome.before is not None else None
    after = resource.diff_view(outcome.after) if outcome.after is not None else None
    if isinstance(before, TextView) or isinstance(after, TextView):
        return text_diff(before, after)
    return dict(before=before if before is not None else {}, after=after if after is not None else {})


def text_diff(before, after):
    """A ``diff`` entry between two TextViews (None for an absent side): Ansible shows it unified."""
    return dict(
        before=before.text if before is not None else "",
        after=after.text if after is not None else "",
        before_header=before.header if before is not None else "(absent)",
        after_header=after.header if after is not None else "(absent)",
    )


class TextView(object):
    """A text resource in a diff: Ansible prints a unified diff between two of these."""

    def __init__(self, text, header):
        self.text = text if text.endswith("\n") or not text else text + "\n"
        self.header = header


def mask_secrets(value, secret_keys):
    """A deep copy of ``value`` with the values of ``secret_keys`` replaced by a mask."""
    if not secret_keys:
        return value
    if isinstance(value, dict):
        return dict((k, MASK if k in secret_keys and v is not None else mask_secrets(v, secret_keys))
                    for k, v in value.items())
    if isinstance(value, list):
        return [mask_secrets(item, secret_keys) for item in value]
    return value


def subset_differences(wanted, have, path=""):
    """Paths at which ``have`` differs from ``wanted``, looking only at what ``wanted`` sets.

    Mappings are compared key by key (keys absent from ``wanted`` are ignored); anything else,
    lists included, must be equal (normalize set-like lists before calling).
    """
    if isinstance(wanted, dict) and isinstance(have, dict):
        found = []
        for key, value in wanted.items():
            found.extend(subset_differences(value, have.get(key), "%s.%s" % (path, key) if path else key))
        return found
    return [] if wanted == have else [path or "."]


def overlay(base, changes):
    """A deep copy of ``base`` with ``changes`` applied recursively (mappings merged)."""
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = overlay(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def unique(values):
    """``values`` without repeats, in their first order."""
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen
