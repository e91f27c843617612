# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Octopus Deploy: the store of spaces and space-scoped resources, and its seed.

Resources are kept as the JSON documents the API returns (machines without
their volatile health fields, see octopus_machines.py). Ids are global
counters per type across spaces, like the server's ``Environments-12``.
"""

import json
import re
import threading
from datetime import datetime, timezone

DEFAULT_SPACE_ID = "Spaces-1"
USERNAME = "sandbox"
USER_ID = "Users-1"
SEED_TIME = "2025-01-01T00:00:00.000+00:00"

# Collection name in the URL -> prefix of its ids.
ID_PREFIXES = {
    "machines": "Machines",
    "environments": "Environments",
    "machinepolicies": "MachinePolicies",
    "tenants": "Tenants",
    "tagsets": "TagSets",
    "proxies": "Proxies",
    "workerpools": "WorkerPools",
    "accounts": "Accounts",
    "certificates": "Certificates",
}

_SLUG_RE = re.compile(r"[^a-z0-9]+")
# Settings of the emulated server: name -> (default, check of a value).
SETTINGS = {
    # False: no space is the default one, as when an administrator disabled it.
    "default_space": (True, lambda value: isinstance(value, bool)),
}


class SettingsError(ValueError):
    """Settings the sandbox cannot take."""


def checked_settings(given):
    """``given`` completed with the defaults; SettingsError for an unknown name or a bad value."""
    if not isinstance(given, dict):
        raise SettingsError("settings must be a JSON object with any of: %s" % ", ".join(sorted(SETTINGS)))
    unknown = sorted(set(given) - set(SETTINGS))
    if unknown:
        raise SettingsError("unknown settings: %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(SETTINGS))))
    settings = {}
    for name, (default, valid) in SETTINGS.items():
        value = given.get(name, default)
        if not valid(value):
            raise SettingsError("the setting %s cannot be %s" % (name, json.dumps(value)))
        settings[name] = value
    return settings


def now():
    """A timestamp in the server's format, e.g. 2025-06-01T10:00:00.123+00:00."""
    moment = datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+00:00" % (moment.microsecond // 1000)


def slugify(name):
    return _SLUG_RE.sub("-", (name or "").lower()).strip("-")


def sensitive(has_value):
    # A SensitiveValue as the server shows it: whether it is set, never the value.
    return {"HasValue": bool(has_value), "NewValue": None}


def self_link(space_id, collection, resource_id):
    return "/api/%s/%s/%s" % (space_id, collection, resource_id)


