# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Module wiring: the AnsibleModule, the engine's outcome as a result, ApiError as a failure.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping

from ansible.module_utils.basic import AnsibleModule, _load_params, missing_required_lib
from ansible.module_utils.common.validation import check_type_dict

from ansible_collections.opsforge.delivery.plugins.module_utils._http import (
    ApiError,
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    scrub,
    secret_forms,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError, prepare_connection, secret_values
from ansible_collections.opsforge.delivery.plugins.module_utils._yaml import yaml_import_error
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import build_diff, ensure


def new_module(argument_spec, **kwargs):
    """An AnsibleModule with check mode on and its connection options checked (see prepare_connection),
    failing early when ``requests`` is missing."""
    argument_spec = without_unusable_suboptions(argument_spec, _load_params())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    # Ansible masks a no_log value only as given: mask the value as sent (stripped) and its escaped
    # forms too, before anything (a failure's invocation among them) is printed.
    for secret in secret_values(module.params, argument_spec):
        module.no_log_values.update(secret_forms(secret))
    try:
        prepare_connection(module.params, argument_spec)
    except InputError as exc:
        module.fail_json(msg=str(exc))
    return module


def without_unusable_suboptions(argument_spec, params):
    """``argument_spec`` without the suboptions of each option whose value cannot hold them.

    Ansible reads suboptions before it checks the type of their option. A value that is no
    mapping (or list of mappings) there fails with a message that does not name the option, or
    with a traceback, and leaves every ``no_log`` value unmasked in the failure's invocation.
    Without its suboptions, such an option gets Ansible's usual type error, which names it.
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


def run_resource(module, result_key, build_resource):
    """Build the resource from the module, ensure its state, and exit with the result.

    ``build_resource(module)`` returns the Resource; it may raise InputError or ApiError.
    """
    resource = None
    try:
        resource = build_resource(module)
        outcome = ensure(resource, module.params.get("state", "present"), module.check_mode)
    except InputError as exc:
        module.fail_json(msg=scrub(str(exc)))
    except ApiError as exc:
        # The error itself (to_result) or a resource that can tell whether a write took effect
        # before the failure says so.
        result = exc.to_result()
        changed_by_failure = getattr(resource, "changed_by_failure", None)
        result["changed"] = bool(result.get("changed") or (changed_by_failure and changed_by_failure(exc)))
        module.fail_json(**result)
    except Exception as exc:  # pylint: disable=broad-except
        # An unforeseen failure would print its traceback without Ansible's masking; fail_json masks it.
        module.fail_json(msg=scrub("unexpected %s: %s" % (type(exc).__name__, exc)), exception=scrub(traceback.format_exc()))
    for warning in getattr(resource, "warnings", ()):
        module.warn(warning)
    result = dict(changed=outcome.changed)
    result[result_key] = resource.view(outcome.after) if outcome.after is not None else {}
    if module._diff:
        result["diff"] = build_diff(resource, outcome)
    module.exit_json(**result)
