# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Octopus Deploy machines (deployment targets) over HTTP."""

import json

import pytest
import requests

INVALID = "There was a problem with your request."
DUPLICATE = "A machine with this name already exists. Please choose a different name."
OTHER_SPACE = "Resource is not found or it doesn't exist in the current space context."
# The server's own fields, which change between reads.
VOLATILE = (
    "Status",
    "HealthStatus",
    "StatusSummary",
    "HasLatestCalamari",
    "OperatingSystem",
    "ShellName",
    "ShellVersion",
    "Architecture",
)

LISTENING = {"CommunicationStyle": "TentaclePassive", "Uri": "https://web01.example.com:10933/", "Thumbprint": "8A2E4F1D0C"}
POLLING = {"CommunicationStyle": "TentacleActive", "Uri": "poll://abcdefghijklmnopqrst/", "Thumbprint": "77D00E4A1B"}
SSH = {"CommunicationStyle": "Ssh", "Host": "db01.example.com", "Fingerprint": "SHA256:x1y2z3", "AccountId": "Accounts-1"}
CLOUD = {"CommunicationStyle": "None", "DefaultWorkerPoolId": "WorkerPools-2"}
OFFLINE = {
    "CommunicationStyle": "OfflineDrop",
    "Destination": {"DestinationType": "FileSystem", "DropFolderPath": "/srv/drop"},
    "SensitiveVariablesEncryptionPassword": {"HasValue": True, "NewValue": "s3cret-password"},
    "ApplicationsDirectory": "/srv/apps",
    "OctopusWorkingDirectory": "/srv/octopus",
}
KUBERNETES = {
    "CommunicationStyle": "Kubernetes",
    "ClusterUrl": "https://k8s.example.com:6443",
    "Namespace": "web",
    "SkipTlsVerification": True,
    "Authentication": {"AuthenticationType": "KubernetesStandard", "AccountId": "Accounts-2"},
}
ENDPOINT_TAIL = {"Id": None, "LastModifiedOn": None, "LastModifiedBy": None, "Links": {}}


def answer(response):
    return response.status_code, response.json()


def error(status, message, errors=()):
    return status, {"ErrorMessage": message, "Errors": list(errors)}


def invalid(*errors):
    return error(400, INVALID, errors)


def machine(name="web01", endpoint=None, **fields):
    body = {
        "Name": name,
        "EnvironmentIds": ["Environments-1"],
        "Roles": ["web"],
        "TenantIds": [],
        "TenantTags": [],
        "Endpoint": dict(endpoint or LISTENING),
    }
    body.update(fields)
    return body


def writeable(resource):
    """The machine without the fields the server changes on its own."""
    found = {key: value for key, value in resource.items() if key not in VOLATILE}
    found["Endpoint"] = {
        key: value
        for key, value in resource["Endpoint"].items()
        if key not in ("TentacleVersionDetails", "CertificateSignatureAlgorithm")
    }
    return found


@pytest.fixture
def call(octopus, octopus_headers):
    def call(method, path, body=None, headers=None, **params):
        return requests.request(
            method, octopus + path, headers=dict(octopus_headers, **(headers or {})), json=body, params=params
        )

    return call


@pytest.fixture
def create(call):
    def create(body, space="Spaces-1"):
        response = call("POST", "/api/%s/machines" % space, body)
        assert response.status_code == 201, response.text
        return response.json()

    return create


def listed(call, **params):
    return [item["Name"] for item in call("GET", "/api/Spaces-1/machines", **params).json()["Items"]]


# -- create ------------------------------------------------------------------------------------


def test_create_a_listening_tentacle(call, create):
    created = create(machine())
    assert created == {
        "Id": "Machines-1",
        "Name": "web01",
        "EnvironmentIds": ["Environments-1"],
        "Roles": ["web"],
        "TenantedDeploymentParticipation": "Untenanted",
        "TenantIds": [],
        "TenantTags": [],
        "SpaceId": "Spaces-1",
        "Thumbprint": None,
        "Uri": None,
        "IsDisabled": False,
        "MachinePolicyId": "MachinePolicies-1",
        "Status": "Unknown",
        "HealthStatus": "Unknown",
        "HasLatestCalamari": False,
        "StatusSummary": "This machine has not been health checked yet.",
        "IsInProcess": False,
        "Endpoint": dict(
            LISTENING,
            TentacleVersionDetails={
                "UpgradeLocked": False,
                "Version": None,
                "UpgradeSuggested": False,
                "UpgradeRequired": False,
                "UpgradeAvailable": False,
            },
            CertificateSignatureAlgorithm=None,
            ProxyId=None,
            **ENDPOINT_TAIL,
        ),
        "OperatingSystem": "Unknown",
        "ShellName": "Unknown",
        "ShellVersion": "Unknown",
        "Architecture": "Unknown",
        "Slug": "web01",
        "SkipInitialHealthCheck": False,
        "LastModifiedOn": created["LastModifiedOn"],
        "LastModifiedBy": "sandbox",
        "Links": {
            "Self": "/api/Spaces-1/machines/Machines-1",
            "Connection": "/api/Spaces-1/machines/Machines-1/connection",
            "TasksTemplate": "/api/Spaces-1/machines/Machines-1/tasks{?skip,take}",
        },
    }
    assert writeable(call("GET", created["Links"]["Self"]).json()) == writeable(created)


