# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """Attributes every module of the collection has, and the action group of each service."""

    DOCUMENTATION = r"""
options: {}
attributes:
  action:
    description: >-
      Has an action plugin of its name. When the task runs on the controller (connection C(local),
      C(delegate_to: localhost) included) with the controller's Python, without C(become) or
      C(async), the module runs in the worker process Ansible forks for the task rather than in a
      Python process of its own, in a fraction of the time and with the same result. Set the
      variable C(opsforge_delivery_execution), or the environment variable
      E(OPSFORGE_DELIVERY_EXECUTION), to V(module) to execute it in a process of its own everywhere.
      A controller that lacks a library the module needs executes it so too, with a warning that
      names the library.
    support: full
  check_mode:
    description: Can run in check mode and return the changed status, the diff and the predicted
      result without modifying the server; no write request of any kind is sent.
    support: full
  diff_mode:
    description: With C(--diff), returns the resource before and after the change (text resources
      as text, so that a unified diff is shown); secrets are never included.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: all
"""

    RUNDECK_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/opsforge.delivery.rundeck) or C(group/opsforge.delivery.all) in
      C(module_defaults) to set the connection options once.
    support: full
    membership:
      - opsforge.delivery.rundeck
      - opsforge.delivery.all
"""

    OPSGENIE_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/opsforge.delivery.opsgenie) or C(group/opsforge.delivery.all) in
      C(module_defaults) to set the connection options once.
    support: full
    membership:
      - opsforge.delivery.opsgenie
      - opsforge.delivery.all
"""

    JIRA_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/opsforge.delivery.jira) or C(group/opsforge.delivery.all) in
      C(module_defaults) to set the connection options once.
    support: full
    membership:
      - opsforge.delivery.jira
      - opsforge.delivery.all
"""

    OCTOPUS_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/opsforge.delivery.octopus) or C(group/opsforge.delivery.all) in
      C(module_defaults) to set the connection options once.
    support: full
    membership:
      - opsforge.delivery.octopus
      - opsforge.delivery.all
"""

    GITEA_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/opsforge.delivery.gitea) or C(group/opsforge.delivery.all) in
      C(module_defaults) to set the connection options once.
    support: full
    membership:
      - opsforge.delivery.gitea
      - opsforge.delivery.all
"""
