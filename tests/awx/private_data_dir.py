"""A private data directory laid out the way AWX lays one out for a job, for ansible-runner.

AWX (awx/main/tasks/jobs.py) copies the project into project/, installs the project's
collections/requirements.yml into requirements_collections/ (the project sync), writes the
inventory as an executable script inventory/hosts, and the job's environment, extra variables
and runner settings into env/. Jobs run in a container there; here they run in this process's
Python environment, so paths are the host's and the collection path is set by ANSIBLE_COLLECTIONS_PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import yaml

from tests.support.ansible_environment import ansible_command

#: AWX's inventory script: it prints the inventory as JSON (Inventory.get_script_data).
INVENTORY_SCRIPT = "#! %s\n# -*- coding: utf-8 -*-\nprint(%r)\n"


def write_yaml(path, data):
    with open(path, "w") as handle:
        yaml.safe_dump(data, handle, default_flow_style=False)


def lay_out_project(root, files, collection_requirements):
    """project/: the files a job template's project holds, plus collections/requirements.yml."""
    project = os.path.join(root, "project")
    for destination, source in files.items():
        os.makedirs(os.path.dirname(os.path.join(project, destination)), exist_ok=True)
        shutil.copyfile(source, os.path.join(project, destination))
    os.makedirs(os.path.join(project, "collections"), exist_ok=True)
    write_yaml(os.path.join(project, "collections", "requirements.yml"), {"collections": collection_requirements})
    return project


def sync_project_collections(root):
    """What a project sync does: ansible-galaxy installs collections/requirements.yml, collections only."""
    galaxy = ansible_command("ansible-galaxy")
    subprocess.run([galaxy, "collection", "install", "-r", os.path.join(root, "project", "collections", "requirements.yml"),
                    "-p", os.path.join(root, "requirements_collections")], check=True, capture_output=True, text=True)


def write_inventory(root, inventory):
    os.makedirs(os.path.join(root, "inventory"), exist_ok=True)
    path = os.path.join(root, "inventory", "hosts")
    with open(path, "w") as handle:
        handle.write(INVENTORY_SCRIPT % (sys.executable, json.dumps(inventory)))
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IXUSR)


def awx_environment(root, credential_env):
    """The variables AWX sets that matter here, then each credential's injected variables."""
    env = {
        "JOB_ID": "1",
        "ANSIBLE_COLLECTIONS_PATH": ":".join([os.path.join(root, "requirements_collections"),
                                              "~/.ansible/collections", "/usr/share/ansible/collections"]),
        "ANSIBLE_ROLES_PATH": ":".join([os.path.join(root, "requirements_roles"),
                                        "~/.ansible/roles", "/usr/share/ansible/roles", "/etc/ansible/roles"]),
    }
    for injected in credential_env:
        env.update(injected)
    return env


def write_env(root, envvars, extravars, settings):
    os.makedirs(os.path.join(root, "env"), exist_ok=True)
    write_yaml(os.path.join(root, "env", "envvars"), envvars)
    write_yaml(os.path.join(root, "env", "extravars"), extravars)
    write_yaml(os.path.join(root, "env", "settings"), settings)
