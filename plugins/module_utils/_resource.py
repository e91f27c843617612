# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The idempotency engine: read, put in canonical form, compare, plan, check mode, apply, diff.

A module describes its resource with a ``Resource`` subclass (how to read, create, update and
delete it, and how to put both sides in one canonical form); ``ensure`` decides what to do.
Many resources of one kind in one task are a ``ResourceSet``; ``ensure_set`` plans each member
with the same rules.

Vocabulary, the same in every file of module_utils:

- ``_<service>.py`` is the service's client (``_rundeck``, ``_gitea``, ``_octopus``, ``_opsgenie``),
  on the shared base in ``_client``; a client for one part of a large API is ``_<service>_<resource>_api.py``.
- ``_<service>_<resource>.py`` is one resource's model: its ``Resource`` (or ``ResourceSet``) and
  the ``build_*`` function its module calls.
- Any other file is named after what it holds: ``_rundeck_job_format`` (the job format and its
  canonical form), ``_rundeck_job_document`` (the import documents), ``_rundeck_project_properties``
  (the project's property model), ``_opsgenie_wait`` (waiting for asynchronous writes).
- The normal form two sides are compared in is ``canonical_<thing>()`` in a model and the hook
  ``canonical()`` of a resource; what ``--diff`` shows is ``diff_view``, a hook and, where a model
  needs one, a function of the same name; what a module returns is ``view``.
"""

from __future__ import annotations

import copy

from ansible_collections.opsforge.delivery.plugins.module_utils._http import MASK, ApiError

CREATE = "create"
UPDATE = "update"
REPLACE = "replace"
DELETE = "delete"
NOTHING = "none"

#: What each action is called in a set's result.
DONE = {CREATE: "created", UPDATE: "updated", REPLACE: "replaced", DELETE: "deleted", NOTHING: "unchanged"}


class CreatedMeanwhile(Exception):
    """A create found the resource already there: another run made it after this run read it."""


class Resource(object):
    """One managed object. Subclasses implement the I/O and, where needed, the canonical form.

    ``desired(current)`` returns the full representation the object should have, built from
    ``current`` (None when absent) with only the user's settings applied, so that nothing the
    user did not mention is lost on update. In check mode it is also the prediction of the result.

    The other methods are hooks with a default: override only what the resource needs.
    """

    #: The key of the module's result that holds the resource.
    result_key = "resource"
    #: Keys whose values never appear in a diff or a result.
    secret_keys = frozenset()

    def __init__(self):
        #: Notes for the user, shown as Ansible warnings whether the run works or fails.
        self.warnings = []

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

    def must_replace(self, current, desired):
        """Whether the server cannot change ``current`` into ``desired`` in place (see ``replace``)."""
        return False

    def replace(self, current, desired):
        """Put a new object in the place of ``current``: by default the old goes first, then the new is made."""
        self.delete(current)
        return self.create(desired)

    def created_meanwhile(self, error):
        """Whether a create's failure says the resource exists now (by default, HTTP 409 Conflict)."""
        return isinstance(error, CreatedMeanwhile) or (isinstance(error, ApiError) and error.status == 409)

    def lost_race_warning(self, current, error):
        """A warning for a create that another run beat (``current`` is what it made), or None."""
        return None

    def canonical(self, representation):
        """The canonical form compared: server-filled and volatile fields removed, sets ordered."""
        return representation

    def differs(self, current, desired):
        return self.canonical(current) != self.canonical(desired)

    def view(self, representation):
        """What the module returns for this representation (secrets masked)."""
        return mask_secrets(representation, self.secret_keys)

    def diff_view(self, representation):
        """What ``--diff`` shows; a dict, or text (see ``text_diff``)."""
        return self.view(representation)

    def extra_result(self):
        """Keys the module's result holds besides the resource (ids of the requests sent, say)."""
        return {}

    def failure_result(self, error):
        """Keys a failed run's result holds besides the error's, such as what was deleted before it."""
        return {}

    def changed_by_failure(self, error):
        """Whether a write of this run took effect, or may have, before ``error``."""
        return False


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
    """Decide create / update / replace / delete / nothing, and the representation wanted after it."""
    if state == "absent":
        return (DELETE, None) if current is not None else (NOTHING, None)
    desired = resource.desired(current)
    if current is None:
        return CREATE, desired
    if resource.must_replace(current, desired):
        return REPLACE, desired
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
        except Exception as error:  # pylint: disable=broad-except
            if not resource.created_meanwhile(error):
                raise
            return _after_lost_race(resource, state, error)
    if action == UPDATE:
        return Outcome(action, current, resource.update(current, wanted))
    if action == REPLACE:
        return Outcome(action, current, resource.replace(current, wanted))
    resource.delete(current)
    return Outcome(action, current, None)


def _after_lost_race(resource, state, error):
    # Several runs raced to create it and another one won: go on from what that run made.
    current = resource.read()
    if current is None:
        raise error
    action, wanted = replan_after_lost_race(resource, state, current, error)
    if action == UPDATE:
        return Outcome(action, current, resource.update(current, wanted))
    return Outcome(NOTHING, current, current)


def replan_after_lost_race(resource, state, current, error=None):
    """The plan for a resource another run created after this run read it (``current``): an update
    when it differs, else nothing; never a second create, nor a replacement of the winner's object."""
    warning = resource.lost_race_warning(current, error)
    if warning:
        resource.warnings.append(warning)
    action, wanted = plan(resource, state, current)
    return (UPDATE, wanted) if action == UPDATE else (NOTHING, current)


class Change(object):
    """One member of a set: what it is, what the plan does to it, and whether that is done."""

    def __init__(self, member, state, current):
        self.member = member
        self.state = state
        self.current = current
        self.action, self.wanted = plan(member, state, current)
        self.after = current if self.action == NOTHING else None
        self.done = self.action == NOTHING

    def went_on_after_lost_race(self, current):
        """Plan again from ``current``, which another run created after this run read the set."""
        self.current = current
        self.action, self.wanted = replan_after_lost_race(self.member, self.state, current)
        if self.action == NOTHING:
            self.after, self.done = current, True

    def finished(self, after):
        self.after = after
        self.done = True

    def outcome(self):
        after = self.after if self.done else self.wanted
        return Outcome(self.action, self.current, after)


class ResourceSet(object):
    """Many resources of one kind in one task: one listing read, a plan for each, writes grouped.

    A subclass reads the members and their current state in as few requests as the API allows
    (``read``), and may group the writes (``apply``); the engine plans each member with the same
    rules as a single resource (``Change``).
    """

    result_key = "resources"
    #: The lists the result always has (a replacement adds "replaced" when a set has one).
    listed_actions = (CREATE, UPDATE, DELETE, NOTHING)

    def __init__(self):
        self.warnings = []
        #: The resources of the set, as ``read`` found them (their warnings are the run's too).
        self.members = []
        #: The changes of the run while its writes are made: a failure part-way reports them.
        self.applying = None

    def read(self, check_mode):
        """``(member, state, current)`` for each managed resource, in the order of the result."""
        raise NotImplementedError

    def apply(self, changes):
        """Make the changes (all but NOTHING), one by one; ``Change.finished`` as each is confirmed."""
        for change in changes:
            member, current = change.member, change.current
            if change.action == CREATE:
                change.finished(member.create(change.wanted))
            elif change.action == UPDATE:
                change.finished(member.update(current, change.wanted))
            elif change.action == REPLACE:
                change.finished(member.replace(current, change.wanted))
            else:
                member.delete(current)
                change.finished(None)

    def item_view(self, member, representation):
        """What the result lists for one member."""
        return member.view(representation)

    def result(self, changes):
        """The members by what happened to them: ``{created: [...], updated: [...], ...}``."""
        listed = dict((DONE[action], []) for action in self.listed_actions)
        for change in changes:
            shown = change.current if change.action == DELETE else change.after
            if change.done and shown is not None:
                listed.setdefault(DONE[change.action], []).append(self.item_view(change.member, shown))
        return listed

    def extra_result(self):
        return {}

    def failure_result(self, error):
        """What was done before the failure, in the shape of the result, and under ``not_done`` what was
        still to do, by action (nothing when no write began)."""
        if self.applying is None:
            return {}
        listed = self.result(self.applying)
        not_done = {}
        for change in self.applying:
            if not change.done:
                shown = change.current if change.action == DELETE else change.wanted
                not_done.setdefault(change.action, []).append(self.item_view(change.member, shown))
        listed["not_done"] = not_done
        return {self.result_key: listed}

    def changed_by_failure(self, error):
        """Whether a write of the run took effect before ``error``; a set whose writes can have an
        unknown outcome says so too."""
        return any(change.done and change.action != NOTHING for change in self.applying or ())


def ensure_set(resource_set, check_mode):
    """Plan every member of the set; unless in check mode, make the changes. Returns the changes."""
    changes = [Change(member, state, current) for member, state, current in resource_set.read(check_mode)]
    if check_mode:
        for change in changes:
            change.finished(change.wanted if change.action != DELETE else None)
        return changes
    pending = [change for change in changes if change.action != NOTHING]
    if pending:
        resource_set.applying = changes
        resource_set.apply(pending)
        resource_set.applying = None
    return changes


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
    lists included, must be equal (put set-like lists in canonical order before calling).
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


def item_options(item, defaults, names):
    """The options of one item of a set: each of ``names`` that the item leaves out (None) is the
    task's option of that name (``defaults``)."""
    return dict((name, item.get(name) if item.get(name) is not None else defaults.get(name)) for name in names)


def unique(values):
    """``values`` without repeats, in their first order."""
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen
