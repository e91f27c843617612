# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many tokens of one user in one task: one listing, each token kept, replaced or deleted as a single one is."""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import GiteaClient, check_scopes, check_token_name
from ansible_collections.opsforge.delivery.plugins.module_utils._gitea_token import GiteaToken, build_token, list_tokens
from ansible_collections.opsforge.delivery.plugins.module_utils._http import write_may_have_taken_effect
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import CREATE, DELETE, NOTHING, REPLACE, ResourceSet, item_options

#: What an item of ``tokens`` takes; what it leaves out comes from the task's option of the same name.
ITEM_OPTIONS = ("name", "scopes", "recreate")


class GiteaTokenSet(ResourceSet):
    """The tokens of one user that a list names; with ``exclusive``, the user's other tokens (of
    ``name_prefix``, when given) to delete."""

    result_key = "tokens"
    listed_actions = (CREATE, REPLACE, DELETE, NOTHING)

    def __init__(self, client, items, state="present", exclusive=False, name_prefix=None):
        super(GiteaTokenSet, self).__init__()
        self.client = client
        #: The options of each token, as a single token's (name, scopes, recreate, state).
        self.items = items
        self.state = state
        self.exclusive = exclusive
        self.name_prefix = name_prefix

    def read(self, check_mode):
        tokens = list_tokens(self.client, check_mode, self.warnings)
        items = []
        for params in self.items:
            member = GiteaToken(self.client, params, check_mode)
            items.append((member, self.state, member.take(tokens)))
        if self.exclusive:
            named = set(params["name"] for params in self.items)
            others = sorted(set(token.get("name") for token in tokens
                                if token.get("name") not in named and self._in_scope(token.get("name"))))
            for name in others:
                member = GiteaToken(self.client, dict(name=name, scopes=None, recreate="never", state="absent"), check_mode)
                items.append((member, "absent", member.take(tokens)))
        self.members = [member for member, dummy, dummy2 in items]
        return items

    def _in_scope(self, name):
        return self.name_prefix is None or (name or "").startswith(self.name_prefix)

    def failure_result(self, error):
        result = super(GiteaTokenSet, self).failure_result(error)
        # Tokens deleted before the failure, a replacement's old token among them, as a single token reports them.
        result["deleted"] = [token for member in self.members for token in member.deleted]
        return result

    def changed_by_failure(self, error):
        return super(GiteaTokenSet, self).changed_by_failure(error) or write_may_have_taken_effect(self.client.http, error)


def build_tokens(module):
    """The GiteaTokenSet of ``tokens``, or the GiteaToken of ``name``; raises InputError for options Gitea
    would refuse, and for two items naming one token, before any request."""
    params = module.params
    scope = params["exclusive_scope"]
    if scope is not None and not params["exclusive"]:
        raise InputError("exclusive_scope limits exclusive: set exclusive to true as well, or remove exclusive_scope")
    if params["tokens"] is None:
        if params["exclusive"]:
            raise InputError("exclusive applies to tokens: list the tokens to keep in tokens")
        return build_token(module)
    if params["exclusive"] and params["state"] == "absent":
        raise InputError("exclusive deletes the tokens the list does not name: it applies to state=present only")
    name_prefix = (scope or {}).get("name_prefix")
    if name_prefix is not None and not name_prefix.strip():
        raise InputError("exclusive_scope.name_prefix is empty; give the prefix of the tokens exclusive may delete, "
                         "or leave it out to let exclusive delete every other token of the user")
    items, seen = [], {}
    for index, item in enumerate(params["tokens"]):
        where = "tokens[%d]" % index
        options = item_options(item, params, ITEM_OPTIONS)
        options["state"] = params["state"]
        check_token_name(options["name"], "%s.name" % where)
        try:
            if options["scopes"] is not None and options["state"] == "present":
                check_scopes(options["scopes"])
        except InputError as exc:
            raise InputError("%s: %s" % (where, exc))
        if options["name"] in seen:
            raise InputError("tokens[%d] and %s both name the token %s" % (seen[options["name"]], where, options["name"]))
        seen[options["name"]] = index
        items.append(options)
    return GiteaTokenSet(GiteaClient(params, params["user"]), items, params["state"], params["exclusive"], name_prefix)
