# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Rundeck job endpoints over HTTP: import, export, listing, delete, toggles."""

import json
import os

import pytest
import requests
import yaml

from tests.sandbox.rundeck_versions import DEFAULT_RELEASE, current_api_version, parse_release

# Error bodies carry the emulated release's own current API version.
SERVER_API_VERSION = current_api_version(parse_release(DEFAULT_RELEASE))

UUID = "3b8a6e54-69fb-42b7-b98f-f82e59238478"
OTHER_UUID = "9f1c2d3e-0000-4000-8000-000000000001"
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
# A job exported by a Rundeck 5 server (community.general's test_job.yaml).
with open(os.path.join(FIXTURES, "rundeck_exported_test_job.yaml"), encoding="utf-8") as fixture:
    TEST_JOB_YAML = fixture.read()
# A job the way a person writes it, with what the server will reshape.
RICH_JOB = {
    "name": "nightly backup",
    "group": "/ops/db/",
    "description": "Dump\r\nand ship",
    "uuid": OTHER_UUID,
    "retry": 2,
    "timeout": 3600,
    "schedule": {"crontab": "0 30 2 ? * MON-FRI *"},
    "nodefilters": {"filter": "tags: db", "dispatch": {"threadcount": 2}},
    "options": [
        {"name": "target", "values": "s3, gcs,s3", "value": "s3", "enforced": True, "required": False},
        {"name": "password", "secure": True, "valueExposed": False},
    ],
    "notification": {"onfailure": {"email": {"recipients": "ops@example.com"}}},
    "sequence": {
        "commands": [
            {"exec": "pg_dump db > /tmp/db.sql", "args": "ignored"},
            {"script": "#!/bin/sh\nupload /tmp/db.sql", "scriptInterpreter": "sh"},
            {"jobref": {"name": "notify", "group": "ops"}},
        ]
    },
}


def error(status, code, message, args=None):
    body = {"error": True, "apiversion": SERVER_API_VERSION, "errorCode": code, "message": message}
    if args:
        body["args"] = args
    return status, body


def answer(response):
    return response.status_code, response.json()


def job(name="deploy", **fields):
    return dict({"name": name, "sequence": {"commands": [{"exec": "uptime"}]}}, **fields)