@pytest.mark.parametrize(
    "endpoint, expected",
    [
        (POLLING, dict(POLLING, CertificateSignatureAlgorithm=None)),
        (
            SSH,
            dict(SSH, Port=22, Uri="ssh://db01.example.com:22/", ProxyId=None, DotNetCorePlatform=None),
        ),
        (
            dict(SSH, Port=2222, DotNetCorePlatform="linux-x64", ProxyId="Proxies-1"),
            dict(SSH, Port=2222, Uri="ssh://db01.example.com:2222/", ProxyId="Proxies-1", DotNetCorePlatform="linux-x64"),
        ),
        (CLOUD, CLOUD),
        ({"CommunicationStyle": "None"}, {"CommunicationStyle": "None", "DefaultWorkerPoolId": None}),
        (
            OFFLINE,
            dict(OFFLINE, SensitiveVariablesEncryptionPassword={"HasValue": True, "NewValue": None}, DropFolderPath="/srv/drop"),
        ),
        (
            {"CommunicationStyle": "OfflineDrop"},
            {
                "CommunicationStyle": "OfflineDrop",
                "Destination": {"DestinationType": "Artifact", "DropFolderPath": None},
                "SensitiveVariablesEncryptionPassword": {"HasValue": False, "NewValue": None},
                "ApplicationsDirectory": None,
                "OctopusWorkingDirectory": None,
                "DropFolderPath": None,
            },
        ),
        (
            KUBERNETES,
            dict(
                KUBERNETES,
                SkipTlsVerification="True",
                ClusterCertificate=None,
                ClusterCertificatePath=None,
                ProxyId=None,
                DefaultWorkerPoolId=None,
                ContainerOptions=None,
                RunningInContainer=False,
                Container={"Image": None, "FeedId": None},
            ),
        ),
    ],
)
def test_create_every_communication_style(call, create, endpoint, expected):
    created = create(machine(endpoint=endpoint))
    shown = dict(created["Endpoint"])
    shown.pop("TentacleVersionDetails", None)
    assert shown == dict(expected, **ENDPOINT_TAIL)
    assert created["IsInProcess"] is (endpoint["CommunicationStyle"] == "None")
    assert (
        call("GET", "/api/Spaces-1/machines/Machines-1").json()["Endpoint"]["CommunicationStyle"]
        == endpoint["CommunicationStyle"]
    )


def test_secrets_are_never_echoed(call, create):
    created = create(machine(endpoint=OFFLINE))
    assert "s3cret" not in call("GET", created["Links"]["Self"]).text
    assert "s3cret" not in call("GET", "/api/Spaces-1/machines").text


@pytest.mark.parametrize(
    "endpoint, errors",
    [
        (dict(LISTENING, Uri=None), ["Please provide the URI of the Tentacle, e.g. https://web01.example.com:10933/."]),
        (
            dict(LISTENING, Uri="http://web01:10933/"),
            ["The URI of a listening Tentacle must be an absolute https URI, e.g. https://web01.example.com:10933/."],
        ),
        (
            dict(LISTENING, Uri="web01:10933"),
            ["The URI of a listening Tentacle must be an absolute https URI, e.g. https://web01.example.com:10933/."],
        ),
        (dict(LISTENING, Thumbprint=""), ["Please provide a thumbprint for this machine."]),
        (dict(LISTENING, ProxyId="Proxies-9"), ["The proxy 'Proxies-9' was not found in this space."]),
        (
            dict(POLLING, Uri="https://web01:10933/", Thumbprint=None),
            [
                "The URI of a polling Tentacle must be its subscription, e.g. poll://abcdefghijklmnopqrst/.",
                "Please provide a thumbprint for this machine.",
            ],
        ),
        (
            {"CommunicationStyle": "Ssh"},
            [
                "Please provide the host name or address of this machine.",
                "Please provide the fingerprint of the SSH host key of this machine.",
                "Please select the account used to connect to this machine.",
            ],
        ),
        (dict(SSH, Port=70000), ["The port must be between 1 and 65535."]),
        (dict(SSH, AccountId="Accounts-9"), ["The account 'Accounts-9' was not found in this space."]),
        (
            dict(SSH, AccountId="Accounts-2"),
            ["The account 'Accounts-2' is a Token account; an SSH connection needs a SshKeyPair or UsernamePassword account."],
        ),
        (dict(CLOUD, DefaultWorkerPoolId="WorkerPools-3"), ["The worker pool 'WorkerPools-3' was not found in this space."]),
        (
            {"CommunicationStyle": "OfflineDrop", "Destination": {"DestinationType": "FileSystem"}},
            ["Please provide the drop folder path."],
        ),
        ({"CommunicationStyle": "Kubernetes"}, ["Please provide the URL of the Kubernetes cluster."]),
        (
            dict(KUBERNETES, ClusterUrl="k8s.example.com"),
            ["The Kubernetes cluster URL must be an absolute https URL, e.g. https://kubernetes.example.com:6443."],
        ),
        (
            dict(KUBERNETES, Authentication={"AuthenticationType": "KubernetesStandard", "AccountId": "Accounts-7"}),
            ["The account 'Accounts-7' was not found in this space."],
        ),
        (
            {"CommunicationStyle": "Carrier pigeon"},
            ["Unknown CommunicationStyle \"Carrier pigeon\". Path 'Endpoint.CommunicationStyle'."],
        ),
        ({"Uri": "https://web01:10933/"}, ["Unknown CommunicationStyle {null}. Path 'Endpoint.CommunicationStyle'."]),
        (
            {"CommunicationStyle": "AzureWebApp"},
            ["The sandbox does not emulate deployment targets with the CommunicationStyle 'AzureWebApp'."],
        ),
    ],
)
def test_endpoint_validation(call, endpoint, errors):
    assert answer(call("POST", "/api/Spaces-1/machines", machine(endpoint=endpoint))) == invalid(*errors)
    assert call("GET", "/api/Spaces-1/machines").json()["TotalResults"] == 0


