# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rundeck API: projects and their configuration properties.

A project is its name and its properties (``project.properties``); the
description and the label are the properties ``project.description`` and
``project.label``, as on the server.
"""

import json
import re

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Response

from . import rundeck_versions

PROJECT_NAME_PATTERN = r"^[-_a-zA-Z0-9+][-\._a-zA-Z0-9+]*$"
# The server's own words for a bad project name (its message code is also its errorCode).
PROJECT_NAME_CODE = "project.name.can.only.contain.these.characters"
PROJECT_NAME_MESSAGE = "Project name can only contain these characters: [a-zA-Z0-9_-+.] and cannot start with a '.'."
# Listings show the label from API 26 and the creation date from API 33.
LABEL_MIN_API_VERSION = 26
CREATED_MIN_API_VERSION = 33
# Deletion in the background (the default) from API 45; before, it always finished first.
DEFERRED_DELETE_MIN_API_VERSION = 45
# What Rundeck writes into a new project's properties when the creation does not set them, with
# the server's own settings (project.defaults.*) left as shipped: no project.ssh-keypath then.
DEFAULT_PROPERTIES = (
    ("resources.source.1.type", "local"),
    ("service.NodeExecutor.default.provider", "sshj-ssh"),
    ("service.FileCopier.default.provider", "sshj-scp"),
    ("project.ssh-authentication", "privateKey"),
)

_PROJECT_NAME_RE = re.compile(PROJECT_NAME_PATTERN)


def _error(status, code, message, args=None):
    return rundeck_versions.error(status, code, message, args)


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type="application/json")


def property_value(value):
    """A property as the server stores it: text, booleans as ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def new_project_properties(name, config):
    """The properties of a project created with ``config``: the given ones, Rundeck's defaults, its name."""
    properties = {key: value for key, value in DEFAULT_PROPERTIES if key not in config}
    properties.update(config)
    properties["project.name"] = name
    return properties


def project_missing(name, word="Project"):
    # The server's message names the item as its controller spells it: "project" for a project read.
    return _error(404, "api.error.item.doesnotexist", "%s does not exist: %s" % (word, name), [word, name])


def _property_missing(key):
    return _error(404, "api.error.item.doesnotexist", "property does not exist: %s" % key, ["property", key])


def _invalid(message):
    # The server's message for this code wraps the reason it is given.
    return _error(400, "api.error.invalid.request", "Invalid API Request: %s" % message, [message])


def _media_type(value):
    return (value or "").split(";", 1)[0].strip().lower()


def _wants_json():
    """True when the Accept header asks for JSON; the config key endpoints answer plain text otherwise."""
    accept = request.headers.get("Accept")
    if not accept:
        return False
    return any(value.lower() == "application/json" and quality > 0 for value, quality in parse_accept_header(accept, MIMEAccept))


def _read_json():
    """The JSON body, or an error response."""
    try:
        return json.loads(request.get_data(as_text=True)), None
    except ValueError:
        return None, _invalid("Invalid JSON request content")


def _scalar_map(data):
    """A map of property names to scalar values, as text; None when it is something else."""
    if not isinstance(data, dict) or any(isinstance(value, (dict, list)) or value is None for value in data.values()):
        return None
    return {str(key): property_value(value) for key, value in data.items()}


