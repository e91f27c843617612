# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Twenty forks at once: each managing its own resources, then all racing to create the same ones.

Nothing is lost and nothing is duplicated: the services hold exactly one resource per name. In a
race one run creates the resource and every other run finds it and changes nothing; where the create
replaces what is stored (Jira), a run whose write Jira dropped for a later one changes nothing, and
one whose write was stored before a later one replaced it reports its change.
"""

from __future__ import annotations

import re

import pytest

from tests.reliability.fault_scenarios import SCENARIOS

HOSTS = 20
WRITE_DELAY = 4


def _tasks(name):
    return [dict(SCENARIOS[module].module_task(module, name), ignore_errors=False) for module in sorted(SCENARIOS)]


def _by_status(run, task):
    statuses = {}
    for record in run.results(task):
        statuses.setdefault(record["status"], []).append(record["host"])
    return statuses


def test_twenty_forks_manage_their_own_resources(sandbox, playbook):
    run = playbook.run(_tasks("{{ inventory_hostname }}"), hosts=HOSTS, forks=HOSTS)
    assert run.returncode == 0, run.summary()
    hosts = ["host%02d" % number for number in range(1, HOSTS + 1)]
    for module, scenario in sorted(SCENARIOS.items()):
        assert sorted(_by_status(run, module)) == ["changed"], run.summary()
        counts = dict((host, scenario.count(sandbox, host)) for host in hosts)
        assert counts == dict((host, 1) for host in hosts), "%s: %s" % (module, counts)


@pytest.mark.parametrize("module", sorted(SCENARIOS))
def test_twenty_forks_race_to_create_one_resource(module, sandbox, playbook):
    scenario = SCENARIOS[module]
    method, path = scenario.write
    # Held writes: every fork has read "absent" before the first create lands, so all of them write.
    sandbox.fault(scenario.service, method=method, path=path, times=HOSTS, delay=WRITE_DELAY)
    task = dict(scenario.module_task(module, "contested"), ignore_errors=False)
    run = playbook.run([task], hosts=HOSTS, forks=HOSTS)
    assert run.returncode == 0, run.summary()
    statuses = _by_status(run, module)
    assert sorted(statuses) in (["changed"], ["changed", "ok"]), run.summary()
    if not scenario.upsert:
        assert len(statuses["changed"]) == 1 and len(statuses.get("ok", [])) == HOSTS - 1, run.summary()
    assert scenario.count(sandbox, "contested") == 1
    # The race was real: more than one fork sent the create.
    assert len([entry for entry in sandbox.writes(scenario.service) if re.search(path, entry["path"])]) > 1
