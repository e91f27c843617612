"""The collection's playbooks and roles use only ansible.builtin and the collection itself, which is all
galaxy.yml declares (Galaxy's importer warns about any other); .ansible/ stays out of git."""

from __future__ import annotations

import glob
import os
import re

import pytest
import yaml

COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, os.pardir))
#: A fully qualified name: namespace.collection.name (a task's module, a role, a lookup).
FQCN = re.compile(r"\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\.[a-z_][a-z0-9_]*\b")
#: Task keys that hold names of other things, not modules.
NOT_MODULES = frozenset(["name", "vars", "when", "loop", "register", "tags", "module_defaults", "environment", "args"])


def declared_collections():
    with open(os.path.join(COLLECTION_ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        galaxy = yaml.safe_load(handle)
    own = "%s.%s" % (galaxy["namespace"], galaxy["name"])
    return set(["ansible.builtin", own]) | set(galaxy.get("dependencies") or {})


def task_modules(node):
    """Every key of every task in a play, block or task list that names a collection's content."""
    if isinstance(node, list):
        return [found for item in node for found in task_modules(item)]
    if not isinstance(node, dict):
        return []
    found = [key for key in node if key not in NOT_MODULES and FQCN.fullmatch(key)]
    for key in ("tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always", "roles"):
        found.extend(task_modules(node.get(key)))
    if isinstance(node.get("role"), str):
        found.append(node["role"])
    return found


SHIPPED = sorted(glob.glob(os.path.join(COLLECTION_ROOT, "playbooks", "*.yml"))
                 + glob.glob(os.path.join(COLLECTION_ROOT, "roles", "*", "tasks", "*.yml")))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: os.path.relpath(path, COLLECTION_ROOT))
def test_shipped_playbooks_and_roles_use_only_declared_collections(path):
    with open(path, encoding="utf-8") as handle:
        content = yaml.safe_load(handle)
    allowed = declared_collections()
    used = sorted(set(".".join(name.split(".")[:2]) for name in task_modules(content) if FQCN.fullmatch(name)))
    assert set(used) <= allowed, "%s uses %s; galaxy.yml declares %s" % (path, sorted(set(used) - allowed), sorted(allowed))


def test_the_working_directory_files_of_ansible_lint_and_ansible_core_are_ignored():
    with open(os.path.join(COLLECTION_ROOT, ".gitignore"), encoding="utf-8") as handle:
        assert ".ansible/" in handle.read().split()
