# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Octopus deployment targets: names resolved to ids, endpoints per communication style, comparison.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.
"""

from __future__ import annotations

import copy

from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import unique

#: The module's communication styles, and Octopus's names for them on the wire.
STYLES = {
    "listening": "TentaclePassive",
    "polling": "TentacleActive",
    "ssh": "Ssh",
    "cloud_region": "None",
    "offline_drop": "OfflineDrop",
    "kubernetes": "Kubernetes",
}

#: Octopus's names -> the module's, for messages.
STYLE_NAMES = dict((wire, name) for name, wire in STYLES.items())

#: Endpoint options: (wire field, collection link of the referenced resource or None), per style.
ENDPOINT_FIELDS = {
    "uri": ("Uri", None),
    "thumbprint": ("Thumbprint", None),
    "proxy": ("ProxyId", "Proxies"),
    "host": ("Host", None),
    "port": ("Port", None),
    "fingerprint": ("Fingerprint", None),
    "account": ("AccountId", "Accounts"),
    "dotnet_platform": ("DotNetCorePlatform", None),
    "default_worker_pool": ("DefaultWorkerPoolId", "WorkerPools"),
    "cluster_url": ("ClusterUrl", None),
    "namespace": ("Namespace", None),
    "skip_tls_verification": ("SkipTlsVerification", None),
    "drop_folder_path": ("DropFolderPath", None),
    "applications_directory": ("ApplicationsDirectory", None),
    "working_directory": ("OctopusWorkingDirectory", None),
}
#: Kubernetes authentication options: (wire field of Endpoint.Authentication, collection link or None).
AUTHENTICATION_FIELDS = {
    "account": ("AccountId", "Accounts"),
    "client_certificate": ("ClientCertificate", None),
    "cluster_name": ("ClusterName", None),
    "cluster_resource_group": ("ClusterResourceGroup", None),
    "project": ("Project", None),
    "region": ("Region", None),
    "zone": ("Zone", None),
    "token_path": ("TokenPath", None),
}
#: The module's Kubernetes authentication types, Octopus's names for them, and the options each
#: requires and may take (the fields of go-octopusdeploy's kubernetes_*_authentication.go).
AUTHENTICATION_TYPES = {
    "standard": ("KubernetesStandard", ("account",), ()),
    "aws": ("KubernetesAws", ("account", "cluster_name"), ()),
    "azure": ("KubernetesAzure", ("account", "cluster_name", "cluster_resource_group"), ()),
    "google_cloud": ("KubernetesGoogleCloud", ("account", "cluster_name", "project"), ("region", "zone")),
    "certificate": ("KubernetesCertificate", ("client_certificate",), ()),
    "pod_service": ("KubernetesPodService", ("token_path",), ()),
}
STYLE_FIELDS = {
    "listening": (("uri", "thumbprint"), ("proxy",)),
    "polling": (("uri", "thumbprint"), ()),
    "ssh": (("host", "fingerprint", "account"), ("port", "proxy", "dotnet_platform")),
    "cloud_region": ((), ("default_worker_pool",)),
    "offline_drop": (("drop_folder_path",), ("applications_directory", "working_directory")),
    "kubernetes": (("cluster_url",), ("namespace", "skip_tls_verification", "proxy", "default_worker_pool", "account",
                                      "authentication_type") + tuple(sorted(set(AUTHENTICATION_FIELDS) - {"account"}))),
}

#: What the server reports about a machine rather than what it is told: never a change.
SERVER_FIELDS = frozenset([
    "Id", "Links", "SpaceId", "Slug", "Status", "HealthStatus", "StatusSummary", "HasLatestCalamari", "IsInProcess",
    "OperatingSystem", "OperatingSystemVersion", "ShellName", "ShellVersion", "Architecture", "LastModifiedOn",
    "LastModifiedBy", "Thumbprint", "Uri", "SkipInitialHealthCheck",
])
ENDPOINT_SERVER_FIELDS = frozenset([
    "Id", "Links", "LastModifiedOn", "LastModifiedBy", "TentacleVersionDetails", "CertificateSignatureAlgorithm",
])
#: Lists Octopus keeps as case-insensitive sets.
SET_FIELDS = ("EnvironmentIds", "Roles", "TenantIds", "TenantTags")


class References(object):
    """Names and ids of a space's environments, tenants, policies, accounts, proxies and worker pools.

    Each kind is read once, with its ``/all`` listing, and only when a value has to be resolved.
    """

    def __init__(self, client, space):
        self.client = client
        self.space = space
        self._items = {}

    def items(self, link_name):
        if link_name not in self._items:
            label = link_name[0].lower() + link_name[1:]
            self._items[link_name] = self.client.get(self.space.links[link_name], "list the %s" % label, id="all")
        return self._items[link_name]

    def resolve(self, link_name, value, what):
        """The id of the resource ``value`` names (an id, or a name matched ignoring case)."""
        items = self.items(link_name)
        for item in items:
            # Octopus keeps ids in case-insensitive collections: any spelling names the same one.
            if str(item.get("Id", "")).lower() == value.lower():
                return item["Id"]
        found = [item for item in items if item.get("Name", "").lower() == value.lower()]
        if not found:
            names = sorted(item.get("Name", "") for item in items)
            shown = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
            raise InputError("%s %r does not exist in %s (known: %s)" % (what, value, self._space_label(), shown or "none"))
        return found[0]["Id"]

    def resolve_all(self, link_name, values, what):
        return unique(self.resolve(link_name, value, what) for value in values)

    def name_of(self, link_name, item_id):
        for item in self.items(link_name):
            if item.get("Id") == item_id:
                return item.get("Name")
        return None

    def _space_label(self):
        return "space %s" % (self.space.name or self.space.id) if self.space.id else "the default space"


def endpoint_settings(endpoint, references):
    """The wire endpoint fields an ``endpoint`` option sets, with names resolved to ids."""
    style = endpoint["communication_style"]
    required, optional = STYLE_FIELDS[style]
    given = dict((k, v) for k, v in endpoint.items() if v is not None and k != "communication_style")
    missing = [name for name in required if name not in given]
    if missing:
        raise InputError("endpoint: communication_style %s needs %s" % (style, ", ".join(missing)))
    foreign = sorted(name for name in given if name not in required + optional)
    if foreign:
        raise InputError("endpoint: %s does not apply to communication_style %s (it takes %s)"
                         % (", ".join(foreign), style, ", ".join(required + optional)))
    if style == "listening" and not given["uri"].lower().startswith("https://"):
        raise InputError("endpoint: a listening Tentacle's uri must be an https:// address, such as https://web01:10933/")
    if style == "polling" and not given["uri"].lower().startswith("poll://"):
        raise InputError("endpoint: a polling Tentacle's uri is its subscription address, such as poll://abcdefghij0123456789/")
    if style == "kubernetes" and not given["cluster_url"].lower().startswith("https://"):
        raise InputError("endpoint: cluster_url must be an https:// address")
    authentication = _kubernetes_authentication(given, references) if style == "kubernetes" else None
    settings = {"CommunicationStyle": STYLES[style]}
    for name, value in given.items():
        if name == "authentication_type" or name in AUTHENTICATION_FIELDS and style == "kubernetes":
            continue
        field, link_name = ENDPOINT_FIELDS[name]
        if link_name:
            value = references.resolve(link_name, value, name.replace("_", " "))
        settings[field] = value
    if "Thumbprint" in settings:
        settings["Thumbprint"] = settings["Thumbprint"].upper()
    if style == "ssh":
        settings.setdefault("Port", 22)
    if style == "offline_drop":
        settings["Destination"] = {"DestinationType": "FileSystem", "DropFolderPath": settings.pop("DropFolderPath")}
    if "SkipTlsVerification" in settings:
        # A string on the server; the official clients send "True" or "False".
        settings["SkipTlsVerification"] = "True" if settings["SkipTlsVerification"] else "False"
    if authentication:
        settings["Authentication"] = authentication
    return settings


def _kubernetes_authentication(given, references):
    """Endpoint.Authentication of a Kubernetes endpoint from the options given; None when none is."""
    named = [name for name in AUTHENTICATION_FIELDS if name in given]
    kind = given.get("authentication_type")
    if kind is None and not named:
        return None
    kind = kind or "standard"
    wire_type, required, optional = AUTHENTICATION_TYPES[kind]
    missing = [name for name in required if name not in given]
    if missing:
        raise InputError("endpoint: authentication_type %s needs %s" % (kind, ", ".join(missing)))
    foreign = sorted(name for name in named if name not in required + optional)
    if foreign:
        raise InputError("endpoint: %s does not apply to authentication_type %s (it takes %s)"
                         % (", ".join(foreign), kind, ", ".join(required + optional)))
    authentication = {"AuthenticationType": wire_type}
    for name in named:
        field, link_name = AUTHENTICATION_FIELDS[name]
        value = given[name]
        authentication[field] = references.resolve(link_name, value, name.replace("_", " ")) if link_name else value
    return authentication


def desired_machine(current, name, settings, endpoint):
    """The machine to send: as read (or a new one), with only the given settings applied.

    ``settings`` maps wire fields to values (None: not given). Lists are never null: Octopus
    answers a null tenant list with a server error.
    """
    if current is None:
        machine = dict(Name=name, EnvironmentIds=[], Roles=[], TenantIds=[], TenantTags=[],
                       TenantedDeploymentParticipation="Untenanted", IsDisabled=False)
    else:
        machine = copy.deepcopy(current)
        machine.pop("Links", None)
    for field, value in settings.items():
        if value is not None:
            machine[field] = value
    for field in SET_FIELDS:
        if machine.get(field) is None:
            machine[field] = []
    tenanted = machine["TenantIds"] or machine["TenantTags"]
    if tenanted and settings.get("TenantedDeploymentParticipation") is None \
            and machine.get("TenantedDeploymentParticipation") in (None, "Untenanted"):
        # Tenants on an untenanted target are refused; naming tenants means taking part.
        machine["TenantedDeploymentParticipation"] = "Tenanted"
    if endpoint is not None:
        old = machine.get("Endpoint") or {}
        if old.get("CommunicationStyle") == endpoint["CommunicationStyle"]:
            merged = copy.deepcopy(old)
            merged.update(endpoint)
            old_authentication = old.get("Authentication")
            if isinstance(old_authentication, dict) and "Authentication" in endpoint \
                    and old_authentication.get("AuthenticationType") == endpoint["Authentication"]["AuthenticationType"]:
                # Settings of the same authentication made elsewhere (an assumed role, say) stay.
                merged["Authentication"] = dict(old_authentication, **endpoint["Authentication"])
            machine["Endpoint"] = merged
        else:
            machine["Endpoint"] = dict(endpoint)
    return machine


def new_target_from(current):
    """What a target that replaces ``current`` starts from: its settings without the server's fields."""
    return dict((key, copy.deepcopy(value)) for key, value in current.items()
                if key not in SERVER_FIELDS and key != "Endpoint")


