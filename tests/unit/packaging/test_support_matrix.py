# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The support matrix users read is the one `make compat` runs, and requires_ansible starts where it does."""

from __future__ import annotations

import importlib.util
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def compat_module():
    spec = importlib.util.spec_from_file_location("run_compat", os.path.join(ROOT, "tools", "compat", "run_compat.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compat_matrix():
    return compat_module().MATRIX


def readme_matrix():
    """(release, Python, how module tasks run) of each row of the README's table of supported releases."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        text = handle.read()
    section = text.split("### Supported ansible-core releases", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| (2\.\d+\.\d+) \| (3\.\d+) \| ([a-z ]+) \|", section, re.MULTILINE)


def test_readme_lists_the_releases_compat_runs_with_their_python_and_way():
    words = compat_module().EXECUTION
    expected = [(release, "3.11" if where == "host" else "3.13", words[execution])
                for dummy, release, where, execution in compat_matrix()]
    assert readme_matrix() == expected


def test_each_minor_once_in_order_and_each_release_of_its_minor():
    minors = [row[0] for row in compat_matrix()]
    assert minors == sorted(set(minors), key=lambda minor: tuple(map(int, minor.split("."))))
    for minor, release, dummy, dummy2 in compat_matrix():
        assert release.startswith(minor + ".")


def test_the_lanes_run_module_tasks_both_ways():
    ways = [execution for dummy, dummy2, dummy3, execution in compat_matrix()]
    assert set(ways) == {"module", "auto"}
    # The releases whose integration targets make reliability runs (in the worker) execute the EXAMPLES in it too.
    assert dict((row[0], row[3]) for row in compat_matrix())[compat_module().TARGETS_IN_RELIABILITY] == "auto"


def test_requires_ansible_starts_at_the_oldest_release_tested():
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        requires = yaml.safe_load(handle)["requires_ansible"]
    oldest = compat_matrix()[0][0]
    assert requires == ">=%s.0" % oldest


def test_the_releases_without_python_3_12_run_on_this_machine_and_the_others_in_the_root():
    for minor, dummy, where, dummy2 in compat_matrix():
        assert where == ("host" if tuple(map(int, minor.split("."))) < (2, 20) else "trixie")


def test_a_lane_allows_the_deprecation_the_collection_declares_and_no_other():
    declared = ("[DEPRECATION WARNING]: opsforge.delivery.opsgenie_deployment has been deprecated. Atlassian ends its "
                "support of Opsgenie. This feature will be removed from collection 'opsforge.delivery' version 2.0.0.")
    # ansible-core 2.16 to 2.18 wrap a notice at the terminal's width.
    wrapped = "[DEPRECATION WARNING]: opsforge.delivery.opsgenie_deployment\nhas been deprecated."
    other = "[DEPRECATION WARNING]: Use 'ansible.module_utils.six' is deprecated. This feature will be removed in 2.21."
    lookup = "[DEPRECATION WARNING]: opsforge.delivery.opsgenie_deployment_lookup has been deprecated."
    compat = compat_module()
    assert compat.unexpected_deprecations("\n".join([declared, wrapped, "ok: [localhost]"])) == []
    assert compat.unexpected_deprecations("\n".join([declared, other, lookup])) == sorted([other, lookup])
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        routing = yaml.safe_load(handle)["plugin_routing"]
    assert sorted(name for kind in routing.values() for name, entry in kind.items() if "deprecation" in entry) == ["opsgenie_deployment"]
