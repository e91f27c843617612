"""PyYAML is imported only by the runs that read or write YAML."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils import _yaml
from tests.support.ansible_environment import python_path
from tests.support.paths import COLLECTIONS_PATH

MODULES = ("rundeck_acl", "rundeck_job", "rundeck_key", "rundeck_project", "opsgenie_deployment", "jira_deployment", "octopus_machine",
           "gitea_token")


def loaded_by(module):
    """Whether importing the module, in a new interpreter, loads PyYAML and requests."""
    code = ("import sys; import ansible_collections.opsforge.delivery.plugins.modules.%s; "
            "print('yaml' in sys.modules, 'requests' in sys.modules)" % module)
    run = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=python_path(COLLECTIONS_PATH)),
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


@pytest.mark.parametrize("module", MODULES)
def test_importing_a_module_does_not_load_yaml(module):
    assert loaded_by(module) == ["False", "True"]


def test_yaml_errors_carry_pyyaml_s_message():
    with pytest.raises(_yaml.YAMLError) as caught:
        _yaml.load_documents("a: [1, 2\nb: c\n")
    assert "flow sequence" in str(caught.value)
    assert _yaml.load_documents("---\na: 1\n---\n") == [{"a": 1}]
    assert _yaml.yaml_import_error() is None


def test_a_missing_pyyaml_is_reported_with_its_traceback(monkeypatch):
    def missing():
        raise ImportError("No module named 'yaml'")

    monkeypatch.setattr(_yaml, "_library", missing)
    assert "No module named 'yaml'" in _yaml.yaml_import_error()
