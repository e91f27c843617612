# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Base of the collection's lookups: options from the config system, errors as AnsibleError.

Internal to the collection, as module_utils is (see plugins/module_utils/README.md).
"""

from __future__ import annotations

import difflib

from ansible import constants as C
from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.lookup import LookupBase

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, HAS_REQUESTS, scrub
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError, prepare_connection


class ServiceLookupBase(LookupBase):
    """Reads the options declared in the plugin's documentation and calls ``lookup``.

    Subclasses set ``connection_spec`` (the service's argument spec, which names the options
    and which are required) and implement ``lookup(terms, options)``.
    """

    connection_spec = {}

    def run(self, terms, variables=None, **kwargs):
        if not HAS_REQUESTS:
            raise AnsibleError(missing_required_lib("requests"))
        self.refuse_unknown(kwargs)
        self.set_options(var_options=variables, direct=kwargs)
        secrets = []
        try:
            options = self.collect_options()
            # Keywords are what the lookup was given itself; variables and the environment come after them.
            secrets = prepare_connection(options, self.connection_spec,
                                         set(name for name, value in kwargs.items() if value not in (None, "")))
            return self.lookup(terms, options)
        except (ApiError, InputError, AnsibleLookupError) as exc:
            # "from None": the chain of causes would show their own texts, which may hold a credential.
            raise AnsibleLookupError(scrub(str(exc), secrets)) from None
        except Exception as exc:  # pylint: disable=broad-except
            # An unforeseen failure: its text and its causes may quote a request; only the scrubbed text goes on.
            raise AnsibleLookupError(scrub("unexpected %s: %s" % (type(exc).__name__, exc), secrets)) from None

    def refuse_unknown(self, kwargs):
        """Refuse a keyword the lookup does not know (Ansible would ignore it), with the likely one."""
        known = [name for name in C.config.get_configuration_definitions(self.plugin_type, self._load_name) or {}
                 if not name.startswith("_")]
        unknown = sorted(name for name in kwargs if name not in known)
        if unknown:
            hints = []
            for name in unknown:
                close = difflib.get_close_matches(name, known, n=1)
                hints.append("%s (did you mean %s?)" % (name, close[0]) if close else name)
            raise AnsibleLookupError("unknown option(s): %s; this lookup takes %s"
                                     % (", ".join(hints), ", ".join(sorted(known))))

    def collect_options(self):
        """Every documented option; an empty string (an empty environment variable) counts as unset."""
        options = {}
        for name in list(self._options):
            value = self.get_option(name)
            options[name] = None if value == "" else value
        return options

    def lookup(self, terms, options):
        raise NotImplementedError
