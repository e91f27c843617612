# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Octopus Deploy API over HTTP: auth, documents, spaces, collections, resources."""

import pytest
import requests

KEY = "API-SANDBOX"
UNAUTHORIZED = "Either your API key is invalid, or your account has been disabled. Please contact your Octopus administrator."
FORBIDDEN = "You do not have permission to perform this action. Please see your Octopus administrator."
INVALID = "There was a problem with your request."
MACHINES_QUERY = (
    "{?skip,take,name,ids,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,environmentIds,thumbprint,"
    "deploymentId,shellNames}"
)


def space_links(space):
    return {
        "Machines": "/api/%s/machines{/id}%s" % (space, MACHINES_QUERY),
        "Environments": "/api/%s/environments{/id}{?name,skip,ids,take,partialName}" % space,
        "MachinePolicies": "/api/%s/machinepolicies{/id}{?skip,take,ids,partialName}" % space,
        "Tenants": "/api/%s/tenants{/id}{?skip,projectId,name,tags,take,ids,partialName}" % space,
        "TagSets": "/api/%s/tagsets{/id}{?skip,take,ids,partialName}" % space,
        "Proxies": "/api/%s/proxies{/id}{?skip,take,ids,partialName}" % space,
        "WorkerPools": "/api/%s/workerpools{/id}{?name,skip,ids,take,partialName}" % space,
        "Accounts": "/api/%s/accounts{/id}{?skip,take,ids,partialName,accountType}" % space,
        "Certificates": "/api/%s/certificates{/id}{?skip,take,search,archived,tenant,firstResult,orderBy,ids,partialName}" % space,
    }


def answer(response):
    return response.status_code, response.json()


def error(status, message, errors=()):
    return status, {"ErrorMessage": message, "Errors": list(errors)}


@pytest.fixture
def get(octopus, octopus_headers):
    def get(path, **params):
        return requests.get(octopus + path, headers=octopus_headers, params=params)

    return get


@pytest.fixture
def post(octopus, octopus_headers):
    def post(path, body):
        return requests.post(octopus + path, headers=octopus_headers, json=body)

    return post


def names(response):
    return [item["Name"] for item in response.json()["Items"]]


# -- authentication ------------------------------------------------------------------------


@pytest.mark.parametrize("params", [{"apikey": KEY}, {"ApiKey": KEY}, {"APIKEY": KEY}])
def test_key_in_header_or_query(octopus, octopus_headers, params):
    assert requests.get(octopus + "/api", headers=octopus_headers).status_code == 200
    assert requests.get(octopus + "/api/Spaces-1/machines", params=params).status_code == 200


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/Spaces-1/machines", "/api/no/such/thing", "/api/spaces"])
@pytest.mark.parametrize("headers", [{}, {"X-Octopus-ApiKey": "API-WRONG-SECRET"}])
def test_missing_or_wrong_key_is_unauthorized(octopus, path, headers):
    response = requests.get(octopus + path, headers=headers, params={"apikey": "API-ALSO-WRONG"} if headers else {})
    assert answer(response) == error(401, UNAUTHORIZED)
    assert response.headers["Content-Type"] == "application/json"
    assert "WRONG" not in response.text


def test_an_access_token_is_taken_as_a_bearer_token(octopus):
    token = {"Authorization": "Bearer sandbox-octopus-access-token"}
    assert requests.get(octopus + "/api/Spaces-1/machines", headers=token).status_code == 200
    body = {"Name": "Token", "EnvironmentIds": ["Environments-1"], "Roles": ["r"], "TenantIds": [], "TenantTags": [],
            "Endpoint": {"CommunicationStyle": "None"}}
    assert requests.post(octopus + "/api/Spaces-1/machines", headers=token, json=body).status_code == 201


@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer not-the-sandbox-token"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic c2FuZGJveC1vY3RvcHVzLWFjY2Vzcy10b2tlbg=="},
    # A wrong API key is refused even beside a good token: the key is what the server looks at first.
    {"Authorization": "Bearer sandbox-octopus-access-token", "X-Octopus-ApiKey": "API-WRONG"},
])
def test_a_wrong_or_malformed_access_token_is_unauthorized(octopus, headers):
    response = requests.get(octopus + "/api/Spaces-1/machines", headers=headers)
    assert answer(response) == error(401, UNAUTHORIZED)
    assert "not-the-sandbox-token" not in response.text


