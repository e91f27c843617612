"""octopus_machine with machines, many targets in one task, run in-process against the sandbox."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.opsforge.delivery.plugins.modules.octopus_machine import main

READS = ("GET", "HEAD")
CLOUD = dict(communication_style="cloud_region")


@pytest.fixture
def octopus(sandbox):
    return dict(url=sandbox.urls["octopus"], api_key=sandbox.credentials["octopus_api_key"], retries=0)


@pytest.fixture
def clear_log(sandbox):
    return sandbox.controls["octopus"].clear_requests


def writes(request_log):
    return [(entry["method"], entry["path"]) for entry in request_log("octopus") if entry["method"] not in READS]


def names(result):
    """The names under each list of the result's machines."""
    return dict((action, [machine["Name"] for machine in listed]) for action, listed in result["machines"].items()
                if action != "not_done")


def listening(number):
    return dict(communication_style="listening", uri="https://web%03d.example.com:10933/" % number,
                thumbprint="%040X" % number, proxy="Corporate proxy")


def fleet(count):
    """Targets that share their environments, roles, tenants and policy, each with its own listening endpoint."""
    return [dict(name="web%03d" % number, endpoint=listening(number)) for number in range(1, count + 1)]


def shared(octopus, machines, **options):
    return dict(octopus, environments=["Test", "Production"], roles=["web"], tenants=["Acme"],
                machine_policy="Transient", machines=machines, **options)


# -- check mode, the first run, the unchanged run ----------------------------------------------------------

def test_check_mode_writes_nothing_and_predicts_the_real_run(octopus, module_runner, request_log):
    args = shared(octopus, fleet(3) + [dict(name="gone01", state="absent")])
    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert predicted["changed"] is True, predicted
    assert writes(request_log) == []
    real = module_runner(main, args, diff=True)
    assert real["changed"] is True, real
    assert names(predicted) == names(real) == dict(created=["web001", "web002", "web003"], updated=[], replaced=[],
                                                   deleted=[], unchanged=[])
    # The server's defaults are predicted too: the diff of the check run is the real run's.
    assert predicted["diff"] == real["diff"]
    assert predicted["machines"]["created"][0]["SpaceId"] == "Spaces-1"
    assert "Id" not in predicted["machines"]["created"][0] and real["machines"]["created"][0]["Id"]


def test_a_hundred_unchanged_targets_cost_one_listing_of_each_kind_and_no_write(octopus, module_runner, request_log,
                                                                                clear_log):
    args = shared(octopus, fleet(100))
    created = module_runner(main, args)
    assert created["changed"] is True and len(created["machines"]["created"]) == 100, created.get("msg")
    clear_log()
    again = module_runner(main, args)
    assert again["changed"] is False, again.get("msg")
    assert len(again["machines"]["unchanged"]) == 100
    sent = request_log("octopus")
    assert all(entry["method"] in READS for entry in sent)
    assert len(sent) <= 10, [entry["path"] for entry in sent]
    paths = [entry["path"] for entry in sent]
    # The API root, every target in one listing, and each kind of name listed once.
    assert sorted(paths) == sorted(["/api", "/api/Spaces-1/machines", "/api/Spaces-1/environments/all",
                                    "/api/Spaces-1/tenants/all", "/api/Spaces-1/machinepolicies/all",
                                    "/api/Spaces-1/proxies/all"])
    clear_log()
    assert module_runner(main, args, check_mode=True)["changed"] is False
    assert len(request_log("octopus")) <= 10


def test_the_listing_follows_the_next_page(octopus, module_runner, request_log, clear_log, sandbox):
    # A server that answers with smaller pages than asked for: the set still finds every target.
    module_runner(main, dict(octopus, environments=["Test"], roles=["web"], endpoint=CLOUD,
                             machines=[dict(name="page%02d" % number) for number in range(1, 6)]))
    clear_log()
    from unittest import mock
    from ansible_collections.opsforge.delivery.plugins.module_utils import _octopus
    with mock.patch.object(_octopus, "LARGE_PAGE", 2):
        again = module_runner(main, dict(octopus, environments=["Test"], roles=["web"], endpoint=CLOUD,
                                         machines=[dict(name="page%02d" % number) for number in range(1, 6)]))
    assert again["changed"] is False and len(again["machines"]["unchanged"]) == 5, again
    listings = [entry for entry in request_log("octopus") if entry["path"] == "/api/Spaces-1/machines"]
    assert len(listings) == 3


