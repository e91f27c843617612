# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Module wiring: the AnsibleModule, the one runner that turns the engine's outcome into a result and any failure into ``fail_json``."""

from __future__ import annotations

import traceback
from collections.abc import Mapping

from ansible.module_utils.basic import AnsibleModule, _load_params, missing_required_lib
from ansible.module_utils.common.validation import check_type_dict

from ansible_collections.opsforge.delivery.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ServiceFailure, scrub, secret_forms
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError, prepare_connection, secret_values
from ansible_collections.opsforge.delivery.plugins.module_utils._yaml import yaml_import_error
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import NOTHING, ResourceSet, build_diff, ensure, ensure_set, unique


def new_module(argument_spec, connection_spec, **kwargs):
    """An AnsibleModule of the module's own options and its service's connection options, with check
    mode on and the connection options checked (see prepare_connection), failing early when
    ``requests`` is missing."""
    raw = _load_params()
    argument_spec = without_unusable_suboptions(dict(argument_spec, **connection_spec), raw)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    # Ansible masks a no_log value only as given: mask the value as sent (stripped) and its escaped
    # forms too, before anything (a failure's invocation among them) is printed.
    for secret in secret_values(module.params, argument_spec):
        module.no_log_values.update(secret_forms(secret))
    try:
        # The options the task gave itself (module_defaults included), before any environment fallback.
        direct = set(name for name, value in raw.items() if value is not None) if isinstance(raw, Mapping) else None
        prepare_connection(module.params, argument_spec, direct)
    except InputError as exc:
        module.fail_json(msg=str(exc))
    return module


def without_unusable_suboptions(argument_spec, params):
    """``argument_spec`` without the suboptions of each option whose value cannot hold them.

    Ansible reads suboptions before it checks the type of their option. A value that is no
    mapping (or list of mappings) there fails with a message that does not name the option, or
    with a traceback, and leaves every ``no_log`` value unmasked in the failure's invocation.
    Without its suboptions, such an option gets Ansible's usual type error, which names it. The
    same holds at every depth: a suboption of each mapping given (an item of a list of mappings,
    say) is looked at in the same way.
    """
    if not isinstance(params, Mapping):
        # No parameters to look at (sanity tests stand in for Ansible this way).
        return argument_spec
    spec = dict(argument_spec)
    for name, option in argument_spec.items():
        value = params.get(name)
        if option.get("options") is None or value is None:
            continue
        values = value if option.get("type") == "list" and isinstance(value, list) else [value]
        if not all(_mapping_like(item) for item in values):
            spec[name] = dict((key, setting) for key, setting in option.items() if key != "options")
            continue
        suboptions = option["options"]
        for item in values:
            suboptions = without_unusable_suboptions(suboptions, item)
        if suboptions != option["options"]:
            spec[name] = dict(option, options=suboptions)
    return spec


def _mapping_like(value):
    """Whether Ansible can take ``value`` as a mapping (JSON or key=value text included)."""
    if isinstance(value, Mapping):
        return True
    if not isinstance(value, str):
        return False
    try:
        check_type_dict(value)
    except TypeError:
        return False
    return True


def require_yaml(module):
    """Fail early when PyYAML, which only some runs need (and import), is missing."""
    problem = yaml_import_error()
    if problem:
        module.fail_json(msg=missing_required_lib("PyYAML"), exception=problem)


def run_module(module, build, state=None):
    """Build what the task manages with ``build(module)``, bring it to its state, exit with the result.

    ``build`` returns a Resource or a ResourceSet and may raise InputError or a ServiceFailure, as may the
    engine; this is the one place where such a failure becomes ``fail_json``. ``state`` is
    ``present`` or ``absent``; by default the module's ``state`` option.
    """
    managed = None
    try:
        managed = build(module)
        state = state or module.params.get("state", "present")
        if isinstance(managed, ResourceSet):
            result = _set_result(module, managed, ensure_set(managed, module.check_mode))
        else:
            result = _resource_result(module, managed, ensure(managed, state, module.check_mode))
    except (InputError, ServiceFailure) as exc:
        _warn(module, managed)
        module.fail_json(**_failure(managed, exc))
    except Exception as exc:  # pylint: disable=broad-except
        # An unforeseen failure would print its traceback without Ansible's masking; fail_json masks it.
        _warn(module, managed)
        module.fail_json(msg=scrub("unexpected %s: %s" % (type(exc).__name__, exc)), exception=scrub(traceback.format_exc()))
    _warn(module, managed)
    module.exit_json(**result)


def _resource_result(module, resource, outcome):
    result = dict(changed=outcome.changed)
    result[resource.result_key] = resource.view(outcome.after) if outcome.after is not None else {}
    if module._diff:
        result["diff"] = build_diff(resource, outcome)
    result.update(resource.extra_result())
    return result


def _set_result(module, resource_set, changes):
    changed = [change for change in changes if change.action != NOTHING]
    result = dict(changed=bool(changed))
    result[resource_set.result_key] = resource_set.result(changes)
    if module._diff:
        result["diff"] = [build_diff(change.member, change.outcome()) for change in changed]
    result.update(resource_set.extra_result())
    return result


def _failure(managed, error):
    """The failed result: the error's message and details, and what the run did before it."""
    failure = dict(msg=scrub(str(error))) if isinstance(error, InputError) else error.to_result()
    if managed is not None:
        failure.update(managed.failure_result(error))
        failure["changed"] = bool(failure.get("changed") or managed.changed_by_failure(error))
    return failure


def _warn(module, managed):
    """The warnings of the resource (and of each member of a set), each once, in their order."""
    if managed is None:
        return
    warnings = list(managed.warnings)
    if isinstance(managed, ResourceSet):
        for member in managed.members:
            warnings.extend(member.warnings)
    for warning in unique(warnings):
        module.warn(warning)
