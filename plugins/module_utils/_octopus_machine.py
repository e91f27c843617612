# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Octopus deployment targets: names resolved to ids, endpoints per communication style, comparison, I/O."""

from __future__ import annotations

import copy
import re

from ansible_collections.opsforge.delivery.plugins.module_utils._http import MAY_HAVE_CHANGED, ApiError
from ansible_collections.opsforge.delivery.plugins.module_utils._octopus import OctopusClient
from ansible_collections.opsforge.delivery.plugins.module_utils._options import InputError
from ansible_collections.opsforge.delivery.plugins.module_utils._resource import Resource, unique

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

#: The module's Kubernetes authentication types, Octopus's names for them, and the options each
#: requires and may take (the fields of go-octopusdeploy's kubernetes_*_authentication.go). An AWS or
#: Google Cloud target may run as the worker's own identity instead of an account (ACCOUNT_OR_OWN).
AWS_ROLE_OPTIONS = ("assume_role", "assumed_role_arn", "assumed_role_session", "assume_role_session_duration",
                    "assume_role_external_id")
AUTHENTICATION_TYPES = {
    "standard": ("KubernetesStandard", ("account",), ()),
    "aws": ("KubernetesAws", ("cluster_name",), ("account", "use_instance_role") + AWS_ROLE_OPTIONS),
    "azure": ("KubernetesAzure", ("account", "cluster_name", "cluster_resource_group"), ("admin_login",)),
    "google_cloud": ("KubernetesGoogleCloud", ("cluster_name", "project"),
                     ("account", "region", "zone", "impersonate_service_account", "service_account_emails",
                      "use_vm_service_account")),
    "certificate": ("KubernetesCertificate", ("client_certificate",), ()),
    "pod_service": ("KubernetesPodService", ("token_path",), ()),
}
#: Types whose account may give way to the worker's own identity: the option that says so.
ACCOUNT_OR_OWN = {"aws": "use_instance_role", "google_cloud": "use_vm_service_account"}
#: A switch of a type, and the option it then needs: (type, switch, option needed).
SWITCH_NEEDS = (
    ("aws", "assume_role", "assumed_role_arn"),
    ("google_cloud", "impersonate_service_account", "service_account_emails"),
)
#: What the server keeps of each authentication type that a request leaves out: every field of the
#: type, null or false (go-octopusdeploy sends its flags always, without omitempty).
AUTHENTICATION_DEFAULTS = {
    "KubernetesStandard": {"AccountId": None},
    "KubernetesAws": {"AccountId": None, "ClusterName": None, "UseInstanceRole": False, "AssumeRole": False,
                      "AssumedRoleArn": None, "AssumedRoleSession": None, "AssumeRoleSessionDurationSeconds": None,
                      "AssumeRoleExternalId": None},
    "KubernetesAzure": {"AccountId": None, "ClusterName": None, "ClusterResourceGroup": None, "AdminLogin": None},
    "KubernetesGoogleCloud": {"AccountId": None, "ClusterName": None, "Project": None, "Region": None, "Zone": None,
                              "ImpersonateServiceAccount": False, "ServiceAccountEmails": None,
                              "UseVmServiceAccount": False},
    "KubernetesCertificate": {"ClientCertificate": None},
    "KubernetesPodService": {"TokenPath": None},
}
#: The ``endpoint`` option's suboptions, one row each: (name, argument spec, wire field of Endpoint, wire
#: field of Endpoint.Authentication, collection link of the resource it names or None). The module's
#: argument spec and the fields sent both come from here; a Kubernetes endpoint's account is its
#: authentication's.
ENDPOINT_OPTIONS = (
    ("communication_style", dict(type="str", required=True, choices=sorted(STYLES)), None, None, None),
    ("uri", dict(type="str"), "Uri", None, None),
    ("thumbprint", dict(type="str"), "Thumbprint", None, None),
    ("proxy", dict(type="str"), "ProxyId", None, "Proxies"),
    ("host", dict(type="str"), "Host", None, None),
    ("port", dict(type="int"), "Port", None, None),
    ("fingerprint", dict(type="str"), "Fingerprint", None, None),
    ("account", dict(type="str"), "AccountId", "AccountId", "Accounts"),
    ("dotnet_platform", dict(type="str"), "DotNetCorePlatform", None, None),
    ("default_worker_pool", dict(type="str"), "DefaultWorkerPoolId", None, "WorkerPools"),
    ("cluster_url", dict(type="str"), "ClusterUrl", None, None),
    ("namespace", dict(type="str"), "Namespace", None, None),
    ("skip_tls_verification", dict(type="bool"), "SkipTlsVerification", None, None),
    ("cluster_certificate", dict(type="str"), "ClusterCertificate", None, "Certificates"),
    # A file path on the worker (the pod's service-account CA bundle, say), not a certificate.
    ("cluster_certificate_path", dict(type="str"), "ClusterCertificatePath", None, None),
    ("authentication_type", dict(type="str", choices=sorted(AUTHENTICATION_TYPES)), None, None, None),
    ("client_certificate", dict(type="str"), None, "ClientCertificate", "Certificates"),
    ("cluster_name", dict(type="str"), None, "ClusterName", None),
    ("cluster_resource_group", dict(type="str"), None, "ClusterResourceGroup", None),
    # Text on the server, as SkipTlsVerification is: sent as "True" or "False".
    ("admin_login", dict(type="bool"), None, "AdminLogin", None),
    ("use_instance_role", dict(type="bool"), None, "UseInstanceRole", None),
    ("assume_role", dict(type="bool"), None, "AssumeRole", None),
    ("assumed_role_arn", dict(type="str"), None, "AssumedRoleArn", None),
    ("assumed_role_session", dict(type="str"), None, "AssumedRoleSession", None),
    ("assume_role_session_duration", dict(type="int"), None, "AssumeRoleSessionDurationSeconds", None),
    ("assume_role_external_id", dict(type="str"), None, "AssumeRoleExternalId", None),
    ("project", dict(type="str"), None, "Project", None),
    ("region", dict(type="str"), None, "Region", None),
    ("zone", dict(type="str"), None, "Zone", None),
    ("impersonate_service_account", dict(type="bool"), None, "ImpersonateServiceAccount", None),
    ("service_account_emails", dict(type="str"), None, "ServiceAccountEmails", None),
    ("use_vm_service_account", dict(type="bool"), None, "UseVmServiceAccount", None),
    # A file path inside the pod, not the token itself.
    ("token_path", dict(type="str", no_log=False), None, "TokenPath", None),
    ("drop_folder_path", dict(type="str"), "DropFolderPath", None, None),
    ("applications_directory", dict(type="str"), "ApplicationsDirectory", None, None),
    ("working_directory", dict(type="str"), "OctopusWorkingDirectory", None, None),
)
#: The suboptions of the module's ``endpoint`` option.
ENDPOINT_SPEC = dict((name, spec) for name, spec, _field, _authentication, _link in ENDPOINT_OPTIONS)
#: Endpoint options: (wire field, collection link of the referenced resource or None).
ENDPOINT_FIELDS = dict((name, (field, link)) for name, _spec, field, _authentication, link in ENDPOINT_OPTIONS if field)
#: Kubernetes authentication options: (wire field of Endpoint.Authentication, collection link or None).
AUTHENTICATION_FIELDS = dict((name, (field, link)) for name, _spec, _endpoint, field, link in ENDPOINT_OPTIONS if field)
STYLE_FIELDS = {
    "listening": (("uri", "thumbprint"), ("proxy",)),
    "polling": (("uri", "thumbprint"), ()),
    "ssh": (("host", "fingerprint", "account"), ("port", "proxy", "dotnet_platform")),
    "cloud_region": ((), ("default_worker_pool",)),
    "offline_drop": (("drop_folder_path",), ("applications_directory", "working_directory")),
    "kubernetes": (("cluster_url",), ("namespace", "skip_tls_verification", "cluster_certificate", "cluster_certificate_path",
                                      "proxy", "default_worker_pool", "account", "authentication_type")
                   + tuple(sorted(set(AUTHENTICATION_FIELDS) - {"account"}))),
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
#: A space's id in the path of one of its links, such as /api/Spaces-1/machines{/id}.
SPACE_IN_LINK = re.compile(r"/(Spaces-\d+)/", re.IGNORECASE)
#: Lists Octopus keeps as case-insensitive sets.
SET_FIELDS = ("EnvironmentIds", "Roles", "TenantIds", "TenantTags")


class References(object):
    """Names and ids of a space's environments, tenants, policies, accounts, proxies and worker pools.

    Each kind is read once, with its ``/all`` listing, and only when a value has to be resolved.
    ``space`` is None when the space itself is missing in check mode: nothing can be read then.
    In check mode (``predicting``), a name that is missing is kept as given, with a warning: an
    earlier task of the play may create it, and only predicted it in check mode.
    """

    def __init__(self, client, space, predicting=False, warnings=None):
        self.client = client
        self.space = space
        self.predicting = predicting
        self.warnings = [] if warnings is None else warnings
        self._items = {}
        #: The names of the resources this task named, by kind and lower-case id, for diffs.
        self.used = {}

    def items(self, link_name):
        if self.space is None:
            return []
        if link_name not in self._items:
            label = link_name[0].lower() + link_name[1:]
            self._items[link_name] = self.client.get(self.space.links[link_name], "list the %s" % label, id="all")
        return self._items[link_name]

    def resolve(self, link_name, value, what):
        """The id of the resource ``value`` names (an id, or a name matched ignoring case)."""
        items = self.items(link_name)
        found = [item for item in items if _same_id(item.get("Id"), value)]
        # Octopus keeps ids in case-insensitive collections: any spelling names the same one.
        found = found or [item for item in items if item.get("Name", "").lower() == value.lower()]
        if not found:
            if self.predicting:
                return self._assumed(link_name, value, what)
            names = sorted(item.get("Name", "") for item in items)
            shown = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
            raise InputError("%s %r does not exist in %s (known: %s)" % (what, value, self._space_label(), shown or "none"))
        self.used.setdefault(link_name, {})[found[0]["Id"].lower()] = found[0].get("Name")
        return found[0]["Id"]

    def _assumed(self, link_name, value, what):
        """A missing name in check mode: kept as given, so the prediction shows what the task asks for."""
        if self.space is not None:
            self.warnings.append("%s %r does not exist in %s: check mode shows the target as it would be once an "
                                 "earlier task creates it; a real run fails unless it exists by then"
                                 % (what, value, self._space_label()))
        self.used.setdefault(link_name, {})[value.lower()] = value
        return value

    def resolve_all(self, link_name, values, what):
        return unique(self.resolve(link_name, value, what) for value in values)

    def name_of(self, link_name, item_id):
        for item in self.items(link_name):
            if _same_id(item.get("Id"), item_id):
                return item.get("Name")
        return None

    def used_name(self, link_name, item_id):
        """The name behind ``item_id``, for a kind the task named resources of; never a request."""
        if link_name not in self.used or not item_id:
            return None
        name = self.used[link_name].get(str(item_id).lower())
        if name is None and link_name in self._items:
            name = self.name_of(link_name, item_id)
        return name

    def default_policy_id(self):
        """The id of the space's default machine policy: the one a new target without a policy gets."""
        return next((item["Id"] for item in self.items("MachinePolicies") if item.get("IsDefault")), None)

    def remember(self, link_name, item_id):
        """Note the name of ``item_id``, a resource the task lets go of (a proxy it removes), for the diff."""
        if self.space is None or not item_id:
            return
        name = self.name_of(link_name, item_id)
        if name is not None:
            self.used.setdefault(link_name, {})[str(item_id).lower()] = name

    def _space_label(self):
        return "space %s" % (self.space.name or self.space.id) if self.space.id else "the default space"


def _same_id(have, wanted):
    """Whether two ids name one resource: Octopus compares ids ignoring case."""
    return have is not None and wanted is not None and str(have).lower() == str(wanted).lower()


#: Endpoint references that an empty value clears (Octopus then reaches the target directly, or
#: uses the space's default pool).
CLEARABLE = ("proxy", "default_worker_pool", "cluster_certificate")


def endpoint_settings(endpoint, references, current=None):
    """The wire endpoint fields an ``endpoint`` option sets, with names resolved to ids.

    ``current`` is the target's endpoint as read (None for a new target). Required fields and the
    server's defaults apply only to a new endpoint (a new target, or another communication style):
    an endpoint of the same style keeps whatever is not given.
    """
    style = endpoint["communication_style"]
    new = not current or current.get("CommunicationStyle") != STYLES[style]
    required, optional = STYLE_FIELDS[style]
    given = dict((k, v) for k, v in endpoint.items() if v is not None and k != "communication_style")
    missing = [name for name in required if name not in given]
    if missing and new:
        raise InputError("endpoint: communication_style %s needs %s%s" % (
            style, ", ".join(missing), "" if not current else " (the target's communication style changes)"))
    check_endpoint_fields(endpoint)
    authentication = None
    if style == "kubernetes":
        authentication = _kubernetes_authentication(given, references, None if new else current.get("Authentication"))
    settings = {"CommunicationStyle": STYLES[style]}
    for name, value in given.items():
        if name == "authentication_type" or name in AUTHENTICATION_FIELDS and style == "kubernetes":
            continue
        field, link_name = ENDPOINT_FIELDS[name]
        if name in CLEARABLE and value == "":
            # Sent as null, as the official clients leave it out: the server then keeps none. The
            # diff names what goes (one listing, only when there is one to remove).
            if current and not new and current.get(field):
                references.remember(link_name, current[field])
            value = None
        elif link_name:
            value = references.resolve(link_name, value, name.replace("_", " "))
        settings[field] = value
    if "Thumbprint" in settings:
        settings["Thumbprint"] = settings["Thumbprint"].upper()
    if style == "ssh" and new:
        settings.setdefault("Port", 22)
    if style == "offline_drop" and "DropFolderPath" in settings:
        # The destination, and the legacy field beside it that the server fills from it.
        settings["Destination"] = {"DestinationType": "FileSystem", "DropFolderPath": settings["DropFolderPath"]}
    if "SkipTlsVerification" in settings:
        # A string on the server; the official clients send "True" or "False".
        settings["SkipTlsVerification"] = "True" if settings["SkipTlsVerification"] else "False"
    if authentication:
        settings["Authentication"] = authentication
    return settings


def check_endpoint_fields(endpoint):
    """Refuse, without reading the server, fields that do not apply to the endpoint's communication
    style and addresses of the wrong kind: these fail whatever the target has now."""
    style = endpoint["communication_style"]
    required, optional = STYLE_FIELDS[style]
    given = dict((k, v) for k, v in endpoint.items() if v is not None and k != "communication_style")
    foreign = sorted(name for name in given if name not in required + optional)
    if foreign:
        raise InputError("endpoint: %s does not apply to communication_style %s (it takes %s)"
                         % (", ".join(foreign), style, ", ".join(required + optional)))
    if style == "listening" and "uri" in given and not given["uri"].lower().startswith("https://"):
        raise InputError("endpoint: a listening Tentacle's uri must be an https:// address, such as https://web01:10933/")
    if style == "polling" and "uri" in given and not given["uri"].lower().startswith("poll://"):
        raise InputError("endpoint: a polling Tentacle's uri is its subscription address, such as poll://abcdefghij0123456789/")
    if style == "kubernetes" and "cluster_url" in given and not given["cluster_url"].lower().startswith("https://"):
        raise InputError("endpoint: cluster_url must be an https:// address")


def _kubernetes_authentication(given, references, current=None):
    """Endpoint.Authentication of a Kubernetes endpoint from the options given; None when none is.

    Without ``authentication_type``, the type is the endpoint's current one (``standard`` for a
    new endpoint). The fields a type requires are demanded only when the type is new to the endpoint.
    """
    named = [name for name in AUTHENTICATION_FIELDS if name in given]
    kind = given.get("authentication_type")
    if kind is None and not named:
        return None
    current_type = (current or {}).get("AuthenticationType") if isinstance(current, dict) else None
    current_kind = next((name for name, spec in AUTHENTICATION_TYPES.items() if spec[0] == current_type), None)
    kind = kind or current_kind or "standard"
    wire_type, required, optional = AUTHENTICATION_TYPES[kind]
    new = kind != current_kind
    missing = [name for name in required if name not in given]
    own_identity = ACCOUNT_OR_OWN.get(kind)
    if own_identity and "account" not in given and not given.get(own_identity):
        missing.insert(0, "account (or %s: true)" % own_identity)
    if missing and new:
        raise InputError("endpoint: authentication_type %s needs %s" % (kind, ", ".join(missing)))
    foreign = sorted(name for name in named if name not in required + optional)
    if foreign:
        raise InputError("endpoint: %s does not apply to authentication_type %s (it takes %s)"
                         % (", ".join(foreign), kind, ", ".join(required + optional)))
    kept = {} if new or not isinstance(current, dict) else current
    for switch_kind, switch, needed in SWITCH_NEEDS:
        field = AUTHENTICATION_FIELDS[needed][0]
        if switch_kind == kind and given.get(switch) and not given.get(needed) and not kept.get(field):
            raise InputError("endpoint: %s: true needs %s" % (switch, needed))
    if given.get("assume_role_session_duration") is not None and given["assume_role_session_duration"] <= 0:
        raise InputError("endpoint: assume_role_session_duration is a number of seconds, more than 0")
    authentication = {"AuthenticationType": wire_type}
    for name in named:
        field, link_name = AUTHENTICATION_FIELDS[name]
        value = given[name]
        if name == "admin_login":
            value = "True" if value else "False"
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


#: What the server fills in on a new endpoint of each style when the request leaves it out (its
#: answers in go-octopusdeploy's test resources and the Octopus.Client endpoint resources).
_ENDPOINT_TAIL = {"Id": None, "LastModifiedOn": None, "LastModifiedBy": None}
_TENTACLE_DEFAULTS = {"TentacleVersionDetails": {"UpgradeLocked": False}, "CertificateSignatureAlgorithm": None}
ENDPOINT_DEFAULTS = {
    "TentaclePassive": dict(_TENTACLE_DEFAULTS, ProxyId=None),
    "TentacleActive": dict(_TENTACLE_DEFAULTS),
    "Ssh": {"Port": 22, "ProxyId": None, "DotNetCorePlatform": None},
    "None": {"DefaultWorkerPoolId": None},
    "OfflineDrop": {"Destination": {"DestinationType": "Artifact", "DropFolderPath": None}, "DropFolderPath": None,
                    "SensitiveVariablesEncryptionPassword": {"HasValue": False, "NewValue": None},
                    "ApplicationsDirectory": None, "OctopusWorkingDirectory": None},
    "Kubernetes": {"ClusterCertificate": None, "ClusterCertificatePath": None, "Namespace": None,
                   "SkipTlsVerification": None, "ProxyId": None, "DefaultWorkerPoolId": None, "ContainerOptions": None,
                   "RunningInContainer": False, "Container": {"Image": None, "FeedId": None}, "Authentication": None},
}


def space_id_of(space):
    """A space's id, also for the default space known only by its links (which name it)."""
    if space is None:
        return None
    if space.id:
        return space.id
    found = SPACE_IN_LINK.search(space.links.get("Machines") or "")
    return found.group(1) if found else None


def predicted_machine(desired, space_id, default_policy_id):
    """The target as the server would answer after receiving ``desired``: what check mode shows.

    The server fills in what a request leaves out (the default machine policy, each endpoint
    style's other fields) and derives an SSH target's address; what only the server can know
    (its ID, health, status, times) stays out.
    """
    machine = copy.deepcopy(desired)
    if "Id" not in machine:
        for key, value in (("SpaceId", space_id), ("Thumbprint", None), ("Uri", None),
                           ("SkipInitialHealthCheck", False)):
            machine.setdefault(key, value)
        if not machine.get("MachinePolicyId") and default_policy_id:
            machine["MachinePolicyId"] = default_policy_id
    endpoint = machine.get("Endpoint")
    if isinstance(endpoint, dict):
        style = endpoint.get("CommunicationStyle")
        if "Id" not in machine:
            machine["IsInProcess"] = style == "None"
        for key, value in dict(ENDPOINT_DEFAULTS.get(style, {}), **_ENDPOINT_TAIL).items():
            endpoint.setdefault(key, copy.deepcopy(value))
        if style == "Ssh" and endpoint.get("Host"):
            endpoint["Uri"] = "ssh://%s:%s/" % (endpoint["Host"], endpoint.get("Port") or 22)
        if style == "OfflineDrop" and isinstance(endpoint.get("Destination"), dict):
            endpoint["DropFolderPath"] = endpoint["Destination"].get("DropFolderPath")
        authentication = endpoint.get("Authentication")
        if isinstance(authentication, dict):
            for key, value in AUTHENTICATION_DEFAULTS.get(authentication.get("AuthenticationType"), {}).items():
                authentication.setdefault(key, value)
    return machine


#: Ids shown with the names the task used for them: (machine field, name field, kind).
NAMED_FIELDS = (
    ("EnvironmentIds", "EnvironmentNames", "Environments"),
    ("TenantIds", "TenantNames", "Tenants"),
    ("MachinePolicyId", "MachinePolicyName", "MachinePolicies"),
)
NAMED_ENDPOINT_FIELDS = (
    ("AccountId", "AccountName", "Accounts"),
    ("ClusterCertificate", "ClusterCertificateName", "Certificates"),
    ("ClientCertificate", "ClientCertificateName", "Certificates"),
    ("ProxyId", "ProxyName", "Proxies"),
    ("DefaultWorkerPoolId", "DefaultWorkerPoolName", "WorkerPools"),
)


def with_names(view, references):
    """A diff view with the names of the resources the task named next to their ids.

    Only names the task itself resolved are shown, so that showing them costs no request and a
    check-mode diff shows the same names as the real run's.
    """
    if not isinstance(view, dict):
        return view
    view = copy.deepcopy(view)
    _add_names(view, NAMED_FIELDS, references)
    for part in (view.get("Endpoint"), (view.get("Endpoint") or {}).get("Authentication")):
        if isinstance(part, dict):
            _add_names(part, NAMED_ENDPOINT_FIELDS, references)
    return view


def _add_names(view, fields, references):
    for id_field, name_field, link_name in fields:
        value = view.get(id_field)
        if link_name not in references.used or value is None:
            continue
        if isinstance(value, list):
            view[name_field] = [references.used_name(link_name, item) for item in value]
        else:
            view[name_field] = references.used_name(link_name, value)


def new_target_from(current):
    """What a target that replaces ``current`` starts from: its settings without the server's fields."""
    return dict((key, copy.deepcopy(value)) for key, value in current.items()
                if key not in SERVER_FIELDS and key != "Endpoint")


#: Single ids of other resources: Octopus takes an id in any case, so its case is no change.
REFERENCE_FIELDS = ("MachinePolicyId",)
ENDPOINT_REFERENCE_FIELDS = ("AccountId", "ProxyId", "DefaultWorkerPoolId", "ClusterCertificate")
AUTHENTICATION_REFERENCE_FIELDS = ("AccountId", "ClientCertificate")


def canonical_machine(machine, fold_case=True):
    """What the machine is told, in one form: server-reported fields dropped, sets sorted.

    Octopus compares these sets and ids ignoring case; ``fold_case=False`` keeps the spelling for a diff.
    """
    result = {}
    for key, value in machine.items():
        if key in SERVER_FIELDS or value is None:
            continue
        if key in SET_FIELDS:
            value = sorted(set(str(item).lower() if fold_case else str(item) for item in value or []))
        elif key == "Endpoint" and isinstance(value, dict):
            value = _canonical_endpoint(value, fold_case)
        elif key in REFERENCE_FIELDS and fold_case:
            value = _folded(value)
        result[key] = value
    return result


def _canonical_endpoint(endpoint, fold_case=False):
    result = dict((k, v) for k, v in endpoint.items() if k not in ENDPOINT_SERVER_FIELDS and v is not None)
    if endpoint.get("CommunicationStyle") == "Ssh":
        # The server derives the ssh:// address from the host and port.
        result.pop("Uri", None)
    if isinstance(result.get("Thumbprint"), str):
        result["Thumbprint"] = result["Thumbprint"].upper()
    if "SkipTlsVerification" in result:
        # Sent as a boolean, stored and returned as the text "True" or "False".
        result["SkipTlsVerification"] = str(result["SkipTlsVerification"]).lower() == "true"
    authentication = result.get("Authentication")
    if isinstance(authentication, dict):
        # Fields left null count as not set; AdminLogin is text, "True" or "False" in any spelling.
        authentication = dict((k, v) for k, v in authentication.items() if v is not None)
        if "AdminLogin" in authentication:
            authentication["AdminLogin"] = str(authentication["AdminLogin"]).lower() == "true"
        result["Authentication"] = authentication
    if fold_case:
        for key in ENDPOINT_REFERENCE_FIELDS:
            if key in result:
                result[key] = _folded(result[key])
        if isinstance(result.get("Authentication"), dict):
            result["Authentication"] = dict(result["Authentication"])
            for key in AUTHENTICATION_REFERENCE_FIELDS:
                if key in result["Authentication"]:
                    result["Authentication"][key] = _folded(result["Authentication"][key])
    return result


def _folded(value):
    return value.lower() if isinstance(value, str) else value


def without_links(value):
    """A resource as returned to the user: the API's own links left out, everywhere."""
    if isinstance(value, dict):
        return dict((k, without_links(v)) for k, v in value.items() if k != "Links")
    if isinstance(value, list):
        return [without_links(item) for item in value]
    return value


class WriteFailedAfterChange(ApiError):
    """A failure after which the target may differ from what it was: the result says ``changed``."""

    def __init__(self, error, writes, note=""):
        super(WriteFailedAfterChange, self).__init__(error.service, error.action, error.method, error.url, error.status,
                                                     error.message + note, error.details, error.outcome)
        self.writes = list(writes)

    def to_result(self):
        result = super(WriteFailedAfterChange, self).to_result()
        # The writes the server confirmed before the failure; the failed one may have worked too.
        result.update(changed=True, writes=self.writes)
        return result


def resolve_space(client, wanted, check_mode, warnings):
    """The space ``wanted`` names (the default space when it is None); None for a space that is missing
    in check mode, with a warning: an earlier task of the play may create it, and only predicted it."""
    try:
        return client.space(wanted)
    except InputError:
        if not (check_mode and wanted):
            raise
    warnings.append("space %r does not exist: check mode shows the target as it would be created once "
                    "an earlier task creates the space; a real run fails unless it exists by then" % wanted)
    return None


def machine_key(name):
    """What identifies a target by its name: Octopus trims names and compares them ignoring case."""
    return name.strip().lower()


def only_target_named(found, name):
    """The one target of ``found`` (those of one name), None when there is none; refuses two."""
    if len(found) > 1:
        raise InputError("%d targets are named %s; rename one of them" % (len(found), name))
    return found[0] if found else None


#: A space still to be resolved: ``None`` is a space that check mode found missing.
SPACE_TO_RESOLVE = object()


class OctopusMachine(Resource):
    """One deployment target, represented as the server's resource.

    A set of targets gives each member the space and the References it resolved once for all of
    them, sets ``self_link`` from its listing, and names the member by ``where`` in messages.
    """

    result_key = "machine"

    def __init__(self, client, params, check_mode=False, space=SPACE_TO_RESOLVE, references=None, where=None):
        super(OctopusMachine, self).__init__()
        self.client = client
        self.params = params
        self.check_mode = check_mode
        # Octopus trims the name it stores, so the target is found again by the trimmed name.
        self.name = params["name"].strip()
        self.where = where
        if space is SPACE_TO_RESOLVE:
            space = resolve_space(client, params["space"], check_mode, self.warnings)
        self.space = space
        if references is None:
            references = References(client, self.space, predicting=check_mode, warnings=self.warnings)
        self.references = references
        self.self_link = None

    def read(self):
        if self.space is None:
            return None
        found = [item for item in self.client.items(self.space.links["Machines"], "find target %s" % self.name,
                                                    name=self.name, take=None)
                 if item.get("Name", "").lower() == self.name.lower()]
        current = only_target_named(found, self.name)
        if current is not None:
            self.self_link = current["Links"]["Self"]
        return current

    def desired(self, current):
        if self.where is None:
            return self._desired(current)
        try:
            return self._desired(current)
        except InputError as error:
            raise InputError("%s: %s" % (self.where, error))

    def _desired(self, current):
        params = self.params
        replacing = self._replaces(current)
        if current is None:
            missing = [option for option in ("environments", "roles", "endpoint") if not params[option]]
            if missing:
                raise InputError("target %s does not exist; to create it, give %s" % (self.name, ", ".join(missing)))
        refs = self.references
        settings = dict(
            EnvironmentIds=None if params["environments"] is None else refs.resolve_all(
                "Environments", params["environments"], "environment"),
            Roles=None if params["roles"] is None else unique(params["roles"]),
            TenantIds=None if params["tenants"] is None else refs.resolve_all("Tenants", params["tenants"], "tenant"),
            TenantTags=None if params["tenant_tags"] is None else unique(params["tenant_tags"]),
            TenantedDeploymentParticipation=params["tenanted_deployment_participation"],
            MachinePolicyId=None if params["machine_policy"] is None else refs.resolve(
                "MachinePolicies", params["machine_policy"], "machine policy"),
            IsDisabled=params["disabled"],
        )
        endpoint = None
        if params["endpoint"]:
            endpoint = endpoint_settings(params["endpoint"], refs, (current or {}).get("Endpoint"))
        if replacing:
            # The new target keeps what the old one had, apart from the server's own fields.
            current = new_target_from(current)
        wanted = desired_machine(current, self.name, settings, endpoint)
        if not self.check_mode:
            return wanted
        new = current is None or "Id" not in current
        default_policy = refs.default_policy_id() if new and not wanted.get("MachinePolicyId") else None
        return predicted_machine(wanted, space_id_of(self.space), default_policy)

    def _replaces(self, current):
        """Whether the target is replaced: Octopus refuses to change a target's endpoint type, so the
        task fails unless it allows a replacement."""
        wanted = STYLES.get((self.params["endpoint"] or {}).get("communication_style"))
        have = ((current or {}).get("Endpoint") or {}).get("CommunicationStyle")
        if current is None or wanted is None or have is None or have == wanted:
            return False
        shown = "%s (%s)" % (have, STYLE_NAMES[have]) if have in STYLE_NAMES else have
        if self.params["endpoint_style_change"] != "replace":
            raise InputError(
                "target %s has the communication style %s, and Octopus Deploy cannot change a target's "
                "communication style; set endpoint_style_change: replace to delete the target and create it "
                "again (it gets a new ID and loses its history), or delete it first" % (self.name, shown))
        warning = ("target %s is replaced: it is deleted and created again with the communication style "
                   "%s, and gets a new ID" % (self.name, wanted))
        if warning not in self.warnings:
            self.warnings.append(warning)
        return True

    def must_replace(self, current, desired):
        return self._replaces(current)

    def canonical(self, representation):
        return canonical_machine(representation)

    def create(self, desired):
        try:
            return self.client.send("POST", self.space.links["Machines"], "create target %s" % self.name, desired,
                                    expected=(201, 200))
        except ApiError as error:
            raise self._after_writes(error)

    def created_meanwhile(self, error):
        # Octopus refuses a second target of one name with a validation error (no 409 of its own), in
        # words that differ between versions: after any refusal the engine reads the name again, and
        # a target found there was made meanwhile; otherwise the refusal stands.
        return error.status in (400, 409)

    def replace(self, current, desired):
        # Octopus refuses two targets of one name, so the old one goes first.
        self.delete(current)
        try:
            return self.create(desired)
        except ApiError as error:
            raise self._after_writes(error, " (target %s, ID %s, was deleted first, because Octopus Deploy refuses "
                                            "two targets of one name: run the task again to create it)"
                                     % (self.name, current.get("Id")))

    def update(self, current, desired):
        try:
            return self.client.send("PUT", self.self_link, "update target %s" % self.name, desired, expected=(200,))
        except ApiError as error:
            raise self._after_writes(error)

    def delete(self, current):
        try:
            self.client.send("DELETE", self.self_link, "delete target %s" % self.name, expected=(200, 204))
        except ApiError as error:
            raise self._after_writes(error)

    def _after_writes(self, error, note=""):
        """``error`` as a failure that reports ``changed`` when a write may have taken effect."""
        writes = self.client.http.completed_writes
        if isinstance(error, WriteFailedAfterChange):
            return WriteFailedAfterChange(error, writes, note) if note else error
        if writes or MAY_HAVE_CHANGED in (error.outcome or ""):
            return WriteFailedAfterChange(error, writes, note)
        return error

    def view(self, representation):
        return without_links(representation)

    def diff_view(self, representation):
        return with_names(canonical_machine(representation, fold_case=False), self.references)


def check_target_options(params, where=None):
    """Refuse, before any request, a target's options that Octopus would refuse whatever it has:
    an empty name, tenant tags that are not TagSet/Tag. ``where`` names an item of a set."""
    prefix = "%s: " % where if where else ""
    if not params["name"].strip():
        raise InputError("%sname must not be empty" % prefix)
    if params["tenant_tags"]:
        bad = [tag for tag in params["tenant_tags"] if tag.count("/") != 1 or "" in tag.split("/")]
        if bad:
            raise InputError("%stenant_tags must each be TagSet/Tag, such as Tier/Gold: %s" % (prefix, ", ".join(bad)))


def build_single_machine(module):
    """The OctopusMachine the module's options describe; raises InputError for options Octopus would refuse."""
    check_target_options(module.params)
    return OctopusMachine(OctopusClient(module.params), module.params, module.check_mode)
