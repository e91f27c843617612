"""AWX's rules for a custom credential type, restated so a definition can be checked offline.

Each rule names where AWX enforces it (ansible/awx, awx/main/fields.py: CredentialTypeInputField
and CredentialTypeInjectorField; awx/api/serializers.py: CredentialTypeSerializer.validate;
awx/main/constants.py: ENV_BLOCKLIST). ``problems(definition)`` returns what AWX would refuse,
plus two checks AWX does not make but a definition should pass: every id in ``required`` names a
field, and a default fits its field's format. ``value_problems`` checks a credential's values the
way AWX does when the credential is saved (CredentialInputField).
"""

from __future__ import annotations

import urllib.parse

import jsonschema
from jsonschema.exceptions import FormatError
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

#: CredentialTypeInputField.schema (JSON Schema draft 4).
INPUTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "required": {"type": "array", "items": {"type": "string"}},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"enum": ["string", "boolean"]},
                    "format": {"enum": ["ssh_private_key", "url"]},
                    "choices": {"type": "array", "minItems": 1, "items": {"type": "string"}, "uniqueItems": True},
                    "id": {"type": "string", "pattern": "^[a-zA-Z_]+[a-zA-Z0-9_]*$"},
                    "label": {"type": "string"},
                    "help_text": {"type": "string"},
                    "multiline": {"type": "boolean"},
                    "secret": {"type": "boolean"},
                    "ask_at_runtime": {"type": "boolean"},
                    "default": {},
                },
                "additionalProperties": False,
                "required": ["id", "label"],
            },
        },
    },
}

#: CredentialTypeInjectorField.schema (JSON Schema draft 4); extra_vars may nest dicts and lists.
INJECTORS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "definitions": {
        "extra_vars": {
            "type": "object",
            "patternProperties": {
                "^[a-zA-Z_\\{\\}]+[a-zA-Z0-9_\\{\\}]*$": {
                    "anyOf": [
                        {"type": "string"},
                        {"type": "array", "items": {"anyOf": [{"type": "string"}, {"$ref": "#/definitions/extra_vars"}]}},
                        {"$ref": "#/definitions/extra_vars"},
                    ],
                },
            },
            "additionalProperties": False,
        },
    },
    "properties": {
        "file": {
            "type": "object",
            "patternProperties": {"^template(\\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$": {"type": "string"}},
            "additionalProperties": False,
        },
        "env": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z_]+[a-zA-Z0-9_]*$": {"type": "string", "pattern": "^[\\x00-\\x7F]*$"}},
            "additionalProperties": False,
        },
        "extra_vars": {"$ref": "#/definitions/extra_vars"},
    },
}

#: awx/main/constants.py: variables a credential may never set (AWX itself or the job runner owns them).
ENV_BLOCKLIST = frozenset((
    "VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID", "INVENTORY_UPDATE_ID",
    "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES", "CALLBACK_QUEUE", "CALLBACK_CONNECTION",
    "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS", "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH",
))

#: CredentialTypeSerializer.validate: the kinds a credential type created through the API may have.
CUSTOM_KINDS = ("cloud", "net")

#: What awx.awx.credential_type takes besides the controller's connection options.
DEFINITION_KEYS = frozenset(("name", "description", "kind", "inputs", "injectors"))

PYTHON_TYPES = {"string": str, "boolean": bool}
STRING_ONLY_KEYS = ("choices", "multiline", "format", "secret")


def _url_format(value):
    """AWX's ``url`` format: a scheme and a host are both needed."""
    if not isinstance(value, str):
        return True
    parsed = urllib.parse.urlparse(value)
    if not parsed.scheme:
        raise FormatError("Invalid URL: Missing url scheme (http, https, etc.)")
    if not parsed.netloc:
        raise FormatError("Invalid URL: %s" % value)
    return True


FORMAT_CHECKER = jsonschema.FormatChecker(formats=())
FORMAT_CHECKER.checks("url", raises=FormatError)(_url_format)


def schema_problems(schema, value, where):
    validator = jsonschema.Draft4Validator(schema, format_checker=FORMAT_CHECKER)
    return ["%s%s: %s%s" % (where, "".join("[%r]" % part for part in error.absolute_path), error.message,
                            " (%s)" % error.cause if error.cause else "")
            for error in sorted(validator.iter_errors(value), key=lambda error: list(error.absolute_path))]


def env_name_problem(name):
    """CredentialTypeInjectorField.validate_env_var_allowed."""
    if name.startswith("ANSIBLE_"):
        return "injectors.env: %s may affect Ansible configuration, so credentials may not set it" % name
    if name in ENV_BLOCKLIST:
        return "injectors.env: %s is not allowed to be used in credentials" % name
    return None


