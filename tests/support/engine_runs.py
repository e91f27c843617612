"""A resource or a set run through the engine in-process, with the parts of the result a test checks."""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._resource import NOTHING, build_diff, ensure, ensure_set


def run_set(resource_set, check_mode=False, with_diff=True):
    """``(changed, listed, diffs, warnings)`` of one run of ``resource_set``, as the module's result has them."""
    changes = ensure_set(resource_set, check_mode)
    changed = [change for change in changes if change.action != NOTHING]
    diffs = [build_diff(change.member, change.outcome()) for change in changed] if with_diff else []
    warnings = list(resource_set.warnings)
    for member in resource_set.members:
        warnings.extend(member.warnings)
    return bool(changed), resource_set.result(changes), diffs, warnings


class ResourceRun(object):
    """A resource whose ``run()`` ensures it is present: ``(changed, before, after)``; its other
    attributes (warnings, request ids, ...) are the resource's."""

    def __init__(self, resource, check_mode=False):
        self.resource = resource
        self.check_mode = check_mode

    def run(self):
        outcome = ensure(self.resource, "present", self.check_mode)
        return outcome.changed, outcome.before, outcome.after

    def __getattr__(self, name):
        return getattr(self.resource, name)
