# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck's project endpoints: list, read, create, one property at a time, delete."""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import NOT_FOUND_CODE, PROJECT_MISSING_CODE, RundeckService

#: From this API version a project deletion runs in the background unless ``deferred=false``.
DEFERRED_DELETE_API_VERSION = 45


def _q(value):
    return quote(value, safe="")


class RundeckProjects(RundeckService):
    """The project endpoints of one Rundeck server."""

    def url(self, name):
        """The project's API address at the API version in use."""
        return self.http.url("project/%s" % _q(name))

    def list(self):
        """Every project as Rundeck lists them (name, description, url; label from API 26, created from 33)."""
        action = "list the projects"
        response = self.http.request("GET", "projects", action)
        projects = self.decode(response, action)
        if not isinstance(projects, list):
            raise self.answer_error(response, action, "expected a list of projects, got %s" % type(projects).__name__)
        return projects

    def get(self, name, with_config=True):
        """The project as Rundeck shows it, or None when there is no such project.

        Only Rundeck's own "does not exist" answer means absent: a 404 from something else at that
        address (a wrong ``url``, a proxy) is an error. Rundeck leaves ``config`` out for a token
        without configure access to the project; with ``with_config`` that is an error too.
        """
        action = "read project %s" % name
        try:
            response = self.http.request("GET", "project/%s" % _q(name), action)
        except ApiError as exc:
            # Rundeck checks that a named project exists before the endpoint runs (errorCode
            # api.error.project.missing); the endpoint's own check answers item.doesnotexist.
            if exc.status == 404 and (PROJECT_MISSING_CODE in exc.message or NOT_FOUND_CODE in exc.message):
                return None
            raise
        project = self.decode(response, action)
        if not isinstance(project, dict):
            raise self.answer_error(response, action, "expected a project, got %s" % type(project).__name__)
        if with_config and not isinstance(project.get("config"), dict):
            raise self.answer_error(response, action,
                                    "the answer has no project configuration: the API token needs configure (or admin) "
                                    "access to project %s to read its properties" % name)
        return self._own_url(project)

    def create(self, name, properties):
        """Create the project with ``properties`` in one request; the project as Rundeck answers it."""
        action = "create project %s" % name
        return self._own_url(self.write("POST", "projects", action, expected=(201,),
                                        json={"name": name, "config": properties}))

    def _own_url(self, project):
        """The project with its address at the API version in use: Rundeck writes its own current
        version into ``url``, which check mode cannot know and which changes with each upgrade."""
        if isinstance(project, dict) and project.get("name"):
            project = dict(project, url=self.url(project["name"]))
        return project

    def set_property(self, name, key, value):
        action = "set property %s of project %s" % (key, name)
        self.http.request("PUT", "project/%s/config/%s" % (_q(name), _q(key)), action, json={"value": value})

    def remove_property(self, name, key):
        action = "remove property %s of project %s" % (key, name)
        self.http.request("DELETE", "project/%s/config/%s" % (_q(name), _q(key)), action, expected=(204,))

    def delete(self, name):
        """Delete the project and wait until Rundeck is done (never in the background)."""
        action = "delete project %s" % name
        params = {"deferred": "false"} if self.api_version >= DEFERRED_DELETE_API_VERSION else None
        self.http.request("DELETE", "project/%s" % _q(name), action, expected=(204,), params=params)