# -- what changes, in what order, and the diff --------------------------------------------------------------

def test_only_the_items_that_differ_are_written_in_the_lists_order_with_one_diff_each(octopus, module_runner,
                                                                                      request_log, clear_log):
    first = module_runner(main, shared(octopus, fleet(3)))
    ids = dict((machine["Name"], machine["Id"]) for machine in first["machines"]["created"])
    machines = fleet(4)
    machines[2] = dict(machines[2], disabled=True)
    machines[0] = dict(machines[0], roles=["web", "api"])
    clear_log()
    result = module_runner(main, shared(octopus, machines), diff=True)
    assert names(result) == dict(created=["web004"], updated=["web001", "web003"], replaced=[], deleted=[],
                                 unchanged=["web002"])
    assert writes(request_log) == [("PUT", "/api/Spaces-1/machines/%s" % ids["web001"]),
                                   ("PUT", "/api/Spaces-1/machines/%s" % ids["web003"]),
                                   ("POST", "/api/Spaces-1/machines")]
    assert [(entry["before"].get("Name"), entry["after"].get("Name")) for entry in result["diff"]] == [
        ("web001", "web001"), ("web003", "web003"), (None, "web004")]
    assert result["diff"][0]["after"]["Roles"] == ["api", "web"] and result["diff"][1]["after"]["IsDisabled"] is True
    assert result["diff"][0]["after"]["EnvironmentNames"] == ["Test", "Production"]


def test_each_item_takes_the_tasks_options_it_leaves_out(octopus, module_runner):
    result = module_runner(main, dict(octopus, environments=["Test"], roles=["web"], endpoint=CLOUD, disabled=False, machines=[
        dict(name="one"),
        dict(name="two", environments=["Production"], disabled=True),
        dict(name="three", roles=["db"], endpoint=dict(communication_style="offline_drop", drop_folder_path="/drops")),
    ]))
    created = dict((machine["Name"], machine) for machine in result["machines"]["created"])
    assert created["one"]["EnvironmentIds"] == ["Environments-2"] and created["one"]["Roles"] == ["web"]
    assert created["two"]["EnvironmentIds"] == ["Environments-3"] and created["two"]["IsDisabled"] is True
    assert created["three"]["Roles"] == ["db"] and created["three"]["Endpoint"]["CommunicationStyle"] == "OfflineDrop"
    assert created["one"]["Endpoint"]["CommunicationStyle"] == "None"


def test_items_of_state_absent_are_deleted_and_missing_ones_are_no_change(octopus, module_runner, request_log, clear_log):
    module_runner(main, dict(octopus, environments=["Test"], roles=["web"], endpoint=CLOUD,
                             machines=[dict(name="keep01"), dict(name="drop01")]))
    clear_log()
    args = dict(octopus, environments=["Test"], roles=["web"], endpoint=CLOUD,
                machines=[dict(name="keep01"), dict(name="drop01", state="absent"), dict(name="never01", state="absent")])
    result = module_runner(main, args, diff=True)
    assert names(result) == dict(created=[], updated=[], replaced=[], deleted=["drop01"], unchanged=["keep01"])
    assert [method for method, _path in writes(request_log)] == ["DELETE"]
    assert result["diff"] == [dict(before=result["diff"][0]["before"], after={})]
    assert module_runner(main, args)["changed"] is False


def test_state_absent_for_the_task_deletes_every_item(octopus, module_runner):
    module_runner(main, dict(octopus, environments=["Test"], roles=["web"], endpoint=CLOUD,
                             machines=[dict(name="a01"), dict(name="a02")]))
    result = module_runner(main, dict(octopus, state="absent", machines=[dict(name="A01"), dict(name="a02 ")]))
    assert names(result)["deleted"] == ["a01", "a02"], result