class ProjectApi:
    """Views of the project endpoints; ``version`` is the one given in the URL."""

    def __init__(self, state):
        self.state = state

    def _url(self, version, name):
        # At the server's current version, whatever the URL's; a project name needs no escaping.
        return "%sapi/%d/project/%s" % (request.host_url, rundeck_versions.server_api_version(), name)

    def _summary(self, version, project):
        config = project["config"]
        summary = {
            "name": project["name"],
            "description": config.get("project.description", ""),
            "url": self._url(version, project["name"]),
        }
        if int(version) >= LABEL_MIN_API_VERSION:
            summary["label"] = config.get("project.label", "")
        if int(version) >= CREATED_MIN_API_VERSION:
            summary["created"] = project["created"]
        return summary

    def _body(self, version, project):
        config = project["config"]
        body = {"url": self._url(version, project["name"]), "name": project["name"], "description": config.get("project.description", "")}
        # A project's own answer has the label only when there is one.
        if int(version) >= LABEL_MIN_API_VERSION and config.get("project.label"):
            body["label"] = config["project.label"]
        if int(version) >= CREATED_MIN_API_VERSION:
            body["created"] = project["created"]
        body["config"] = dict(config)
        return body

    # -- projects ---------------------------------------------------------------

    def list_projects(self, version):
        with self.state.lock:
            projects = [self.state.projects[name] for name in sorted(self.state.projects)]
            return _json([self._summary(version, project) for project in projects])

    def create_project(self, version):
        data, problem = _read_json()
        if problem is not None:
            return problem
        if not isinstance(data, dict):
            return _invalid("Invalid JSON request content: expected an object")
        # The server's JSON checks first: a required text name, and a map as config.
        problems = []
        name = data.get("name")
        if name is None:
            problems.append("json: required 'name' but it was not found")
        elif not isinstance(name, str):
            problems.append("json: expected 'name' to be a String")
        if data.get("config") is not None and not isinstance(data["config"], dict):
            problems.append("json: expected 'config' to be a Map")
        if problems:
            return _invalid("; ".join(problems))
        if name == "":
            return _invalid("Project 'name' is required")
        if not _PROJECT_NAME_RE.match(name):
            return _error(400, PROJECT_NAME_CODE, PROJECT_NAME_MESSAGE)
        config = _scalar_map(data.get("config") or {})
        if config is None:
            # The server would store such values as Java objects; a sandbox guess refuses them.
            return _invalid("json: expected 'config' to map property names to text, numbers or booleans")
        description = data.get("description")
        # The description field fills project.description only when the config leaves it empty.
        if description and not config.get("project.description"):
            config["project.description"] = property_value(description)
        with self.state.lock:
            if name in self.state.projects:
                return _error(409, "api.error.item.alreadyexists", "project already exists: %s" % name, ["project", name])
            project = self.state.add_project(name, config)
            return _json(self._body(version, project), 201)

    def get_project(self, version, name):
        with self.state.lock:
            project = self.state.projects.get(name)
            if project is None:
                return project_missing(name, "project")
            return _json(self._body(version, project))

    def delete_project(self, version, name):
        deferred = request.args.get("deferred", "true").lower() != "false"
        with self.state.lock:
            if name not in self.state.projects:
                return project_missing(name)
            if deferred and int(version) >= DEFERRED_DELETE_MIN_API_VERSION:
                # Answered at once; the project stays until the background deletion is done.
                self.state.schedule_deletion(name)
            else:
                self.state.remove_project(name)
        return Response(status=204)

    # -- configuration ----------------------------------------------------------

    def config(self, version, name):
        with self.state.lock:
            project = self.state.projects.get(name)
            if project is None:
                return project_missing(name)
            if request.method == "PUT":
                data, problem = _read_json()
                if problem is not None:
                    return problem
                config = _scalar_map(data)
                if config is None:
                    return _invalid("Invalid JSON request content: expected a map of property names to values")
                # Every property is replaced; the name is always the project's own.
                config["project.name"] = name
                project["config"] = config
            return _json(dict(project["config"]))

    def config_key(self, version, name, key):
        with self.state.lock:
            project = self.state.projects.get(name)
            if project is None:
                return project_missing(name)
            config = project["config"]
            if request.method == "DELETE":
                # Removing a property that is not set is not an error.
                config.pop(key, None)
                return Response(status=204)
            if request.method == "PUT":
                value, problem = _read_value()
                if problem is not None:
                    return problem
                config[key] = value
            elif key not in config:
                return _property_missing(key)
            value = config[key]
        if _wants_json():
            return _json({"key": key, "value": value})
        return Response(value.encode("utf-8"), content_type="text/plain;charset=utf-8")


def _read_value():
    """The value of a config key PUT: JSON ``{"value": ...}`` or the plain text body."""
    if _media_type(request.content_type) == "text/plain":
        value = request.get_data(as_text=True)
    else:
        data, problem = _read_json()
        if problem is not None:
            return None, problem
        value = data.get("value") if isinstance(data, dict) else None
        if isinstance(value, (dict, list)):
            return None, _invalid("Invalid JSON request content: 'value' must be text")
    # The server refuses an empty value: a property is removed with DELETE.
    if value is None or value == "":
        return None, _invalid("value was not specified")
    return property_value(value), None
