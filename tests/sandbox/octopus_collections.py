# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Octopus Deploy collections: link templates, query filters, sorting and paging.

Each collection has its own name filter: an exact match for machines, a
'contains' match for environments and tenants (kept by the server for
backwards compatibility), none at all for the others, whose templates only
offer ``partialName``.
"""

from collections import namedtuple
from urllib.parse import urlencode

from .octopus_machines import Rejected
from .octopus_state import ID_PREFIXES

TAKE_ALL = 2147483647

Collection = namedtuple("Collection", "item_type default_take query name_match")

COLLECTIONS = {
    "machines": Collection(
        "DeploymentTarget",
        30,
        "{?skip,take,name,ids,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,environmentIds,thumbprint,"
        "deploymentId,shellNames}",
        "exact",
    ),
    "environments": Collection("Environment", 10, "{?name,skip,ids,take,partialName}", "contains"),
    "machinepolicies": Collection("MachinePolicy", 30, "{?skip,take,ids,partialName}", None),
    "tenants": Collection("Tenant", 30, "{?skip,projectId,name,tags,take,ids,partialName}", "contains"),
    "tagsets": Collection("TagSet", 30, "{?skip,take,ids,partialName}", None),
    "proxies": Collection("Proxy", 30, "{?skip,take,ids,partialName}", None),
    # The root documents of 2019.7 and 2020.4 both offer name here; matched like environments'.
    "workerpools": Collection("WorkerPool", 30, "{?name,skip,ids,take,partialName}", "contains"),
    "accounts": Collection("Account", 30, "{?skip,take,ids,partialName,accountType}", None),
    "certificates": Collection("Certificate", 30, "{?skip,take,search,archived,tenant,firstResult,orderBy,ids,partialName}", None),
}
SPACES = Collection("Space", 30, "{?name,skip,ids,take,partialName}", "exact")
# Link names of the root and space documents: the same words as the id prefixes.
LINK_NAMES = ID_PREFIXES


def space_links(space_id):
    """The space-scoped link templates, expanded for one space."""
    return {
        LINK_NAMES[name]: "/api/%s/%s{/id}%s" % (space_id, name, collection.query) for name, collection in COLLECTIONS.items()
    }


class Query:
    """Query parameters; names are matched without case, as the server's model binding does."""

    def __init__(self, args):
        # (name as sent, value) in the order sent; credentials never make it into links.
        self.pairs = [(key, value) for key, value in args.items(multi=True) if key.lower() != "apikey"]

    def values(self, name):
        return [value for key, value in self.pairs if key.lower() == name.lower()]

    def has(self, name):
        return bool(self.values(name))

    def value(self, name):
        values = self.values(name)
        return values[-1] if values else None

    def items(self, name):
        """An array parameter: comma-separated, repeated, or both; None when absent."""
        if not self.has(name):
            return None
        return [item.strip() for value in self.values(name) for item in value.split(",") if item.strip()]

    def number(self, name, default):
        value = self.value(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            number = -1
        if number < 0:
            raise Rejected(400, "There was a problem with your request.", ["The value '%s' is not valid for %s." % (value, name)])
        return number

    def flag(self, name):
        value = self.value(name)
        if value is None or value == "":
            return None
        if value.lower() not in ("true", "false"):
            raise Rejected(400, "There was a problem with your request.", ["The value '%s' is not valid for %s." % (value, name)])
        return value.lower() == "true"

    def others(self):
        return [(key, value) for key, value in self.pairs if key.lower() not in ("skip", "take")]


def _lower(values):
    return {value.lower() for value in values}


def _any(wanted, have):
    """True when no filter was given, or the resource has one of the values (without case)."""
    return wanted is None or bool(_lower(wanted) & _lower(have))


def sort_key(collection):
    if collection == "environments":
        return lambda item: (item["SortOrder"], item["Name"].lower())
    return lambda item: item["Name"].lower()


def ids_filter(items, query):
    """``ids``, the one filter of the /all endpoints (with ``thumbprint`` for machines)."""
    ids = query.items("ids")
    if ids is None:
        return items
    wanted = _lower(ids)
    return [item for item in items if item["Id"].lower() in wanted]


def common_filter(items, query, name_match):
    """The filters every collection has: ``ids``, ``partialName``, and ``name`` where the template has it."""
    items = ids_filter(items, query)
    partial = query.value("partialName")
    if partial:
        items = [item for item in items if partial.lower() in item["Name"].lower()]
    name = query.value("name")
    if name and name_match == "exact":
        items = [item for item in items if item["Name"].lower() == name.lower()]
    elif name and name_match == "contains":
        items = [item for item in items if name.lower() in item["Name"].lower()]
    return items


def machine_filter(machines, query):
    """The machine-only filters, on machines as rendered (health included)."""
    is_disabled = query.flag("isDisabled")
    roles = query.items("roles")
    environment_ids = query.items("environmentIds")
    tenant_ids = query.items("tenantIds")
    tenant_tags = query.items("tenantTags")
    health = query.items("healthStatuses")
    styles = query.items("commStyles")
    shells = query.items("shellNames")
    thumbprint = query.value("thumbprint")
    found = []
    for machine in machines:
        endpoint = machine["Endpoint"]
        if is_disabled is not None and machine["IsDisabled"] != is_disabled:
            continue
        if not (
            _any(roles, machine["Roles"])
            and _any(environment_ids, machine["EnvironmentIds"])
            and _any(tenant_ids, machine["TenantIds"])
            and _any(tenant_tags, machine["TenantTags"])
            and _any(health, [machine["HealthStatus"]])
            and _any(styles, [endpoint["CommunicationStyle"]])
            and _any(shells, [machine["ShellName"]])
        ):
            continue
        if thumbprint and (endpoint.get("Thumbprint") or "").lower() != thumbprint.lower():
            continue
        found.append(machine)
    return found


def tenant_filter(tenants, query, tag_sets):
    """``tags``: within one tag set any tag may match, every tag set given must match; ``projectId``."""
    tags = query.items("tags")
    if tags:
        tag_set_of = {}
        for tag_set in tag_sets:
            for tag in tag_set["Tags"]:
                tag_set_of[tag["CanonicalTagName"].lower()] = tag_set["Id"]
        groups = {}
        for tag in tags:
            groups.setdefault(tag_set_of.get(tag.lower(), tag.lower()), set()).add(tag.lower())
        tenants = [tenant for tenant in tenants if all(group & _lower(tenant["TenantTags"]) for group in groups.values())]
    project_id = query.value("projectId")
    if project_id:
        tenants = [tenant for tenant in tenants if project_id in tenant["ProjectEnvironments"]]
    return tenants


def account_filter(accounts, query):
    types = query.items("accountType")
    return [account for account in accounts if _any(types, [account["AccountType"]])]


def page(items, query, base, item_type, default_take, template_query):
    """One page of a collection, with the server's counters and page links."""
    skip = query.number("skip", 0)
    take = query.number("take", default_take)
    total = len(items)
    pages = max(1, -(-total // take)) if take else 1
    last = pages - 1
    end = skip + take

    def link(skip_value, take_value):
        return base + "?" + urlencode([("skip", skip_value), ("take", take_value)] + query.others())

    links = {
        "Self": link(skip, take),
        "Template": base + template_query,
        "Page.All": link(0, TAKE_ALL),
        "Page.Current": link(skip, take),
        "Page.Last": link(last * take, take),
    }
    if take and end < total:
        links["Page.Next"] = link(end, take)
    if skip > 0:
        links["Page.Previous"] = link(max(0, skip - take), take)
    return {
        "ItemType": item_type,
        "TotalResults": total,
        "ItemsPerPage": take,
        "NumberOfPages": pages,
        "LastPageNumber": last,
        "Items": items[skip:end],
        "Links": links,
    }
