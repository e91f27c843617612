# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Octopus Deploy machines (deployment targets): request checks, stored shape, health.

A POST or PUT body becomes a stored machine here, or is refused the way the
server refuses it. What the server owns and changes on its own (health
status, summary, Calamari and Tentacle versions) is not stored: ``render``
adds it on every read, from a per-machine count of health checks.
"""

import copy
import json
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .octopus_state import USERNAME, now, self_link, sensitive

STYLES = ("TentaclePassive", "TentacleActive", "Ssh", "None", "OfflineDrop", "Kubernetes")
# Real styles the sandbox does not emulate: refused with a message that says so.
OTHER_STYLES = (
    "AzureWebApp",
    "Ftp",
    "AzureCloudService",
    "AzureServiceFabricCluster",
    "StepPackage",
    "KubernetesTentacle",
    "AwsEcsCluster",
)
PARTICIPATION = ("Untenanted", "TenantedOrUntenanted", "Tenanted")
HEALTH_STATUSES = ("Healthy", "Unavailable", "Unknown", "HasWarnings", "Unhealthy")
# Each health check of an enabled machine moves it one step along this cycle.
HEALTH_CYCLE = ("Healthy", "HasWarnings", "Unavailable")
TENTACLE_VERSIONS = ("8.3.2966", "8.1.2194")
SSH_ACCOUNT_TYPES = ("SshKeyPair", "UsernamePassword")
KUBERNETES_AUTHENTICATION = (
    "KubernetesStandard",
    "KubernetesAws",
    "KubernetesAzure",
    "KubernetesCertificate",
    "KubernetesGoogleCloud",
    "KubernetesPodService",
)
# Each Kubernetes authentication type's fields (go-octopusdeploy pkg/machines/kubernetes_*_authentication.go):
# name -> kind ("text", "flag", "number", "account", "certificate"). The server binds the body to the
# type's resource, so it keeps these fields, every one (null or false when not given), and no others.
KUBERNETES_AUTHENTICATION_FIELDS = {
    "KubernetesStandard": {"AccountId": "account"},
    "KubernetesAws": {
        "AccountId": "account",
        "ClusterName": "text",
        "UseInstanceRole": "flag",
        "AssumeRole": "flag",
        "AssumedRoleArn": "text",
        "AssumedRoleSession": "text",
        "AssumeRoleSessionDurationSeconds": "number",
        "AssumeRoleExternalId": "text",
    },
    "KubernetesAzure": {"AccountId": "account", "ClusterName": "text", "ClusterResourceGroup": "text", "AdminLogin": "text"},
    "KubernetesGoogleCloud": {
        "AccountId": "account",
        "ClusterName": "text",
        "Project": "text",
        "Region": "text",
        "Zone": "text",
        "ImpersonateServiceAccount": "flag",
        "ServiceAccountEmails": "text",
        "UseVmServiceAccount": "flag",
    },
    "KubernetesCertificate": {"ClientCertificate": "certificate"},
    "KubernetesPodService": {"TokenPath": "text"},
}
# The fields each type cannot do without; an account may give way to the machine's own identity.
KUBERNETES_AUTHENTICATION_REQUIRED = {
    "KubernetesStandard": ("AccountId",),
    "KubernetesAws": ("ClusterName",),
    "KubernetesAzure": ("AccountId", "ClusterName", "ClusterResourceGroup"),
    "KubernetesGoogleCloud": ("ClusterName", "Project"),
    "KubernetesCertificate": ("ClientCertificate",),
    "KubernetesPodService": ("TokenPath",),
}
DUPLICATE_NAME = "A machine with this name already exists. Please choose a different name."
NULL_SOURCE = "Value cannot be null. (Parameter 'source')"
NULL_SOURCE_TRACE = (
    "System.ArgumentNullException: Value cannot be null. (Parameter 'source')\n"
    "   at System.Linq.ThrowHelper.ThrowArgumentNullException(ExceptionArgument argument)\n"
    "   at System.Linq.Enumerable.Any[TSource](IEnumerable`1 source)\n"
    "   at Octopus.Server.Web.Controllers.Machines.TenantsFiltersAndTenantedDeploymentParticipationAgreeRule"
    ".Validate(MachineResource machine)\n"
    "   at Octopus.Server.Web.Infrastructure.Validation.RuleValidator`1.Validate(TResource resource)"
)

_OPERATING_SYSTEMS = {
    "TentaclePassive": ("Microsoft Windows Server 2022 Datacenter", "PowerShell", "5.1.20348.2849", "x64"),
    "TentacleActive": ("Microsoft Windows Server 2022 Datacenter", "PowerShell", "5.1.20348.2849", "x64"),
    "Ssh": ("Ubuntu 24.04.2 LTS", "Bash", "5.2.21", "x64"),
}
_UNKNOWN_SYSTEM = ("Unknown", "Unknown", "Unknown", "Unknown")
_STATUS = {"Healthy": "Online", "HasWarnings": "Online", "Unavailable": "Offline", "Unhealthy": "Offline", "Unknown": "Unknown"}


class Rejected(Exception):
    """A request the server refuses: status, ErrorMessage, Errors, maybe FullException."""

    def __init__(self, status, message, errors=(), full_exception=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = list(errors)
        self.full_exception = full_exception


def _invalid(errors):
    return Rejected(400, "There was a problem with your request.", errors)


def _conversion_error(value, type_name, path):
    # The wording of the JSON deserializer the server uses: one error, then it stops.
    shown = "{null}" if value is None else json.dumps(value)
    return _invalid(["Error converting value %s to type '%s'. Path '%s'." % (shown, type_name, path)])


# -- reading the body: types first, as the deserializer does -------------------


def _text(data, key, path):
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _conversion_error(value, "System.String", path + key)
    # [Trim] on the resource's string properties.
    return value.strip()


def _flag(data, key, path):
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise _conversion_error(value, "System.Boolean", path + key)
    return value


def _references(data, key):
    """A ReferenceCollection: unique strings without regard to case, first spelling kept; None when null."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _conversion_error(value, "Octopus.Client.Model.ReferenceCollection", key)
    seen, items = set(), []
    for item in value:
        if item.lower() not in seen:
            seen.add(item.lower())
            items.append(item)
    return items