def test_required_fields(call):
    body = {"TenantIds": [], "TenantTags": [], "EnvironmentIds": [], "Roles": []}
    assert answer(call("POST", "/api/Spaces-1/machines", body)) == invalid(
        "Please provide a name for this machine.",
        "Please select at least one environment for this machine.",
        "Please provide at least one role for this machine.",
        "Please provide an endpoint for this machine.",
    )
    assert answer(call("POST", "/api/Spaces-1/machines", machine(name="  "))) == invalid(
        "Please provide a name for this machine."
    )


@pytest.mark.parametrize(
    "fields, errors",
    [
        (
            {"EnvironmentIds": ["Environments-1", "Environments-4"]},
            ["The environment 'Environments-4' was not found in this space."],
        ),
        ({"MachinePolicyId": "MachinePolicies-3"}, ["The machine policy 'MachinePolicies-3' was not found in this space."]),
        (
            {"TenantedDeploymentParticipation": "Tenanted", "TenantIds": ["Tenants-7"], "TenantTags": ["Tier/Bronze"]},
            ["The tenant 'Tenants-7' was not found in this space.", "The tenant tag 'Tier/Bronze' was not found in this space."],
        ),
    ],
)
def test_references_must_exist_in_the_space(call, fields, errors):
    assert answer(call("POST", "/api/Spaces-1/machines", machine(**fields))) == invalid(*errors)


@pytest.mark.parametrize("key", ["TenantIds", "TenantTags"])
@pytest.mark.parametrize("missing", ["null", "left out"])
def test_null_tenant_lists_crash_the_server(call, create, key, missing):
    body = machine()
    if missing == "null":
        body[key] = None
    else:
        del body[key]
    status, found = answer(call("POST", "/api/Spaces-1/machines", body))
    assert status == 500
    assert (found["ErrorMessage"], found["Errors"]) == ("Value cannot be null. (Parameter 'source')", [])
    assert found["FullException"].startswith("System.ArgumentNullException: Value cannot be null. (Parameter 'source')\n   at ")
    assert "TenantsFiltersAndTenantedDeploymentParticipationAgreeRule" in found["FullException"]
    # The same on a PUT.
    created = create(machine())
    assert call("PUT", created["Links"]["Self"], body).status_code == 500


def test_tenanted_deployment_participation(call, create):
    untenanted = machine(TenantIds=["Tenants-1"])
    message = (
        "Untenanted deployment targets cannot be linked to tenants or tenant tags. "
        "Set TenantedDeploymentParticipation to Tenanted or TenantedOrUntenanted, or remove the tenants and tenant tags."
    )
    assert answer(call("POST", "/api/Spaces-1/machines", untenanted)) == invalid(message)
    assert answer(call("POST", "/api/Spaces-1/machines", machine(TenantTags=["Tier/Gold"]))) == invalid(message)
    created = create(machine(TenantedDeploymentParticipation="tenanted", TenantIds=["tenants-2"], TenantTags=["tier/gold"]))
    assert (created["TenantedDeploymentParticipation"], created["TenantIds"], created["TenantTags"]) == (
        "Tenanted",
        ["Tenants-2"],
        ["Tier/Gold"],
    )
    # Tenanted with no tenants at all is allowed: it matches none.
    assert create(machine("web02", TenantedDeploymentParticipation="Tenanted"))["TenantIds"] == []
    assert answer(call("POST", "/api/Spaces-1/machines", machine(TenantedDeploymentParticipation="Sometimes"))) == invalid(
        "Error converting value \"Sometimes\" to type 'Octopus.Client.Model.TenantedDeploymentMode'. Path 'TenantedDeploymentParticipation'."
    )


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"IsDisabled": "yes"}, "Error converting value \"yes\" to type 'System.Boolean'. Path 'IsDisabled'."),
        ({"IsDisabled": None}, "Error converting value {null} to type 'System.Boolean'. Path 'IsDisabled'."),
        (
            {"EnvironmentIds": "Environments-1"},
            "Error converting value \"Environments-1\" to type 'Octopus.Client.Model.ReferenceCollection'. Path 'EnvironmentIds'.",
        ),
        ({"Endpoint": dict(SSH, Port="22")}, "Error converting value \"22\" to type 'System.Int32'. Path 'Endpoint.Port'."),
        ({"Name": 42}, "Error converting value 42 to type 'System.String'. Path 'Name'."),
    ],
)
def test_values_of_the_wrong_type(call, fields, message):
    assert answer(call("POST", "/api/Spaces-1/machines", machine(**fields))) == invalid(message)


def test_reference_collections_are_sets_without_case(create):
    created = create(machine(Roles=["web", "Web", "db", "WEB"], EnvironmentIds=["environments-2", "Environments-2"]))
    assert (created["Roles"], created["EnvironmentIds"]) == (["web", "db"], ["Environments-2"])