def test_the_viewer_key_may_read_but_not_write(octopus):
    viewer = {"X-Octopus-ApiKey": "API-SANDBOXVIEWER"}
    assert requests.get(octopus + "/api/Spaces-1/environments", headers=viewer).status_code == 200
    body = {"Name": "Viewer", "EnvironmentIds": ["Environments-1"], "Roles": ["r"], "TenantIds": [], "TenantTags": [],
            "Endpoint": {"CommunicationStyle": "None"}}
    response = requests.post(octopus + "/api/Spaces-1/machines", headers=viewer, json=body)
    assert answer(response) == error(403, FORBIDDEN)
    override = dict(viewer, **{"X-HTTP-Method-Override": "DELETE"})
    assert requests.post(octopus + "/api/Spaces-1/machines/Machines-1", headers=override).status_code == 403


def test_the_request_log_masks_the_apikey_parameter(sandbox, octopus):
    requests.get(octopus + "/api/Spaces-1/environments", params={"skip": 0, "apikey": KEY})
    log = requests.get(octopus + "/__sandbox__/requests").json()
    host = octopus.split("//", 1)[1]
    assert log == [
        {"method": "GET", "host": host, "path": "/api/Spaces-1/environments", "query": "skip=0&apikey=********", "status": 200}
    ]


# -- root, spaces, users ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api", "/api/"])
def test_root_document(get, path):
    status, body = answer(get(path))
    assert status == 200
    assert (body["Application"], body["Version"], body["ApiVersion"]) == ("Octopus Deploy", "2025.2.0", "3.0.0")
    assert body["InstallationId"] == get("/api").json()["InstallationId"]
    expected = {
        "Self": "/api",
        "SpaceHome": "/api/{spaceId}",
        "Spaces": "/api/spaces{/id}{?name,skip,ids,take,partialName}",
        "CurrentUser": "/api/users/me",
    }
    expected.update(space_links("Spaces-1"))
    assert body["Links"] == expected


@pytest.mark.parametrize("space, name", [("Spaces-1", "Default"), ("Spaces-2", "Platform"), ("spaces-2", "Platform")])
def test_space_root_documents(get, space, name):
    status, body = answer(get("/api/" + space))
    canonical = space.capitalize()
    assert status == 200
    assert body == {"Id": canonical, "Name": name, "Links": dict(space_links(canonical), Self="/api/" + canonical)}


@pytest.mark.parametrize(
    "path", ["/api/Spaces-9", "/api/Spaces-9/machines", "/api/Spaces-9/environments/all", "/api/spaces/Spaces-9"]
)
def test_unknown_space(get, path):
    assert answer(get(path)) == error(404, "The resource 'Spaces-9' was not found.")


def test_spaces(get):
    status, body = answer(get("/api/spaces"))
    assert status == 200
    assert (body["ItemType"], body["TotalResults"], body["ItemsPerPage"]) == ("Space", 2, 30)
    assert [(space["Id"], space["Name"], space["IsDefault"]) for space in body["Items"]] == [
        ("Spaces-1", "Default", True),
        ("Spaces-2", "Platform", False),
    ]
    assert body["Items"][0]["Links"] == {"Self": "/api/spaces/Spaces-1", "SpaceHome": "/api/Spaces-1"}
    assert get("/api/spaces/Spaces-2").json() == body["Items"][1]
    assert get("/api/spaces/all").json() == body["Items"]
    assert names(get("/api/spaces", name="platform")) == ["Platform"]
    assert names(get("/api/spaces", name="Plat")) == []
    assert names(get("/api/spaces", partialName="FAUL")) == ["Default"]