def _participation(data):
    value = data.get("TenantedDeploymentParticipation")
    if value is None:
        return "Untenanted"
    for name in PARTICIPATION:
        # Enum names are matched without case.
        if isinstance(value, str) and value.lower() == name.lower():
            return name
    raise _conversion_error(value, "Octopus.Client.Model.TenantedDeploymentMode", "TenantedDeploymentParticipation")


def _endpoint_style(endpoint):
    if not isinstance(endpoint, dict):
        raise _conversion_error(endpoint, "Octopus.Client.Model.Endpoints.EndpointResource", "Endpoint")
    style = endpoint.get("CommunicationStyle")
    for name in STYLES:
        if isinstance(style, str) and style.lower() == name.lower():
            return name
    if isinstance(style, str) and style in OTHER_STYLES:
        raise _invalid(["The sandbox does not emulate deployment targets with the CommunicationStyle '%s'." % style])
    raise _invalid(
        [
            "Unknown CommunicationStyle %s. Path 'Endpoint.CommunicationStyle'."
            % ("{null}" if style is None else json.dumps(style))
        ]
    )


# -- the machine ---------------------------------------------------------------


def endpoint_style_changes(existing, body):
    """Whether a PUT body names another known CommunicationStyle than the stored machine's endpoint."""
    endpoint = body.get("Endpoint") if isinstance(body, dict) else None
    style = endpoint.get("CommunicationStyle") if isinstance(endpoint, dict) else None
    if not isinstance(style, str):
        return False
    known = next((name for name in STYLES + OTHER_STYLES if name.lower() == style.lower()), None)
    return known is not None and known != existing["Endpoint"]["CommunicationStyle"]