def test_names_are_unique_within_a_space(call, create):
    create(machine("web01"))
    assert answer(call("POST", "/api/Spaces-1/machines", machine(" WEB01 "))) == invalid(DUPLICATE)
    other = create(machine("web01", EnvironmentIds=["Environments-4"]), space="Spaces-2")
    assert (other["Id"], other["SpaceId"]) == ("Machines-2", "Spaces-2")
    second = create(machine("web02"))
    assert answer(call("PUT", second["Links"]["Self"], machine("Web01"))) == invalid(DUPLICATE)
    assert call("PUT", second["Links"]["Self"], machine("web02")).status_code == 200


def test_defaults_and_options(create):
    created = create(machine(IsDisabled=True, SkipInitialHealthCheck=True, MachinePolicyId="machinepolicies-2", Slug="front-end"))
    assert (created["IsDisabled"], created["SkipInitialHealthCheck"], created["MachinePolicyId"], created["Slug"]) == (
        True,
        True,
        "MachinePolicies-2",
        "front-end",
    )
    # No policy: the space's default one.
    assert create(machine("web02", MachinePolicyId=""))["MachinePolicyId"] == "MachinePolicies-1"
    assert create(machine("web03", EnvironmentIds=["Environments-5"]), space="Spaces-2")["MachinePolicyId"] == "MachinePolicies-3"
    assert create(machine("Web 04 (blue)"))["Slug"] == "web-04-blue"


# -- read, update, delete ------------------------------------------------------------------


def test_put_replaces_the_whole_machine(call, create):
    created = create(
        machine(
            IsDisabled=True,
            MachinePolicyId="MachinePolicies-2",
            TenantedDeploymentParticipation="TenantedOrUntenanted",
            TenantIds=["Tenants-1"],
            SkipInitialHealthCheck=True,
            Endpoint=dict(LISTENING, ProxyId="Proxies-1", TentacleVersionDetails={"UpgradeLocked": True}),
        )
    )
    replacement = {
        "Name": "web01-renamed",
        "EnvironmentIds": ["Environments-3"],
        "Roles": ["api"],
        "TenantIds": [],
        "TenantTags": [],
        "Endpoint": dict(LISTENING, Uri="https://web01.example.com:10934/"),
    }
    status, updated = answer(call("PUT", created["Links"]["Self"], replacement))
    assert status == 200
    # What the body left out is back to its default; Id and Slug stay.
    assert {
        key: updated[key] for key in ("Id", "Slug", "Name", "EnvironmentIds", "Roles", "IsDisabled", "SkipInitialHealthCheck")
    } == {
        "Id": "Machines-1",
        "Slug": "web01",
        "Name": "web01-renamed",
        "EnvironmentIds": ["Environments-3"],
        "Roles": ["api"],
        "IsDisabled": False,
        "SkipInitialHealthCheck": False,
    }
    assert (updated["MachinePolicyId"], updated["TenantedDeploymentParticipation"], updated["TenantIds"]) == (
        "MachinePolicies-1",
        "Untenanted",
        [],
    )
    assert (updated["Endpoint"]["ProxyId"], updated["Endpoint"]["TentacleVersionDetails"]["UpgradeLocked"]) == (None, False)
    assert updated["Endpoint"]["Uri"] == "https://web01.example.com:10934/"
    assert writeable(call("GET", created["Links"]["Self"]).json()) == writeable(updated)


def test_a_machine_read_can_be_put_back(call, create):
    create(machine(TenantedDeploymentParticipation="Tenanted", TenantIds=["Tenants-1"], Endpoint=dict(SSH, ProxyId="Proxies-1")))
    current = call("GET", "/api/Spaces-1/machines/Machines-1").json()
    # Read-only and volatile fields in the body are ignored.
    sent = dict(current, Id="Machines-77", HealthStatus="Healthy", Slug="other", Roles=current["Roles"] + ["db"])
    status, updated = answer(call("PUT", "/api/Spaces-1/machines/Machines-1", sent))
    assert (status, updated["Id"], updated["Slug"], updated["Roles"]) == (200, "Machines-1", "web01", ["web", "db"])
    assert {key: value for key, value in writeable(updated).items() if key not in ("Roles", "LastModifiedOn")} == {
        key: value for key, value in writeable(current).items() if key not in ("Roles", "LastModifiedOn")
    }


@pytest.mark.parametrize("style", ["None", "none", "Ssh", "AzureWebApp"])
def test_put_refuses_another_communication_style_and_changes_nothing(call, create, style):
    # Octopus maps a PUT onto the stored endpoint's own type and refuses another one.
    created = create(machine())
    before = writeable(call("GET", created["Links"]["Self"]).json())
    refused = call("PUT", created["Links"]["Self"], machine(endpoint=dict(CLOUD, CommunicationStyle=style)))
    assert answer(refused) == invalid("Model Endpoint type does not match incoming type")
    assert writeable(call("GET", created["Links"]["Self"]).json()) == before


def test_put_of_the_same_communication_style_in_other_case_is_no_change_of_type(call, create):
    created = create(machine())
    updated = call("PUT", created["Links"]["Self"], machine(endpoint=dict(LISTENING, CommunicationStyle="tentaclepassive")))
    assert (updated.status_code, updated.json()["Endpoint"]["CommunicationStyle"]) == (200, "TentaclePassive")


