# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rundeck projects: read, created, their named properties set or removed one by one, deleted.

How the properties are checked and compared is in ``_rundeck_project_properties``.
"""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._http import write_may_have_taken_effect
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import Resource
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_project_properties import (
    creation_properties,
    diff_view,
    invalid_project_name,
    canonical_properties,
    predicted_record,
    property_changes,
    record_from_answer,
    wanted_properties,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_project_api import RundeckProjects


class RundeckProject(Resource):
    """A project: ``{"name", "description", "label", "url", "config"}``, compared on the managed properties."""

    result_key = "project"

    def __init__(self, projects, name, wanted):
        super(RundeckProject, self).__init__()
        self.projects = projects
        self.name = name
        self.wanted = wanted

    def read(self):
        # Existence alone (a delete, or no property named) needs no configure access.
        project = self.projects.get(self.name, with_config=bool(self.wanted))
        return None if project is None else record_from_answer(project)

    def desired(self, current):
        return predicted_record(self.name, current, self.wanted, self.projects.url(self.name))

    def canonical(self, representation):
        return canonical_properties(representation["config"], self.wanted)

    def create(self, desired):
        created = record_from_answer(self.projects.create(self.name, creation_properties(self.wanted)))
        # Rundeck adds its own defaults to a new project: those the user wants unset go at once.
        if property_changes(created["config"], self.wanted):
            return self.update(created, desired)
        return created

    def update(self, current, desired):
        for key, value in property_changes(current["config"], self.wanted):
            if value is None:
                self.projects.remove_property(self.name, key)
            else:
                self.projects.set_property(self.name, key, value)
        # Read back: other properties may have changed meanwhile, and Rundeck's answer is the truth.
        project = self.projects.get(self.name)
        return desired if project is None else record_from_answer(project)

    def delete(self, current):
        self.projects.delete(self.name)

    def changed_by_failure(self, error):
        return write_may_have_taken_effect(self.projects.http, error)

    def diff_view(self, representation):
        return diff_view(representation, self.wanted)


def build_project(module):
    """The RundeckProject the module's options describe; raises InputError for options Rundeck would refuse."""
    params = module.params
    problem = invalid_project_name(params["name"])
    if problem:
        raise InputError(problem)
    wanted = {}
    if params["state"] == "present":
        wanted = wanted_properties(params["description"], params["label"], params["config"])
    return RundeckProject(RundeckProjects(params), params["name"], wanted)