def load(api, auth, jobs, project="sandbox", **params):
    response = requests.post("%s/project/%s/jobs/import" % (api, project), headers=auth, json=jobs, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def export(api, auth, job_id):
    response = requests.get(api + "/job/" + job_id, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def names(response):
    return [(item["group"], item["name"]) for item in response.json()]


# -- import --------------------------------------------------------------------------


def test_import_create_and_read_back(sandbox, api, auth):
    base = sandbox.urls["rundeck"]
    result = load(api, auth, yaml.safe_load(TEST_JOB_YAML))
    href = "%s/api/%d/job/%s" % (base, SERVER_API_VERSION, UUID)
    permalink = "%s/project/sandbox/job/show/%s" % (base, UUID)
    assert result == {
        "succeeded": [
            {"index": 1, "id": UUID, "name": "test_job", "group": "", "project": "sandbox", "href": href, "permalink": permalink}
        ],
        "failed": [],
        "skipped": [],
    }
    exported = export(api, auth, UUID)
    expected = yaml.safe_load(TEST_JOB_YAML)
    # The server has no configuration for a plugin service set to null.
    del expected[0]["plugins"]
    assert exported == expected
    info = requests.get(api + "/job/%s/info" % UUID, headers=auth).json()
    assert info == {
        "id": UUID,
        "name": "test_job",
        "group": "",
        "project": "sandbox",
        "description": "",
        "href": href,
        "permalink": permalink,
        "scheduled": False,
        "scheduleEnabled": True,
        "enabled": True,
    }


def test_what_the_server_changes_in_a_job(api, auth):
    result = load(api, auth, [RICH_JOB])
    assert result["succeeded"][0]["group"] == "ops/db"
    exported = export(api, auth, OTHER_UUID)[0]
    assert exported == {
        "description": "Dump\nand ship",
        "executionEnabled": True,
        "group": "ops/db",
        "id": OTHER_UUID,
        "loglevel": "INFO",
        "name": "nightly backup",
        "nodeFilterEditable": True,
        "nodefilters": {
            "dispatch": {
                "excludePrecedence": True,
                "keepgoing": False,
                "rankOrder": "ascending",
                "successOnEmptyNodeFilter": False,
                "threadcount": "2",
            },
            "filter": "tags: db",
        },
        "nodesSelectedByDefault": True,
        "notification": {"onfailure": {"email": {"recipients": "ops@example.com"}}},
        "notifyAvgDurationThreshold": None,
        "options": [
            {"enforced": True, "name": "target", "value": "s3", "values": ["s3", "gcs"], "valuesListDelimiter": ","},
            {"name": "password", "secure": True},
        ],
        "retry": "2",
        "schedule": {
            "month": "*",
            "time": {"hour": "2", "minute": "30", "seconds": "0"},
            "weekday": {"day": "MON-FRI"},
            "year": "*",
        },
        "scheduleEnabled": True,
        "sequence": {
            "commands": [
                {"exec": "pg_dump db > /tmp/db.sql"},
                {"interpreterArgsQuoted": False, "script": "#!/bin/sh\nupload /tmp/db.sql", "scriptInterpreter": "sh"},
                {"jobref": {"group": "ops", "name": "notify", "useName": "true"}},
            ],
            "keepgoing": False,
            "strategy": "node-first",
        },
        "timeout": "3600",
        "uuid": OTHER_UUID,
    }


def test_exporting_and_importing_the_export_changes_nothing(api, auth):
    load(api, auth, [RICH_JOB] + yaml.safe_load(TEST_JOB_YAML))
    first = requests.get(api + "/project/sandbox/jobs/export", headers=auth).json()
    result = load(api, auth, first, dupeOption="update")
    # Exports come by group then name.
    assert [entry["id"] for entry in result["succeeded"]] == [UUID, OTHER_UUID]
    assert requests.get(api + "/project/sandbox/jobs/export", headers=auth).json() == first
    text = requests.get(api + "/project/sandbox/jobs/export", headers=auth, params={"format": "yaml"}).text
    response = requests.post(
        api + "/project/sandbox/jobs/import",
        headers=dict(auth, **{"Content-Type": "application/yaml"}),
        data=text,
        params={"dupeOption": "update"},
    )
    assert len(response.json()["succeeded"]) == 2
    assert requests.get(api + "/project/sandbox/jobs/export", headers=auth, params={"format": "yaml"}).text == text


def test_a_server_generated_uuid(api, auth):
    result = load(api, auth, [job(id="not-the-uuid")])
    job_id = result["succeeded"][0]["id"]
    assert len(job_id) == 36 and job_id != "not-the-uuid"
    assert export(api, auth, job_id)[0]["uuid"] == job_id


def test_the_project_comes_from_the_url(api, auth):
    requests.post(api + "/projects", headers=auth, json={"name": "web"})
    result = load(api, auth, [job(project="sandbox")], project="web")
    assert result["succeeded"][0]["project"] == "web"
    assert names(requests.get(api + "/project/sandbox/jobs", headers=auth)) == []


def test_update_by_uuid_is_a_full_replacement(api, auth):
    load(api, auth, [RICH_JOB])
    replacement = job(name="renamed", uuid=OTHER_UUID, group="archive", description="new")
    result = load(api, auth, [replacement], dupeOption="update")
    assert [(e["id"], e["name"], e["group"]) for e in result["succeeded"]] == [(OTHER_UUID, "renamed", "archive")]
    exported = export(api, auth, OTHER_UUID)[0]
    # Nothing of the old definition survives: options, schedule, notifications, node filter are gone.
    assert exported == {
        "description": "new",
        "executionEnabled": True,
        "group": "archive",
        "id": OTHER_UUID,
        "loglevel": "INFO",
        "name": "renamed",
        "nodeFilterEditable": True,
        "scheduleEnabled": True,
        "sequence": {"commands": [{"exec": "uptime"}], "keepgoing": False, "strategy": "node-first"},
        "uuid": OTHER_UUID,
    }
    assert names(requests.get(api + "/project/sandbox/jobs", headers=auth)) == [("archive", "renamed")]


def test_update_by_a_unique_name_and_group(api, auth):
    first = load(api, auth, [job(group="ops")])["succeeded"][0]["id"]
    result = load(api, auth, [job(group="ops", description="second")], dupeOption="update")
    assert result["succeeded"][0]["id"] == first
    assert export(api, auth, first)[0]["description"] == "second"


def test_with_two_jobs_of_that_name_update_creates_a_third(api, auth):
    load(api, auth, [job(), job()])
    result = load(api, auth, [job(description="third")], dupeOption="update")
    assert len(result["succeeded"]) == 1
    assert names(requests.get(api + "/project/sandbox/jobs", headers=auth)) == [("", "deploy")] * 3


def test_the_name_lookup_uses_the_group_as_sent(api, auth):
    load(api, auth, [job(group="ops")])
    # The group is trimmed only when saving, after the lookup.
    load(api, auth, [job(group="/ops/")], dupeOption="update")
    assert names(requests.get(api + "/project/sandbox/jobs", headers=auth)) == [("ops", "deploy"), ("ops", "deploy")]


def test_a_uuid_that_matches_nothing_creates_even_when_the_name_exists(api, auth):
    load(api, auth, [job(uuid=UUID)])
    result = load(api, auth, [job(uuid=OTHER_UUID)], dupeOption="update")
    assert result["succeeded"][0]["id"] == OTHER_UUID
    assert len(requests.get(api + "/project/sandbox/jobs", headers=auth).json()) == 2


def skipped_entry(base, external_id, name="deploy", group="ops"):
    return {
        "index": 1,
        "id": external_id,
        "error": "A Job named '%s' already exists" % name,
        "name": name,
        "group": group,
        "project": "sandbox",
        "href": "%s/api/%d/job/%s" % (base, SERVER_API_VERSION, external_id),
        "permalink": "%s/project/sandbox/job/show/%s" % (base, external_id),
    }


def test_skip_names_a_definition_without_uuid_by_the_jobs_database_id(sandbox, api, auth):
    # The server answers with the imported definition, given the existing job's database id:
    # without a uuid of its own, that number is all the entry has.
    base = sandbox.urls["rundeck"]
    load(api, auth, [job(name="first")])
    load(api, auth, [job(uuid=UUID, group="ops")])
    result = load(api, auth, [job(group="ops", description="changed"), job(name="other")], dupeOption="skip")
    assert result["skipped"] == [skipped_entry(base, "2")]
    assert [entry["index"] for entry in result["succeeded"]] == [2]
    assert export(api, auth, UUID)[0]["description"] == ""
    # The database id finds the job too, as the server's getByIDorUUID and idlist do.
    assert export(api, auth, "2")[0]["uuid"] == UUID
    listed = requests.get(api + "/project/sandbox/jobs", headers=auth, params={"idlist": "2"}).json()
    assert [item["id"] for item in listed] == [UUID]


def test_skip_names_a_definition_with_its_uuid(sandbox, api, auth):
    base = sandbox.urls["rundeck"]
    load(api, auth, [job(uuid=UUID, group="ops")])
    result = load(api, auth, [job(uuid=UUID, group="ops", description="changed")], dupeOption="skip")
    assert result["skipped"] == [skipped_entry(base, UUID)]


def test_skip_with_uuid_option_remove_names_the_database_id(sandbox, api, auth):
    base = sandbox.urls["rundeck"]
    load(api, auth, [job(uuid=UUID, group="ops")])
    result = load(api, auth, [job(uuid=UUID, group="ops")], dupeOption="skip", uuidOption="remove")
    assert result["skipped"] == [skipped_entry(base, "1")]


def test_create_is_the_default_and_allows_the_same_name(api, auth):
    load(api, auth, [job()])
    load(api, auth, [job()])
    assert names(requests.get(api + "/project/sandbox/jobs", headers=auth)) == [("", "deploy"), ("", "deploy")]


def test_a_uuid_is_unique_across_projects(api, auth):
    requests.post(api + "/projects", headers=auth, json={"name": "web"})
    load(api, auth, [job(uuid=UUID)], project="web")
    for dupe_option in ("create", "update", "skip"):
        result = load(api, auth, [job(uuid=UUID)], dupeOption=dupe_option)
        message = (
            "Validation errors: Cannot create a Job with UUID %s: a Job already exists with this UUID. Change the UUID or delete the other Job."
            % UUID
        )
        assert result == {
            "succeeded": [],
            "failed": [{"index": 1, "error": message, "name": "deploy", "group": "", "project": "sandbox"}],
            "skipped": [],
        }
    result = load(api, auth, [job(uuid=UUID)], uuidOption="remove")
    assert result["succeeded"][0]["id"] != UUID


def test_uuid_option_remove_creates_a_copy(api, auth):
    load(api, auth, [job(uuid=UUID)])
    result = load(api, auth, [job(uuid=UUID)], uuidOption="remove", dupeOption="create")
    assert result["succeeded"][0]["id"] != UUID
    # Without its uuid the job is found by name, when that name is unique.
    load(api, auth, [job(uuid=OTHER_UUID, name="solo")])
    result = load(api, auth, [job(uuid="anything", name="solo", description="by name")], uuidOption="remove", dupeOption="update")
    assert result["succeeded"][0]["id"] == OTHER_UUID
    assert export(api, auth, OTHER_UUID)[0]["description"] == "by name"


def test_failed_jobs_still_answer_200_with_the_others_saved(api, auth):
    documents = [job(name="good"), job(name="a/b"), {"name": "empty"}, job(name="bad", loglevel="LOUD", uuid="has space")]
    result = load(api, auth, documents)
    assert [entry["index"] for entry in result["succeeded"]] == [1]
    assert result["failed"] == [
        {
            "index": 2,
            "error": 'Validation errors: Job Name cannot have a "/" character',
            "name": "a/b",
            "group": "",
            "project": "sandbox",
        },
        {
            "index": 3,
            "error": "Validation errors: Workflow must have at least one step",
            "name": "empty",
            "group": "",
            "project": "sandbox",
        },
        {
            "index": 4,
            "error": 'Validation errors: UUID cannot have spaces; Log level "LOUD" is not valid, it must be one of: DEBUG, VERBOSE, INFO, WARN, ERROR',
            "name": "bad",
            "group": "",
            "project": "sandbox",
        },
    ]
    assert names(requests.get(api + "/project/sandbox/jobs", headers=auth)) == [("", "good")]


def test_an_invalid_update_keeps_the_old_job(api, auth):
    load(api, auth, [job(uuid=UUID, description="kept")])
    result = load(api, auth, [{"uuid": UUID, "name": "deploy"}], dupeOption="update")
    assert len(result["failed"]) == 1
    assert export(api, auth, UUID)[0]["description"] == "kept"


def test_yaml_body(api, auth):
    headers = dict(auth, **{"Content-Type": "application/yaml"})
    response = requests.post(api + "/project/sandbox/jobs/import", headers=headers, data=TEST_JOB_YAML)
    assert response.json()["succeeded"][0]["id"] == UUID
    headers = dict(auth, **{"Content-Type": "text/yaml"})
    response = requests.post(api + "/project/sandbox/jobs/import", headers=headers, data=yaml.safe_dump([job()]))
    assert len(response.json()["succeeded"]) == 1


def test_a_form_without_format_is_read_as_xml(api, auth):
    # The server's default file format is XML, which the sandbox does not emulate.
    response = requests.post(api + "/project/sandbox/jobs/import", headers=auth, data={"xmlBatch": json.dumps([job()])})
    assert response.status_code == 415
    # "format" wins over "fileformat".
    data = {"xmlBatch": json.dumps([job()]), "format": "json", "fileformat": "yaml"}
    assert len(requests.post(api + "/project/sandbox/jobs/import", headers=auth, data=data).json()["succeeded"]) == 1


@pytest.mark.parametrize("fileformat, text", [("json", json.dumps([job()])), ("yaml", yaml.safe_dump([job()]))])
def test_form_and_multipart_uploads(api, auth, fileformat, text):
    data = {"xmlBatch": text, "dupeOption": "create"}
    if fileformat:
        data["fileformat"] = fileformat
    response = requests.post(api + "/project/sandbox/jobs/import", headers=auth, data=data)
    assert len(response.json()["succeeded"]) == 1
    params = {"format": fileformat} if fileformat else {}
    response = requests.post(
        api + "/project/sandbox/jobs/import", headers=auth, params=params, files={"xmlBatch": ("jobs.txt", text.encode())}
    )
    assert len(response.json()["succeeded"]) == 1


def test_form_problems(api, auth):
    url = api + "/project/sandbox/jobs/import"
    missing = error(400, "api.error.parameter.required", 'parameter "xmlBatch" is required')
    assert answer(requests.post(url, headers=auth, data={"other": "x"})) == missing
    assert answer(requests.post(url, headers=dict(auth, **{"Content-Type": "text/plain"}), data="[]")) == missing
    # A multipart request has to carry the document as a file.
    response = requests.post(url, headers=auth, files={"xmlBatch": (None, json.dumps([job()]))})
    assert answer(response) == error(400, "api.error.jobs.import.missing-file", "No file was uploaded")
    response = requests.post(url, headers=auth, data={"xmlBatch": "[]", "fileformat": "csv"})
    assert answer(response) == error(
        415, "api.error.jobs.import.format.unsupported", "The specified format is not supported: csv"
    )


def test_xml_is_not_emulated(api, auth):
    url = api + "/project/sandbox/jobs/import"
    for response in (
        requests.post(url, headers=auth, data={"xmlBatch": "<joblist/>", "fileformat": "xml"}),
        requests.post(url, headers=dict(auth, **{"Content-Type": "application/xml"}), data="<joblist/>"),
        requests.get(api + "/project/sandbox/jobs/export", headers=auth, params={"format": "xml"}),
        requests.get(api + "/project/sandbox/jobs/export", headers=dict(auth, Accept="application/xml")),
    ):
        assert response.status_code == 415
        assert response.json()["errorCode"] == "api.error.item.unsupported-format"


@pytest.mark.parametrize(
    "headers, body, reason",
    [
        ({"Content-Type": "application/json"}, '{"name": "x"}', "json: Job Json Format: Expected list data"),
        ({"Content-Type": "application/json"}, '[{"name": "x"}, 1]', "json: Job Json Format: Expected list of Maps"),
        ({"Content-Type": "application/yaml"}, "name: x\n", "yaml: Yaml: Expected list data"),
        ({"Content-Type": "application/yaml"}, "- name: x\n- just text\n", "yaml: Yaml: Expected list of Maps"),
    ],
)
def test_the_document_must_be_a_list_of_jobs(api, auth, headers, body, reason):
    response = requests.post(api + "/project/sandbox/jobs/import", headers=dict(auth, **headers), data=body)
    assert answer(response) == error(400, "api.error.jobs.import.invalid", "Jobs Document was invalid for format " + reason)


@pytest.mark.parametrize(
    "content_type, body", [("application/json", "[{"), ("application/json", ""), ("application/yaml", "- [unclosed")]
)
def test_unparsable_documents(api, auth, content_type, body):
    response = requests.post(
        api + "/project/sandbox/jobs/import", headers=dict(auth, **{"Content-Type": content_type}), data=body
    )
    assert response.status_code == 400
    fmt = content_type.split("/")[1]
    assert response.json()["errorCode"] == "api.error.jobs.import.invalid"
    assert response.json()["message"].startswith("Jobs Document was invalid for format %s: " % fmt)


def test_unknown_import_options_create_and_preserve(api, auth):
    # loadImportedJobs compares the options with its known values only: anything else creates,
    # and the uuid is removed only for "remove".
    load(api, auth, [job(uuid=UUID)])
    result = load(api, auth, [job(uuid=UUID)], dupeOption="replace", uuidOption="keep")
    assert result["failed"][0]["error"].startswith("Validation errors: Cannot create a Job with UUID %s" % UUID)
    result = load(api, auth, [job()], dupeOption="replace")
    assert len(result["succeeded"]) == 1
    assert len(requests.get(api + "/project/sandbox/jobs", headers=auth).json()) == 2


def test_json_needs_api_44(sandbox, auth):
    base = sandbox.urls["rundeck"]
    for version in (14, 43):
        url = "%s/api/%d/project/sandbox/jobs/import" % (base, version)
        message = 'Unsupported API Version "%d". API Request: /api/%d/project/sandbox/jobs/import. Reason: Minimum supported version: 44'
        path = "/api/%d/project/sandbox/jobs/import" % version
        assert answer(requests.post(url, headers=auth, json=[job()])) == error(
            400, "api.error.api-version.unsupported", message % (version, version), [version, path, "Minimum supported version: 44"]
        )
        # A form that asks for JSON too.
        assert requests.post(url, headers=auth, data={"xmlBatch": "[]", "fileformat": "json"}).status_code == 400
        response = requests.post(
            url, headers=dict(auth, **{"Content-Type": "application/yaml"}), data=yaml.safe_dump([job(name="v%d" % version)])
        )
        assert response.json()["succeeded"][0]["href"].startswith("%s/api/%d/job/" % (base, SERVER_API_VERSION))
    job_id = requests.get(base + "/api/49/project/sandbox/jobs", headers=auth).json()[0]["id"]
    # Below API 44 JSON is no format at all: one job answers 415, a project's export 406.
    for path, status in (("/job/" + job_id, 415), ("/project/sandbox/jobs/export", 406)):
        url = "%s/api/43%s" % (base, path)
        refused = error(status, "api.error.item.unsupported-format", "The format is not valid: json", ["json"])
        assert answer(requests.get(url, headers=auth)) == refused
        assert answer(requests.get(url, headers=auth, params={"format": "json"})) == refused
        assert requests.get(url, headers=dict(auth, Accept="text/yaml")).status_code == 200
        assert yaml.safe_load(requests.get(url, headers=auth, params={"format": "yaml"}).text)[0]["id"] == job_id


def test_import_into_a_missing_project(api, auth):
    response = requests.post(api + "/project/nope/jobs/import", headers=auth, json=[job()])
    assert answer(response) == error(404, "api.error.project.missing", "Project does not exist: nope", ["nope"])


# -- export and a single job ----------------------------------------------------------------


def test_export_formats(api, auth):
    load(api, auth, yaml.safe_load(TEST_JOB_YAML))
    url = api + "/job/" + UUID
    response = requests.get(url, headers=auth)
    assert response.headers["Content-Type"] == "application/json"
    assert response.text.startswith('[{"defaultTab":"nodes","description":"","executionEnabled":true,"id":')
    for headers, params in (
        ({"Accept": "text/yaml"}, {}),
        ({"Accept": "application/yaml"}, {}),
        ({"Accept": "application/json"}, {"format": "yaml"}),
    ):
        response = requests.get(url, headers=dict(auth, **headers), params=params)
        assert response.headers["Content-Type"].startswith("text/yaml")
        assert response.text.startswith("- defaultTab: nodes\n  description: ''\n")
        assert yaml.safe_load(response.text) == requests.get(url, headers=auth).json()
    # The format parameter wins over Accept.
    assert requests.get(url, headers=dict(auth, Accept="text/yaml"), params={"format": "json"}).json()[0]["id"] == UUID
    response = requests.get(url, headers=auth, params={"format": "csv"})
    assert response.status_code == 415


def test_export_filters(api, auth):
    load(api, auth, [job("a", group="ops"), job("b", group="ops/db"), job("c"), job("Deploy web", group="web")])
    url = api + "/project/sandbox/jobs/export"

    def exported(**params):
        return [(item.get("group", ""), item["name"]) for item in requests.get(url, headers=auth, params=params).json()]

    assert exported() == [("", "c"), ("ops", "a"), ("ops/db", "b"), ("web", "Deploy web")]
    assert exported(groupPath="ops") == [("ops", "a"), ("ops/db", "b")]
    assert exported(groupPath="-") == [("", "c")]
    assert exported(jobFilter="deploy") == [("web", "Deploy web")]
    ids = [item["id"] for item in requests.get(api + "/project/sandbox/jobs", headers=auth).json()]
    assert exported(idlist=",".join(ids[:2])) == [("", "c"), ("ops", "a")]
    response = requests.get(api + "/project/nope/jobs/export", headers=auth)
    assert answer(response) == error(404, "api.error.project.missing", "Project does not exist: nope", ["nope"])


def test_unknown_and_deleted_jobs(api, auth):
    missing = error(404, "api.error.item.doesnotexist", "Job ID does not exist: %s" % UUID, ["Job ID", UUID])
    for method in ("get", "delete"):
        assert answer(requests.request(method, api + "/job/" + UUID, headers=auth)) == missing
    assert answer(requests.get(api + "/job/%s/info" % UUID, headers=auth)) == missing
    load(api, auth, [job(uuid=UUID)])
    response = requests.delete(api + "/job/" + UUID, headers=auth)
    assert (response.status_code, response.content) == (204, b"")
    assert answer(requests.get(api + "/job/" + UUID, headers=auth)) == missing


def test_job_info_needs_api_18(sandbox, auth):
    url = sandbox.urls["rundeck"] + "/api/17/job/%s/info" % UUID
    message = 'Unsupported API Version "17". API Request: /api/17/job/%s/info. Reason: Minimum supported version: 18' % UUID
    args = [17, "/api/17/job/%s/info" % UUID, "Minimum supported version: 18"]
    assert answer(requests.get(url, headers=auth)) == error(400, "api.error.api-version.unsupported", message, args)


def test_other_methods_are_not_allowed(api, auth):
    response = requests.put(api + "/job/" + UUID, headers=auth, json={})
    assert response.status_code == 405
    assert response.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS"
    assert requests.get(api + "/project/sandbox/jobs/import", headers=auth).status_code == 405


def test_a_token_is_required(api):
    assert requests.get(api + "/project/sandbox/jobs").status_code == 403
    assert requests.post(api + "/project/sandbox/jobs/import", json=[job()]).status_code == 403


# -- listing ---------------------------------------------------------------------------


def test_listing(sandbox, api, auth):
    base = sandbox.urls["rundeck"]
    load(
        api,
        auth,
        [
            job("b", uuid=UUID, group="ops", description="B job", schedule={"crontab": "0 0 1 ? * *"}),
            job("a", group="ops"),
            job("top"),
        ],
    )
    response = requests.get(api + "/project/sandbox/jobs", headers=auth)
    assert names(response) == [("", "top"), ("ops", "a"), ("ops", "b")]
    assert response.json()[2] == {
        "id": UUID,
        "name": "b",
        "group": "ops",
        "project": "sandbox",
        "description": "B job",
        "href": "%s/api/%d/job/%s" % (base, SERVER_API_VERSION, UUID),
        "permalink": "%s/project/sandbox/job/show/%s" % (base, UUID),
        "scheduled": True,
        "scheduleEnabled": True,
        "enabled": True,
    }


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, [("", "deploy"), ("ops", "Deploy db"), ("ops", "deploy"), ("ops/db", "backup"), ("opsx", "deploy")]),
        ({"groupPath": "*"}, [("", "deploy"), ("ops", "Deploy db"), ("ops", "deploy"), ("ops/db", "backup"), ("opsx", "deploy")]),
        ({"groupPath": "ops"}, [("ops", "Deploy db"), ("ops", "deploy"), ("ops/db", "backup")]),
        ({"groupPath": "-"}, [("", "deploy")]),
        ({"groupPathExact": "ops"}, [("ops", "Deploy db"), ("ops", "deploy")]),
        ({"groupPathExact": "-"}, [("", "deploy")]),
        ({"jobFilter": "DEPLOY"}, [("", "deploy"), ("ops", "Deploy db"), ("ops", "deploy"), ("opsx", "deploy")]),
        ({"jobExactFilter": "deploy", "groupPathExact": "ops"}, [("ops", "deploy")]),
        ({"jobExactFilter": "deploy", "groupPathExact": "-"}, [("", "deploy")]),
        ({"scheduledFilter": "true"}, [("ops/db", "backup")]),
        ({"scheduledFilter": "false", "groupPath": "ops"}, [("ops", "Deploy db"), ("ops", "deploy")]),
        ({"max": "2"}, [("", "deploy"), ("ops", "Deploy db")]),
        ({"max": "2", "offset": "3"}, [("ops/db", "backup"), ("opsx", "deploy")]),
        ({"offset": "4"}, [("opsx", "deploy")]),
    ],
)
def test_listing_filters(api, auth, params, expected):
    load(
        api,
        auth,
        [
            job(group="opsx"),
            job(group="ops"),
            job(),
            job("backup", group="ops/db", schedule={"time": {"hour": "1"}}),
            job("Deploy db", group="ops"),
        ],
    )
    assert names(requests.get(api + "/project/sandbox/jobs", headers=auth, params=params)) == expected