def test_a_replacement_is_made_per_item(octopus, module_runner, request_log, clear_log):
    first = module_runner(main, shared(octopus, fleet(2)))
    old_ids = [machine["Id"] for machine in first["machines"]["created"]]
    machines = fleet(2)
    machines[1] = dict(name="web002", endpoint=dict(CLOUD, default_worker_pool="Linux workers"), endpoint_style_change="replace")
    clear_log()
    predicted = module_runner(main, shared(octopus, machines), check_mode=True, diff=True)
    assert writes(request_log) == []
    result = module_runner(main, shared(octopus, machines), diff=True)
    assert names(predicted) == names(result) == dict(created=[], updated=[], replaced=["web002"], deleted=[],
                                                     unchanged=["web001"])
    assert predicted["diff"] == result["diff"]
    assert writes(request_log) == [("DELETE", "/api/Spaces-1/machines/%s" % old_ids[1]), ("POST", "/api/Spaces-1/machines")]
    replaced = result["machines"]["replaced"][0]
    assert replaced["Id"] != old_ids[1] and replaced["TenantIds"] == ["Tenants-1"]
    assert sum("web002 is replaced" in warning for warning in result["warnings"]) == 1
    # Another item's style change without replace fails before any write.
    clear_log()
    machines[0] = dict(name="web001", endpoint=CLOUD)
    refused = module_runner(main, shared(octopus, machines))
    assert refused["failed"] is True and refused["msg"].startswith("machines[0] (web001): target web001 has the communication style")
    assert writes(request_log) == []


# -- exclusive ----------------------------------------------------------------------------------------------

@pytest.fixture
def space_of_many(octopus, module_runner):
    """Targets of several teams: web in Production, web in Test, an api in Production, and a shop one."""
    others = [
        dict(name="web-prod-old", environments=["Production"], roles=["web"]),
        dict(name="web-test01", environments=["Test"], roles=["web"]),
        dict(name="api-prod01", environments=["Production"], roles=["api"]),
        dict(name="shop-prod01", environments=["Production"], roles=["WEB"]),
        dict(name="web-prod01", environments=["Production"], roles=["web"]),
    ]
    module_runner(main, dict(octopus, endpoint=CLOUD, machines=others))
    return octopus


def test_exclusive_deletes_only_the_unlisted_targets_of_its_scope(space_of_many, module_runner, request_log, clear_log):
    args = dict(space_of_many, environments=["Production"], roles=["web"], endpoint=CLOUD,
                machines=[dict(name="web-prod01"), dict(name="web-prod02")],
                exclusive=True, exclusive_scope=dict(environments=["production"], roles=["Web"], name_prefix="WEB-"))
    clear_log()
    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert writes(request_log) == []
    assert names(predicted) == dict(created=["web-prod02"], updated=[], replaced=[], deleted=["web-prod-old"],
                                    unchanged=["web-prod01"])
    # The deletion shows in the diff before it happens, after the list's own changes.
    assert [(entry["before"].get("Name"), entry["after"].get("Name")) for entry in predicted["diff"]] == [
        (None, "web-prod02"), ("web-prod-old", None)]
    result = module_runner(main, args, diff=True)
    assert names(result) == names(predicted) and result["diff"] == predicted["diff"]
    assert [method for method, _path in writes(request_log)] == ["POST", "DELETE"]
    left = module_runner(main, dict(space_of_many, machines=[], exclusive=True,
                                    exclusive_scope=dict(name_prefix="no-such-prefix")))
    assert left["changed"] is False
    clear_log()
    again = module_runner(main, args)
    assert again["changed"] is False and writes(request_log) == []
    # Out of the scope, by environment, by role or by name, every other target stays.
    everything = module_runner(main, dict(space_of_many, state="absent", machines=[
        dict(name=name) for name in ("web-test01", "api-prod01", "shop-prod01", "web-prod01", "web-prod02")]))
    assert len(everything["machines"]["deleted"]) == 5


@pytest.mark.parametrize("scope, deleted", [
    (dict(environments=["Test"]), ["web-test01"]),
    (dict(roles=["API", "nothing"]), ["api-prod01"]),
    (dict(name_prefix="  shop-"), ["shop-prod01"]),
    (dict(environments=["Production"], roles=["web"]), ["shop-prod01", "web-prod-old"]),
])
def test_a_target_is_in_scope_when_it_matches_every_criterion_given(space_of_many, module_runner, scope, deleted):
    result = module_runner(main, dict(space_of_many, machines=[dict(name="web-prod01")], exclusive=True,
                                      exclusive_scope=scope), check_mode=True)
    assert names(result)["deleted"] == deleted, result


def test_a_scope_environment_that_does_not_exist_fails_before_any_write(
        space_of_many, module_runner, request_log, clear_log):
    clear_log()
    result = module_runner(main, dict(space_of_many, machines=[dict(name="web-prod01")], exclusive=True,
                                      exclusive_scope=dict(environments=["Prod"])))
    assert result["failed"] is True and "exclusive_scope environment 'Prod' does not exist" in result["msg"]
    assert writes(request_log) == []


