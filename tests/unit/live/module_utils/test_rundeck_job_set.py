"""rundeck_job's jobs option in-process against the sandbox: requests per run, and diffs only when asked."""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_set import RundeckJobSet
from ansible_collections.opsforge.delivery.plugins.module_utils._rundeck_job_api import RundeckJobs

from tests.support.engine_runs import run_set

JOBS = [{"name": "job-%d" % number, "group": "ops", "sequence": {"commands": [{"exec": "echo %d" % number}]}}
        for number in range(3)]


def run(rundeck, jobs, check_mode=False, with_diff=True):
    client = RundeckJobs(rundeck)
    result = run_set(RundeckJobSet(client, "sandbox", jobs), check_mode, with_diff=with_diff)
    return result, client.http.request_count


def test_diffs_only_when_asked_and_an_unchanged_run_costs_two_requests(rundeck):
    (changed, jobs, diffs, warnings), requests = run(rundeck, JOBS, with_diff=False)
    assert changed and len(jobs["created"]) == 3 and diffs == [] and warnings == []
    assert requests == 3  # the listing, the import, and the export that reads the jobs back
    changed_jobs = [dict(JOBS[0], description="changed")] + JOBS[1:]
    (changed, jobs, diffs, warnings), requests = run(rundeck, changed_jobs, check_mode=True)
    assert changed and len(jobs["updated"]) == 1 and len(diffs) == 1
    assert diffs[0]["before_header"] == diffs[0]["after_header"] == "job ops/job-0 in project sandbox"
    assert "description: changed" in diffs[0]["after"] and "description: changed" not in diffs[0]["before"]
    (changed, jobs, diffs, warnings), requests = run(rundeck, JOBS)
    assert not changed and len(jobs["unchanged"]) == 3 and diffs == []
    assert requests == 2


class RacedJobs(RundeckJobs):
    """Another run imports ``theirs`` just before this run's create import arrives."""

    def __init__(self, params, theirs):
        super().__init__(params)
        self.other_run = RundeckJobs(params)
        self.theirs = theirs

    def create_definitions(self, project, documents):
        self.other_run.import_definitions(project, self.theirs)
        return super().create_definitions(project, documents)


def test_jobs_created_meanwhile_are_left_when_equal_and_updated_when_not(rundeck):
    theirs = [JOBS[0], dict(JOBS[1], description="theirs")]
    client = RacedJobs(rundeck, theirs)
    changed, jobs, diffs, warnings = run_set(RundeckJobSet(client, "sandbox", JOBS), False, with_diff=True)
    assert changed
    assert [job["name"] for job in jobs["unchanged"]] == ["job-0"]
    assert [job["name"] for job in jobs["updated"]] == ["job-1"]
    assert [job["name"] for job in jobs["created"]] == ["job-2"]
    # No diff for the job that was already as wanted; job-1's diff starts from the other run's job.
    assert [diff["after_header"] for diff in diffs] == ["job ops/job-1 in project sandbox", "job ops/job-2 in project sandbox"]
    assert "description: theirs" in diffs[0]["before"]
    assert len(warnings) == 2
    listed = RundeckJobs(rundeck).list("sandbox")
    assert sorted(job["name"] for job in listed) == ["job-0", "job-1", "job-2"]


def test_a_job_lost_to_another_run_is_found_again_by_name_and_group(rundeck):
    # Rundeck names a skipped definition without a UUID by the job's database id, which no export
    # carries: the job is found again by its name and group, and reported with its UUID.
    client = RacedJobs(rundeck, [JOBS[0]])
    changed, jobs, diffs, warnings = run_set(RundeckJobSet(client, "sandbox", JOBS[:1]), False, with_diff=False)
    listed = RundeckJobs(rundeck).list("sandbox")
    assert not changed
    assert [(job["name"], job["id"]) for job in jobs["unchanged"]] == [("job-0", listed[0]["id"])]
    assert len(listed) == 1 and warnings


def test_a_definition_with_only_an_id_creates_the_job_under_that_uuid(rundeck):
    # Rundeck reads "uuid" only; the module sends the "id" it matches by as the uuid too.
    job_id = "5a0e1f2b-0000-4000-8000-0000000000aa"
    definition = dict(JOBS[0], id=job_id)
    changed, jobs, dummy, dummy2 = run_set(RundeckJobSet(RundeckJobs(rundeck), "sandbox", [definition]), False, with_diff=False)
    assert changed and jobs["created"][0]["id"] == job_id
    changed, jobs, dummy, dummy2 = run_set(RundeckJobSet(RundeckJobs(rundeck), "sandbox", [definition]), False, with_diff=False)
    assert not changed and jobs["unchanged"][0]["id"] == job_id


def test_past_100_ids_an_export_reads_the_whole_project(rundeck, request_log):
    # A request line over 8 KiB is refused by Rundeck's web server: 101 ids go as a whole-project export.
    client = RundeckJobs(rundeck)
    run_set(RundeckJobSet(client, "sandbox", JOBS[:1]), False, with_diff=False)
    wanted = client.list("sandbox")[0]["id"]
    count = len(request_log())
    ids = [wanted] + ["00000000-0000-4000-8000-%012d" % number for number in range(100)]
    documents = client.export("sandbox", ids)
    assert [document["uuid"] for document in documents] == [wanted]
    assert [entry["query"] for entry in request_log()[count:]] == ["format=json"]