def test_listing_by_ids(api, auth):
    load(api, auth, [job("one", uuid=UUID), job("two", uuid=OTHER_UUID), job("three")])
    response = requests.get(api + "/project/sandbox/jobs", headers=auth, params={"idlist": "%s,%s" % (UUID, OTHER_UUID)})
    assert names(response) == [("", "one"), ("", "two")]


def test_listing_problems(api, auth):
    response = requests.get(api + "/project/sandbox/jobs", headers=auth, params={"groupPath": "a", "groupPathExact": "a"})
    assert answer(response) == error(400, "api.error.invalid.request", "groupPathExact cannot be combined with groupPath")
    response = requests.get(api + "/project/nope/jobs", headers=auth)
    assert answer(response) == error(404, "api.error.project.missing", "Project does not exist: nope", ["nope"])
    response = requests.get(api + "/project/sandbox/jobs", headers=auth, params={"max": "ten"})
    # A query that does not bind is api.error.parameter.error, a code without message text.
    assert response.status_code == 400
    assert (response.json()["errorCode"], response.json()["message"]) == ("api.error.parameter.error", "api.error.parameter.error")


# -- delete, toggles ----------------------------------------------------------------------


def test_bulk_delete(api, auth):
    ids = [entry["id"] for entry in load(api, auth, [job("a", group="ops"), job("b"), job("c"), job("d")])["succeeded"]]
    missing = "00000000-0000-4000-8000-00000000dead"
    response = requests.post(
        api + "/jobs/delete",
        headers=auth,
        params={"ids": [ids[0]], "idlist": "%s,%s" % (ids[1], missing)},
        json={"ids": [ids[2]]},
    )
    result = response.json()
    assert response.status_code == 200
    assert (result["requestCount"], result["allsuccessful"]) == (4, False)
    assert sorted(result["succeeded"], key=lambda entry: entry["id"]) == sorted(
        [
            {"id": ids[0], "message": "Job was successfully deleted: [%s] ops/a" % ids[0]},
            {"id": ids[1], "message": "Job was successfully deleted: [%s] /b" % ids[1]},
            {"id": ids[2], "message": "Job was successfully deleted: [%s] /c" % ids[2]},
        ],
        key=lambda entry: entry["id"],
    )
    assert result["failed"] == [{"id": missing, "errorCode": "notfound", "message": "Job ID does not exist: %s" % missing}]
    assert names(requests.get(api + "/project/sandbox/jobs", headers=auth)) == [("", "d")]
    response = requests.delete(api + "/jobs/delete", headers=auth, params={"idlist": ids[3]})
    # Empty lists are left out, as the server does.
    assert response.json() == {
        "requestCount": 1,
        "allsuccessful": True,
        "succeeded": [{"id": ids[3], "message": "Job was successfully deleted: [%s] /d" % ids[3]}],
    }
    response = requests.post(api + "/jobs/delete", headers=auth, json={"idlist": "%s,%s" % (ids[3], ids[3])})
    assert response.json() == {
        "requestCount": 1,
        "allsuccessful": False,
        "failed": [{"id": ids[3], "errorCode": "notfound", "message": "Job ID does not exist: %s" % ids[3]}],
    }


