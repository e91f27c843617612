# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Opsgenie deployment search, GET /v2/deployments/search."""

import pytest

SERVICE = "00000000-0000-0000-0000-000000000001"
PRODUCTION = "{598f7ddd-21c3-4064-a569-4dac1b8b0280}"
NEWER = "0e1a5c8d-66a5-34a4-a315-733caa5e5636"
OLDER = "29a25632-1189-37ca-ae7b-8828e77ab077"
UNPROCESSABLE = "Request body is not processable. Please check the errors."
NOT_DATE = "must be an ISO-8601 date-time, e.g. 2020-03-26T14:05:07.594Z"


def search(opsgenie, params):
    response = opsgenie.request("GET", "/v2/deployments/search", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert sorted(body) == ["data", "requestId", "took"]
    return body["data"]


def ids(opsgenie, **params):
    params.setdefault("serviceIds", SERVICE)
    return [deployment["id"] for deployment in search(opsgenie, params)]


def refused(opsgenie, params):
    response = opsgenie.request("GET", "/v2/deployments/search", params=params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["message"] == UNPROCESSABLE
    return body["errors"]


def bodies(opsgenie, count, started="2021-01-01T00:00:00Z", **changes):
    """``count`` deployments stored at once, all started at the same time unless told."""
    return [opsgenie.body(startedAt=started, **changes) for _number in range(count)]


def test_the_seeded_deployments_in_the_reference_shape(opsgenie):
    assert search(opsgenie, {"serviceIds": SERVICE, "limit": 10}) == [
        {
            "id": NEWER,
            "externalId": "{4d1cd861-99be-5708-9925-e4e153365098}",
            "type": "pipelines",
            "state": "successful",
            "startedAt": "2020-08-17T08:16:57.943Z",
            "completedAt": "2020-08-17T08:17:02.998Z",
            "message": "Deployment #5",
            "description": "2f5e052 Adding README123.md\n",
            "environment": {"type": "Production", "id": PRODUCTION, "displayName": "production"},
        },
        {
            "id": OLDER,
            "externalId": "{cf848148-506d-52ff-b909-9ec2d8312591}",
            "type": "pipelines",
            "state": "successful",
            "startedAt": "2020-08-17T08:11:33.326Z",
            "completedAt": "2020-08-17T08:11:37.91Z",
            "message": "Deployment #4",
            "description": "54135bc Adding readme file\n",
            "environment": {"type": "Production", "id": PRODUCTION, "displayName": "production"},
        },
    ]


def test_an_api_deployment_shows_only_what_is_set(opsgenie):
    created = opsgenie.create(startedAt="2021-05-01T10:00:00.5Z", externalLink="http://ci.example.com")["deploymentId"]
    assert search(opsgenie, {"serviceIds": SERVICE, "limit": 1}) == [
        {
            "id": created,
            "externalId": created,
            "type": "api",
            "state": "started",
            "startedAt": "2021-05-01T10:00:00.5Z",
            "environment": {"type": "Test", "id": "us-west-2", "displayName": "Lab Oregon"},
        }
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"serviceIds": SERVICE},
        {"serviceIds": "other," + SERVICE},
        {"serviceIds": ["other", SERVICE]},
        {"serviceIds": [" , other", "%s ,x" % SERVICE]},
    ],
)
def test_service_ids_are_repeated_or_comma_separated(opsgenie, params):
    assert ids(opsgenie, **params) == [NEWER, OLDER]


def test_a_deployment_belongs_to_the_services_of_its_repositories(opsgenie):
    api_repository = [
        {"type": "bbc", "repository": {"workspace": {"identifier": "sandbox"}, "repoSlug": "api"}, "commit": {"sha": "1"}}
    ]
    created = opsgenie.create(releases=api_repository, startedAt="2030-01-01T00:00:00Z")["deploymentId"]
    assert ids(opsgenie) == [created, NEWER, OLDER]
    assert ids(opsgenie, serviceIds="11111111-1111-1111-1111-111111111111") == []


@pytest.mark.parametrize("params", [{}, {"serviceIds": ""}, {"serviceIds": " , "}, {"serviceIds": ["", ","]}])
def test_service_ids_are_required(opsgenie, params):
    assert refused(opsgenie, params) == {"serviceIds": "must not be empty"}


