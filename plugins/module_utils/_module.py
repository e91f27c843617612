# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Module wiring: the AnsibleModule, the engine's outcome as a result, ApiError as a failure.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.opsforge.delivery.plugins.module_utils._http import (
    ApiError,
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._yaml import yaml_import_error
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import build_diff, ensure


def new_module(argument_spec, **kwargs):
    """An AnsibleModule with check mode on, failing early when ``requests`` is missing."""
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    return module


def require_yaml(module):
    """Fail early when PyYAML, which only some runs need (and import), is missing."""
    problem = yaml_import_error()
    if problem:
        module.fail_json(msg=missing_required_lib("PyYAML"), exception=problem)


def run_resource(module, result_key, build_resource):
    """Build the resource from the module, ensure its state, and exit with the result.

    ``build_resource(module)`` returns the Resource; it may raise InputError or ApiError.
    """
    try:
        resource = build_resource(module)
        outcome = ensure(resource, module.params.get("state", "present"), module.check_mode)
    except InputError as exc:
        module.fail_json(msg=str(exc))
    except ApiError as exc:
        module.fail_json(**exc.to_result())
    for warning in getattr(resource, "warnings", ()):
        module.warn(warning)
    result = dict(changed=outcome.changed)
    result[result_key] = resource.view(outcome.after) if outcome.after is not None else {}
    if module._diff:
        result["diff"] = build_diff(resource, outcome)
    module.exit_json(**result)