def test_a_new_style_takes_a_delete_then_a_create(call, create):
    created = create(machine())
    assert call("DELETE", created["Links"]["Self"]).status_code == 200
    replaced = create(machine(endpoint=CLOUD))
    assert (replaced["Endpoint"]["CommunicationStyle"], replaced["IsInProcess"], replaced["Id"]) == ("None", True, "Machines-2")


def test_offline_drop_password_survives_a_round_trip(call, create):
    created = create(machine(endpoint=OFFLINE))
    assert (
        call("PUT", created["Links"]["Self"], created).json()["Endpoint"]["SensitiveVariablesEncryptionPassword"]["HasValue"]
        is True
    )
    cleared = dict(
        created, Endpoint=dict(created["Endpoint"], SensitiveVariablesEncryptionPassword={"HasValue": False, "NewValue": None})
    )
    assert (
        call("PUT", created["Links"]["Self"], cleared).json()["Endpoint"]["SensitiveVariablesEncryptionPassword"]["HasValue"]
        is False
    )


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_machines(call, method):
    body = machine() if method == "PUT" else None
    assert answer(call(method, "/api/Spaces-1/machines/Machines-9", body)) == error(
        404, "The resource 'Machines-9' was not found."
    )


def test_delete(call, create):
    created = create(machine())
    response = call("DELETE", created["Links"]["Self"])
    # 200 with an empty body, like the server's Ok().
    assert (response.status_code, response.content) == (200, b"")
    assert "Content-Type" not in response.headers
    assert call("GET", created["Links"]["Self"]).status_code == 404
    assert call("DELETE", created["Links"]["Self"]).status_code == 404
    # The name is free again, the id is not reused.
    assert create(machine())["Id"] == "Machines-2"


def test_method_override(sandbox, octopus, call, create):
    created = create(machine())
    override = {"X-HTTP-Method-Override": "PUT"}
    status, updated = answer(call("POST", created["Links"]["Self"], machine(Roles=["api"]), headers=override))
    assert (status, updated["Roles"]) == (200, ["api"])
    assert call("POST", created["Links"]["Self"], machine(TenantIds=None), headers=override).status_code == 500
    response = call("POST", created["Links"]["Self"], headers={"X-HTTP-Method-Override": "delete"})
    assert (response.status_code, response.content) == (200, b"")
    assert call("GET", created["Links"]["Self"]).status_code == 404
    # The request log shows what was sent.
    assert [entry["method"] for entry in requests.get(octopus + "/__sandbox__/requests").json()][-3:] == ["POST", "POST", "GET"]


def test_post_on_a_machine_without_an_override_is_not_allowed(call, create):
    created = create(machine())
    response = call("POST", created["Links"]["Self"], machine())
    assert response.status_code == 405
    assert response.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"


def test_request_bodies(octopus, octopus_headers):
    url = octopus + "/api/Spaces-1/machines"
    assert answer(requests.post(url, headers=octopus_headers)) == error(
        400, "Model validation failed.", ["No request body was supplied."]
    )
    assert answer(requests.post(url, headers=octopus_headers, data="[1]")) == error(
        400, "Model validation failed.", ["The request body must be a JSON object."]
    )
    assert requests.post(url, headers=octopus_headers, data="{").json()["ErrorMessage"] == "Model validation failed."


def test_route_forms(call):
    created = call("POST", "/api/machines", machine()).json()
    assert (created["SpaceId"], created["Links"]["Self"]) == ("Spaces-1", "/api/Spaces-1/machines/Machines-1")
    assert call("GET", "/api/machines/Machines-1").json()["Name"] == "web01"
    assert call("GET", "/api/spaces/Spaces-1/machines/machines-1").json()["Id"] == "Machines-1"
    assert call("GET", "/api/machines/all").json()[0]["Id"] == "Machines-1"
    assert (
        call("POST", "/api/spaces/Spaces-2/machines", machine("web09", EnvironmentIds=["Environments-4"])).json()["SpaceId"]
        == "Spaces-2"
    )


# -- listing and filters ---------------------------------------------------------------------


@pytest.fixture
def fleet(create, call):
    """Five machines of every kind, created in an order that is not their name order."""
    create(machine("web02", Roles=["web"], EnvironmentIds=["Environments-3"]))
    create(machine("db01", endpoint=SSH, Roles=["db"], EnvironmentIds=["Environments-2", "Environments-3"]))
    create(
        machine(
            "Web01",
            endpoint=dict(LISTENING, Thumbprint="FFEE01"),
            Roles=["web", "cache"],
            TenantedDeploymentParticipation="Tenanted",
            TenantIds=["Tenants-1"],
            TenantTags=["Tier/Gold"],
        )
    )
    create(machine("k8s-prod", endpoint=KUBERNETES, Roles=["k8s"], EnvironmentIds=["Environments-3"], IsDisabled=True))
    create(
        machine(
            "region-eu",
            endpoint=CLOUD,
            Roles=["cloud"],
            TenantedDeploymentParticipation="TenantedOrUntenanted",
            TenantIds=["Tenants-2"],
        )
    )


@pytest.mark.usefixtures("fleet")
def test_machines_are_sorted_by_name(call):
    assert listed(call) == ["db01", "k8s-prod", "region-eu", "Web01", "web02"]