def test_current_user_and_its_spaces(get):
    status, user = answer(get("/api/users/me"))
    assert status == 200
    assert (user["Id"], user["Username"]) == ("Users-1", "sandbox")
    assert user["Links"]["Spaces"] == "/api/users/Users-1/spaces"
    assert get("/api/users/Users-1").json() == user
    spaces = get(user["Links"]["Spaces"]).json()
    assert [space["Id"] for space in spaces if space["IsDefault"]] == ["Spaces-1"]
    assert len(spaces) == 2
    assert answer(get("/api/users/Users-9")) == error(404, "The resource 'Users-9' was not found.")


# -- seeded resources ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "collection, item_type, expected",
    [
        (
            "environments",
            "Environment",
            [("Environments-1", "Development"), ("Environments-2", "Test"), ("Environments-3", "Production")],
        ),
        (
            "machinepolicies",
            "MachinePolicy",
            [("MachinePolicies-1", "Default Machine Policy"), ("MachinePolicies-2", "Transient")],
        ),
        ("tenants", "Tenant", [("Tenants-1", "Acme"), ("Tenants-2", "Globex")]),
        ("tagsets", "TagSet", [("TagSets-2", "Region"), ("TagSets-1", "Tier")]),
        ("proxies", "Proxy", [("Proxies-1", "Corporate proxy")]),
        ("workerpools", "WorkerPool", [("WorkerPools-1", "Default Worker Pool"), ("WorkerPools-2", "Linux workers")]),
        (
            "accounts",
            "Account",
            [("Accounts-4", "aws-deploy"), ("Accounts-3", "azure-sp"), ("Accounts-1", "deploy-ssh"), ("Accounts-5", "gcp-deploy"),
             ("Accounts-2", "k8s-token")],
        ),
        ("certificates", "Certificate", [("Certificates-1", "k8s-client"), ("Certificates-2", "k8s-cluster-ca")]),
        ("machines", "DeploymentTarget", []),
    ],
)
def test_seeded_collections(get, collection, item_type, expected):
    status, body = answer(get("/api/Spaces-1/" + collection))
    assert status == 200
    assert body["ItemType"] == item_type
    assert [(item["Id"], item["Name"]) for item in body["Items"]] == expected
    for item in body["Items"]:
        assert item["SpaceId"] == "Spaces-1"
        assert item["Links"]["Self"] == "/api/Spaces-1/%s/%s" % (collection, item["Id"])
        assert get(item["Links"]["Self"]).json() == item
    assert get("/api/Spaces-1/%s/all" % collection).json() == body["Items"]


def test_the_second_space_has_its_own_resources(get):
    environments = get("/api/Spaces-2/environments").json()["Items"]
    # Sorted by SortOrder: Staging before Production.
    assert [(item["Id"], item["Name"]) for item in environments] == [
        ("Environments-5", "Staging"),
        ("Environments-4", "Production"),
    ]
    assert [item["Id"] for item in get("/api/Spaces-1/environments", name="Production").json()["Items"]] == ["Environments-3"]
    policies = get("/api/Spaces-2/machinepolicies").json()["Items"]
    assert [(item["Id"], item["IsDefault"]) for item in policies] == [("MachinePolicies-3", True)]
    assert get("/api/Spaces-2/tenants").json()["TotalResults"] == 0
    assert get("/api/Spaces-2/accounts/all").json() == []


