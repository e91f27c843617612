"""Properties of deployment times and comparison: instants, whatever their ISO 8601 spelling.

The server's side is the sandbox's Opsgenie (``tests/sandbox/opsgenie.py`` and ``opsgenie_state.py``): it
reads a time to the millisecond in UTC, writes it back without trailing zeros, and stores a deployment
from a create body.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_deployment import (
    canonical_time,
    create_body,
    fixed_differences,
    format_time,
    parse_time,
    planned_writes,
    unchecked_texts,
)
from tests.sandbox import opsgenie as sandbox_opsgenie
from tests.sandbox import opsgenie_state

NOW = datetime(2026, 3, 26, 14, 5, 7, 594000, tzinfo=timezone.utc)

# -- times -------------------------------------------------------------------------------------

# Instants to the millisecond, which is what Opsgenie keeps.
instants = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(timezone.utc)).map(
    lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
# Offsets in use around the world, in minutes.
offsets = st.sampled_from([0, 60, -60, 120, 330, 345, 540, 570, -210, -300, -480, 780, 840, -720])


def spell(draw, moment):
    """``moment`` written in one of the ISO 8601 forms the module takes."""
    offset = draw(offsets)
    local = moment.astimezone(timezone(timedelta(minutes=offset)))
    text = local.strftime("%Y-%m-%d") + draw(st.sampled_from(["T", "t", " "])) + local.strftime("%H:%M")
    milliseconds = local.microsecond // 1000
    if local.second or milliseconds or draw(st.booleans()):
        text += local.strftime(":%S")
        if milliseconds or draw(st.booleans()):
            digits = "%03d" % milliseconds
            # Fewer digits when the dropped ones are zeros; more digits are cut to the millisecond.
            digits = draw(st.sampled_from([digits, digits.rstrip("0") or "0", digits + "000", digits + "999"]))
            text += draw(st.sampled_from([".", ","])) + digits
    if offset == 0 and draw(st.booleans()):
        return text + draw(st.sampled_from(["", "Z", "z", " Z"]))
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    zones = ["%s%02d:%02d" % (sign, hours, minutes), "%s%02d%02d" % (sign, hours, minutes)]
    if not minutes:
        zones.append("%s%02d" % (sign, hours))
    return text + draw(st.sampled_from(zones))


@st.composite
def spelled_instants(draw):
    """An instant, and one way to write it."""
    moment = draw(instants)
    return moment, spell(draw, moment)


@st.composite
def two_spellings(draw):
    """Two ways to write one instant."""
    moment = draw(instants)
    return spell(draw, moment), spell(draw, moment)


@given(spelled_instants())
def test_every_spelling_of_an_instant_reads_as_that_instant(spelled):
    moment, text = spelled
    assert parse_time(text) == moment


@given(two_spellings())
def test_two_spellings_of_one_instant_are_one_canonical_time(pair):
    assert canonical_time(pair[0]) == canonical_time(pair[1])


@given(st.one_of(spelled_instants().map(lambda spelled: spelled[1]), st.text(max_size=30)))
def test_normalizing_a_time_twice_changes_nothing(text):
    once = canonical_time(text)
    assert canonical_time(once) == once


def read_or_refused(text):
    """The instant ``text`` is, checked to be one the server reads alike; None when refused with the option's name."""
    try:
        moment = parse_time(text, "started_at")
    except InputError as exc:
        assert "started_at" in str(exc)
        return None
    assert opsgenie_state.parse_time(format_time(moment)) == moment
    return moment


@given(st.text(max_size=40))
def test_any_text_is_a_time_the_server_reads_alike_or_a_clear_refusal(text):
    read_or_refused(text)


# Dates and times with any digits in their fields, out of range ones included.
local_times = st.builds(
    lambda year, month, day, hour, minute, second: "%04d-%02d-%02dT%02d:%02d:%02d" % (year, month, day, hour, minute, second),
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25), st.integers(0, 60), st.integers(0, 61))
zones = st.builds(lambda sign, hours, minutes: "%s%02d:%02d" % (sign, hours, minutes),
                  st.sampled_from("+-"), st.integers(0, 99), st.integers(0, 99))


@given(local_times, zones)
def test_a_zone_moves_a_time_by_less_than_a_day_or_is_refused(local, zone):
    moment = read_or_refused(local + zone)
    if moment is not None:
        assert abs(moment - parse_time(local + "Z")) < timedelta(hours=24)


@given(spelled_instants())
def test_a_time_equals_its_own_server_round_trip(spelled):
    moment, text = spelled
    sent = format_time(parse_time(text))
    stored = opsgenie_state.parse_time(sent)
    assert stored == moment
    assert canonical_time(opsgenie_state.render_time(stored)) == canonical_time(text)


# -- deployments ---------------------------------------------------------------------------

WORKSPACE_UUID = opsgenie_state.WORKSPACE_UUID
workspaces = st.one_of(
    st.tuples(st.sampled_from(["sandbox", "Sandbox", "SANDBOX"]), st.just(False)),
    st.tuples(st.sampled_from([WORKSPACE_UUID, WORKSPACE_UUID.strip("{}"), WORKSPACE_UUID.upper()]), st.just(True)))