@pytest.mark.usefixtures("fleet")
@pytest.mark.parametrize(
    "params, found",
    [
        # name is exact (without case), partialName a 'contains' match.
        ({"name": "web01"}, ["Web01"]),
        ({"name": "web"}, []),
        ({"partialName": "WEB"}, ["Web01", "web02"]),
        ({"ids": "Machines-2,Machines-5"}, ["db01", "region-eu"]),
        ({"ids": ["machines-1", "Machines-2"]}, ["db01", "web02"]),
        ({"roles": "cache"}, ["Web01"]),
        ({"roles": "db,k8s"}, ["db01", "k8s-prod"]),
        ({"environmentIds": "Environments-2"}, ["db01"]),
        ({"environmentIds": "Environments-3"}, ["db01", "k8s-prod", "web02"]),
        ({"tenantIds": "Tenants-2"}, ["region-eu"]),
        ({"tenantTags": "Tier/Gold"}, ["Web01"]),
        ({"isDisabled": "true"}, ["k8s-prod"]),
        ({"isDisabled": "False"}, ["db01", "region-eu", "Web01", "web02"]),
        ({"commStyles": "Ssh,None"}, ["db01", "region-eu"]),
        ({"thumbprint": "ffee01"}, ["Web01"]),
        ({"shellNames": "Bash"}, ["db01"]),
        ({"partialName": "web", "roles": "cache"}, ["Web01"]),
    ],
)
def test_machine_filters(call, params, found):
    assert listed(call, **params) == found


@pytest.mark.usefixtures("fleet")
def test_health_status_filter(octopus, call):
    requests.put(octopus + "/__sandbox__/health/Machines-1", json={"HealthStatus": "Unhealthy"})
    requests.put(octopus + "/__sandbox__/health/Machines-2", json={"HealthStatus": "Unhealthy"})
    assert listed(call, healthStatuses="Unhealthy") == ["db01", "web02"]
    assert listed(call, healthStatuses="Unknown") == ["k8s-prod"]
    # The filter sees the health shown in the same answer.
    for status in ("Healthy", "HasWarnings", "Unavailable"):
        items = call("GET", "/api/Spaces-1/machines", healthStatuses=status).json()["Items"]
        assert all(item["HealthStatus"] == status for item in items)


def test_bad_filter_values(call):
    assert answer(call("GET", "/api/Spaces-1/machines", isDisabled="maybe")) == invalid(
        "The value 'maybe' is not valid for isDisabled."
    )


@pytest.mark.usefixtures("fleet")
def test_machines_all(call):
    found = call("GET", "/api/Spaces-1/machines/all").json()
    assert [item["Name"] for item in found] == ["db01", "k8s-prod", "region-eu", "Web01", "web02"]
    assert [item["Name"] for item in call("GET", "/api/Spaces-1/machines/all", ids="Machines-1,Machines-4").json()] == [
        "k8s-prod",
        "web02",
    ]
    assert [item["Name"] for item in call("GET", "/api/Spaces-1/machines/all", thumbprint="FFEE01").json()] == ["Web01"]
    # The other filters belong to the paged listing only.
    assert len(call("GET", "/api/Spaces-1/machines/all", roles="db", name="web02", partialName="db").json()) == 5


def test_machines_come_thirty_to_a_page(call, create):
    for number in range(31):
        create(machine("node%02d" % number, endpoint=CLOUD))
    first = call("GET", "/api/Spaces-1/machines").json()
    assert (first["ItemType"], first["TotalResults"], first["ItemsPerPage"], first["NumberOfPages"], first["LastPageNumber"]) == (
        "DeploymentTarget",
        31,
        30,
        2,
        1,
    )
    assert first["Links"]["Page.Next"] == "/api/Spaces-1/machines?skip=30&take=30"
    assert first["Links"]["Template"].startswith("/api/Spaces-1/machines{?skip,take,name,ids,partialName,roles")
    second = call("GET", first["Links"]["Page.Next"]).json()
    assert [item["Name"] for item in second["Items"]] == ["node30"]
    assert "Page.Next" not in second["Links"]
    page = call("GET", "/api/Spaces-1/machines", partialName="node1", take=4).json()
    assert (page["TotalResults"], [item["Name"] for item in page["Items"]]) == (10, ["node10", "node11", "node12", "node13"])
    assert page["Links"]["Page.Next"] == "/api/Spaces-1/machines?skip=4&take=4&partialName=node1"


def test_spaces_are_isolated(call, create):
    create(machine("web01", EnvironmentIds=["Environments-1"]))
    other = create(machine("platform01", EnvironmentIds=["Environments-4"]), space="Spaces-2")
    assert listed(call) == ["web01"]
    assert [item["Name"] for item in call("GET", "/api/Spaces-2/machines").json()["Items"]] == ["platform01"]
    assert call("GET", "/api/Spaces-1/machines/all", ids=other["Id"]).json() == []
    assert answer(call("GET", "/api/Spaces-1/machines/" + other["Id"])) == error(404, OTHER_SPACE)
    assert call("GET", "/api/Spaces-2/machines/" + other["Id"]).status_code == 200
    # Environments, tenants, accounts and policies are looked up in the machine's own space.
    assert answer(call("POST", "/api/Spaces-2/machines", machine("x", EnvironmentIds=["Environments-1"]))) == invalid(
        "The environment 'Environments-1' was not found in this space."
    )
    assert answer(
        call("POST", "/api/Spaces-2/machines", machine("x", endpoint=SSH, EnvironmentIds=["Environments-4"]))
    ) == invalid("The account 'Accounts-1' was not found in this space.")


