# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.plugin_utils._module_action import ModuleAction


class ActionModule(ModuleAction):
    """The opsgenie_deployment module, run in Ansible's worker when its task runs on the controller."""
