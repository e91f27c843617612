"""`make ee`: the execution environment definition works, without podman or docker.

ansible-builder writes the build context of execution-environment.yml into build/ee (the step
before the image build, and where a bad definition fails), the context holds the Containerfile and
the collection tarball of this version, and ansible-builder's introspection of the installed
collection (build/collections, from `make install`) lists the Python libraries it needs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
CONTEXT = os.path.join(TOP, "build", "ee")
COLLECTIONS = os.path.join(TOP, "build", "collections")
# ansible-builder leaves these out of every image on purpose (ansible-core brings PyYAML).
EXCLUDED_BY_BUILDER = {"pyyaml", "yaml", "ansible-core", "ansible"}
# A bindep line: a package name, then [profiles] and version constraints (such as >=1.2,<2).
BINDEP_LINE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*( *(\[[^\]]*\]|[<>=!]=?[^ \[]+))*$")


def fail(message):
    sys.exit("ee: " + message)


def requirement_names(lines):
    return set(re.split(r"[ <>=!~;\[#]", line.strip(), maxsplit=1)[0].lower()
               for line in lines if line.strip() and not line.strip().startswith("#"))


def read_lines(*parts):
    with open(os.path.join(TOP, *parts)) as handle:
        return handle.read().splitlines()


def check_collection_metadata():
    """meta/execution-environment.yml names files that exist and agree with requirements.txt."""
    with open(os.path.join(TOP, "meta", "execution-environment.yml")) as handle:
        dependencies = yaml.safe_load(handle)["dependencies"]
    python = read_lines(dependencies["python"])
    if requirement_names(python) != requirement_names(read_lines("requirements.txt")):
        fail("%s and requirements.txt list different libraries" % dependencies["python"])
    bad = [line for line in read_lines(dependencies["system"])
           if line.strip() and not line.startswith("#") and not BINDEP_LINE.match(line.strip())]
    if bad:
        fail("%s: not bindep lines: %s" % (dependencies["system"], bad))
    print("ee: %s lists %d Python libraries; %s is valid bindep" % (
        dependencies["python"], len(requirement_names(python)), dependencies["system"]))
    return requirement_names(python)


def check_build_context():
    """ansible-builder create writes a Containerfile that installs this version's tarball."""
    with open(os.path.join(TOP, "galaxy.yml")) as handle:
        version = yaml.safe_load(handle)["version"]
    tarball = "opsforge-delivery-%s.tar.gz" % version
    shutil.rmtree(CONTEXT, ignore_errors=True)
    subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "--file", "execution-environment.yml",
                    "--context", CONTEXT, "--output-filename", "Containerfile"], cwd=TOP, check=True)
    with open(os.path.join(CONTEXT, "Containerfile")) as handle:
        containerfile = handle.read()
    for needed in ("FROM $EE_BASE_IMAGE AS base", "ansible-galaxy collection install", "introspect.py introspect",
                   "check_ansible"):
        if needed not in containerfile:
            fail("the Containerfile has no %r" % needed)
    with open(os.path.join(CONTEXT, "_build", "requirements.yml")) as handle:
        collections = yaml.safe_load(handle)["collections"]
    if collections != [{"name": "collections/" + tarball, "type": "file"}]:
        fail("the galaxy requirements are %r, not this version's tarball %s" % (collections, tarball))
    if not os.path.isfile(os.path.join(CONTEXT, "_build", "collections", tarball)):
        fail("%s is not in the build context" % tarball)
    print("ee: build context in build/ee: Containerfile, requirements.yml installing %s" % tarball)


def check_introspection(expected):
    """What ansible-builder finds in the installed collection: every library but the ones it drops."""
    run = subprocess.run([os.path.join(BIN, "ansible-builder"), "introspect", "--sanitize", COLLECTIONS],
                         check=True, capture_output=True, text=True)
    found = yaml.safe_load(run.stdout)
    python = [line for line in found.get("python") or [] if line.endswith("# from collection opsforge.delivery")]
    wanted = expected - EXCLUDED_BY_BUILDER
    if requirement_names(python) != wanted:
        fail("introspection lists %s, expected %s" % (sorted(requirement_names(python)), sorted(wanted)))
    if found.get("system"):
        fail("introspection lists system packages %s" % found["system"])
    print("ee: introspection of build/collections lists %s (PyYAML comes with ansible-core)"
          % ", ".join(line.split("#")[0].strip() for line in python))


def main():
    if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "opsforge", "delivery")):
        fail("run `make install` first: build/collections holds no opsforge.delivery")
    expected = check_collection_metadata()
    check_build_context()
    check_introspection(expected)


if __name__ == "__main__":
    main()
