# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lookups in a real playbook: a misspelled option is refused with the likely one, the connection comes from
options, variables or the environment, and a connection that cannot work is named before any request."""

from __future__ import annotations

from tests.reliability.playbook import PlaybookRunner

#: Each case: (task name, lookup expression, what the failure message must say). None: the task must succeed.
CASES = [
    ("misspelled project", "query('opsforge.delivery.rundeck_job', projct='web')",
     "unknown option(s): projct (did you mean project?)"),
    ("misspelled credential", "query('opsforge.delivery.rundeck_project', api_tokn='x')",
     "unknown option(s): api_tokn (did you mean api_token?)"),
    ("misspelled timeout", "query('opsforge.delivery.octopus_machine', timout=5)", "unknown option(s): timout (did you mean timeout?)"),
    ("unknown option", "query('opsforge.delivery.gitea_token', colour='blue')", "unknown option(s): colour; this lookup takes"),
    ("timeout out of range", "query('opsforge.delivery.rundeck_project', timeout=-1)",
     "timeout must be more than 0 and at most 3600 seconds; got -1"),
    ("retries out of range", "query('opsforge.delivery.opsgenie_deployment', service_ids=['s'], retries=-5)",
     "retries must be from 0 to 10; got -5"),
    ("empty url", "query('opsforge.delivery.rundeck_project', url='')", "set url (or the environment variable RUNDECK_URL)"),
    ("url with the API path", "query('opsforge.delivery.rundeck_project', url=rundeck_url + '/api/49')",
     "remove /api/49 from its end"),
    ("connection from variables", "query('opsforge.delivery.rundeck_project')", None),
    ("connection from options", "query('opsforge.delivery.octopus_machine', url=octopus_url, api_key=octopus_api_key)", None),
]


def test_lookup_options_are_checked_before_any_request(sandbox, tmp_path):
    tasks = [{"name": name, "ansible.builtin.debug": {"msg": "{{ %s | length }}" % expression}, "ignore_errors": True}
             for name, expression, dummy in CASES]
    variables = {"rundeck_url": sandbox.urls["rundeck"], "rundeck_api_token": sandbox.credentials["rundeck_token"],
                 "octopus_url": sandbox.urls["octopus"], "octopus_api_key": sandbox.credentials["octopus_api_key"],
                 "opsgenie_url": sandbox.urls["opsgenie"], "opsgenie_api_key": sandbox.credentials["opsgenie_api_key"],
                 "gitea_url": sandbox.urls["gitea"], "gitea_username": "alice",
                 "gitea_password": sandbox.credentials["gitea_alice_password"]}
    sandbox.clear_requests()
    run = PlaybookRunner(tmp_path, {}).run(tasks, host_vars={"localhost": variables})
    assert run.returncode == 0, run.output()
    for name, dummy, message in CASES:
        record = run.result(name)
        if message is None:
            assert record["status"] == "ok", "%s: %s" % (name, record)
        else:
            assert record["status"] == "failed", "%s: %s" % (name, record)
            assert message in record["result"]["msg"], "%s: %s" % (name, record["result"]["msg"])
    # Only the two lookups that could work sent anything.
    assert {service for service in sandbox.urls if sandbox.requests(service)} == {"rundeck", "octopus"}
