"""The offline restatement of AWX's rules catches the mistakes AWX would refuse (and a few more)."""

from __future__ import annotations

import copy

import pytest

from tests.awx.credential_type_rules import problems, value_problems
from tests.awx.definitions import SERVICES, load
from tests.awx.injection import exposed_secrets, injected_env, masked

VALID = {
    "name": "Example",
    "description": "A service",
    "kind": "cloud",
    "inputs": {
        "fields": [
            {"id": "url", "label": "URL", "type": "string", "format": "url", "default": "https://a.example.com"},
            {"id": "token", "label": "Token", "type": "string", "secret": True},
            {"id": "verify", "label": "Verify", "type": "boolean", "default": True},
            {"id": "region", "label": "Region", "choices": ["eu", "us"]},
        ],
        "required": ["url", "token"],
    },
    "injectors": {
        "env": {"EXAMPLE_URL": "{{ url }}", "EXAMPLE_TOKEN": "{{ token }}", "EXAMPLE_VERIFY": "{{ verify }}"},
    },
}


def broken(change):
    definition = copy.deepcopy(VALID)
    change(definition)
    return definition


def fields(definition):
    return definition["inputs"]["fields"]


def env(definition):
    return definition["injectors"]["env"]


def test_the_example_is_valid():
    assert problems(VALID) == []


def test_files_and_nested_extra_vars_are_valid():
    definition = broken(lambda d: d["injectors"].update({
        "file": {"template.config": "token={{ token }}", "template.ca": "{{ url }}"},
        "extra_vars": {"example": {"config": "{{ tower.filename.config }}", "urls": ["{{ url }}", {"ca": "{{ tower.filename.ca }}"}]}},
    }))
    assert problems(definition) == []


MISTAKES = [
    ("reserved field id", lambda d: fields(d).append({"id": "tower", "label": "T"}), '"tower" is a reserved field name'),
    ("duplicate ids", lambda d: fields(d).append({"id": "url", "label": "Again"}), "field IDs must be unique (url)"),
    ("id not a name", lambda d: fields(d).append({"id": "api-key", "label": "K"}), "does not match"),
    ("missing label", lambda d: fields(d).append({"id": "other"}), "'label' is a required property"),
    ("unknown field key", lambda d: fields(d)[0].update(placeholder="https://"), "Additional properties are not allowed"),
    ("unknown type", lambda d: fields(d)[0].update(type="integer"), "is not one of ['string', 'boolean']"),
    ("unknown format", lambda d: fields(d)[0].update(format="email"), "is not one of ['ssh_private_key', 'url']"),
    ("default of the wrong type", lambda d: fields(d)[2].update(default="yes"), "default 'yes' is not a boolean"),
    ("default of a string left untyped", lambda d: fields(d)[3].update(default=1), "default 1 is not a string"),
    ("default url without scheme", lambda d: fields(d)[0].update(default="a.example.com"), "Missing url scheme"),
    ("secret boolean", lambda d: fields(d)[2].update(secret=True), "secret not allowed for boolean type"),
    ("boolean with choices", lambda d: fields(d)[2].update(choices=["a"]), "choices not allowed for boolean type"),
    ("multiline boolean", lambda d: fields(d)[2].update(multiline=True), "multiline not allowed for boolean type"),
    ("formatted boolean", lambda d: fields(d)[2].update(format="url"), "format not allowed for boolean type"),
    ("empty choices", lambda d: fields(d)[3].update(choices=[]), "should be non-empty"),
    ("ask at runtime", lambda d: fields(d)[1].update(ask_at_runtime=True), "ask_at_runtime is not allowed"),
    ("dependencies", lambda d: d["inputs"].update(dependencies={"token": ["url"]}), "'dependencies' is not supported"),
    ("required id that is no field", lambda d: d["inputs"]["required"].append("api_key"), "inputs.required: api_key is not a field"),
    ("Ansible variable", lambda d: env(d).update(ANSIBLE_TIMEOUT="{{ url }}"), "ANSIBLE_TIMEOUT may affect Ansible configuration"),
    ("blocked variable", lambda d: env(d).update(PATH="{{ url }}"), "PATH is not allowed to be used in credentials"),
    ("blocked AWX variable", lambda d: env(d).update(JOB_ID="{{ url }}"), "JOB_ID is not allowed"),
    ("variable name", lambda d: env(d).update({"1URL": "{{ url }}"}), "does not match any of the regexes"),
    ("non-ASCII value", lambda d: env(d).update(EXAMPLE_NAME="caf\u00e9 {{ url }}"), "does not match"),
    ("undefined field", lambda d: env(d).update(EXAMPLE_URL="{{ uri }}"), "EXAMPLE_URL uses an undefined field"),
    ("undefined field in a file", lambda d: d["injectors"].update(file={"template": "{{ password }}"}), "uses an undefined field"),
    ("undefined field in extra_vars", lambda d: d["injectors"].update(extra_vars={"x": ["{{ secret }}"]}), "uses an undefined field"),
    ("templated extra_vars key", lambda d: d["injectors"].update(extra_vars={"{{nope}}": "{{ url }}"}), "(key) uses an undefined field"),
    ("file name without a file", lambda d: env(d).update(EXAMPLE_FILE="{{ tower.filename }}"), "Must define unnamed file injector"),
    ("the tower namespace itself", lambda d: env(d).update(EXAMPLE_T="{{ tower }}"), "reserved `tower` namespace"),
    ("single and multi file", lambda d: d["injectors"].update(file={"template": "a", "template.b": "b"}), "must use multi-file syntax"),
    ("syntax error", lambda d: env(d).update(EXAMPLE_URL="{{ url "), "EXAMPLE_URL: syntax error"),
    ("unsafe template", lambda d: env(d).update(EXAMPLE_URL="{{ [].append(url) }}"), "unsafe code execution"),
    ("unknown injector kind", lambda d: d["injectors"].update(files={}), "Additional properties are not allowed ('files'"),
    ("non-string env value", lambda d: env(d).update(EXAMPLE_PORT=443), "443 is not of type 'string'"),
    ("kind AWX refuses", lambda d: d.update(kind="ssh"), "kind: must be one of cloud, net"),
    ("no name", lambda d: d.pop("name"), "name: required"),
    ("key the module does not take", lambda d: d.update(managed=True), "managed: unknown key"),
]