def comparable(machine, fold_case=True):
    """What the machine is told, in one form: server-reported fields dropped, sets sorted.

    Octopus compares these sets ignoring case; ``fold_case=False`` keeps the spelling for a diff.
    """
    result = {}
    for key, value in machine.items():
        if key in SERVER_FIELDS or value is None:
            continue
        if key in SET_FIELDS:
            value = sorted(set(str(item).lower() if fold_case else str(item) for item in value or []))
        elif key == "Endpoint" and isinstance(value, dict):
            value = _comparable_endpoint(value)
        result[key] = value
    return result


def _comparable_endpoint(endpoint):
    result = dict((k, v) for k, v in endpoint.items() if k not in ENDPOINT_SERVER_FIELDS and v is not None)
    if endpoint.get("CommunicationStyle") == "Ssh":
        # The server derives the ssh:// address from the host and port.
        result.pop("Uri", None)
    if isinstance(result.get("Thumbprint"), str):
        result["Thumbprint"] = result["Thumbprint"].upper()
    if "SkipTlsVerification" in result:
        # Sent as a boolean, stored and returned as the text "True" or "False".
        result["SkipTlsVerification"] = str(result["SkipTlsVerification"]).lower() == "true"
    return result


def without_links(value):
    """A resource as returned to the user: the API's own links left out, everywhere."""
    if isinstance(value, dict):
        return dict((k, without_links(v)) for k, v in value.items() if k != "Links")
    if isinstance(value, list):
        return [without_links(item) for item in value]
    return value