def test_resource_shapes(get):
    environment = get("/api/Spaces-1/environments/Environments-1").json()
    assert {
        key: environment[key] for key in ("Name", "Description", "SortOrder", "UseGuidedFailure", "AllowDynamicInfrastructure")
    } == {
        "Name": "Development",
        "Description": "",
        "SortOrder": 0,
        "UseGuidedFailure": False,
        "AllowDynamicInfrastructure": True,
    }
    tier = get("/api/Spaces-1/tagsets/TagSets-1").json()
    assert [(tag["Id"], tag["Name"], tag["CanonicalTagName"], tag["SortOrder"]) for tag in tier["Tags"]] == [
        ("TagSets-1-1", "Gold", "Tier/Gold", 0),
        ("TagSets-1-2", "Silver", "Tier/Silver", 1),
    ]
    assert all(tag["Color"].startswith("#") for tag in tier["Tags"])
    assert get("/api/Spaces-1/tenants/Tenants-1").json()["TenantTags"] == ["Tier/Gold", "Region/EU"]
    assert get("/api/Spaces-1/machinepolicies/MachinePolicies-1").json()["IsDefault"] is True
    assert get("/api/Spaces-1/workerpools/WorkerPools-1").json()["IsDefault"] is True
    accounts = get("/api/Spaces-1/accounts").json()["Items"]
    assert [account["AccountType"] for account in accounts] == [
        "AmazonWebServicesAccount", "AzureServicePrincipal", "SshKeyPair", "GoogleCloudAccount", "Token"]
    # Secrets only say whether they are set.
    assert accounts[4]["Token"] == {"HasValue": True, "NewValue": None}
    certificates = get("/api/Spaces-1/certificates").json()["Items"]
    assert [(item["Id"], item["Name"]) for item in certificates] == [("Certificates-1", "k8s-client"), ("Certificates-2", "k8s-cluster-ca")]
    assert certificates[0]["CertificateData"] == {"HasValue": True, "NewValue": None}


def test_get_by_id(get):
    assert get("/api/Spaces-1/environments/environments-2").json()["Id"] == "Environments-2"
    assert answer(get("/api/Spaces-1/environments/Environments-99")) == error(
        404, "The resource 'Environments-99' was not found."
    )
    other_space = "Resource is not found or it doesn't exist in the current space context."
    assert answer(get("/api/Spaces-1/environments/Environments-4")) == error(404, other_space)
    assert get("/api/Spaces-2/environments/Environments-4").json()["Name"] == "Production"


def test_route_forms(get):
    # /api/{spaceId}/..., /api/spaces/{spaceId}/... and the legacy form for the default space.
    assert names(get("/api/environments")) == names(get("/api/Spaces-1/environments"))
    assert names(get("/api/spaces/Spaces-2/environments")) == ["Staging", "Production"]
    assert get("/api/spaces/Spaces-2/environments/Environments-4").json()["SpaceId"] == "Spaces-2"
    assert get("/api/tenants/all").json()[0]["Name"] == "Acme"
    assert get("/api/Spaces-1/environments/").status_code == 200


# -- paging ----------------------------------------------------------------------------------


def create_environments(post, count, space="Spaces-1"):
    for number in range(count):
        assert post("/api/%s/environments" % space, {"Name": "Extra %02d" % number}).status_code == 201


def test_environments_come_ten_to_a_page(get, post):
    create_environments(post, 12)
    first = get("/api/Spaces-1/environments").json()
    assert (first["TotalResults"], first["ItemsPerPage"], first["NumberOfPages"], first["LastPageNumber"]) == (15, 10, 2, 1)
    assert len(first["Items"]) == 10
    assert first["Links"] == {
        "Self": "/api/Spaces-1/environments?skip=0&take=10",
        "Template": "/api/Spaces-1/environments{?name,skip,ids,take,partialName}",
        "Page.All": "/api/Spaces-1/environments?skip=0&take=2147483647",
        "Page.Current": "/api/Spaces-1/environments?skip=0&take=10",
        "Page.Last": "/api/Spaces-1/environments?skip=10&take=10",
        "Page.Next": "/api/Spaces-1/environments?skip=10&take=10",
    }
    second = get(first["Links"]["Page.Next"]).json()
    assert len(second["Items"]) == 5
    assert "Page.Next" not in second["Links"]
    assert second["Links"]["Page.Previous"] == "/api/Spaces-1/environments?skip=0&take=10"
    everything = get(first["Links"]["Page.All"]).json()
    assert (len(everything["Items"]), everything["NumberOfPages"], everything["LastPageNumber"]) == (15, 1, 0)
    assert [item["Id"] for item in first["Items"] + second["Items"]] == [item["Id"] for item in everything["Items"]]