def parse_machine(state, space_id, body, existing=None):
    """The machine to store for a POST (``existing`` None) or a PUT body; raises Rejected.

    A PUT is a full replacement: every writeable field comes from the body, so
    one left out goes back to its default. Id, SpaceId and Slug are the
    server's and are kept.
    """
    if not isinstance(body, dict):
        raise Rejected(400, "Model validation failed.", ["The request body must be a JSON object."])
    name = _text(body, "Name", "")
    environment_ids = _references(body, "EnvironmentIds")
    roles = _references(body, "Roles")
    tenant_ids = _references(body, "TenantIds")
    tenant_tags = _references(body, "TenantTags")
    participation = _participation(body)
    is_disabled = _flag(body, "IsDisabled", "")
    skip_check = _flag(body, "SkipInitialHealthCheck", "")
    policy_id = _text(body, "MachinePolicyId", "")
    slug = _text(body, "Slug", "")
    endpoint = body.get("Endpoint")
    style = _endpoint_style(endpoint) if endpoint is not None else None

    # Model validation: the required fields.
    errors = []
    if not name:
        errors.append("Please provide a name for this machine.")
    if not environment_ids:
        errors.append("Please select at least one environment for this machine.")
    if not roles:
        errors.append("Please provide at least one role for this machine.")
    if endpoint is None:
        errors.append("Please provide an endpoint for this machine.")
    if errors:
        raise _invalid(errors)

    # The server's rule reads both tenant lists without checking for null.
    if tenant_ids is None or tenant_tags is None:
        raise Rejected(500, NULL_SOURCE, [], NULL_SOURCE_TRACE)

    # The server's rules: references, tenancy, the endpoint, the name.
    errors = []
    errors += _missing(state, "environments", space_id, environment_ids, "environment")
    errors += _missing(state, "tenants", space_id, tenant_ids, "tenant")
    known_tags = state.tag_names(space_id)
    errors += ["The tenant tag '%s' was not found in this space." % tag for tag in tenant_tags if tag.lower() not in known_tags]
    if policy_id:
        errors += _missing(state, "machinepolicies", space_id, [policy_id], "machine policy")
    if participation == "Untenanted" and (tenant_ids or tenant_tags):
        errors.append(
            "Untenanted deployment targets cannot be linked to tenants or tenant tags. "
            "Set TenantedDeploymentParticipation to Tenanted or TenantedOrUntenanted, or remove the tenants and tenant tags."
        )
    old_endpoint = existing["Endpoint"] if existing is not None and existing["Endpoint"]["CommunicationStyle"] == style else None
    stored_endpoint, endpoint_errors = _ENDPOINTS[style](state, space_id, endpoint, old_endpoint)
    errors += endpoint_errors
    if state.named("machines", space_id, name, exclude_id=existing["Id"] if existing else None) is not None:
        errors.append(DUPLICATE_NAME)
    if errors:
        raise _invalid(errors)

    if existing is None:
        machine_id = state.next_id("machines")
        slug = slug or state.unique_slug("machines", space_id, name)
    else:
        machine_id, slug = existing["Id"], existing["Slug"]
    if not policy_id:
        # No policy given: the space's default one, as for a new machine in the portal.
        policy_id = next(policy["Id"] for policy in state.in_space("machinepolicies", space_id) if policy["IsDefault"])
    tenant_ids = [state.find("tenants", tenant_id)["Id"] for tenant_id in tenant_ids]
    tenant_tags = [known_tags[tag.lower()] for tag in tenant_tags]
    environment_ids = [state.find("environments", environment_id)["Id"] for environment_id in environment_ids]
    return {
        "Id": machine_id,
        "Name": name,
        "EnvironmentIds": environment_ids,
        "Roles": roles,
        "TenantedDeploymentParticipation": participation,
        "TenantIds": tenant_ids,
        "TenantTags": tenant_tags,
        "SpaceId": space_id,
        "Thumbprint": None,
        "Uri": None,
        "IsDisabled": is_disabled,
        "MachinePolicyId": state.find("machinepolicies", policy_id)["Id"],
        "Status": None,
        "HealthStatus": None,
        "HasLatestCalamari": None,
        "StatusSummary": None,
        "IsInProcess": style == "None",
        "Endpoint": stored_endpoint,
        "OperatingSystem": None,
        "ShellName": None,
        "ShellVersion": None,
        "Architecture": None,
        "Slug": slug,
        "SkipInitialHealthCheck": skip_check,
        "LastModifiedOn": now(),
        "LastModifiedBy": USERNAME,
        "Links": {
            "Self": self_link(space_id, "machines", machine_id),
            "Connection": self_link(space_id, "machines", machine_id) + "/connection",
            "TasksTemplate": self_link(space_id, "machines", machine_id) + "/tasks{?skip,take}",
        },
    }


def _missing(state, collection, space_id, ids, label):
    return [
        "The %s '%s' was not found in this space." % (label, item)
        for item in ids
        if state.get(collection, space_id, item) is None
    ]