# -- what changes between reads --------------------------------------------------------------


def test_volatile_fields_change_between_reads(call, create):
    created = create(machine())
    first = call("GET", created["Links"]["Self"]).json()
    second = call("GET", created["Links"]["Self"]).json()
    assert writeable(first) == writeable(second) == writeable(created)
    assert first["HealthStatus"] != second["HealthStatus"]
    assert first["StatusSummary"] != second["StatusSummary"]
    assert first["HasLatestCalamari"] != second["HasLatestCalamari"]
    assert first["Endpoint"]["TentacleVersionDetails"] != second["Endpoint"]["TentacleVersionDetails"]
    assert first["Endpoint"]["TentacleVersionDetails"]["UpgradeLocked"] is False
    assert (first["OperatingSystem"], first["ShellName"]) == ("Microsoft Windows Server 2022 Datacenter", "PowerShell")


def test_health_cycles_on_every_read_and_listing(call, create):
    created = create(machine())
    seen = [call("GET", created["Links"]["Self"]).json()["HealthStatus"] for _read in range(2)]
    seen.append(call("GET", "/api/Spaces-1/machines").json()["Items"][0]["HealthStatus"])
    seen.append(call("GET", "/api/Spaces-1/machines/all").json()[0]["HealthStatus"])
    assert seen == ["Healthy", "HasWarnings", "Unavailable", "Healthy"]
    status = call("GET", created["Links"]["Self"]).json()
    assert (status["HealthStatus"], status["Status"]) == ("HasWarnings", "Online")
    assert status["StatusSummary"].startswith("Octopus was able to establish a connection with this machine on ")


def test_a_disabled_machine_keeps_still(call, create):
    created = create(machine(IsDisabled=True))
    reads = [call("GET", created["Links"]["Self"]).json() for _read in range(2)]
    assert reads[0] == reads[1]
    assert {key: reads[0][key] for key in ("Status", "HealthStatus", "StatusSummary", "HasLatestCalamari")} == {
        "Status": "Disabled",
        "HealthStatus": "Unknown",
        "StatusSummary": "This machine has been disabled.",
        "HasLatestCalamari": False,
    }


def test_an_empty_proxy_id_is_stored_and_breaks_health_checks(call, create):
    created = create(machine(endpoint=dict(LISTENING, ProxyId="")))
    assert created["Endpoint"]["ProxyId"] == ""
    for _read in range(3):
        shown = call("GET", created["Links"]["Self"]).json()
        assert shown["HealthStatus"] == "Unavailable"
        assert shown["StatusSummary"].endswith("Proxy not found in the database")


def test_pinned_health(octopus, call, create):
    created = create(machine())
    control = octopus + "/__sandbox__/health/Machines-1"
    pinned = requests.put(control, json={"HealthStatus": "Unhealthy", "StatusSummary": "Disk full", "HasLatestCalamari": True})
    assert pinned.status_code == 200
    assert pinned.json() == {
        "Id": "Machines-1",
        "HealthChecks": 1,
        "Pinned": True,
        "HealthStatus": "Unhealthy",
        "StatusSummary": "Disk full",
        "HasLatestCalamari": True,
    }
    reads = [call("GET", created["Links"]["Self"]).json() for _read in range(3)]
    assert reads[0] == reads[1] == reads[2]
    assert (reads[0]["HealthStatus"], reads[0]["Status"], reads[0]["StatusSummary"]) == ("Unhealthy", "Offline", "Disk full")
    assert requests.get(control).json()["HealthChecks"] == 1
    assert requests.delete(control).status_code == 204
    first, second = (call("GET", created["Links"]["Self"]).json() for _read in range(2))
    assert first["HealthStatus"] != second["HealthStatus"]
    assert requests.get(control).json()["Pinned"] is False


@pytest.mark.parametrize(
    "method, path, body, status",
    [
        ("PUT", "Machines-1", {"HealthStatus": "Fine"}, 400),
        ("PUT", "Machines-1", ["Healthy"], 400),
        ("PUT", "Machines-1", {"HealthStatus": "Healthy", "HasLatestCalamari": "yes"}, 400),
        ("PUT", "Machines-9", {"HealthStatus": "Healthy"}, 404),
        ("PATCH", "Machines-1", {"HealthStatus": "Healthy"}, 405),
    ],
)
def test_pinned_health_refusals(octopus, create, method, path, body, status):
    create(machine())
    response = requests.request(method, octopus + "/__sandbox__/health/" + path, json=body)
    assert response.status_code == status
    assert "error" in response.json()


def test_pins_go_with_a_reset(sandbox, octopus, create, call):
    create(machine())
    requests.put(octopus + "/__sandbox__/health/Machines-1", json={"HealthStatus": "Unhealthy"})
    sandbox.reset()
    create(machine())
    assert call("GET", "/api/Spaces-1/machines/Machines-1").json()["HealthStatus"] == "Healthy"


def test_connection_status(call, create):
    created = create(machine())
    before = call("GET", created["Links"]["Connection"]).json()
    assert (before["Id"], before["Status"], before["CurrentTentacleVersion"], before["LastChecked"], before["Logs"]) == (
        "Machines-1",
        "Unknown",
        None,
        None,
        [],
    )
    call("GET", created["Links"]["Self"])
    after = call("GET", created["Links"]["Connection"]).json()
    assert (after["Status"], after["CurrentTentacleVersion"]) == ("Online", "8.1.2194")
    assert after["LastChecked"].endswith("+00:00")


