"""The rundeck_execution lookup against the sandbox."""

from __future__ import annotations

import pytest

from ansible_collections.opsforge.delivery.plugins.modules.rundeck_job_run import main as run_main

from tests.support.rundeck_runs import add_job


def options(rundeck, **given):
    base = dict(url=rundeck["url"], api_token=rundeck["api_token"], api_version=None, retries=2, timeout=10,
                validate_certs=True, ca_path=None, client_cert=None, client_key=None, output=False, project=None, uuid=None, name=None, group=None, status=None,
                user=None, begin=None, end=None, recent=None, max=None, offset=None)
    base.update(given)
    return base


@pytest.fixture
def lookup():
    # Imported here: a lookup brings in Ansible's controller side, which takes over module warnings.
    from ansible_collections.opsforge.delivery.plugins.lookup.rundeck_execution import LookupModule
    return LookupModule()


def test_executions_of_a_job_and_of_a_project(sandbox, rundeck, module_runner, lookup):
    job_id = add_job(sandbox, "hello", "echo hi", multipleExecutions=True)
    add_job(sandbox, "broken", "false")
    runs = [module_runner(run_main, dict(rundeck, uuid=job_id))["execution"]["id"] for dummy in range(3)]
    module_runner(run_main, dict(rundeck, project="sandbox", group="ops", name="broken", fail_on_failure=False))
    by_name = lookup.lookup([], options(rundeck, project="sandbox", group="ops", name="hello", max=2))
    assert [item["id"] for item in by_name] == runs[::-1][:2]
    assert by_name[0]["status"] == "succeeded" and by_name[0]["job"]["id"] == job_id
    failed = lookup.lookup([], options(rundeck, project="sandbox", status="failed"))
    assert [item["job"]["name"] for item in failed] == ["broken"]
    mine = lookup.lookup([], options(rundeck, project="sandbox", user="admin"))
    assert len(mine) == 4


def test_one_execution_with_its_output(sandbox, rundeck, module_runner, lookup):
    job_id = add_job(sandbox, "many", *["echo line %d" % n for n in range(7)])
    execution_id = module_runner(run_main, dict(rundeck, uuid=job_id, log_lines=0))["execution"]["id"]
    found, = lookup.lookup([str(execution_id)], options(rundeck, output=True))
    assert found["status"] == "succeeded"
    assert [entry["log"] for entry in found["output"]] == ["line %d" % n for n in range(7)]
    assert found["output"][0]["node"] == "localhost" and found["output"][0]["level"] == "NORMAL"


def test_errors_name_what_is_missing(sandbox, rundeck, lookup):
    # The lookup's own errors; run() turns each into an AnsibleLookupError of the same text.
    for terms, given, words in [
        (["999"], {}, "Execution does not exist: 999"),
        ([], dict(project="sandbox", name="nowhere"), "no job nowhere"),
        ([], dict(uuid="x", user="bob"), "select"),
        (["abc"], {}, "no execution id"),
        ([], {}, "give execution ids"),
    ]:
        with pytest.raises(Exception, match=words):
            lookup.lookup(terms, options(rundeck, **given))