def test_bulk_delete_needs_ids(api, auth):
    for response in (
        requests.post(api + "/jobs/delete", headers=auth),
        requests.delete(api + "/jobs/delete", headers=auth, json={"ids": []}),
    ):
        assert answer(response) == error(400, "api.error.parameter.required", 'parameter "Any of: ids, idlist" is required', ["Any of: ids, idlist"])
    response = requests.post(api + "/jobs/delete", headers=auth, json={"ids": ["not valid"]})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "api.error.invalid.request"


@pytest.mark.parametrize(
    "flag, key, listed", [("execution", "executionEnabled", "enabled"), ("schedule", "scheduleEnabled", "scheduleEnabled")]
)
def test_toggles(api, auth, flag, key, listed):
    load(api, auth, [job(uuid=UUID)])
    url = "%s/job/%s/%s/" % (api, UUID, flag)
    assert answer(requests.post(url + "disable", headers=auth)) == (200, {"success": True})
    assert export(api, auth, UUID)[0][key] is False
    assert requests.get(api + "/project/sandbox/jobs", headers=auth).json()[0][listed] is False
    assert answer(requests.post(url + "enable", headers=auth)) == (200, {"success": True})
    assert export(api, auth, UUID)[0][key] is True
    missing = error(404, "api.error.item.doesnotexist", "Job ID does not exist: %s" % OTHER_UUID, ["Job ID", OTHER_UUID])
    assert answer(requests.post("%s/job/%s/%s/enable" % (api, OTHER_UUID, flag), headers=auth)) == missing