releases = st.lists(st.builds(
    lambda workspace, slug, sha: dict(workspace=workspace[0], workspace_is_uuid=workspace[1], repo_slug=slug, commit=sha),
    workspaces, st.sampled_from(["app", "api"]), st.text(alphabet="0123456789abcdef", min_size=7, max_size=40)),
    min_size=1, max_size=3, unique_by=lambda release: (release["repo_slug"], release["commit"]))
texts = st.one_of(st.none(), st.just(""), st.text(alphabet="ab :/.-", max_size=12))


@st.composite
def deployments(draw):
    """Module options for a deployment, with the instants its times stand for."""
    started = draw(instants)
    params = dict(
        external_id=draw(st.sampled_from(["release-42", "web 1.2.3"])),
        state=draw(st.sampled_from(["initial", "started", "successful", "failed"])),
        environment=dict(type=draw(st.sampled_from(["Test", "Staging", "Production"])),
                         id=draw(st.sampled_from(["us-west-2", "eu"])),
                         display_name=draw(st.sampled_from([None, "", "Lab Oregon"]))),
        releases=draw(releases),
        started_at=spell(draw, started) if draw(st.booleans()) else None,
        completed_at=None,
        deployment_message=draw(texts),
        description=draw(texts),
        external_link=draw(st.one_of(st.none(), st.just("https://ci.example.com/builds/42"))),
    )
    if draw(st.booleans()):
        params["completed_at"] = spell(draw, started + timedelta(seconds=draw(st.integers(0, 86400))))
    return params


def respelled(params, seed):
    """The same options with the times, workspaces and commits written another way, releases in another order."""
    rng = random.Random(seed)
    result = dict(params)
    for option in ("started_at", "completed_at"):
        if result[option] is not None:
            moment = parse_time(result[option])
            offset = timezone(timedelta(minutes=rng.choice([0, 90, -300])))
            result[option] = moment.astimezone(offset).isoformat()
    result["releases"] = []
    for release in params["releases"]:
        workspace = release["workspace"]
        if release["workspace_is_uuid"]:
            workspace = rng.choice([workspace.strip("{}"), "{%s}" % workspace.strip("{}")])
        result["releases"].append(dict(release, workspace=rng.choice([workspace.lower(), workspace.upper()]),
                                       commit=rng.choice([release["commit"].lower(), release["commit"].upper()])))
    rng.shuffle(result["releases"])
    return result


def stored_deployment(params, omit=(), workspace_form="as_sent"):
    """The deployment the sandbox stores for the module's create body, as a read by external id shows it
    (``omit`` and ``workspace_form``: the readings the reference leaves open, as the sandbox's settings)."""
    fields, errors = sandbox_opsgenie.check_create(create_body(params, NOW))
    assert errors == {}, errors
    state = opsgenie_state.OpsgenieState()
    state.reset()
    request_id = state.accept(opsgenie_state.CREATE, fields)
    state.process_due(force=True)
    outcome = state.requests[request_id]["outcome"]
    assert outcome["isSuccess"], outcome
    return sandbox_opsgenie.render_deployment(state.find(outcome["deploymentId"]), omit, workspace_form)


@settings(max_examples=50)
@given(deployments(), st.integers(0, 2 ** 16))
def test_a_deployment_equals_its_own_server_round_trip(params, seed):
    current = stored_deployment(params)
    for options in (params, respelled(params, seed)):
        assert fixed_differences(options, current) == []
        assert planned_writes(options, current, NOW) == (None, None)


@settings(max_examples=50)
@given(deployments(), st.integers(0, 2 ** 16), st.sampled_from([(), ("externalLink", "description")]),
       st.sampled_from(["as_sent", "name", "uuid"]))
def test_a_deployment_equals_its_round_trip_whichever_reading_the_server_has(params, seed, omit, workspace_form):
    current = stored_deployment(params, omit, workspace_form)
    for options in (params, respelled(params, seed)):
        assert fixed_differences(options, current) == []
        assert planned_writes(options, current, NOW) == (None, None)


@settings(max_examples=50)
@given(deployments(), st.sampled_from(["started_at", "completed_at", "description", "state"]))
def test_a_change_to_an_option_the_user_set_is_planned(params, option):
    current = stored_deployment(params)
    changed = dict(params)
    if option in ("started_at", "completed_at"):
        moment = parse_time(params[option]) if params[option] else NOW
        changed[option] = format_time(moment + timedelta(milliseconds=1))
    elif option == "description":
        changed["description"] = (params["description"] or "") + " (changed)"
    else:
        changed["state"] = "failed" if params["state"] != "failed" else "successful"
    fields, state = planned_writes(changed, current, NOW)
    if option == "description" and "description" not in current:
        # The read does not show it: it cannot be compared, and is reported as such.
        assert unchecked_texts(changed, current) == ["description"]
    else:
        assert fields or state
