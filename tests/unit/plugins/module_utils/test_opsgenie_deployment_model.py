"""Opsgenie deployments: times, request bodies, fixed fields, planned writes, predictions."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_deployment import (
    canonical_time,
    check_options,
    diff_view,
    create_body,
    environment_of,
    fixed_differences,
    format_time,
    parse_time,
    planned_writes,
    predicted_after_create,
    predicted_after_update,
    release_keys,
    same_releases,
    unchecked_texts,
)

MOMENT = datetime(2026, 11, 23, 9, 30, 0, 123000, tzinfo=timezone.utc)
NOW = "2026-11-23T09:30:00.123Z"


def options(**overrides):
    params = dict(
        external_id="run-1", state="started",
        environment=dict(type="Test", id="lab", display_name=None),
        releases=[dict(workspace="sandbox", workspace_is_uuid=False, repo_slug="app", commit="0C9135C")],
        started_at=None, completed_at=None, deployment_message=None, description=None, external_link=None, wait=True,
    )
    params.update(overrides)
    return params


def read_shape(**overrides):
    deployment = {
        "id": "7b25450b-c668-4eb4-b75c-77333ca1ada7", "externalId": "run-1", "state": "started",
        "environment": {"environmentType": "Test", "identifier": "lab", "displayName": "lab"},
        "type": "api", "startedAt": "2026-11-23T09:00:00.5Z",
        "releases": [{"commit": {"sha": "0c9135c"}, "type": "bbc", "repository": {"repoSlug": "app", "workspace": "sandbox"}}],
    }
    deployment.update(overrides)
    return deployment


@pytest.mark.parametrize("text, expected", [
    ("2020-03-26T14:05:07.594Z", "2020-03-26T14:05:07.594Z"),
    ("2020-08-17T08:11:37.91Z", "2020-08-17T08:11:37.910Z"),
    ("2020-08-17T08:11:37Z", "2020-08-17T08:11:37.000Z"),
    ("2020-08-17T10:11:37.123456+02:00", "2020-08-17T08:11:37.123Z"),
    ("2020-08-17T03:41:37-0430", "2020-08-17T08:11:37.000Z"),
    ("2020-08-17 08:11", "2020-08-17T08:11:00.000Z"),
    ("2020-08-17t08:11:37z", "2020-08-17T08:11:37.000Z"),
])
def test_times_are_read_in_iso_8601_and_written_as_the_reference_shows_them(text, expected):
    assert format_time(parse_time(text)) == expected


@pytest.mark.parametrize("text", ["yesterday", "2020-13-01T00:00:00Z", "2020-02-30T00:00:00Z", "1585231507", "",
                                  # Offsets out of range, and an offset that moves the time before the year 1.
                                  "2020-08-17T08:11:37+24:00", "2020-08-17T08:11:37+05:60", "0001-01-01T00:00:00+00:01"])
def test_a_time_that_is_not_one_is_refused_with_the_option_name(text):
    with pytest.raises(InputError) as caught:
        parse_time(text, "started_at")
    assert caught.value.args[0].startswith("started_at: ")


def test_a_year_before_1000_is_written_with_four_digits():
    assert format_time(datetime(999, 1, 2, 3, 4, 5, 6000, tzinfo=timezone.utc)) == "0999-01-02T03:04:05.006Z"


def test_two_spellings_of_one_instant_are_one_canonical_time():
    assert canonical_time("2020-08-17T08:11:37.91Z") == canonical_time("2020-08-17T10:11:37.910+02:00")
    assert canonical_time(None) is None and canonical_time("") is None


def test_the_environment_is_read_from_either_shape():
    assert environment_of(read_shape()) == ("Test", "lab", "lab")
    search_shape = {"environment": {"type": "Production", "id": "prod", "displayName": "production"}}
    assert environment_of(search_shape) == ("Production", "prod", "production")


def test_a_creation_defaults_the_start_to_now_and_sends_the_bitbucket_form():
    body = create_body(options(), MOMENT)
    assert body == {
        "externalId": "run-1", "state": "started", "environment": {"type": "Test", "id": "lab"},
        "startedAt": NOW,
        "releases": [{"type": "bbc", "repository": {"workspace": {"identifier": "sandbox"}, "repoSlug": "app"},
                      "commit": {"sha": "0C9135C"}}],
    }


def test_a_creation_in_a_final_state_is_completed_now_unless_told():
    assert create_body(options(state="failed"), MOMENT)["completedAt"] == NOW
    told = create_body(options(state="successful", completed_at="2026-11-23T10:00:00+01:00"), MOMENT)
    assert told["completedAt"] == "2026-11-23T09:00:00.000Z"


def test_a_creation_carries_the_texts_the_display_name_and_a_workspace_uuid():
    body = create_body(options(deployment_message="m", description="", external_link="https://ci/1",
                               environment=dict(type="Production", id="p", display_name="Prod"),
                               releases=[dict(workspace="{AB}", workspace_is_uuid=True, repo_slug="api", commit="1")]),
                       MOMENT)
    assert body["environment"] == {"type": "Production", "id": "p", "displayName": "Prod"}
    assert body["releases"][0]["repository"]["workspace"] == {"identifier": "{AB}", "type": "bbcUuid"}
    assert (body["message"], body["description"], body["externalLink"]) == ("m", "", "https://ci/1")


@pytest.mark.parametrize("missing", ["environment", "releases"])
def test_a_creation_without_environment_or_releases_says_which_to_give(missing):
    with pytest.raises(InputError) as caught:
        create_body(options(**{missing: None}), MOMENT)
    assert "run-1 does not exist yet; give %s to create it" % missing in str(caught.value)


@pytest.mark.parametrize("overrides, words", [
    (dict(external_id=" "), "external_id must not be empty"),
    (dict(releases=[]), "at least one release"),
    (dict(releases=[dict(workspace="w", workspace_is_uuid=False, repo_slug=" ", commit="")]), "releases[1]: repo_slug, commit"),
    (dict(environment=dict(type="Test", id="", display_name=None)), "environment.id must not be empty"),
    (dict(completed_at="soon"), "completed_at: 'soon' is not a date"),
    (dict(wait_timeout=-1), "wait_timeout must be 0 or more seconds"),
])
def test_options_opsgenie_would_refuse_are_refused_first(overrides, words):
    with pytest.raises(InputError) as caught:
        check_options(options(**overrides))
    assert words in str(caught.value)


def test_releases_compare_by_workspace_repository_and_commit_whatever_the_spelling():
    read = [{"commit": {"sha": "ABC"}, "repository": {"repoSlug": "app", "workspace": "{5D3F}"}}]
    body = [{"commit": {"sha": "abc"}, "repository": {"repoSlug": "app", "workspace": {"identifier": "5d3f", "type": "bbcUuid"}}}]
    assert release_keys(read) == release_keys(body) == [("5d3f", "app", "abc")]


def test_the_same_environment_and_releases_are_no_fixed_difference():
    assert fixed_differences(options(), read_shape()) == []
    assert fixed_differences(options(environment=None, releases=None), read_shape()) == []


def test_another_environment_or_commit_is_named_as_what_cannot_change():
    found = fixed_differences(options(environment=dict(type="Production", id="lab", display_name=None),
                                      releases=[dict(workspace="sandbox", workspace_is_uuid=False, repo_slug="app", commit="ffff")]),
                              read_shape())
    assert found == ["environment (it is Test lab, lab)", "releases (it has sandbox/app@0c9135c)"]


def test_an_unchanged_deployment_plans_no_write():
    assert planned_writes(options(started_at="2026-11-23T10:00:00.500+01:00"), read_shape(), MOMENT) == (None, None)


def test_a_new_state_is_sent_with_a_completion_time_of_now_unless_told():
    assert planned_writes(options(state="successful"), read_shape(), MOMENT) == (
        None, {"state": "successful", "completedAt": NOW})
    told = planned_writes(options(state="failed", completed_at="2026-11-23T09:40:00Z"), read_shape(), MOMENT)
    assert told[1] == {"state": "failed", "completedAt": "2026-11-23T09:40:00.000Z"}


def test_only_a_differing_completion_time_is_sent_again_with_the_same_state():
    current = read_shape(state="successful", completedAt="2026-11-23T09:40:00Z")
    assert planned_writes(options(state="successful", completed_at="2026-11-23T09:40:00.000Z"), current, MOMENT) == (None, None)
    assert planned_writes(options(state="successful", completed_at="2026-11-23T09:41:00Z"), current, MOMENT)[1] == {
        "state": "successful", "completedAt": "2026-11-23T09:41:00.000Z"}


def test_only_the_texts_that_differ_are_updated_and_an_empty_one_clears():
    current = read_shape(message="same", description="old")
    fields, state = planned_writes(options(deployment_message="same", description="", external_link="https://ci/1",
                                           started_at="2026-11-23T08:00:00Z"), current, MOMENT)
    assert fields == {"description": "", "externalLink": "https://ci/1", "startedAt": "2026-11-23T08:00:00.000Z"}
    assert state is None
    assert planned_writes(options(description=""), read_shape(), MOMENT) == (None, None)


def test_the_predictions_have_the_read_shape():
    predicted = predicted_after_create(create_body(options(deployment_message="m"), MOMENT))
    assert predicted["id"] is None
    assert predicted["environment"] == {"environmentType": "Test", "identifier": "lab", "displayName": "lab"}
    assert predicted["releases"] == [{"commit": {"sha": "0C9135C"}, "type": "bbc",
                                      "repository": {"repoSlug": "app", "workspace": "sandbox"}}]
    updated = predicted_after_update(read_shape(description="old"), {"description": "", "message": "m"},
                                     {"state": "successful", "completedAt": NOW})
    assert "description" not in updated
    assert (updated["message"], updated["state"], updated["completedAt"]) == ("m", "successful", NOW)


def test_a_diff_shows_times_in_one_form():
    assert diff_view(read_shape())["startedAt"] == "2026-11-23T09:00:00.500Z"
    assert diff_view(None) == {}


def read_release(workspace, slug="app", sha="0c9135c"):
    return {"type": "bbc", "commit": {"sha": sha}, "repository": {"workspace": workspace, "repoSlug": slug}}


def sent_release(workspace, slug="app", sha="0c9135c"):
    return {"type": "bbc", "commit": {"sha": sha}, "repository": {"workspace": {"identifier": workspace}, "repoSlug": slug}}


UUID = "{5d3f4a52-7c1e-4b8a-9f60-2b7d1c9e0a11}"


def test_a_workspace_in_the_other_form_is_not_compared_but_one_in_the_same_form_is():
    assert same_releases([sent_release("sandbox")], [read_release(UUID)])
    assert same_releases([sent_release(UUID.upper())], [read_release("sandbox")])
    assert same_releases([sent_release(UUID.strip("{}"))], [read_release(UUID)])
    assert not same_releases([sent_release("sandbox")], [read_release("other")])
    assert not same_releases([sent_release(UUID)], [read_release("{00000000-0000-0000-0000-000000000000}")])
    # Repository and commit are still compared.
    assert not same_releases([sent_release("sandbox", slug="api")], [read_release(UUID)])
    assert not same_releases([sent_release("sandbox", sha="1d2e3f4")], [read_release(UUID)])


def test_releases_comparable_only_in_part_still_pair_one_to_one():
    wanted = [sent_release("sandbox"), sent_release("sandbox", slug="api")]
    assert same_releases(wanted, [read_release(UUID, slug="api"), read_release("sandbox")])
    assert not same_releases(wanted, [read_release(UUID)])
    assert not same_releases(wanted, [read_release(UUID), read_release(UUID)])


def test_only_the_description_and_the_link_may_be_missing_from_a_read():
    params = dict(deployment_message="m", description="d", external_link="l")
    assert unchecked_texts(params, {"type": "api"}) == ["description", "externalLink"]
    assert unchecked_texts(params, {"type": "api", "description": "x", "externalLink": "y"}) == []
    assert unchecked_texts(dict(params, description=""), {"type": "api"}) == ["externalLink"]
    assert unchecked_texts(params, {"type": "pipelines"}) == []