@pytest.mark.parametrize("flag, key", [("execution", "executionEnabled"), ("schedule", "scheduleEnabled")])
def test_bulk_toggles(api, auth, flag, key):
    load(api, auth, [job(uuid=UUID), job(uuid=OTHER_UUID, name="other")])
    missing = "00000000-0000-4000-8000-00000000dead"
    response = requests.post(
        "%s/jobs/%s/disable" % (api, flag), headers=auth, params={"ids": [UUID, missing]}, json={"idlist": OTHER_UUID}
    )
    assert answer(response) == (
        200,
        {
            "requestCount": 3,
            "enabled": False,
            "allsuccessful": False,
            "succeeded": [
                {"id": UUID, "message": "Job %s was disabled for: {{Job %s}}" % (flag.capitalize(), UUID)},
                {"id": OTHER_UUID, "message": "Job %s was disabled for: {{Job %s}}" % (flag.capitalize(), OTHER_UUID)},
            ],
            "failed": [{"id": missing, "errorCode": None, "message": None}],
        },
    )
    assert [export(api, auth, job_id)[0][key] for job_id in (UUID, OTHER_UUID)] == [False, False]
    response = requests.post("%s/jobs/%s/enable" % (api, flag), headers=auth, params={"idlist": UUID})
    assert answer(response) == (
        200,
        {
            "requestCount": 1,
            "enabled": True,
            "allsuccessful": True,
            "succeeded": [{"id": UUID, "message": "Job %s was enabled for: {{Job %s}}" % (flag.capitalize(), UUID)}],
        },
    )
    assert requests.post("%s/jobs/%s/enable" % (api, flag), headers=auth).status_code == 400