# -- failures -----------------------------------------------------------------------------------------------

def test_a_failure_part_way_reports_what_was_done_what_was_not_and_the_change(
        octopus, module_runner, add_fault, request_log, clear_log):
    first = module_runner(main, shared(octopus, fleet(3)))
    ids = [machine["Id"] for machine in first["machines"]["created"]]
    machines = [dict(item, disabled=True) for item in fleet(3)] + [dict(name="web004", endpoint=listening(4))]
    add_fault({"method": "PUT", "path": "/machines/%s$" % ids[1], "status": 500}, "octopus")
    clear_log()
    result = module_runner(main, shared(octopus, machines))
    assert result["failed"] is True and result["changed"] is True, result
    assert "update target web002" in result["msg"]
    assert names(result) == dict(created=[], updated=["web001"], replaced=[], deleted=[], unchanged=[])
    not_done = result["machines"]["not_done"]
    assert [machine["Name"] for machine in not_done["update"]] == ["web002", "web003"]
    assert [machine["Name"] for machine in not_done["create"]] == ["web004"]
    assert result["writes"] == ["PUT /api/Spaces-1/machines/%s (HTTP 200)" % ids[0]]
    # Nothing after the failure was sent; running again finishes the work.
    assert [method for method, _path in writes(request_log)] == ["PUT", "PUT"]
    again = module_runner(main, shared(octopus, machines))
    assert names(again) == dict(created=["web004"], updated=["web002", "web003"], replaced=[], deleted=[],
                                unchanged=["web001"])


def test_a_refused_create_part_way_is_reported_with_the_servers_words(octopus, module_runner):
    machines = [dict(name="ok01"), dict(name="refused01", tenants=["Acme"], tenanted_deployment_participation="Untenanted"),
                dict(name="later01")]
    result = module_runner(main, dict(octopus, environments=["Test"], roles=["web"], endpoint=CLOUD, machines=machines))
    assert result["failed"] is True and result["changed"] is True and result["status"] == 400, result
    assert names(result)["created"] == ["ok01"]
    assert [machine["Name"] for machine in result["machines"]["not_done"]["create"]] == ["refused01", "later01"]


def test_a_refused_first_write_reports_no_change(octopus, module_runner, sandbox):
    # A key whose user may only read: the first create is refused, and nothing was changed.
    result = module_runner(main, dict(octopus, api_key=sandbox.credentials["octopus_viewer_api_key"], environments=["Test"],
                                      roles=["web"], endpoint=CLOUD, machines=[dict(name="x01"), dict(name="x02")]))
    assert result["failed"] is True and result["changed"] is False and result["status"] == 403, result
    assert [machine["Name"] for machine in result["machines"]["not_done"]["create"]] == ["x01", "x02"]


def test_a_target_another_run_made_meanwhile_is_taken_over_not_created_twice(octopus, module_runner, add_fault):
    # The create lands, but this run gets a refusal, as when another run's create came first.
    body = json.dumps({"ErrorMessage": "There was a problem with your request.",
                       "Errors": ["A machine with this name already exists. Please choose a different name."]})
    add_fault({"method": "POST", "path": "/machines$", "apply": True, "status": 400, "body": body}, "octopus")
    result = module_runner(main, dict(octopus, environments=["Test"], roles=["web"], endpoint=CLOUD,
                                      machines=[dict(name="race01"), dict(name="race02")]))
    assert result.get("failed") is not True, result
    assert names(result) == dict(created=["race02"], updated=[], replaced=[], deleted=[], unchanged=["race01"])


def test_two_targets_of_one_name_on_the_server_fail_naming_them(octopus, module_runner, sandbox, request_log, clear_log):
    created = module_runner(main, dict(octopus, environments=["Test"], roles=["web"], endpoint=CLOUD,
                                       machines=[dict(name="twin01")]))
    state = sandbox.controls["octopus"].state
    with state.lock:
        twin = copy.deepcopy(state.find("machines", created["machines"]["created"][0]["Id"]))
        twin.update(Id="Machines-99", Name="TWIN01", Links={"Self": "/api/Spaces-1/machines/Machines-99"})
        state.save("machines", twin)
    clear_log()
    result = module_runner(main, dict(octopus, machines=[dict(name="other01", state="absent"), dict(name="twin01", disabled=True)]))
    assert result["failed"] is True and result["msg"] == "machines[1] (twin01): 2 targets are named twin01; rename one of them"
    assert writes(request_log) == []


