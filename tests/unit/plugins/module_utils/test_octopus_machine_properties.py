"""Properties of deployment target comparison: sets of environments, roles and tenants, and endpoints.

The server's side is the sandbox's Octopus (``tests/sandbox/octopus_machines.py``): it keeps reference
lists without repeats ignoring case, maps names to their own spelling, fills in endpoint defaults and
reports health between reads.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.opsforge.delivery.plugins.module_utils._octopus_machine import SET_FIELDS, canonical_machine
from ansible_collections.opsforge.delivery.plugins.modules.octopus_machine import main as octopus_machine_main

THUMBPRINT = "8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F0A9B"
FINGERPRINT = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"


def spellings(values):
    """Each value in upper, lower or its own case: Octopus compares these names ignoring case."""
    return st.lists(st.builds(lambda value, spell: spell(value), st.sampled_from(values),
                              st.sampled_from([str, str.lower, str.upper])), min_size=1, max_size=4)


# -- what a person writes ----------------------------------------------------------------

environments = spellings(["Development", "Test", "Production"])
roles = st.lists(st.sampled_from(["web", "Web", "db", "worker", "app-server", "WEB"]), min_size=1, max_size=4)
tenants = spellings(["Acme", "Globex"])
tenant_tags = spellings(["Tier/Gold", "Tier/Silver", "Region/EU", "Region/US"])
endpoints = st.one_of(
    st.fixed_dictionaries({"communication_style": st.just("listening"),
                           "uri": st.sampled_from(["https://web01.example.com:10933/", "HTTPS://10.0.0.5:10933"]),
                           "thumbprint": st.sampled_from([THUMBPRINT, THUMBPRINT.lower()])},
                          optional={"proxy": st.sampled_from(["Corporate proxy", "corporate PROXY"])}),
    st.fixed_dictionaries({"communication_style": st.just("polling"),
                           "uri": st.just("poll://abcdefghij0123456789/"),
                           "thumbprint": st.sampled_from([THUMBPRINT, THUMBPRINT.lower()])}),
    st.fixed_dictionaries({"communication_style": st.just("ssh"),
                           "host": st.sampled_from(["web01.example.com", "10.0.0.7"]),
                           "fingerprint": st.just(FINGERPRINT),
                           "account": st.sampled_from(["deploy-ssh", "Deploy-SSH"])},
                          optional={"port": st.integers(1, 65535), "proxy": st.just("Corporate proxy"),
                                    "dotnet_platform": st.sampled_from(["linux-x64", "osx-x64"])}),
    st.fixed_dictionaries({"communication_style": st.just("cloud_region")},
                          optional={"default_worker_pool": st.sampled_from(["Linux workers", "default worker pool"])}),
    st.fixed_dictionaries({"communication_style": st.just("offline_drop"),
                           "drop_folder_path": st.sampled_from(["C:\\Drops", "/srv/drops"])},
                          optional={"applications_directory": st.just("C:\\Applications"),
                                    "working_directory": st.just("C:\\Octopus")}),
    st.fixed_dictionaries({"communication_style": st.just("kubernetes"),
                           "cluster_url": st.sampled_from(["https://k8s.example.com:6443", "https://10.1.0.1"])},
                          optional={"namespace": st.sampled_from(["default", "web"]), "skip_tls_verification": st.booleans(),
                                    "proxy": st.just("Corporate proxy"), "default_worker_pool": st.just("Linux workers"),
                                    "account": st.just("k8s-token")}),
    # Every other Kubernetes authentication, each with the options it needs, spelled as people do.
    st.fixed_dictionaries({"communication_style": st.just("kubernetes"), "cluster_url": st.just("https://k8s.example.com:6443")},
                          optional={"skip_tls_verification": st.booleans()}).flatmap(
        lambda base: st.one_of(
            st.fixed_dictionaries({"authentication_type": st.just("aws"), "account": st.sampled_from(["k8s-token", "K8S-TOKEN"]),
                                   "cluster_name": st.just("eks-prod")}),
            st.fixed_dictionaries({"authentication_type": st.just("azure"), "account": st.just("k8s-token"),
                                   "cluster_name": st.just("aks-prod"), "cluster_resource_group": st.just("rg-prod")}),
            st.fixed_dictionaries({"authentication_type": st.just("google_cloud"), "account": st.just("k8s-token"),
                                   "cluster_name": st.just("gke-prod"), "project": st.just("my-project")},
                                  optional={"zone": st.just("europe-west1-b")}),
            st.fixed_dictionaries({"authentication_type": st.just("certificate"), "client_certificate": st.just("Certificates-1")}),
            st.fixed_dictionaries({"authentication_type": st.just("pod_service"),
                                   "token_path": st.just("/var/run/secrets/kubernetes.io/serviceaccount/token")}),
        ).map(lambda authentication: dict(base, **authentication))),
)


def _target(options):
    target = dict(options)
    if (target.get("tenants") or target.get("tenant_tags")) and target.get("tenanted_deployment_participation") == "Untenanted":
        # Tenants on an untenanted target are refused by the server; a person sets one or the other.
        del target["tenanted_deployment_participation"]
    return target


targets = st.fixed_dictionaries(
    {"name": st.sampled_from(["web01", "Web 02", "db-01.example.com", " web03", "web04 "]), "environments": environments,
     "roles": roles,
     "endpoint": endpoints},
    optional={"tenants": tenants, "tenant_tags": tenant_tags,
              "tenanted_deployment_participation": st.sampled_from(["Untenanted", "TenantedOrUntenanted", "Tenanted"]),
              "machine_policy": st.sampled_from(["Default Machine Policy", "transient"]),
              "disabled": st.booleans()},
).map(_target)
seeds = st.integers(0, 2 ** 16)


def reshuffled(target, seed):
    """The same target with its set-like lists in another order, with repeats, in other cases."""
    rng = random.Random(seed)
    result = dict(target)
    for option in ("environments", "roles", "tenants", "tenant_tags"):
        if option in result:
            values = list(result[option]) + rng.sample(result[option], rng.randint(0, len(result[option])))
            rng.shuffle(values)
            if option != "roles":
                values = [rng.choice([value, value.lower(), value.upper()]) for value in values]
            result[option] = values
    return result


# Machines as the server shows them (its lists are never null), with what it reports about them.
machines = st.fixed_dictionaries({
    "Name": st.sampled_from(["web01", "Web01"]),
    "EnvironmentIds": st.lists(st.sampled_from(["Environments-1", "environments-1", "Environments-2"]), max_size=3),
    "Roles": st.lists(st.sampled_from(["web", "Web", "db"]), max_size=3),
    "TenantIds": st.lists(st.sampled_from(["Tenants-1", "tenants-2"]), max_size=2),
    "TenantTags": st.lists(st.sampled_from(["Tier/Gold", "tier/gold", "Region/EU"]), max_size=2),
    "IsDisabled": st.booleans(),
    "Endpoint": st.fixed_dictionaries({"CommunicationStyle": st.sampled_from(["TentaclePassive", "Ssh", "Kubernetes"])}, optional={
        "Thumbprint": st.sampled_from([THUMBPRINT, THUMBPRINT.lower()]),
        "Uri": st.just("ssh://web01:22/"),
        "SkipTlsVerification": st.sampled_from([True, False, "True", "False"]),
        "Id": st.none(), "Links": st.just({}), "TentacleVersionDetails": st.just({"Version": "8.3.2966"}),
    }),
}, optional={"HealthStatus": st.sampled_from(["Healthy", "Unavailable"]), "StatusSummary": st.just("checked"),
             "HasLatestCalamari": st.booleans(), "Links": st.just({"Self": "/api/Spaces-1/machines/Machines-1"})})


def connection(server):
    return dict(url=server.urls["octopus"], api_key=server.credentials["octopus_api_key"], retries=0)


# -- properties ------------------------------------------------------------------------------


@given(machines)
def test_normalizing_twice_changes_nothing(machine):
    once = canonical_machine(machine)
    assert canonical_machine(once) == once


@given(machines, seeds)
def test_sets_compare_without_order_repeats_or_case(machine, seed):
    rng = random.Random(seed)
    other = dict(machine)
    for field in SET_FIELDS:
        values = list(other[field] or [])
        values += rng.sample(values, rng.randint(0, len(values)))
        rng.shuffle(values)
        other[field] = [rng.choice([value, value.upper(), value.lower()]) for value in values]
    assert canonical_machine(other) == canonical_machine(machine)


@given(machines)
def test_what_the_server_reports_is_never_a_difference(machine):
    reported = dict(machine, HealthStatus="Unhealthy", StatusSummary="failed", HasLatestCalamari=False, Status="Offline",
                    Links={"Self": "elsewhere"}, LastModifiedOn="2026-01-01T00:00:00Z")
    assert canonical_machine(reported) == canonical_machine(machine)


# module_runner holds no state: sharing it between examples is safe.
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(targets, seeds)
def test_a_target_equals_its_own_server_round_trip(sandbox_server, module_runner, target, seed):
    sandbox_server.reset()
    args = dict(connection(sandbox_server), **target)
    created = module_runner(octopus_machine_main, args)
    assert created.get("failed") is not True and created["changed"] is True, created
    # The same target, its lists in another order, with repeats and in other cases: no change.
    again = module_runner(octopus_machine_main, dict(args, **reshuffled(target, seed)))
    assert again.get("failed") is not True and again["changed"] is False, again
    # A role more is a change.
    changed = module_runner(octopus_machine_main, dict(args, roles=target["roles"] + ["role-%d" % seed]))
    assert changed["changed"] is True, changed
    assert "role-%d" % seed in changed["machine"]["Roles"]