def _reference(state, collection, space_id, value, label, errors, allow_empty=False):
    """An optional reference of an endpoint; None when not given."""
    if value is None or (allow_empty and value == ""):
        return value
    if state.get(collection, space_id, value) is None:
        errors.append("The %s '%s' was not found in this space." % (label, value))
        return value
    return state.find(collection, value)["Id"]


def _endpoint_base(style):
    return {"CommunicationStyle": style}


def _endpoint_tail(endpoint):
    endpoint.update({"Id": None, "LastModifiedOn": None, "LastModifiedBy": None, "Links": {}})
    return endpoint


def _tentacle(state, space_id, data, old, listening):
    errors = []
    uri = _text(data, "Uri", "Endpoint.")
    thumbprint = _text(data, "Thumbprint", "Endpoint.")
    details = data.get("TentacleVersionDetails")
    upgrade_locked = _flag(details, "UpgradeLocked", "Endpoint.TentacleVersionDetails.") if isinstance(details, dict) else False
    if listening:
        parts = urlsplit(uri or "")
        if not uri:
            errors.append("Please provide the URI of the Tentacle, e.g. https://web01.example.com:10933/.")
        elif parts.scheme.lower() != "https" or not parts.hostname:
            errors.append("The URI of a listening Tentacle must be an absolute https URI, e.g. https://web01.example.com:10933/.")
    else:
        parts = urlsplit(uri or "")
        if parts.scheme.lower() != "poll" or not parts.netloc:
            errors.append("The URI of a polling Tentacle must be its subscription, e.g. poll://abcdefghijklmnopqrst/.")
    if not thumbprint:
        errors.append("Please provide a thumbprint for this machine.")
    endpoint = _endpoint_base("TentaclePassive" if listening else "TentacleActive")
    endpoint.update(
        {
            "Uri": uri,
            "Thumbprint": thumbprint,
            "TentacleVersionDetails": {"UpgradeLocked": upgrade_locked},
            "CertificateSignatureAlgorithm": None,
        }
    )
    if listening:
        # "" is kept as sent, as the server does; health checks then fail.
        endpoint["ProxyId"] = _reference(state, "proxies", space_id, _text(data, "ProxyId", "Endpoint."), "proxy", errors, True)
    return _endpoint_tail(endpoint), errors


def _listening(state, space_id, data, old):
    return _tentacle(state, space_id, data, old, True)


def _polling(state, space_id, data, old):
    return _tentacle(state, space_id, data, old, False)


def _ssh(state, space_id, data, old):
    errors = []
    host = _text(data, "Host", "Endpoint.")
    port = data.get("Port")
    if port is None:
        port = 22
    if not isinstance(port, int) or isinstance(port, bool):
        raise _conversion_error(port, "System.Int32", "Endpoint.Port")
    fingerprint = _text(data, "Fingerprint", "Endpoint.")
    account_id = _text(data, "AccountId", "Endpoint.")
    if not host:
        errors.append("Please provide the host name or address of this machine.")
    if not 0 < port < 65536:
        errors.append("The port must be between 1 and 65535.")
    if not fingerprint:
        errors.append("Please provide the fingerprint of the SSH host key of this machine.")
    if not account_id:
        errors.append("Please select the account used to connect to this machine.")
    else:
        account = state.get("accounts", space_id, account_id)
        if account is None:
            errors.append("The account '%s' was not found in this space." % account_id)
        elif account["AccountType"] not in SSH_ACCOUNT_TYPES:
            errors.append(
                "The account '%s' is a %s account; an SSH connection needs a SshKeyPair or UsernamePassword account."
                % (account["Id"], account["AccountType"])
            )
        else:
            account_id = account["Id"]
    endpoint = _endpoint_base("Ssh")
    endpoint.update(
        {
            "AccountId": account_id,
            "Host": host,
            "Port": port,
            "Fingerprint": fingerprint,
            "Uri": "ssh://%s:%d/" % (host, port) if host else None,
            "ProxyId": _reference(state, "proxies", space_id, _text(data, "ProxyId", "Endpoint."), "proxy", errors, True),
            "DotNetCorePlatform": _text(data, "DotNetCorePlatform", "Endpoint."),
        }
    )
    return _endpoint_tail(endpoint), errors