# -- Kubernetes authentication: each type's fields, as the server binds them ------------------------


@pytest.mark.parametrize(
    "authentication, stored",
    [
        (
            {"AuthenticationType": "KubernetesAws", "UseInstanceRole": True, "ClusterName": "eks", "Unknown": "x"},
            {"AuthenticationType": "KubernetesAws", "AccountId": None, "ClusterName": "eks", "UseInstanceRole": True,
             "AssumeRole": False, "AssumedRoleArn": None, "AssumedRoleSession": None,
             "AssumeRoleSessionDurationSeconds": None, "AssumeRoleExternalId": None},
        ),
        (
            {"AuthenticationType": "KubernetesAzure", "AccountId": "accounts-3", "ClusterName": "aks",
             "ClusterResourceGroup": "rg", "AdminLogin": "True"},
            {"AuthenticationType": "KubernetesAzure", "AccountId": "Accounts-3", "ClusterName": "aks",
             "ClusterResourceGroup": "rg", "AdminLogin": "True"},
        ),
        (
            {"AuthenticationType": "KubernetesGoogleCloud", "AccountId": "Accounts-5", "ClusterName": "gke", "Project": "p",
             "Zone": "z"},
            {"AuthenticationType": "KubernetesGoogleCloud", "AccountId": "Accounts-5", "ClusterName": "gke", "Project": "p",
             "Region": None, "Zone": "z", "ImpersonateServiceAccount": False, "ServiceAccountEmails": None,
             "UseVmServiceAccount": False},
        ),
        (
            {"AuthenticationType": "KubernetesCertificate", "ClientCertificate": "certificates-1"},
            {"AuthenticationType": "KubernetesCertificate", "ClientCertificate": "Certificates-1"},
        ),
        (
            {"AuthenticationType": "KubernetesPodService", "TokenPath": "/var/run/token"},
            {"AuthenticationType": "KubernetesPodService", "TokenPath": "/var/run/token"},
        ),
    ],
)
def test_each_kubernetes_authentication_keeps_the_fields_of_its_type(create, authentication, stored):
    created = create(machine(endpoint=dict(KUBERNETES, Authentication=authentication)))
    assert created["Endpoint"]["Authentication"] == stored


@pytest.mark.parametrize(
    "authentication, errors",
    [
        ({"AuthenticationType": "KubernetesAws", "ClusterName": "eks"}, ["Please provide AccountId for the KubernetesAws authentication."]),
        (
            {"AuthenticationType": "KubernetesAws", "AccountId": "Accounts-4", "ClusterName": "eks", "AssumeRole": True},
            ["Please provide AssumedRoleArn for the KubernetesAws authentication."],
        ),
        (
            {"AuthenticationType": "KubernetesAzure", "AccountId": "Accounts-3"},
            ["Please provide ClusterName for the KubernetesAzure authentication.",
             "Please provide ClusterResourceGroup for the KubernetesAzure authentication."],
        ),
        (
            {"AuthenticationType": "KubernetesGoogleCloud", "UseVmServiceAccount": True, "ClusterName": "gke", "Project": "p",
             "ImpersonateServiceAccount": True},
            ["Please provide ServiceAccountEmails for the KubernetesGoogleCloud authentication."],
        ),
        (
            {"AuthenticationType": "KubernetesCertificate", "ClientCertificate": "Certificates-9"},
            ["The certificate 'Certificates-9' was not found in this space."],
        ),
        ({"AuthenticationType": "KubernetesPodService"}, ["Please provide TokenPath for the KubernetesPodService authentication."]),
    ],
)
def test_a_kubernetes_authentication_without_what_its_type_needs_is_refused(call, authentication, errors):
    body = machine(endpoint=dict(KUBERNETES, Authentication=authentication))
    assert answer(call("POST", "/api/Spaces-1/machines", body)) == invalid(*errors)


@pytest.mark.parametrize(
    "field, value, type_name",
    [("UseInstanceRole", "yes", "System.Boolean"), ("AssumeRoleSessionDurationSeconds", "3600", "System.Int32")],
)
def test_kubernetes_authentication_fields_of_the_wrong_type_are_refused(call, field, value, type_name):
    authentication = {"AuthenticationType": "KubernetesAws", "AccountId": "Accounts-4", "ClusterName": "eks", field: value}
    body = machine(endpoint=dict(KUBERNETES, Authentication=authentication))
    assert answer(call("POST", "/api/Spaces-1/machines", body)) == invalid(
        "Error converting value %s to type '%s'. Path 'Endpoint.Authentication.%s'." % (json.dumps(value), type_name, field)
    )


def test_a_null_proxy_removes_the_proxy(call, create):
    created = create(machine(endpoint=dict(LISTENING, ProxyId="Proxies-1")))
    assert created["Endpoint"]["ProxyId"] == "Proxies-1"
    body = dict(created, Endpoint=dict(created["Endpoint"], ProxyId=None))
    updated = call("PUT", created["Links"]["Self"], body).json()
    assert "ProxyId" in updated["Endpoint"] and updated["Endpoint"]["ProxyId"] is None