@pytest.mark.parametrize("change, message", [case[1:] for case in MISTAKES], ids=[case[0] for case in MISTAKES])
def test_each_mistake_is_reported(change, message):
    found = problems(broken(change))
    assert any(message in problem for problem in found), found


def test_every_shipped_definition_still_fails_when_broken():
    # The shipped files go through the same checks: a typo in any of them is reported.
    for service in SERVICES:
        definition = load(service)
        name = sorted(definition["injectors"]["env"])[0]
        definition["injectors"]["env"][name] = definition["injectors"]["env"][name].replace(" }}", "_typo }}")
        assert any("uses an undefined field" in problem for problem in problems(definition)), service


def test_credential_values_are_checked_like_awx_does():
    assert value_problems(VALID, {"url": "https://a.example.com", "token": "t", "verify": False, "region": "eu"}) == []
    assert value_problems(VALID, {"token": 12})
    assert value_problems(VALID, {"region": "asia"})
    assert value_problems(VALID, {"verify": "yes"})
    assert value_problems(VALID, {"url": "/relative"})
    assert value_problems(VALID, {"other": "x"})


def test_run_time_rendering_exports_unset_fields_empty_and_booleans_as_words():
    assert injected_env(VALID, {"url": "https://a.example.com"}) == {
        "EXAMPLE_URL": "https://a.example.com", "EXAMPLE_TOKEN": "", "EXAMPLE_VERIFY": "False"}
    assert injected_env(VALID, {"url": "", "token": "t", "verify": True})["EXAMPLE_VERIFY"] == "True"
    assert injected_env(VALID, {"url": "", "token": "t"})["EXAMPLE_URL"] == ""


def test_run_time_rendering_skips_variables_awx_forbids():
    definition = broken(lambda d: env(d).update(ANSIBLE_X="{{ url }}", PATH="{{ url }}"))
    assert sorted(injected_env(definition, {"url": "u"})) == ["EXAMPLE_TOKEN", "EXAMPLE_URL", "EXAMPLE_VERIFY"]


def test_awx_hides_variables_named_like_secrets():
    assert [name for name in ("GITEA_PASSWORD", "RUNDECK_API_TOKEN", "X_KEY", "S_SECRET", "X_URL", "GITEA_USERNAME")
            if masked(name)] == ["GITEA_PASSWORD", "RUNDECK_API_TOKEN", "X_KEY", "S_SECRET"]


def test_a_secret_in_a_variable_awx_shows_is_reported():
    definition = broken(lambda d: env(d).update(EXAMPLE_AUTH="Bearer {{ token }}"))
    assert exposed_secrets(definition) == [("EXAMPLE_AUTH", "token")]
    assert exposed_secrets(VALID) == []
