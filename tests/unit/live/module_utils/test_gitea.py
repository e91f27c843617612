"""The Gitea client against the sandbox: what a failed token listing says."""

from __future__ import annotations

import pytest

from ansible_collections.opsforge.delivery.plugins.module_utils._gitea import GiteaClient
from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError


def connection(sandbox, url_suffix=""):
    credentials = sandbox.credentials
    return dict(url=sandbox.urls["gitea"] + url_suffix, username=credentials["gitea_admin_username"],
                password=credentials["gitea_admin_password"], retries=0)


def test_a_user_that_does_not_exist_is_named(sandbox):
    client = GiteaClient(connection(sandbox), "nobody")
    with pytest.raises(ApiError) as failed:
        client.list_tokens()
    assert failed.value.status == 404
    assert "Gitea has no user nobody; check user" in str(failed.value)
    assert sandbox.credentials["gitea_admin_password"] not in str(failed.value)


def test_a_wrong_address_is_blamed_on_url(sandbox):
    client = GiteaClient(connection(sandbox, "/gitea"))
    with pytest.raises(ApiError) as failed:
        client.list_tokens()
    assert failed.value.status == 404
    assert "check that url is the address of the Gitea server" in str(failed.value)


def test_an_existing_user_is_listed(sandbox):
    tokens = GiteaClient(connection(sandbox), "alice").list_tokens()
    assert tokens == []
