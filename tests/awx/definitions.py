"""The credential types the collection ships, as AWX gets them: one YAML file per service."""

from __future__ import annotations

import os

import yaml

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFINITIONS_DIR = os.path.join(COLLECTION_ROOT, "extensions", "awx", "credential_types")
SERVICES = ("rundeck", "opsgenie", "octopus", "gitea", "jira")


def path(service):
    return os.path.join(DEFINITIONS_DIR, service + ".yml")


def load(service):
    with open(path(service)) as handle:
        return yaml.safe_load(handle)