@pytest.mark.parametrize("collection", ["machinepolicies", "tenants", "tagsets"])
def test_other_collections_come_thirty_to_a_page(get, post, collection):
    seeded = get("/api/Spaces-1/" + collection).json()["TotalResults"]
    for number in range(31 - seeded):
        assert post("/api/Spaces-1/" + collection, {"Name": "Extra %02d" % number}).status_code == 201
    body = get("/api/Spaces-1/" + collection).json()
    assert (body["TotalResults"], body["ItemsPerPage"], body["NumberOfPages"], body["LastPageNumber"]) == (31, 30, 2, 1)
    assert len(body["Items"]) == 30
    assert body["Links"]["Page.Next"] == "/api/Spaces-1/%s?skip=30&take=30" % collection
    last = get(body["Links"]["Page.Last"]).json()
    assert len(last["Items"]) == 1
    assert "Page.Next" not in last["Links"]


def test_skip_and_take(get):
    body = get("/api/Spaces-1/environments", skip=1, take=1).json()
    assert [item["Name"] for item in body["Items"]] == ["Test"]
    assert (body["TotalResults"], body["ItemsPerPage"], body["NumberOfPages"], body["LastPageNumber"]) == (3, 1, 3, 2)
    assert body["Links"]["Page.Previous"] == "/api/Spaces-1/environments?skip=0&take=1"
    assert body["Links"]["Page.Next"] == "/api/Spaces-1/environments?skip=2&take=1"
    assert body["Links"]["Page.Last"] == "/api/Spaces-1/environments?skip=2&take=1"
    assert get("/api/Spaces-1/environments", skip=5).json()["Items"] == []
    empty = get("/api/Spaces-2/tenants").json()
    assert (empty["TotalResults"], empty["NumberOfPages"], empty["LastPageNumber"], empty["Items"]) == (0, 1, 0, [])
    assert "Page.Next" not in empty["Links"]


def test_page_links_keep_the_filters_but_never_the_key(octopus):
    response = requests.get(octopus + "/api/Spaces-1/environments", params={"partialName": "e", "take": 1, "apikey": KEY})
    links = response.json()["Links"]
    assert links["Page.Next"] == "/api/Spaces-1/environments?skip=1&take=1&partialName=e"
    assert KEY not in response.text


@pytest.mark.parametrize("params", [{"skip": "-1"}, {"take": "many"}, {"take": "-5"}])
def test_bad_paging_values(get, params):
    name, value = next(iter(params.items()))
    assert answer(get("/api/Spaces-1/environments", **params)) == error(
        400, INVALID, ["The value '%s' is not valid for %s." % (value, name)]
    )


# -- filters ---------------------------------------------------------------------------------


def test_environment_filters(get):
    # The environments' name is a 'contains' match, kept for backwards compatibility.
    assert names(get("/api/Spaces-1/environments", name="prod")) == ["Production"]
    assert names(get("/api/Spaces-1/environments", name="O")) == ["Development", "Production"]
    assert names(get("/api/Spaces-1/environments", partialName="EL")) == ["Development"]
    assert names(get("/api/Spaces-1/environments", ids="Environments-3,Environments-1")) == ["Development", "Production"]
    assert names(get("/api/Spaces-1/environments", ids=["Environments-2", "Environments-3,Environments-4"])) == [
        "Test",
        "Production",
    ]
    assert names(get("/api/Spaces-1/environments", PARTIALNAME="test")) == ["Test"]
    assert [item["Name"] for item in get("/api/Spaces-1/environments/all", ids="Environments-2").json()] == ["Test"]


def test_tenant_filters(get):
    assert names(get("/api/Spaces-1/tenants", name="cm")) == ["Acme"]
    assert names(get("/api/Spaces-1/tenants", partialName="OBE")) == ["Globex"]
    assert names(get("/api/Spaces-1/tenants", ids="Tenants-2")) == ["Globex"]
    # Tags of one tag set: any of them; of several tag sets: one of each.
    assert names(get("/api/Spaces-1/tenants", tags="Tier/Gold")) == ["Acme"]
    assert names(get("/api/Spaces-1/tenants", tags="Tier/Gold,Tier/Silver")) == ["Acme", "Globex"]
    assert names(get("/api/Spaces-1/tenants", tags="Tier/Gold,Region/US")) == []
    assert names(get("/api/Spaces-1/tenants", tags="tier/silver,region/us")) == ["Globex"]
    assert names(get("/api/Spaces-1/tenants", projectId="Projects-1")) == []