def test_environment_filter(opsgenie):
    staging = opsgenie.add(*bodies(opsgenie, 1, environment={"type": "Staging", "id": "stage-1"}))[0]["id"]
    assert ids(opsgenie, environmentIds=PRODUCTION) == [NEWER, OLDER]
    assert ids(opsgenie, environmentIds="stage-1") == [staging]
    assert ids(opsgenie, environmentIds="stage-1," + PRODUCTION) == [staging, NEWER, OLDER]
    assert ids(opsgenie, environmentIds=["stage-1", PRODUCTION]) == [staging, NEWER, OLDER]
    assert ids(opsgenie, environmentIds="nowhere") == []


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"startTime": "2020-08-17T08:11:33.326Z"}, [NEWER, OLDER]),
        ({"startTime": "2020-08-17T08:11:33.327Z"}, [NEWER]),
        ({"endTime": "2020-08-17T08:16:57.943Z"}, [NEWER, OLDER]),
        ({"endTime": "2020-08-17T08:16:57.942Z"}, [OLDER]),
        ({"startTime": "2020-08-17T10:12:00+02:00", "endTime": "2020-08-17T10:15:00+02:00"}, []),
        ({"startTime": "2020-08-17T10:11:00+02:00", "endTime": "2020-08-17T08:12:00"}, [OLDER]),
        ({"startTime": "2020-08-18T00:00:00Z", "endTime": "2020-08-17T00:00:00Z"}, []),
    ],
)
def test_time_filters_are_inclusive(opsgenie, params, expected):
    assert ids(opsgenie, **params) == expected


def test_bad_parameters_are_all_reported(opsgenie):
    params = {"serviceIds": SERVICE, "startTime": "last week", "endTime": "2020-08-17", "limit": "ten", "paginationKey": "-1"}
    assert refused(opsgenie, params) == {
        "startTime": NOT_DATE,
        "endTime": NOT_DATE,
        "limit": "must be an integer from 1 to 100",
        "paginationKey": "must be an integer, 0 or more",
    }


@pytest.mark.parametrize("limit", ["0", "101", "-5", "2.5"])
def test_limit_bounds(opsgenie, limit):
    assert refused(opsgenie, {"serviceIds": SERVICE, "limit": limit}) == {"limit": "must be an integer from 1 to 100"}


def test_pages(opsgenie):
    started = ["2021-01-01T00:00:%02dZ" % second for second in range(23)]
    added = opsgenie.add(*[opsgenie.body(startedAt=moment) for moment in started])
    newest_first = [deployment["id"] for deployment in reversed(added)] + [NEWER, OLDER]
    # 20 by default; a page shorter than the limit is the last one.
    first = ids(opsgenie)
    assert first == newest_first[:20]
    assert ids(opsgenie, paginationKey=20) == newest_first[20:]
    assert ids(opsgenie, paginationKey=10, limit=5) == newest_first[10:15]
    assert ids(opsgenie, limit=100) == newest_first
    assert ids(opsgenie, paginationKey=25) == []
    assert ids(opsgenie, paginationKey=1000) == []


def test_the_id_orders_deployments_started_at_the_same_time(opsgenie):
    added = [deployment["id"] for deployment in opsgenie.add(*bodies(opsgenie, 6))]
    pages = [ids(opsgenie, paginationKey=start, limit=2) for start in (0, 2, 4, 6)]
    assert sum(pages, []) == sorted(added) + [NEWER, OLDER]


def test_search_is_not_taken_for_an_identifier(opsgenie):
    opsgenie.add(dict(opsgenie.body(), id="search"))
    assert refused(opsgenie, {}) == {"serviceIds": "must not be empty"}
    response = opsgenie.request(
        "GET", "/v2/deployments/search", params={"serviceIds": SERVICE}, headers=opsgenie.read_only_headers
    )
    assert response.status_code == 200


def test_search_needs_a_key(opsgenie):
    response = opsgenie.request("GET", "/v2/deployments/search", params={"serviceIds": SERVICE}, headers={})
    assert (response.status_code, response.json()["message"]) == (401, "Could not authenticate")


def test_a_page_cap_serves_fewer_than_the_limit_and_the_next_key_still_goes_on(opsgenie):
    opsgenie.settings(search_page_cap=1)
    assert ids(opsgenie, limit=100) == [NEWER]
    assert ids(opsgenie, limit=100, paginationKey=1) == [OLDER]
    assert ids(opsgenie, limit=100, paginationKey=2) == []
