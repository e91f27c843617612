"""What AWX does with a credential when a job starts, restated for tests without an AWX server.

``injected_env`` follows CredentialType.inject_credential (ansible/awx,
awx/main/models/credential): the namespace holds only the values the credential has (an empty
string counts as absent, an unset boolean is False), templates render WITHOUT StrictUndefined, so an
unset field becomes "" and its variable is still exported, and a variable AWX forbids is skipped.
``masked`` follows build_safe_env, which hides such variables in the job's stored environment.
"""

from __future__ import annotations

import re

from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .credential_type_rules import env_name_problem

#: build_safe_env: a variable whose name matches is shown as HIDDEN in the job's details.
MASKED_NAME = re.compile(r"API|TOKEN|KEY|SECRET|PASS", re.I)
HIDDEN = "**********"


def runtime_namespace(definition, values):
    namespace = {"tower": object()}
    for field in definition["inputs"].get("fields", []):
        value = values.get(field["id"])
        if isinstance(value, bool):
            namespace[field["id"]] = value
        elif value:
            namespace[field["id"]] = value
        elif field.get("type") == "boolean":
            namespace[field["id"]] = False
    return namespace


def injected_env(definition, values):
    """The environment variables a job gets from a credential of this type holding ``values``."""
    environment = ImmutableSandboxedEnvironment()
    namespace = runtime_namespace(definition, values)
    return dict((name, environment.from_string(template).render(**namespace))
                for name, template in definition.get("injectors", {}).get("env", {}).items()
                if env_name_problem(name) is None)


def masked(name):
    """Whether AWX hides this variable's value in the environment it stores with the job."""
    if name == "AWS_ACCESS_KEY_ID":
        return False
    if name.startswith("ANSIBLE_") and not name.startswith(("ANSIBLE_NET", "ANSIBLE_GALAXY_SERVER")):
        return False
    return bool(MASKED_NAME.search(name))


def fields_in_env(definition):
    """{env variable: the field ids its template uses}."""
    environment = ImmutableSandboxedEnvironment()
    return dict((name, meta.find_undeclared_variables(environment.parse(template)))
                for name, template in definition.get("injectors", {}).get("env", {}).items())


def exposed_secrets(definition):
    """(variable, field) for each secret field injected into a variable AWX does not hide."""
    secrets = set(field["id"] for field in definition["inputs"].get("fields", []) if field.get("secret"))
    return sorted((name, field) for name, used in fields_in_env(definition).items() if not masked(name)
                  for field in sorted(used & secrets))