@pytest.mark.parametrize(
    "collection, name, partial, found",
    [
        ("machinepolicies", "Transient", "trans", ["Transient"]),
        ("tagsets", "Tier", "IER", ["Tier"]),
        ("proxies", "Nothing", "corp", ["Corporate proxy"]),
        ("accounts", "deploy-ssh", "TOKEN", ["k8s-token"]),
    ],
)
def test_name_is_ignored_where_the_template_lacks_it(get, collection, name, partial, found):
    everything = names(get("/api/Spaces-1/" + collection))
    assert names(get("/api/Spaces-1/" + collection, name=name)) == everything
    assert names(get("/api/Spaces-1/" + collection, partialName=partial)) == found


def test_worker_pools_take_a_name_as_their_template_says(get):
    assert names(get("/api/Spaces-1/workerpools", name="linux")) == ["Linux workers"]
    assert names(get("/api/Spaces-1/workerpools", partialName="DEFAULT")) == ["Default Worker Pool"]


def test_accounts_by_type(get):
    assert names(get("/api/Spaces-1/accounts", accountType="Token")) == ["k8s-token"]
    assert names(get("/api/Spaces-1/accounts", accountType="SshKeyPair,Token")) == ["deploy-ssh", "k8s-token"]


# -- creating resources ---------------------------------------------------------------------


def test_create_environment(get, post):
    status, body = answer(post("/api/Spaces-1/environments", {"Name": " Staging ", "Description": "pre-production"}))
    assert status == 201
    # Ids count across spaces: Environments-4 and -5 are in Spaces-2.
    assert (body["Id"], body["Name"], body["SpaceId"], body["SortOrder"]) == ("Environments-6", "Staging", "Spaces-1", 3)
    assert body["Links"]["Self"] == "/api/Spaces-1/environments/Environments-6"
    assert get(body["Links"]["Self"]).json() == body
    assert names(get("/api/Spaces-1/environments")) == ["Development", "Test", "Production", "Staging"]
    # Names are unique within a space only, and compared without case.
    assert answer(post("/api/Spaces-1/environments", {"Name": "staging"})) == error(
        400, INVALID, ["An environment with this name already exists. Please choose a different name."]
    )
    assert post("/api/Spaces-2/environments", {"Name": "Development"}).json()["Id"] == "Environments-7"


@pytest.mark.parametrize(
    "collection, label",
    [("environments", "environment"), ("machinepolicies", "machine policy"), ("tenants", "tenant"), ("tagsets", "tag set")],
)
@pytest.mark.parametrize("body", [{}, {"Name": ""}, {"Name": "   "}, {"Description": "no name"}])
def test_a_name_is_required(post, collection, label, body):
    assert answer(post("/api/Spaces-1/" + collection, body)) == error(400, INVALID, ["Please provide a name for the %s." % label])


def test_create_machine_policy(get, post):
    status, body = answer(post("/api/Spaces-1/machinepolicies", {"Name": "Short-lived"}))
    assert (status, body["Id"], body["IsDefault"]) == (201, "MachinePolicies-4", False)
    assert body["MachineConnectivityPolicy"] == {"MachineConnectivityBehavior": "ExpectedToBeOnline"}
    assert answer(post("/api/Spaces-1/machinepolicies", {"Name": "TRANSIENT"})) == error(
        400, INVALID, ["A machine policy with this name already exists. Please choose a different name."]
    )


def test_create_tenant(get, post):
    status, body = answer(post("/api/Spaces-1/tenants", {"Name": "Initech", "TenantTags": ["tier/gold"]}))
    assert (status, body["Id"], body["TenantTags"]) == (201, "Tenants-3", ["Tier/Gold"])
    assert names(get("/api/Spaces-1/tenants", tags="Tier/Gold")) == ["Acme", "Initech"]
    assert answer(post("/api/Spaces-1/tenants", {"Name": "Umbrella", "TenantTags": ["Tier/Platinum"]})) == error(
        400, INVALID, ["The tenant tag 'Tier/Platinum' was not found in this space."]
    )
    assert answer(post("/api/Spaces-2/tenants", {"Name": "Umbrella", "TenantTags": ["Tier/Gold"]}))[0] == 400


