"""The modules against the oldest Rundeck release they support (5.0, API 44 to 46) and the newest."""

from __future__ import annotations

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import DEFAULT_API_VERSION
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_sync import JobSet
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_jobs import RundeckJobs
from ansible_collections.opsforge.delivery.plugins.modules.rundeck_project import main as project_main

from tests.sandbox import Sandbox

JOB = {"name": "deploy", "group": "ops", "sequence": {"commands": [{"exec": "uptime"}]}}


@pytest.fixture(scope="module")
def rundeck_5_0():
    with Sandbox(ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0}, credentials={"rundeck_version": "5.0"}) as sandbox:
        yield sandbox


def connection(sandbox, **options):
    return dict(url=sandbox.urls["rundeck"], api_token=sandbox.credentials["rundeck_token"], retries=0, **options)


@pytest.mark.parametrize("api_version", [44, 46])
def test_jobs_on_rundeck_5_0(rundeck_5_0, api_version):
    rundeck_5_0.reset()
    params = connection(rundeck_5_0, api_version=api_version)
    changed, jobs, dummy, dummy2 = JobSet(RundeckJobs(params), "sandbox", [JOB]).run(False, with_diff=False)
    assert changed and [job["name"] for job in jobs["created"]] == ["deploy"]
    changed, jobs, dummy, dummy2 = JobSet(RundeckJobs(params), "sandbox", [JOB]).run(False, with_diff=False)
    assert not changed and jobs["unchanged"][0]["href"].endswith("/api/%d/job/%s" % (api_version, jobs["unchanged"][0]["id"]))


def test_projects_on_rundeck_5_0_at_api_46_and_the_default_version(rundeck_5_0, module_runner):
    rundeck_5_0.reset()
    created = module_runner(project_main, connection(rundeck_5_0, name="web", api_version=46))
    assert created["changed"] and created["project"]["url"].endswith("/api/46/project/web")
    # Rundeck 5.0 answers API 46 at most: the default version is refused with the server's reason.
    refused = module_runner(project_main, connection(rundeck_5_0, name="web"))
    assert refused["failed"]
    assert "Current version: 46" in refused["msg"] and "set api_version" in refused["msg"]
    assert DEFAULT_API_VERSION > 46


def test_projects_on_the_newest_release_return_the_url_at_the_version_in_use(sandbox, rundeck, module_runner):
    # The server writes its own current version (59) into a project's url; the module returns the
    # address at the version it uses, as check mode predicts it.
    predicted = module_runner(project_main, dict(rundeck, name="web"), check_mode=True)
    created = module_runner(project_main, dict(rundeck, name="web"))
    assert predicted["project"]["url"] == created["project"]["url"]
    assert created["project"]["url"].endswith("/api/%d/project/web" % DEFAULT_API_VERSION)
