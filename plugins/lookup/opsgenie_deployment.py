# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: opsgenie_deployment
short_description: Read Opsgenie deployments
version_added: 0.1.0
description:
  - Returns Opsgenie deployments, either those named in the terms (by external id, or by the
    identifier that O(identifier_type) says), or every deployment of the services in
    O(service_ids) that matches the filters.
  - Deployments are returned as Opsgenie gives them. Note that the two ways differ in
    Opsgenie's answer, and so here. A deployment read by identifier names its environment
    C(environmentType), C(identifier) and C(displayName) and lists its C(releases). A deployment
    found by a search names it C(type), C(id) and C(displayName), without releases.
author:
  - opsforge maintainers (@opsforge)
options:
  _terms:
    description:
      - Identifiers of the deployments to read, by default their external ids. Give either terms
        or O(service_ids).
    type: list
    elements: str
    required: false
  identifier_type:
    description:
      - What the terms are. V(api) is the external id given when the deployment was created,
        V(id) is Opsgenie's id, V(pipelines) is a Bitbucket Pipelines deployment's UUID.
    type: str
    choices: [api, id, pipelines]
    default: api
  service_ids:
    description:
      - Search the deployments of these Opsgenie services (by service id).
    type: list
    elements: str
  environment_ids:
    description:
      - With O(service_ids), only deployments to these environments (by environment id).
    type: list
    elements: str
  start_time:
    description:
      - With O(service_ids), only deployments that started at or after this ISO 8601 date and time.
    type: str
  end_time:
    description:
      - With O(service_ids), only deployments up to this ISO 8601 date and time (Opsgenie's
        C(endTime)). Opsgenie's reference says it filters on the deployments' end times without
        saying more; the sandbox compares it with the start time.
    type: str
  page_size:
    description:
      - How many deployments to ask for per search request (Opsgenie allows at most 100); the lookup
        asks for the next page until a page is empty. Opsgenie's reference does not say that a page
        with fewer deployments than asked for is the last one, so the search ends with one more
        request, for the empty page.
    type: int
    default: 100
extends_documentation_fragment:
  - opsforge.delivery.opsgenie
  - opsforge.delivery.opsgenie.plugins
  - opsforge.delivery.connection
notes:
  - A deployment created moments ago may not be found yet. Opsgenie processes writes
    asynchronously.
  - Opsgenie's reference gives no order for search results; they are returned in the order
    Opsgenie gives them.
seealso:
  - module: opsforge.delivery.opsgenie_deployment
"""

EXAMPLES = r"""
# The connection comes from OPSGENIE_API_KEY and OPSGENIE_URL (or the variables opsgenie_api_key and
# opsgenie_url) unless the lookup is given api_key and url.

- name: The state of a release's deployment
  ansible.builtin.debug:
    msg: "{{ lookup('opsforge.delivery.opsgenie_deployment', release_id).state }}"

- name: Production deployments of a service in the last seven days
  vars:
    one_week_ago: "{{ '%Y-%m-%dT%H:%M:%SZ' | ansible.builtin.strftime(now().timestamp() - 7 * 86400, utc=true) }}"
  ansible.builtin.debug:
    msg: >-
      {{ query('opsforge.delivery.opsgenie_deployment',
               service_ids=['96f6655c-73f1-4d4b-a1a5-4b97dd8409b5'],
               environment_ids=['eu-west-1'],
               start_time=one_week_ago) | map(attribute='externalId') }}
"""

RETURN = r"""
_raw:
  description: One dictionary per deployment, as Opsgenie gives it.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError

from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie import OPSGENIE_SPEC, OpsgenieClient, SEARCH_PAGE_SIZE
from ansible_collections.opsforge.delivery.plugins.module_utils._opsgenie_deployment import time_option
from ansible_collections.opsforge.delivery.plugins.plugin_utils._lookup import ServiceLookupBase


class LookupModule(ServiceLookupBase):

    connection_spec = OPSGENIE_SPEC

    def lookup(self, terms, options):
        service_ids = options.get("service_ids")
        if bool(terms) == bool(service_ids):
            raise AnsibleLookupError("Opsgenie: give either identifiers of deployments as terms, or service_ids "
                                     "to search, not %s" % ("both" if terms else "neither"))
        client = OpsgenieClient(options)
        if service_ids:
            page_size = options.get("page_size") or SEARCH_PAGE_SIZE
            if page_size < 1:
                raise AnsibleLookupError("Opsgenie: page_size must be 1 or more")
            return client.search(service_ids, environment_ids=options.get("environment_ids"),
                                 start_time=time_option(options, "start_time"), end_time=time_option(options, "end_time"),
                                 page_size=page_size)
        identifier_type = options.get("identifier_type") or "api"
        deployments = []
        for term in terms:
            deployment = client.get(term, identifier_type)
            if deployment is None:
                raise AnsibleLookupError("Opsgenie: no deployment with %s %s"
                                         % ({"api": "external id", "id": "id"}.get(identifier_type, "pipelines UUID"), term))
            deployments.append(deployment)
        return deployments