def _cloud_region(state, space_id, data, old):
    errors = []
    endpoint = _endpoint_base("None")
    pool = _text(data, "DefaultWorkerPoolId", "Endpoint.")
    endpoint["DefaultWorkerPoolId"] = _reference(state, "workerpools", space_id, pool, "worker pool", errors, True)
    return _endpoint_tail(endpoint), errors


def _offline_drop(state, space_id, data, old):
    errors = []
    destination = data.get("Destination")
    if destination is None:
        # The legacy top-level DropFolderPath, as older clients send it.
        legacy = _text(data, "DropFolderPath", "Endpoint.")
        destination = {"DestinationType": "FileSystem", "DropFolderPath": legacy} if legacy else {"DestinationType": "Artifact"}
    if not isinstance(destination, dict):
        raise _conversion_error(
            destination, "Octopus.Client.Model.Endpoints.OfflineDropDestinationResource", "Endpoint.Destination"
        )
    kind = destination.get("DestinationType") or "Artifact"
    kind = next((name for name in ("Artifact", "FileSystem") if isinstance(kind, str) and kind.lower() == name.lower()), None)
    if kind is None:
        raise _conversion_error(
            destination.get("DestinationType"),
            "Octopus.Client.Model.Endpoints.OfflineDropDestinationType",
            "Endpoint.Destination.DestinationType",
        )
    folder = _text(destination, "DropFolderPath", "Endpoint.Destination.")
    if kind == "FileSystem" and not folder:
        errors.append("Please provide the drop folder path.")
    if kind == "Artifact":
        folder = None
    endpoint = _endpoint_base("OfflineDrop")
    endpoint.update(
        {
            "Destination": {"DestinationType": kind, "DropFolderPath": folder},
            "SensitiveVariablesEncryptionPassword": _sensitive_update(
                data.get("SensitiveVariablesEncryptionPassword"), old and old["SensitiveVariablesEncryptionPassword"]
            ),
            "ApplicationsDirectory": _text(data, "ApplicationsDirectory", "Endpoint."),
            "OctopusWorkingDirectory": _text(data, "OctopusWorkingDirectory", "Endpoint."),
            # Kept next to Destination for clients older than 2018.9.
            "DropFolderPath": folder,
        }
    )
    return _endpoint_tail(endpoint), errors


def _sensitive_update(given, old):
    """A SensitiveValue after an update: a NewValue sets it, HasValue true without one keeps it."""
    if isinstance(given, str):
        return sensitive(given != "")
    if not isinstance(given, dict):
        return sensitive(False)
    if given.get("NewValue") not in (None, ""):
        return sensitive(True)
    return sensitive(bool(given.get("HasValue")) and bool(old and old["HasValue"]))


def _kubernetes(state, space_id, data, old):
    errors = []
    cluster_url = _text(data, "ClusterUrl", "Endpoint.")
    parts = urlsplit(cluster_url or "")
    if not cluster_url:
        errors.append("Please provide the URL of the Kubernetes cluster.")
    elif parts.scheme.lower() != "https" or not parts.hostname:
        errors.append("The Kubernetes cluster URL must be an absolute https URL, e.g. https://kubernetes.example.com:6443.")
    skip_tls = data.get("SkipTlsVerification")
    # A string on the server ("True"/"False"); booleans are accepted and converted.
    if isinstance(skip_tls, bool):
        skip_tls = "True" if skip_tls else "False"
    elif skip_tls is not None and not isinstance(skip_tls, str):
        raise _conversion_error(skip_tls, "System.String", "Endpoint.SkipTlsVerification")
    authentication = data.get("Authentication")
    if authentication is not None:
        if not isinstance(authentication, dict):
            raise _conversion_error(
                authentication,
                "Octopus.Client.Model.Endpoints.IEndpointWithMultipleAuthenticationResource",
                "Endpoint.Authentication",
            )
        authentication = copy.deepcopy(authentication)
        kind = authentication.get("AuthenticationType")
        if kind not in KUBERNETES_AUTHENTICATION:
            errors.append(
                "Unknown Kubernetes AuthenticationType %s; use one of %s."
                % (json.dumps(kind), ", ".join(KUBERNETES_AUTHENTICATION))
            )
        else:
            authentication = _kubernetes_authentication(state, space_id, kind, authentication, errors)
    container = data.get("Container")
    endpoint = _endpoint_base("Kubernetes")
    endpoint.update(
        {
            "ClusterCertificate": _reference(
                state, "certificates", space_id, _text(data, "ClusterCertificate", "Endpoint."), "certificate", errors, True
            ),
            "ClusterCertificatePath": _text(data, "ClusterCertificatePath", "Endpoint."),
            "ClusterUrl": cluster_url,
            "Namespace": _text(data, "Namespace", "Endpoint."),
            "SkipTlsVerification": skip_tls,
            "ProxyId": _reference(state, "proxies", space_id, _text(data, "ProxyId", "Endpoint."), "proxy", errors, True),
            "DefaultWorkerPoolId": _reference(
                state, "workerpools", space_id, _text(data, "DefaultWorkerPoolId", "Endpoint."), "worker pool", errors, True
            ),
            "ContainerOptions": _text(data, "ContainerOptions", "Endpoint."),
            "RunningInContainer": _flag(data, "RunningInContainer", "Endpoint."),
            "Container": {
                "Image": container.get("Image") if isinstance(container, dict) else None,
                "FeedId": container.get("FeedId") if isinstance(container, dict) else None,
            },
            "Authentication": authentication,
        }
    )
    return _endpoint_tail(endpoint), errors