def field_problems(inputs):
    """CredentialTypeInputField.validate beyond the schema, plus: every required id is a field."""
    found = []
    seen = set()
    for field in inputs.get("fields", []):
        field_id, field_type = field.get("id"), field.get("type", "string")
        if field_id == "tower":
            found.append('inputs.fields: "tower" is a reserved field name')
        if field_id in seen:
            found.append("inputs.fields: field IDs must be unique (%s)" % field_id)
        seen.add(field_id)
        if "default" in field and not isinstance(field["default"], PYTHON_TYPES.get(field_type, type(None))):
            found.append("inputs.fields[%s]: default %r is not a %s" % (field_id, field["default"], field_type))
        found.extend("inputs.fields[%s]: %s not allowed for %s type" % (field_id, key, field_type)
                     for key in STRING_ONLY_KEYS if key in field and field_type != "string")
        if field.get("ask_at_runtime"):
            found.append("inputs.fields[%s]: ask_at_runtime is not allowed for custom credential types" % field_id)
        if "default" in field and field.get("format") == "url":
            found.extend(schema_problems(field, field["default"], "inputs.fields[%s].default" % field_id))
    found.extend("inputs.required: %s is not a field" % name for name in inputs.get("required", []) if name not in seen)
    return found


class _Filename(object):
    """``tower.filename`` where no unnamed file injector exists: using it is an error."""

    def __str__(self):
        raise UndefinedError("Must define unnamed file injector in order to reference `tower.filename`.")


class _Tower(object):
    def __init__(self):
        self.filename = _Filename()

    def __str__(self):
        raise UndefinedError("Cannot directly reference reserved `tower` namespace container.")


def _validation_namespace(inputs, injectors):
    """What AWX renders every template against when it saves a type: each field as 'EXAMPLE'."""
    namespace = dict((field["id"], "EXAMPLE") for field in inputs.get("fields", []))
    tower = namespace["tower"] = _Tower()
    for name in injectors.get("file", {}):
        if name == "template":
            tower.filename = "EXAMPLE_FILENAME"
        else:
            setattr(tower.filename, name.split(".", 1)[1], "EXAMPLE_FILENAME")
    return namespace


def _templates(injectors):
    """(where, template) for every string AWX renders: env and file values, extra_vars keys and values."""
    for kind in ("env", "file"):
        for key, template in injectors.get(kind, {}).items():
            yield "injectors.%s.%s" % (kind, key), template

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                yield where + " (key)", key
                yield from walk(value, "%s.%s" % (where, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, "%s[%d]" % (where, index))
        else:
            yield where, node

    yield from walk(injectors.get("extra_vars", {}), "injectors.extra_vars")


def injector_problems(inputs, injectors):
    """CredentialTypeInjectorField.validate beyond the schema."""
    found = [problem for problem in map(env_name_problem, injectors.get("env", {})) if problem]
    file_names = [name for name in injectors.get("file", {}) if name.startswith("template")]
    if "template" in file_names and len(file_names) > 1:
        found.append("injectors.file: must use multi-file syntax when injecting multiple files")
        return found
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    namespace = _validation_namespace(inputs, injectors)
    for where, template in _templates(injectors):
        try:
            environment.from_string(template).render(namespace)
        except UndefinedError as error:
            found.append("%s uses an undefined field (%s)" % (where, error))
        except SecurityError as error:
            found.append("%s: unsafe code execution (%s)" % (where, error))
        except TemplateSyntaxError as error:
            found.append("%s: syntax error (%s)" % (where, error))
    return found


def problems(definition):
    """Everything AWX would refuse in a credential type definition; empty when it would accept it."""
    found = ["%s: unknown key" % key for key in sorted(set(definition) - DEFINITION_KEYS)]
    for key in ("name", "kind"):
        if not isinstance(definition.get(key), str) or not definition.get(key):
            found.append("%s: required" % key)
    if definition.get("kind") not in CUSTOM_KINDS:
        found.append("kind: must be one of %s" % ", ".join(CUSTOM_KINDS))
    inputs, injectors = definition.get("inputs", {}), definition.get("injectors", {})
    if "dependencies" in inputs:
        found.append("inputs: 'dependencies' is not supported for custom credentials")
    input_errors = schema_problems(INPUTS_SCHEMA, inputs, "inputs")
    if not input_errors:
        input_errors = field_problems(inputs)
    injector_errors = schema_problems(INJECTORS_SCHEMA, injectors, "injectors")
    found.extend(input_errors + injector_errors)
    # Like AWX, templates are only checked against inputs that are themselves valid.
    if not input_errors and not injector_errors:
        found.extend(injector_problems(inputs, injectors))
    return found


def value_problems(definition, values):
    """What AWX would refuse in a credential's values: unknown fields, wrong types, choices, formats."""
    properties = {}
    for field in definition["inputs"].get("fields", []):
        schema = dict(field, type=field.get("type", "string"))
        if field.get("choices"):
            schema["enum"] = list(field["choices"])
        properties[field["id"]] = schema
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    found = schema_problems(schema, values, "values")
    found.extend("values[%r]: secret values must be of type string" % field["id"]
                 for field in definition["inputs"].get("fields", [])
                 if field.get("secret") and field["id"] in values and not isinstance(values[field["id"]], str))
    return found
