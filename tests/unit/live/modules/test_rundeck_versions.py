"""The modules against the oldest Rundeck release they support (5.0, API 44 to 46) and the newest."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck import DEFAULT_API_VERSION
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_set import RundeckJobSet
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_api import RundeckJobs
from ansible_collections.opsforge.delivery.plugins.modules.rundeck_acl import main as acl_main
from ansible_collections.opsforge.delivery.plugins.modules.rundeck_job import main as job_main
from ansible_collections.opsforge.delivery.plugins.modules.rundeck_project import main as project_main

from tests.sandbox import Sandbox
from tests.support.engine_runs import run_set

FREE_PORTS = {"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}
POLICY = "description: ops\ncontext:\n  application: rundeck\nfor:\n  project:\n    - allow: read\nby:\n  group: ops\n"
JOB = {"name": "deploy", "group": "ops", "sequence": {"commands": [{"exec": "uptime"}]}}


@pytest.fixture(scope="module")
def rundeck_5_0():
    with Sandbox(ports=FREE_PORTS, credentials={"rundeck_version": "5.0"}) as sandbox:
        yield sandbox


def connection(sandbox, **options):
    return dict(url=sandbox.urls["rundeck"], api_token=sandbox.credentials["rundeck_token"], retries=0, **options)


@pytest.mark.parametrize("api_version", [44, 46])
def test_jobs_on_rundeck_5_0(rundeck_5_0, api_version):
    rundeck_5_0.reset()
    params = connection(rundeck_5_0, api_version=api_version)
    changed, jobs, dummy, dummy2 = run_set(RundeckJobSet(RundeckJobs(params), "sandbox", [JOB]), False, with_diff=False)
    assert changed and [job["name"] for job in jobs["created"]] == ["deploy"]
    changed, jobs, dummy, dummy2 = run_set(RundeckJobSet(RundeckJobs(params), "sandbox", [JOB]), False, with_diff=False)
    assert not changed and jobs["unchanged"][0]["href"].endswith("/api/%d/job/%s" % (api_version, jobs["unchanged"][0]["id"]))


def test_projects_on_rundeck_5_0_at_api_46_and_the_default_version(rundeck_5_0, module_runner):
    rundeck_5_0.reset()
    created = module_runner(project_main, connection(rundeck_5_0, name="web", api_version=46))
    assert created["changed"] and created["project"]["url"].endswith("/api/46/project/web")
    # Rundeck 5.0 answers API 46 at most: a version the user sets is never changed, and refused.
    refused = module_runner(project_main, connection(rundeck_5_0, name="web", api_version=DEFAULT_API_VERSION))
    assert refused["failed"] and not refused["changed"]
    assert "Current version: 46" in refused["msg"] and "set api_version" in refused["msg"]
    assert DEFAULT_API_VERSION > 46


def _paths(sandbox):
    log = requests.get(sandbox.urls["rundeck"] + "/__sandbox__/requests", timeout=5).json()
    return ["%s %s" % (entry["method"], entry["path"]) for entry in log]


@pytest.mark.parametrize("release, current", [("5.0", 46), ("5.3", 47), ("5.5", 48)])
def test_the_default_version_follows_an_older_release_with_one_extra_request(release, current, module_runner):
    with Sandbox(ports=FREE_PORTS, credentials={"rundeck_version": release}) as sandbox:
        job = dict(connection(sandbox, project="sandbox"), definition=JOB)
        created = module_runner(job_main, job)
        assert created["changed"], created
        assert created["job"]["href"].endswith("/api/%d/job/%s" % (current, created["job"]["id"]))
        # The refused request once, then every request of the task at the server's version.
        assert _paths(sandbox) == [
            "GET /api/%d/project/sandbox/jobs" % DEFAULT_API_VERSION,
            "GET /api/%d/project/sandbox/jobs" % current,
            "POST /api/%d/project/sandbox/jobs/import" % current,
            "GET /api/%d/project/sandbox/jobs/export" % current,
        ]
        sandbox.reset()
        project = module_runner(project_main, connection(sandbox, name="web", description="Web"))
        assert project["changed"] and project["project"]["url"].endswith("/api/%d/project/web" % current)
        assert len(_paths(sandbox)) == 3
        sandbox.reset()
        acl = module_runner(acl_main, connection(sandbox, name="ops", policy=POLICY))
        assert acl["changed"], acl
        assert _paths(sandbox)[1:] == ["GET /api/%d/system/acl/ops.aclpolicy" % current,
                                       "POST /api/%d/system/acl/ops.aclpolicy" % current]


def test_the_default_version_costs_no_extra_request_on_a_current_release(sandbox, rundeck, module_runner, request_log):
    created = module_runner(job_main, dict(rundeck, project="sandbox", definition=JOB))
    assert created["changed"]
    assert [entry["path"].split("/")[2] for entry in request_log()] == [str(DEFAULT_API_VERSION)] * 3


def test_projects_on_the_newest_release_return_the_url_at_the_version_in_use(sandbox, rundeck, module_runner):
    # The server writes its own current version (59) into a project's url; the module returns the
    # address at the version it uses, as check mode predicts it.
    predicted = module_runner(project_main, dict(rundeck, name="web"), check_mode=True)
    created = module_runner(project_main, dict(rundeck, name="web"))
    assert predicted["project"]["url"] == created["project"]["url"]
    assert created["project"]["url"].endswith("/api/%d/project/web" % DEFAULT_API_VERSION)


def test_a_lookup_follows_rundeck_5_0_from_the_default_version(rundeck_5_0):
    # Imported here: a lookup brings in Ansible's controller side, which takes over module warnings.
    from ansible_collections.opsforge.delivery.plugins.lookup.rundeck_project import LookupModule as ProjectLookup

    rundeck_5_0.reset()
    found = ProjectLookup().lookup(["sandbox"], connection(rundeck_5_0))
    assert found[0]["name"] == "sandbox" and found[0]["url"].endswith("/api/46/project/sandbox")
    assert _paths(rundeck_5_0) == ["GET /api/%d/project/sandbox" % DEFAULT_API_VERSION, "GET /api/46/project/sandbox"]