def _kubernetes_authentication(state, space_id, kind, data, errors):
    """Endpoint.Authentication as the server keeps it: the fields of its type, references checked."""
    path = "Endpoint.Authentication."
    authentication = {"AuthenticationType": kind}
    for field, form in KUBERNETES_AUTHENTICATION_FIELDS[kind].items():
        if form == "flag":
            authentication[field] = _flag(data, field, path)
        elif form == "number":
            value = data.get(field)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise _conversion_error(value, "System.Int32", path + field)
            authentication[field] = value
        else:
            value = _text(data, field, path)
            if form == "account" and value:
                value = _reference(state, "accounts", space_id, value, "account", errors)
            elif form == "certificate" and value:
                value = _reference(state, "certificates", space_id, value, "certificate", errors)
            authentication[field] = value
    required = list(KUBERNETES_AUTHENTICATION_REQUIRED[kind])
    if kind == "KubernetesAws" and not authentication["UseInstanceRole"]:
        required.insert(0, "AccountId")
    if kind == "KubernetesGoogleCloud" and not authentication["UseVmServiceAccount"]:
        required.insert(0, "AccountId")
    if kind == "KubernetesAws" and authentication["AssumeRole"]:
        required.append("AssumedRoleArn")
    if kind == "KubernetesGoogleCloud" and authentication["ImpersonateServiceAccount"]:
        required.append("ServiceAccountEmails")
    for field in required:
        if not authentication.get(field):
            errors.append("Please provide %s for the %s authentication." % (field, kind))
    return authentication


_ENDPOINTS = {
    "TentaclePassive": _listening,
    "TentacleActive": _polling,
    "Ssh": _ssh,
    "None": _cloud_region,
    "OfflineDrop": _offline_drop,
    "Kubernetes": _kubernetes,
}


# -- health: what changes between two reads -------------------------------------


def _record(state, machine):
    return state.health.setdefault(machine["Id"], {"checks": 0, "checked_on": None, "pinned": None})


def health_check(state, machine):
    """One more health check of the machine, as the server runs them on its own between reads."""
    record = _record(state, machine)
    if machine["IsDisabled"] or record["pinned"] is not None:
        return
    record["checks"] += 1
    record["checked_on"] = datetime.now(timezone.utc)


def _long_date(moment):
    # .NET's long date and time, e.g. "Friday, 02 October 2020 8:28:11 PM +00:00".
    hour = moment.hour % 12 or 12
    return "%s %d:%s +00:00" % (moment.strftime("%A, %d %B %Y"), hour, moment.strftime("%M:%S %p"))


def _summary(status, moment, proxy_missing):
    when = _long_date(moment)
    if status == "Healthy":
        return "Octopus was able to successfully establish a connection with this machine on %s" % when
    if status == "HasWarnings":
        return "Octopus was able to establish a connection with this machine on %s, but the health check reported warnings" % when
    if status == "Unknown":
        return "This machine has not been health checked yet."
    if proxy_missing:
        return "There was a problem communicating with this machine (last checked: %s): Proxy not found in the database" % when
    return "There was a problem communicating with this machine (last checked: %s)" % when


