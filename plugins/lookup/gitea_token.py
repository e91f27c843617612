# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: gitea_token
short_description: Read the metadata of Gitea access tokens
version_added: 0.1.0
description:
  - Returns access tokens of a Gitea user, each with its C(id), C(name), C(scopes) and
    C(token_last_eight). Gitea never shows a token's secret again after creating it, and
    neither does this lookup.
author:
  - opsforge maintainers (@opsforge)
options:
  _terms:
    description:
      - Names of the tokens to read. Without terms, every token of O(user) is returned.
    type: list
    elements: str
    required: false
  user:
    description:
      - The user whose tokens to read. Defaults to O(username); another user needs a site
        administrator as O(username).
    type: str
extends_documentation_fragment:
  - opsforge.delivery.gitea
  - opsforge.delivery.gitea.plugins
  - opsforge.delivery.connection
notes:
  - An empty name in the terms is an error.
  - In check mode, a O(user) Gitea does not have yet (one an earlier task of the play creates, and
    in check mode only predicts) has no tokens, with a warning that names it; outside check mode
    it is an error.
  - Reading costs one request per 50 tokens of the user.
seealso:
  - module: opsforge.delivery.gitea_token
"""

EXAMPLES = r"""
# The connection comes from GITEA_URL, GITEA_USERNAME and GITEA_PASSWORD (or the variables gitea_url,
# gitea_username and gitea_password) unless the lookup is given url, username and password.

- name: The scopes of user ci-bot's token ci (an administrator reads other users' tokens)
  ansible.builtin.debug:
    msg: "{{ lookup('opsforge.delivery.gitea_token', 'ci', user='ci-bot').scopes }}"

- name: Names of every token of the user the connection logs in as
  ansible.builtin.debug:
    msg: "{{ query('opsforge.delivery.gitea_token') | map(attribute='name') }}"
"""

RETURN = r"""
_raw:
  description: One dictionary per token, without its secret.
  type: list
  elements: dict
  contains:
    id:
      description: The token's id.
      type: int
    name:
      description: The token's name.
      type: str
    scopes:
      description: Its scopes.
      type: list
      elements: str
    token_last_eight:
      description: The last eight characters of its secret.
      type: str
"""

from ansible.errors import AnsibleLookupError
from ansible.utils.display import Display

from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import GITEA_SPEC, GiteaClient, check_token_name, public_token
from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError
from ansible_collections.opsforge.delivery.plugins.plugin_utils._lookup import ServiceLookupBase

display = Display()


class LookupModule(ServiceLookupBase):

    connection_spec = GITEA_SPEC
    check_mode = False

    def run(self, terms, variables=None, **kwargs):
        # Whether the play runs in check mode, where a user may be one an earlier task only predicted.
        self.check_mode = bool((variables or {}).get("ansible_check_mode"))
        return super(LookupModule, self).run(terms, variables, **kwargs)

    def lookup(self, terms, options):
        # An empty name matches no token; say so before any request.
        for term in terms:
            check_token_name(term, "a term")
        client = GiteaClient(options, options.get("user"))
        tokens = [public_token(token) for token in self._list_tokens(client)]
        if not terms:
            return tokens
        result = []
        for term in terms:
            found = [token for token in tokens if token["name"] == term]
            if not found:
                raise AnsibleLookupError("Gitea: user %s has no access token named %s" % (client.user, term))
            result.extend(found)
        return result

    def _list_tokens(self, client):
        """The user's tokens; in check mode none for a user Gitea confirms it does not have yet."""
        try:
            return client.list_tokens()
        except ApiError as exc:
            if not (self.check_mode and exc.status == 404 and client.acts_for_another and client.user_missing()):
                raise
        display.warning("Gitea has no user %s yet; in check mode the gitea_token lookup reads no tokens for it "
                        "(an earlier task may create it); a run while it is still missing fails" % client.user)
        return []
