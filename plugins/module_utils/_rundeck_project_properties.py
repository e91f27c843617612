# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck projects as properties: the user's input checked, compared and turned into writes.

A project is its name and its configuration properties, all text. The description and the
label are the properties ``project.description`` and ``project.label``. Only the properties the
user names are managed: a wanted value of None means "must not be set".
"""

from __future__ import annotations

import re

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError

NAME_KEY = "project.name"
DESCRIPTION_KEY = "project.description"
LABEL_KEY = "project.label"
#: Properties that have an option of their own, and the option's name.
OPTION_KEYS = {DESCRIPTION_KEY: "description", LABEL_KEY: "label"}
#: Rundeck's rule for project names (FrameworkResource.VALID_RESOURCE_NAME_REGEX).
PROJECT_NAME_PATTERN = r"^[-_a-zA-Z0-9+][-\._a-zA-Z0-9+]*$"

_PROJECT_NAME_RE = re.compile(PROJECT_NAME_PATTERN)


def invalid_project_name(name):
    """Why Rundeck would refuse this project name, or None."""
    if not name:
        return "the project name must not be empty"
    if not _PROJECT_NAME_RE.match(name):
        return ("invalid project name %r: Rundeck allows letters, digits and the characters _ - + . "
                "(not first), matching %s" % (name, PROJECT_NAME_PATTERN))
    return None


def property_text(value):
    """A property value as Rundeck stores it: text, booleans as ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def wanted_properties(description=None, label=None, config=None):
    """The managed properties, ``{key: text or None}``, from the options; InputError says what to fix.

    An empty description or label means none: the property must not be set (Rundeck shows ``""``
    for a missing one). An empty value elsewhere is refused, because Rundeck refuses to set one.
    """
    # YAML may give a key as a number; Rundeck's keys are text.
    config = dict((key if isinstance(key, str) else str(key), value) for key, value in (config or {}).items())
    problems = ["config key %r: %s" % (key, problem) for key, problem in _property_problems(config)]
    if problems:
        raise InputError("; ".join(problems))
    wanted = {}
    for key, value in config.items():
        wanted[key] = None if value is None else property_text(value)
    for key, value in ((DESCRIPTION_KEY, description), (LABEL_KEY, label)):
        if value is not None:
            wanted[key] = value or None
    return wanted


def _property_problems(config):
    """(key, problem) for each property of ``config`` that cannot be managed as given."""
    for key, value in config.items():
        if not key.strip():
            yield key, "a property name must not be empty"
        elif key != key.strip():
            yield key, "a property name must not start or end with white space"
        elif "/" in key:
            yield key, "a property name must not contain '/' (Rundeck reads it as a path)"
        elif key == NAME_KEY:
            yield key, "Rundeck sets %s to the project's name; leave it out" % NAME_KEY
        elif key in OPTION_KEYS:
            yield key, "set it with the %s option instead" % OPTION_KEYS[key]
        elif isinstance(value, (dict, list, tuple, set)):
            yield key, "the value must be text, a number or a boolean (got a %s)" % type(value).__name__
        elif value == "":
            yield key, ("the value is empty, and Rundeck refuses to set an empty property; give a value, "
                        "or null to remove the property")


def canonical_properties(config, wanted):
    """What the server has for each managed property: ``{key: text or None}``.

    An empty description or label counts as none, as Rundeck shows them.
    """
    state = {}
    for key in wanted:
        value = config.get(key)
        state[key] = None if (value == "" and key in OPTION_KEYS) else value
    return state


def property_changes(config, wanted):
    """The writes that bring ``config`` to ``wanted``: ``[(key, text or None)]`` by key, None to remove."""
    have = canonical_properties(config, wanted)
    return [(key, wanted[key]) for key in sorted(wanted) if have[key] != wanted[key]]


def apply_properties(config, wanted):
    """``config`` with the managed properties set or removed, as the server will have it."""
    result = dict(config)
    for key, value in wanted.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def creation_properties(wanted):
    """The properties a creation sends: the managed ones that are to be set."""
    return dict((key, value) for key, value in wanted.items() if value is not None)


def project_record(name, config, url=None):
    """What the collection returns for a project: name, description, label, url and every property."""
    return dict(
        name=name,
        description=config.get(DESCRIPTION_KEY) or "",
        label=config.get(LABEL_KEY) or "",
        url=url,
        config=dict(config),
    )


def record_from_answer(project):
    """The record of a project as Rundeck answered it (GET or POST).

    Without ``config`` (a token that may not configure the project), the description and label
    are Rundeck's own fields and ``config`` is empty.
    """
    if isinstance(project.get("config"), dict):
        return project_record(project["name"], project["config"], project.get("url"))
    record = project_record(project["name"], {}, project.get("url"))
    record.update(description=project.get("description") or "", label=project.get("label") or "")
    return record


def predicted_record(name, current, wanted, url):
    """The record after the writes: ``current`` (None for a new project) with ``wanted`` applied.

    A new project is predicted with its name and the properties it is created with; Rundeck adds
    its own defaults (node executor, file copier, resource source) when it creates one.
    """
    if current is None:
        config = dict(creation_properties(wanted))
        config[NAME_KEY] = name
        return project_record(name, config, url)
    return project_record(name, apply_properties(current["config"], wanted), current.get("url"))


def diff_view(record, wanted):
    """What ``--diff`` shows: the name, description, label and the managed properties that are set."""
    config = record["config"]
    managed = dict((key, config[key]) for key in sorted(wanted) if key in config and key not in OPTION_KEYS)
    return dict(name=record["name"], description=record["description"], label=record["label"], config=managed)