class OctopusState:
    """Spaces and their resources; every access goes through ``lock``."""

    def __init__(self, settings=None):
        self.lock = threading.RLock()
        # How this server is set up (see SETTINGS); a reset goes back to the start-up ones.
        self.startup_settings = checked_settings(settings or {})
        self.settings = dict(self.startup_settings)
        self.spaces = {}
        self.resources = {}
        self.counters = {}
        # Machine id -> {"checks": int, "pinned": dict or None}: the volatile part.
        self.health = {}

    # -- store -------------------------------------------------------------

    def next_id(self, collection):
        prefix = ID_PREFIXES[collection]
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return "%s-%d" % (prefix, self.counters[prefix])

    def space(self, space_id):
        """The space with that id (any case), or None."""
        return self.spaces.get((space_id or "").lower())

    def default_space(self):
        """The default space, or None when the server has none (it was disabled)."""
        return next((space for space in self.spaces.values() if space["IsDefault"]), None)

    def find(self, collection, resource_id):
        """The resource with that id (any case) in whichever space, or None."""
        return self.resources[collection].get((resource_id or "").lower())

    def get(self, collection, space_id, resource_id):
        """The resource with that id in that space, or None."""
        resource = self.find(collection, resource_id)
        return resource if resource is not None and resource["SpaceId"] == space_id else None

    def in_space(self, collection, space_id):
        return [resource for resource in self.resources[collection].values() if resource["SpaceId"] == space_id]

    def named(self, collection, space_id, name, exclude_id=None):
        """The resource of the space with that name, compared without case."""
        wanted = (name or "").lower()
        for resource in self.in_space(collection, space_id):
            if resource["Name"].lower() == wanted and resource["Id"] != exclude_id:
                return resource
        return None

    def unique_slug(self, collection, space_id, name, exclude_id=None):
        base = slugify(name) or ID_PREFIXES[collection].lower()
        taken = {resource.get("Slug") for resource in self.in_space(collection, space_id) if resource["Id"] != exclude_id}
        slug, number = base, 1
        while slug in taken:
            slug = "%s-%d" % (base, number)
            number += 1
        return slug

    def save(self, collection, resource):
        self.resources[collection][resource["Id"].lower()] = resource
        return resource

    def delete(self, collection, resource_id):
        self.health.pop(resource_id, None)
        return self.resources[collection].pop(resource_id.lower(), None)

    def tag_names(self, space_id):
        """Canonical tag name (lower case) -> as spelled by its tag set, for the space."""
        names = {}
        for tag_set in self.in_space("tagsets", space_id):
            for tag in tag_set["Tags"]:
                names[tag["CanonicalTagName"].lower()] = tag["CanonicalTagName"]
        return names

    # -- seed --------------------------------------------------------------

    def reset(self, settings=None):
        """Clear and seed again, with ``settings`` (checked) or the start-up ones."""
        with self.lock:
            self.settings = checked_settings(settings) if settings is not None else dict(self.startup_settings)
            self.spaces = {}
            self.resources = {collection: {} for collection in ID_PREFIXES}
            self.counters = {}
            self.health = {}
            self._seed()

    def _seed(self):
        # A server whose default space was disabled has no space marked IsDefault.
        self._add_space("Spaces-1", "Default", self.settings["default_space"], "The default space")
        self._add_space("Spaces-2", "Platform", False, "Shared platform infrastructure")
        self.counters["Spaces"] = 2

        self.add_environment("Spaces-1", {"Name": "Development", "SortOrder": 0, "AllowDynamicInfrastructure": True}, SEED_TIME)
        self.add_environment("Spaces-1", {"Name": "Test", "SortOrder": 1, "AllowDynamicInfrastructure": True}, SEED_TIME)
        self.add_environment("Spaces-1", {"Name": "Production", "SortOrder": 2, "AllowDynamicInfrastructure": True}, SEED_TIME)
        self.add_machine_policy("Spaces-1", {"Name": "Default Machine Policy"}, SEED_TIME, is_default=True)
        self.add_machine_policy(
            "Spaces-1",
            {
                "Name": "Transient",
                "Description": "Machines that come and go; unavailable ones are deleted after an hour",
                "MachineConnectivityPolicy": {"MachineConnectivityBehavior": "MayBeOfflineAndCanBeSkipped"},
                "MachineCleanupPolicy": {
                    "DeleteMachinesBehavior": "DeleteUnavailableMachines",
                    "DeleteMachinesElapsedTimeSpan": "01:00:00",
                },
            },
            SEED_TIME,
        )
        self.add_tag_set(
            "Spaces-1",
            {"Name": "Tier", "Tags": [{"Name": "Gold", "Color": "#C5AEEE"}, {"Name": "Silver", "Color": "#87BFEC"}]},
            SEED_TIME,
        )
        self.add_tag_set(
            "Spaces-1",
            {"Name": "Region", "Tags": [{"Name": "EU", "Color": "#5ECD9E"}, {"Name": "US", "Color": "#FFA461"}]},
            SEED_TIME,
        )
        self.add_tenant("Spaces-1", {"Name": "Acme", "TenantTags": ["Tier/Gold", "Region/EU"]}, SEED_TIME)
        self.add_tenant("Spaces-1", {"Name": "Globex", "TenantTags": ["Tier/Silver", "Region/US"]}, SEED_TIME)
        self._add_proxy("Spaces-1", "Corporate proxy", "proxy.example.com", 3128)
        self._add_worker_pool("Spaces-1", "Default Worker Pool", True, 0)
        self._add_worker_pool("Spaces-1", "Linux workers", False, 1)
        self._add_account(
            "Spaces-1",
            "deploy-ssh",
            "SshKeyPair",
            {"Username": "deploy", "PrivateKeyFile": sensitive(True), "PrivateKeyPassphrase": sensitive(False)},
        )
        self._add_account("Spaces-1", "k8s-token", "Token", {"Token": sensitive(True)})
        self._add_account(
            "Spaces-1",
            "azure-sp",
            "AzureServicePrincipal",
            {"SubscriptionNumber": "00000000-0000-0000-0000-000000000001", "ClientId": "00000000-0000-0000-0000-000000000002",
             "TenantId": "00000000-0000-0000-0000-000000000003", "Password": sensitive(True),
             "AzureEnvironment": "", "ResourceManagementEndpointBaseUri": "", "ActiveDirectoryEndpointBaseUri": ""},
        )
        self._add_account("Spaces-1", "aws-deploy", "AmazonWebServicesAccount", {"AccessKey": "AKIASANDBOX", "SecretKey": sensitive(True)})
        self._add_account("Spaces-1", "gcp-deploy", "GoogleCloudAccount", {"JsonKey": sensitive(True)})
        self._add_certificate("Spaces-1", "k8s-client", "CN=k8s-client", "2B7E151628AED2A6ABF7158809CF4F3C2B7E1516")
        self._add_certificate("Spaces-1", "k8s-cluster-ca", "CN=kubernetes", "3C4FCF098815F7ABA6D2AE2816157E2B3C4FCF09")

        # The same environment name as in Spaces-1, another id; Staging comes first by SortOrder.
        self.add_environment("Spaces-2", {"Name": "Production", "SortOrder": 1, "AllowDynamicInfrastructure": True}, SEED_TIME)
        self.add_environment("Spaces-2", {"Name": "Staging", "SortOrder": 0, "AllowDynamicInfrastructure": True}, SEED_TIME)
        self.add_machine_policy("Spaces-2", {"Name": "Default Machine Policy"}, SEED_TIME, is_default=True)
        self._add_worker_pool("Spaces-2", "Default Worker Pool", True, 0)

    def _add_space(self, space_id, name, is_default, description):
        self.spaces[space_id.lower()] = {
            "Id": space_id,
            "Name": name,
            "Slug": slugify(name),
            "Description": description,
            "IsDefault": is_default,
            "IsPrivate": False,
            "TaskQueueStopped": False,
            "SpaceManagersTeams": ["teams-spacemanagers-%s" % space_id],
            "SpaceManagersTeamMembers": [],
            "Icon": None,
            "ExtensionSettings": [],
            "LastModifiedOn": SEED_TIME,
            "LastModifiedBy": USERNAME,
            "Links": {"Self": "/api/spaces/%s" % space_id, "SpaceHome": "/api/%s" % space_id},
        }

    def _common(self, collection, space_id, name):
        return {
            "Id": self.next_id(collection),
            "Name": name,
            "Slug": self.unique_slug(collection, space_id, name),
            "SpaceId": space_id,
        }

    @staticmethod
    def _finish(resource, space_id, collection, modified_on):
        resource["LastModifiedOn"] = modified_on
        resource["LastModifiedBy"] = USERNAME
        resource["Links"] = {"Self": self_link(space_id, collection, resource["Id"])}
        return resource

    # -- resources a test can also create through the API; bodies are checked by the caller --

    def add_environment(self, space_id, body, modified_on=None):
        environment = self._common("environments", space_id, body["Name"])
        sort_orders = [item["SortOrder"] for item in self.in_space("environments", space_id)]
        sort_order = body.get("SortOrder")
        environment.update(
            {
                "Description": body.get("Description") or "",
                "SortOrder": sort_order if isinstance(sort_order, int) else max(sort_orders, default=-1) + 1,
                "UseGuidedFailure": bool(body.get("UseGuidedFailure", False)),
                "AllowDynamicInfrastructure": bool(body.get("AllowDynamicInfrastructure", False)),
                "ExtensionSettings": [],
            }
        )
        return self.save("environments", self._finish(environment, space_id, "environments", modified_on or now()))

    def add_machine_policy(self, space_id, body, modified_on=None, is_default=False):
        policy = self._common("machinepolicies", space_id, body["Name"])
        policy.update(
            {
                "Description": body.get("Description") or "",
                "IsDefault": is_default,
                "MachineHealthCheckPolicy": _merged(
                    {
                        "PowerShellHealthCheckPolicy": {"RunType": "Inline", "ScriptBody": ""},
                        "BashHealthCheckPolicy": {"RunType": "Inline", "ScriptBody": ""},
                        "HealthCheckInterval": "1.00:00:00",
                        "HealthCheckCron": None,
                        "HealthCheckCronTimezone": "UTC",
                        "HealthCheckType": "RunScript",
                    },
                    body.get("MachineHealthCheckPolicy"),
                ),
                "MachineConnectivityPolicy": _merged(
                    {"MachineConnectivityBehavior": "ExpectedToBeOnline"}, body.get("MachineConnectivityPolicy")
                ),
                "MachineCleanupPolicy": _merged(
                    {"DeleteMachinesBehavior": "DoNotDelete", "DeleteMachinesElapsedTimeSpan": "1.00:00:00"},
                    body.get("MachineCleanupPolicy"),
                ),
                "MachineUpdatePolicy": _merged(
                    {
                        "CalamariUpdateBehavior": "UpdateOnDeployment",
                        "TentacleUpdateBehavior": "NeverUpdate",
                        "TentacleUpdateAccountId": None,
                    },
                    body.get("MachineUpdatePolicy"),
                ),
                "ConnectionRetrySleepInterval": "00:00:01",
                "ConnectionRetryCountLimit": 5,
                "ConnectionRetryTimeLimit": "00:05:00",
                "ConnectionConnectTimeout": "00:01:00",
                "PollingRequestQueueTimeout": "00:02:00",
            }
        )
        return self.save("machinepolicies", self._finish(policy, space_id, "machinepolicies", modified_on or now()))

    def add_tenant(self, space_id, body, modified_on=None):
        tenant = self._common("tenants", space_id, body["Name"])
        known = self.tag_names(space_id)
        project_environments = body.get("ProjectEnvironments")
        tenant.update(
            {
                "Description": body.get("Description") or "",
                "TenantTags": [known[tag.lower()] for tag in body.get("TenantTags") or []],
                "ProjectEnvironments": project_environments if isinstance(project_environments, dict) else {},
                "IsDisabled": bool(body.get("IsDisabled", False)),
                "ClonedFromTenantId": None,
            }
        )
        return self.save("tenants", self._finish(tenant, space_id, "tenants", modified_on or now()))

    def add_tag_set(self, space_id, body, modified_on=None):
        tag_set = self._common("tagsets", space_id, body["Name"])
        sort_orders = [item["SortOrder"] for item in self.in_space("tagsets", space_id)]
        sort_order = body.get("SortOrder")
        tags = []
        for position, tag in enumerate(body.get("Tags") or [], start=1):
            tags.append(
                {
                    "Id": "%s-%d" % (tag_set["Id"], position),
                    "Name": tag["Name"],
                    "CanonicalTagName": "%s/%s" % (body["Name"], tag["Name"]),
                    "Color": tag.get("Color") or "#333333",
                    "Description": tag.get("Description") or "",
                    "SortOrder": position - 1,
                }
            )
        tag_set.update(
            {
                "Description": body.get("Description") or "",
                "SortOrder": sort_order if isinstance(sort_order, int) else max(sort_orders, default=-1) + 1,
                "Tags": tags,
            }
        )
        return self.save("tagsets", self._finish(tag_set, space_id, "tagsets", modified_on or now()))

    # -- seed-only resources -----------------------------------------------

    def _add_proxy(self, space_id, name, host, port):
        proxy = self._common("proxies", space_id, name)
        del proxy["Slug"]
        proxy.update({"Host": host, "Port": port, "ProxyType": "HTTP", "Username": None, "Password": sensitive(False)})
        return self.save("proxies", self._finish(proxy, space_id, "proxies", SEED_TIME))

    def _add_worker_pool(self, space_id, name, is_default, sort_order):
        pool = self._common("workerpools", space_id, name)
        pool.update(
            {
                "Description": "",
                "IsDefault": is_default,
                "SortOrder": sort_order,
                "CanAddWorkers": True,
                "WorkerPoolType": "StaticWorkerPool",
            }
        )
        return self.save("workerpools", self._finish(pool, space_id, "workerpools", SEED_TIME))

    def _add_account(self, space_id, name, account_type, fields):
        account = self._common("accounts", space_id, name)
        account.update(
            {
                "Description": "",
                "AccountType": account_type,
                "EnvironmentIds": [],
                "TenantIds": [],
                "TenantTags": [],
                "TenantedDeploymentParticipation": "Untenanted",
            }
        )
        account.update(fields)
        return self.save("accounts", self._finish(account, space_id, "accounts", SEED_TIME))

    def _add_certificate(self, space_id, name, subject, thumbprint):
        certificate = self._common("certificates", space_id, name)
        certificate.update(
            {
                "Notes": "",
                "CertificateData": sensitive(True),
                "Password": sensitive(False),
                "EnvironmentIds": [],
                "TenantIds": [],
                "TenantTags": [],
                "TenantedDeploymentParticipation": "Untenanted",
                "CertificateDataFormat": "Pkcs12",
                "Archived": None,
                "ReplacedBy": None,
                "SubjectDistinguishedName": subject,
                "SubjectCommonName": subject.partition("=")[2],
                "Thumbprint": thumbprint,
                "HasPrivateKey": True,
                "IsExpired": False,
            }
        )
        return self.save("certificates", self._finish(certificate, space_id, "certificates", SEED_TIME))


def _merged(defaults, given):
    merged = dict(defaults)
    if isinstance(given, dict):
        merged.update(given)
    return merged