def test_a_missing_name_in_check_mode_is_predicted_with_one_warning_for_all_items(octopus, module_runner):
    result = module_runner(main, dict(octopus, environments=["Not yet"], roles=["web"], endpoint=CLOUD,
                                      machines=[dict(name="later%02d" % number) for number in range(1, 4)]), check_mode=True)
    assert result["changed"] is True and len(result["machines"]["created"]) == 3, result
    assert [warning for warning in result["warnings"] if "'Not yet' does not exist" in warning] == [result["warnings"][0]]
    assert len(result["warnings"]) == 1


# -- input refused before any request ---------------------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    (dict(machines=[dict(name="web01"), dict(name=" WEB01 ")]), "machines[0] and machines[1] name the same target (WEB01)"),
    (dict(machines=[dict(name="  ")]), "machines[0] (): name must not be empty"),
    (dict(machines=[dict(name="web01", tenant_tags=["Gold"])]), "machines[0] (web01): tenant_tags must each be TagSet/Tag"),
    (dict(machines=[dict(name="web01", endpoint=dict(communication_style="cloud_region", host="x"))]),
     "machines[0] (web01): endpoint: host does not apply to communication_style cloud_region"),
    (dict(endpoint=dict(communication_style="listening", uri="http://web:10933/", thumbprint="A"), machines=[dict(name="web01")]),
     "machines[0] (web01): endpoint: a listening Tentacle's uri must be an https:// address"),
    (dict(machines=[dict(name="web01")], exclusive=True), "exclusive needs exclusive_scope with at least one of"),
    (dict(machines=[dict(name="web01")], exclusive=True, exclusive_scope=dict(roles=[], name_prefix="  ")),
     "without a scope it would delete every target of the space"),
    (dict(machines=[dict(name="web01")], exclusive_scope=dict(roles=["web"])), "exclusive_scope limits exclusive"),
    (dict(machines=[dict(name="web01")], state="absent", exclusive=True, exclusive_scope=dict(roles=["web"])),
     "which state: absent contradicts"),
    (dict(name="web01", exclusive=True, exclusive_scope=dict(roles=["web"])), "exclusive applies to machines"),
    (dict(name="web01", machines=[dict(name="web02")]), "parameters are mutually exclusive: name|machines"),
    (dict(), "one of the following is required: name, machines"),
    (dict(machines=[dict(roles=["web"])]), "missing required arguments: name found in machines"),
    (dict(machines=[dict(name="web01", state="gone")]), "value of state must be one of: present, absent"),
    (dict(machines=[dict(name="web01", endpoint=dict(uri="https://x/"))]),
     "missing required arguments: communication_style found in machines -> endpoint"),
])
def test_bad_input_is_refused_before_any_request(octopus, module_runner, request_log, options, message):
    result = module_runner(main, dict(octopus, **options))
    assert result["failed"] is True and message in result["msg"], result
    assert request_log("octopus") == []


# -- as users write it --------------------------------------------------------------------------------------

def test_numbers_and_switches_written_as_text_odd_spacing_and_unicode_names_settle(octopus, module_runner):
    machines = [
        dict(name="  café-01 ", disabled="yes"),
        dict(name="Ünïcode  server", endpoint=dict(communication_style="ssh", host="ssh01.example.com", port="2222",
                                                   fingerprint="SHA256:x", account="deploy-ssh")),
        dict(name="東京-web", disabled="false"),
    ]
    args = dict(octopus, environments=["Test"], roles=["web"], endpoint=CLOUD, machines=machines)
    created = module_runner(main, args)
    assert created["changed"] is True, created
    by_name = dict((machine["Name"], machine) for machine in created["machines"]["created"])
    assert sorted(by_name) == sorted(["café-01", "Ünïcode  server", "東京-web"])
    assert by_name["café-01"]["IsDisabled"] is True and by_name["Ünïcode  server"]["Endpoint"]["Port"] == 2222
    # Another spelling of the same names finds the same targets.
    machines[0]["name"], machines[1]["name"] = "CAFÉ-01", " ünïcode  SERVER"
    again = module_runner(main, args)
    assert again["changed"] is False and len(again["machines"]["unchanged"]) == 3, again
