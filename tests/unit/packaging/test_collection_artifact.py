"""The collection tarball users install: everything they need, nothing only development needs.

The tarball is built offline from this tree with ansible-galaxy, then compared with the tree: every
file ships except the development-only paths listed here, on their own, so that galaxy.yml's
build_ignore and this list must agree.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import tarfile

import pytest
import yaml

from tests.support.ansible_environment import ansible_command

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

# Paths (relative to the collection root, fnmatch patterns; a folder covers what it holds) that
# only development needs: CI, the build, tools, benchmarks, virtualenvs, caches, changelog
# fragments (the release turns them into changelogs/changelog.yaml), test output and config.
DEVELOPMENT_ONLY = (
    ".ci",
    ".git",
    ".gitignore",
    ".ansible",
    ".venv",
    ".pytest_cache",
    "build",
    "tools",
    "benchmarks",
    "Makefile",
    "requirements-dev.txt",
    "galaxy.yml",
    # builds an execution environment from a checkout's own tarball (build/dist)
    "execution-environment.yml",
    "tests/output",
    "tests/integration/integration_config.yml",
    "changelogs/fragments",
    "changelogs/.plugin-cache.yaml",
    "*.tar.gz",
    "*/__pycache__",
    "__pycache__",
    "*.pyc",
)
# Files users need, whatever else changes.
REQUIRED_FILES = (
    "README.md",
    "COPYING",
    "requirements.txt",
    "meta/runtime.yml",
    "meta/execution-environment.yml",
    "changelogs/changelog.yaml",
    "changelogs/config.yaml",
    "tests/sandbox/__main__.py",
    "tests/sandbox/README.md",
    # Galaxy runs ansible-lint on the uploaded tarball, with the settings the tarball holds
    ".ansible-lint",
)
# Folders users need whole, when the tree has them.
USER_FOLDERS = ("plugins", "meta", "docs", "roles", "playbooks", "extensions", "tests/sandbox")
TAG_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def development_only(path):
    parts = path.split("/")
    prefixes = ["/".join(parts[:count]) for count in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes for pattern in DEVELOPMENT_ONLY)


def tree_files():
    """Every file of the tree, relative to the root."""
    found = set()
    for directory, folders, files in os.walk(ROOT):
        folders[:] = [folder for folder in folders if folder != ".git"]
        for name in files:
            found.add(os.path.relpath(os.path.join(directory, name), ROOT).replace(os.sep, "/"))
    return found


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    """(MANIFEST.json, FILES.json, names of the tarball's files) of a fresh build of this tree."""
    output = tmp_path_factory.mktemp("dist")
    galaxy = ansible_command("ansible-galaxy")
    # No network: a build that tried to reach a server or an index would fail through this proxy.
    environment = dict(os.environ, http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9", no_proxy="")
    environment["ANSIBLE_GALAXY_SERVER"] = "http://127.0.0.1:9"
    result = subprocess.run(
        [galaxy, "collection", "build", "--force", "--output-path", str(output), ROOT],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    (tarball,) = output.glob("opsforge-delivery-*.tar.gz")
    with tarfile.open(tarball) as archive:
        manifest = json.load(archive.extractfile("MANIFEST.json"))
        files = json.load(archive.extractfile("FILES.json"))
        names = {member.name for member in archive.getmembers() if member.isfile()}
    return manifest, files, names


def shipped(artifact):
    _manifest, files, _names = artifact
    return {entry["name"] for entry in files["files"] if entry["ftype"] == "file"}


def test_the_tarball_holds_what_files_json_lists(artifact):
    _manifest, _files, names = artifact
    assert names == shipped(artifact) | {"MANIFEST.json", "FILES.json"}


def test_nothing_development_only_ships(artifact):
    assert sorted(path for path in shipped(artifact) if development_only(path)) == []


def test_everything_else_ships(artifact):
    expected = {path for path in tree_files() if not development_only(path)}
    assert sorted(expected - shipped(artifact)) == []
    assert sorted(shipped(artifact) - expected) == []


def test_the_files_users_need_ship(artifact):
    files = shipped(artifact)
    assert sorted(set(REQUIRED_FILES) - files) == []
    if os.path.exists(os.path.join(ROOT, "CHANGELOG.md")):
        assert "CHANGELOG.md" in files
    for folder in USER_FOLDERS:
        in_tree = {path for path in tree_files() if path.startswith(folder + "/") and not development_only(path)}
        assert sorted(in_tree - files) == [], folder


def test_the_execution_environment_files_ship(artifact):
    with open(os.path.join(ROOT, "meta", "execution-environment.yml"), encoding="utf-8") as handle:
        definition = yaml.safe_load(handle)
    named = [path for path in definition["dependencies"].values() if isinstance(path, str)]
    assert named, "meta/execution-environment.yml names no dependency files"
    assert sorted(set(named) - shipped(artifact)) == []


def test_metadata(artifact):
    manifest, _files, _names = artifact
    info = manifest["collection_info"]
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        galaxy = yaml.safe_load(handle)
    assert (info["namespace"], info["name"], info["version"]) == ("opsforge", "delivery", galaxy["version"])
    assert re.match(r"^\d+\.\d+\.\d+$", info["version"])
    assert info["readme"] == "README.md"
    assert info["authors"] and all(author.strip() for author in info["authors"])
    assert len(info["description"]) > 40
    assert info["license"] == ["GPL-3.0-or-later"] and info["license_file"] is None
    assert 0 < len(info["tags"]) <= 20
    assert [tag for tag in info["tags"] if not TAG_RE.match(tag) or len(tag) > 64] == []
    assert info["dependencies"] == {}
    for key in ("repository", "documentation", "homepage", "issues"):
        assert info[key].startswith("https://"), key
