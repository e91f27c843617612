"""Jobs for the tests that run them: imported straight through the sandbox's API."""

from __future__ import annotations

import requests


def add_job(sandbox, name, *commands, **extra):
    """Import a job of exec steps into project ``sandbox`` (group ``ops`` unless given); its UUID.

    The request log is cleared afterwards: the tests count the requests of the run alone.
    """
    job = {"name": name, "group": extra.pop("group", "ops"),
           "sequence": {"keepgoing": False, "commands": [{"exec": command} for command in commands]}}
    job.update(extra)
    response = requests.post("%s/api/49/project/sandbox/jobs/import" % sandbox.urls["rundeck"],
                             params={"fileformat": "json", "uuidOption": "preserve"}, json=[job],
                             headers={"X-Rundeck-Auth-Token": sandbox.credentials["rundeck_token"]}, timeout=5)
    response.raise_for_status()
    sandbox.controls["rundeck"].clear_requests()
    return response.json()["succeeded"][0]["id"]
