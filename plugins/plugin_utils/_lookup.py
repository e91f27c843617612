# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Base of the collection's lookups: options from the config system, errors as AnsibleError.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.
"""

from __future__ import annotations

from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.lookup import LookupBase

from ansible_collections.opsforge.delivery.plugins.module_utils._http import (
    ApiError,
    HAS_REQUESTS,
)
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError


class ServiceLookupBase(LookupBase):
    """Reads the options declared in the plugin's documentation and calls ``lookup``.

    Subclasses set ``connection_spec`` (the service's argument spec, which names the options
    and which are required) and implement ``lookup(terms, options)``.
    """

    connection_spec = {}

    def run(self, terms, variables=None, **kwargs):
        if not HAS_REQUESTS:
            raise AnsibleError(missing_required_lib("requests"))
        self.set_options(var_options=variables, direct=kwargs)
        options = self.collect_options()
        try:
            return self.lookup(terms, options)
        except (ApiError, InputError) as exc:
            raise AnsibleLookupError(str(exc))

    def collect_options(self):
        """Every documented option; an empty string (an empty environment variable) counts as unset."""
        options = {}
        for name in list(self._options):
            value = self.get_option(name)
            options[name] = None if value == "" else value
        missing = [name for name, spec in self.connection_spec.items() if spec.get("required") and options.get(name) is None]
        if missing:
            raise AnsibleLookupError("missing required option(s): %s" % ", ".join(sorted(missing)))
        return options

    def lookup(self, terms, options):
        raise NotImplementedError