def test_create_tag_set(get, post):
    status, body = answer(
        post("/api/Spaces-1/tagsets", {"Name": "Size", "Tags": [{"Name": "Small"}, {"Name": "Large", "Color": "#000000"}]})
    )
    assert (status, body["Id"]) == (201, "TagSets-3")
    assert [(tag["Id"], tag["CanonicalTagName"], tag["Color"]) for tag in body["Tags"]] == [
        ("TagSets-3-1", "Size/Small", "#333333"),
        ("TagSets-3-2", "Size/Large", "#000000"),
    ]
    assert post("/api/Spaces-1/tenants", {"Name": "Initech", "TenantTags": ["Size/Large"]}).status_code == 201
    assert answer(post("/api/Spaces-1/tagsets", {"Name": "Colour", "Tags": [{"Name": "Red"}, {"Name": "red"}]})) == error(
        400, INVALID, ["The tag set already has a tag named 'red'."]
    )


@pytest.mark.parametrize("collection", ["proxies", "workerpools", "accounts"])
def test_seed_only_collections_cannot_be_added_to(post, collection):
    response = post("/api/Spaces-1/" + collection, {"Name": "new"})
    assert response.status_code == 405
    assert response.json()["ErrorMessage"] == "The HTTP method POST is not supported by /api/Spaces-1/%s." % collection
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    "data, message, errors",
    [
        ("", "Model validation failed.", ["No request body was supplied."]),
        ("null", "Model validation failed.", ["No request body was supplied."]),
        ("[]", "Model validation failed.", ["The request body must be a JSON object."]),
    ],
)
def test_request_bodies(octopus, octopus_headers, data, message, errors):
    response = requests.post(octopus + "/api/Spaces-1/environments", headers=octopus_headers, data=data)
    assert answer(response) == error(400, message, errors)


def test_invalid_json(octopus, octopus_headers):
    response = requests.post(octopus + "/api/Spaces-1/environments", headers=octopus_headers, data="{not json")
    status, body = answer(response)
    assert (status, body["ErrorMessage"]) == (400, "Model validation failed.")
    assert body["Errors"][0].startswith("The request body is not valid JSON")


# -- errors, faults and reset ------------------------------------------------------------------


def test_unknown_paths(octopus, get):
    assert answer(get("/api/no/such/thing")) == error(404, "The resource '/api/no/such/thing' was not found.")
    assert answer(requests.get(octopus + "/app")) == error(404, "The resource '/app' was not found.")


def test_faults_get_the_octopus_error_body(sandbox, octopus, get):
    faults = [
        {"path": "/environments$", "status": 503},
        {"path": "/tenants$", "status": 404},
        {"path": "/tagsets$", "status": 500},
    ]
    assert requests.post(octopus + "/__sandbox__/faults", json=faults).status_code == 201
    assert answer(get("/api/Spaces-1/environments")) == error(503, "Service Unavailable")
    assert answer(get("/api/Spaces-1/tenants")) == error(404, "The resource '/api/Spaces-1/tenants' was not found.")
    assert answer(get("/api/Spaces-1/tagsets")) == (
        500,
        {"ErrorMessage": "Internal Server Error", "Errors": [], "FullException": "Internal Server Error"},
    )
    assert get("/api/Spaces-1/environments").status_code == 200


def test_reset_restores_the_seed(octopus, get, post):
    post("/api/Spaces-1/environments", {"Name": "Staging"})
    post("/api/Spaces-1/tenants", {"Name": "Initech"})
    assert requests.post(octopus + "/__sandbox__/reset").status_code == 200
    assert names(get("/api/Spaces-1/environments")) == ["Development", "Test", "Production"]
    assert names(get("/api/Spaces-1/tenants")) == ["Acme", "Globex"]
    # The id counters start again too.
    assert post("/api/Spaces-1/environments", {"Name": "Staging"}).json()["Id"] == "Environments-6"