def test_bulk_toggles_need_api_16(sandbox, auth):
    response = requests.post(sandbox.urls["rundeck"] + "/api/15/jobs/execution/enable", headers=auth, params={"idlist": UUID})
    assert response.json()["errorCode"] == "api.error.api-version.unsupported"


# -- state ---------------------------------------------------------------------------------


def test_deleting_a_project_deletes_its_jobs(api, auth):
    requests.post(api + "/projects", headers=auth, json={"name": "web"})
    load(api, auth, [job(uuid=UUID)], project="web")
    load(api, auth, [job(uuid=OTHER_UUID)])
    assert requests.delete(api + "/project/web", headers=auth, params={"deferred": "false"}).status_code == 204
    assert requests.get(api + "/job/" + UUID, headers=auth).status_code == 404
    requests.post(api + "/projects", headers=auth, json={"name": "web"})
    assert requests.get(api + "/project/web/jobs", headers=auth).json() == []
    # The uuid is free again.
    assert load(api, auth, [job(uuid=UUID)], project="web")["succeeded"][0]["id"] == UUID
    assert requests.get(api + "/job/" + OTHER_UUID, headers=auth).status_code == 200


def test_reset_removes_jobs(sandbox, api, auth):
    load(api, auth, [job(uuid=UUID)])
    assert requests.post(sandbox.urls["rundeck"] + "/__sandbox__/reset").status_code == 200
    assert requests.get(api + "/project/sandbox/jobs", headers=auth).json() == []