def render(state, machine):
    """The machine as a GET shows it now, with its volatile fields filled in."""
    record = _record(state, machine)
    result = copy.deepcopy(machine)
    endpoint = result["Endpoint"]
    style = endpoint["CommunicationStyle"]
    checks, pinned = record["checks"], record["pinned"]
    checked_on = record["checked_on"] or datetime.now(timezone.utc)
    # A ProxyId of "" names no proxy: the server stores it, then every check fails.
    proxy_missing = endpoint.get("ProxyId") == ""
    if checks == 0:
        status = "Unknown"
    elif pinned is not None:
        status = pinned["HealthStatus"]
    elif proxy_missing:
        status = "Unavailable"
    else:
        status = HEALTH_CYCLE[(checks - 1) % len(HEALTH_CYCLE)]
    summary = _summary(status, checked_on, proxy_missing)
    calamari = checks % 2 == 1
    if pinned is not None:
        summary = pinned.get("StatusSummary") or summary
        calamari = pinned.get("HasLatestCalamari", calamari)
    result["Status"] = _STATUS[status]
    result["HealthStatus"] = status
    result["HasLatestCalamari"] = calamari
    result["StatusSummary"] = summary
    if machine["IsDisabled"]:
        result.update(
            {
                "Status": "Disabled",
                "HealthStatus": "Unknown",
                "StatusSummary": "This machine has been disabled.",
                "HasLatestCalamari": False,
            }
        )
    system = _OPERATING_SYSTEMS.get(style, _UNKNOWN_SYSTEM) if checks else _UNKNOWN_SYSTEM
    result["OperatingSystem"], result["ShellName"], result["ShellVersion"], result["Architecture"] = system
    if style in ("TentaclePassive", "TentacleActive"):
        version = TENTACLE_VERSIONS[checks % 2] if checks else None
        endpoint["TentacleVersionDetails"] = {
            "UpgradeLocked": endpoint["TentacleVersionDetails"]["UpgradeLocked"],
            "Version": version,
            "UpgradeSuggested": version not in (None, TENTACLE_VERSIONS[0]),
            "UpgradeRequired": False,
            "UpgradeAvailable": version not in (None, TENTACLE_VERSIONS[0]),
        }
        endpoint["CertificateSignatureAlgorithm"] = "sha256RSA" if checks else None
    return result


def pin_health(state, machine, data):
    """Fix the health a machine shows (control API); returns an error text or None."""
    if not isinstance(data, dict) or data.get("HealthStatus") not in HEALTH_STATUSES:
        return 'expected {"HealthStatus": one of %s, "StatusSummary"?: text, "HasLatestCalamari"?: bool}' % ", ".join(
            HEALTH_STATUSES
        )
    if not isinstance(data.get("StatusSummary", ""), str) or not isinstance(data.get("HasLatestCalamari", False), bool):
        return "'StatusSummary' must be a string and 'HasLatestCalamari' true or false"
    record = _record(state, machine)
    # A pinned health is the result of a check: the machine counts as checked from now on.
    record["checks"] = max(record["checks"], 1)
    record["checked_on"] = datetime.now(timezone.utc)
    record["pinned"] = {key: data[key] for key in ("HealthStatus", "StatusSummary", "HasLatestCalamari") if key in data}
    return None


def unpin_health(state, machine):
    _record(state, machine)["pinned"] = None


def health_state(state, machine):
    """What the control API shows about a machine's health."""
    record = _record(state, machine)
    shown = render(state, machine)
    return {
        "Id": machine["Id"],
        "HealthChecks": record["checks"],
        "Pinned": record["pinned"] is not None,
        "HealthStatus": shown["HealthStatus"],
        "StatusSummary": shown["StatusSummary"],
        "HasLatestCalamari": shown["HasLatestCalamari"],
    }


def connection_status(state, machine):
    """GET .../machines/{id}/connection: the outcome of the last health check."""
    record = _record(state, machine)
    shown = render(state, machine)
    details = shown["Endpoint"].get("TentacleVersionDetails") or {}
    checked_on = record["checked_on"]
    return {
        "Id": machine["Id"],
        "Status": shown["Status"],
        "CurrentTentacleVersion": details.get("Version"),
        "LastChecked": (
            checked_on.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+00:00" % (checked_on.microsecond // 1000) if checked_on else None
        ),
        "Logs": [],
        "Links": {},
    }