# -- Jetty's request line limit ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/49/project/sandbox/jobs", "/api/49/no/such/path", "/user/login", "/api/1/projects"])
def test_a_uri_over_8_kib_is_refused_first(sandbox, path):
    base = sandbox.urls["rundeck"]
    prefix = path + "?idlist="
    response = requests.get(base + prefix + "x" * (8193 - len(prefix)))
    assert response.status_code == 414
    assert response.headers["Content-Type"].startswith("text/html")
    assert "URI Too Long" in response.text


def test_a_uri_of_8_kib_is_served(sandbox, auth):
    base = sandbox.urls["rundeck"]
    prefix = "/api/49/project/sandbox/jobs?idlist="
    response = requests.get(base + prefix + "x" * (8192 - len(prefix)), headers=auth)
    assert (response.status_code, response.json()) == (200, [])


def test_the_refusal_is_logged(sandbox):
    base = sandbox.urls["rundeck"]
    requests.get(base + "/api/49/projects?q=" + "x" * 9000)
    log = requests.get(base + "/__sandbox__/requests").json()
    assert [(entry["path"], entry["status"]) for entry in log] == [("/api/49/projects", 414)]


def test_bulk_delete_by_database_id_answers_the_uuid(api, auth):
    # The succeeded entry names the job by its uuid (extid), whichever id the request used.
    load(api, auth, [job(uuid=UUID, group="ops")])
    response = requests.post(api + "/jobs/delete", headers=auth, json={"ids": ["1"]})
    assert response.json() == {
        "requestCount": 1,
        "allsuccessful": True,
        "succeeded": [{"id": UUID, "message": "Job was successfully deleted: [%s] ops/deploy" % UUID}],
    }
