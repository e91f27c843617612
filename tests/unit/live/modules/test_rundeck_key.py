"""rundeck_key (and its lookup) run in-process against the sandbox."""

from __future__ import annotations

import json

import pytest

from ansible_collections.opsforge.delivery.plugins.modules.rundeck_key import main

SECRET = "s3cret-Pa55word-never-shown"
PUBLIC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7 deploy@example\n"


def writes(log):
    return [entry for entry in log if entry["method"] != "GET"]


def stored(sandbox, path):
    """The sandbox's own record of a key ({"content", "meta"}), or None."""
    return sandbox.controls["rundeck"].state.keys.keys.get(path)


def no_secret_in(result):
    assert SECRET not in json.dumps(result)


def test_check_mode_then_create_then_unchanged(sandbox, rundeck, module_runner, request_log):
    args = dict(rundeck, path="keys/ci/db-password", type="password", value=SECRET)

    predicted = module_runner(main, args, check_mode=True, diff=True)
    assert predicted["changed"] is True
    assert writes(request_log()) == []
    assert stored(sandbox, "keys/ci/db-password") is None
    assert predicted["diff"] == {"before": {}, "after": {"path": "keys/ci/db-password", "type": "password"}}
    no_secret_in(predicted)

    count = len(request_log())
    created = module_runner(main, args, diff=True)
    assert created["changed"] is True
    assert [(e["method"], e["path"]) for e in request_log()[count:]] == [
        ("GET", "/api/49/storage/keys/ci/db-password"), ("POST", "/api/49/storage/keys/ci/db-password")]
    assert stored(sandbox, "keys/ci/db-password")["content"] == SECRET.encode()
    key = created["key"]
    assert (key["path"], key["name"], key["type"]) == ("keys/ci/db-password", "db-password", "password")
    assert key["meta"]["Rundeck-content-type"] == "application/x-rundeck-data-password"
    assert created["diff"] == predicted["diff"]
    no_secret_in(created)

    count = len(request_log())
    again = module_runner(main, args, diff=True)
    assert again["changed"] is False
    assert len(request_log()) - count == 1  # one GET, nothing else
    assert again["key"] == created["key"]
    no_secret_in(again)


def test_the_keys_prefix_is_added(sandbox, rundeck, module_runner):
    result = module_runner(main, dict(rundeck, path="ci/token", type="password", value=SECRET))
    assert result["key"]["path"] == "keys/ci/token"
    assert stored(sandbox, "keys/ci/token") is not None


def test_update_always_rewrites_every_run(sandbox, rundeck, module_runner, request_log):
    args = dict(rundeck, path="keys/ci/id_rsa", type="private", value="PRIVATE-1")
    module_runner(main, args)
    count = len(request_log())
    changed = module_runner(main, dict(args, value="PRIVATE-2", update="always"))
    assert changed["changed"] is True
    assert [e["method"] for e in request_log()[count:]] == ["GET", "PUT"]
    assert stored(sandbox, "keys/ci/id_rsa")["content"] == b"PRIVATE-2"
    assert "PRIVATE-2" not in json.dumps(changed)
    # on_create leaves it, even with another value: it cannot be read back.
    left = module_runner(main, dict(args, value="PRIVATE-3"))
    assert left["changed"] is False
    assert stored(sandbox, "keys/ci/id_rsa")["content"] == b"PRIVATE-2"


def test_a_different_type_is_rewritten_in_place(sandbox, rundeck, module_runner, request_log):
    module_runner(main, dict(rundeck, path="keys/ci/thing", type="password", value=SECRET))
    count = len(request_log())
    result = module_runner(main, dict(rundeck, path="keys/ci/thing", type="private", value=SECRET), diff=True)
    assert result["changed"] is True
    assert [e["method"] for e in request_log()[count:]] == ["GET", "PUT"]
    assert result["diff"]["before"]["type"] == "password" and result["diff"]["after"]["type"] == "private"
    assert stored(sandbox, "keys/ci/thing")["meta"]["Rundeck-key-type"] == "private"
    no_secret_in(result)


@pytest.mark.parametrize("download", [True, False])
def test_public_keys_by_content_when_served(sandbox, rundeck, module_runner, request_log, download):
    sandbox.controls["rundeck"].state.keys.public_keys_download = download
    args = dict(rundeck, path="keys/ci/deploy.pub", type="public", value=PUBLIC)
    module_runner(main, args)
    count = len(request_log())
    again = module_runner(main, args)
    assert again["changed"] is False
    assert len(request_log()) - count == 2  # the metadata, then the content (or metadata again)
    other = module_runner(main, dict(args, value=PUBLIC.replace("deploy", "other")))
    # Served content is compared; content the server keeps to itself follows update: on_create.
    assert other["changed"] is download
    assert "content" not in other["key"]


def test_delete_then_absent(sandbox, rundeck, module_runner, request_log):
    module_runner(main, dict(rundeck, path="keys/ci/old", type="password", value=SECRET))
    predicted = module_runner(main, dict(rundeck, path="keys/ci/old", state="absent"), check_mode=True)
    assert predicted["changed"] is True and stored(sandbox, "keys/ci/old") is not None
    deleted = module_runner(main, dict(rundeck, path="keys/ci/old", state="absent"))
    assert deleted["changed"] is True and deleted["key"] == {}
    assert stored(sandbox, "keys/ci/old") is None
    count = len(request_log())
    again = module_runner(main, dict(rundeck, path="keys/ci/old", state="absent"))
    assert again["changed"] is False
    assert [e["method"] for e in request_log()[count:]] == ["GET"]


@pytest.mark.parametrize("args, words", [
    (dict(path="keys/../etc", type="password"), "not a valid Rundeck key path"),
    (dict(path="keys", type="password"), "not keys/ itself"),
    (dict(path="keys/ci/b@d", type="password"), "not a valid Rundeck key path"),
    (dict(path="keys/ci/x", type="password", value=""), "must not be empty"),
])
def test_bad_input_fails_with_nothing_sent(rundeck, module_runner, request_log, args, words):
    full = dict(rundeck, **dict(dict(value=SECRET), **args))
    result = module_runner(main, full)
    assert result["failed"] is True
    assert words in result["msg"]
    assert request_log() == []
    no_secret_in(result)


def test_a_directory_is_not_a_key(sandbox, rundeck, module_runner, request_log):
    module_runner(main, dict(rundeck, path="keys/ci/sub/x", type="password", value=SECRET))
    count = len(request_log())
    result = module_runner(main, dict(rundeck, path="keys/ci/sub", type="password", value=SECRET))
    assert result["failed"] is True and "is a directory" in result["msg"]
    assert writes(request_log()[count:]) == []
    no_secret_in(result)


def test_a_refused_write_names_no_secret(sandbox, rundeck, real_failure, add_fault):
    # A server that quotes what it was sent back in its error.
    add_fault({"method": "POST", "path": "/storage/keys/", "status": 500, "body": json.dumps({"error": "failed " + SECRET})})
    result = real_failure(main, dict(rundeck, path="keys/ci/db", type="password", value=SECRET))
    assert result["status"] == 500
    no_secret_in(result)


def test_lookup_lists_metadata_and_public_content_only(sandbox, rundeck, module_runner):
    from ansible_collections.opsforge.delivery.plugins.lookup.rundeck_key import LookupModule

    sandbox.controls["rundeck"].state.keys.public_keys_download = True
    module_runner(main, dict(rundeck, path="keys/ci/db", type="password", value=SECRET))
    module_runner(main, dict(rundeck, path="keys/ci/deploy.pub", type="public", value=PUBLIC))
    module_runner(main, dict(rundeck, path="keys/ci/sub/x", type="private", value=SECRET))
    options = dict(url=rundeck["url"], api_token=rundeck["api_token"], retries=0, public_content=True)
    entries = LookupModule().lookup(["keys/ci"], options)
    assert [(e["path"], e["type"]) for e in entries] == [
        ("keys/ci/db", "password"), ("keys/ci/deploy.pub", "public"), ("keys/ci/sub", "directory")]
    assert entries[1]["content"] == PUBLIC and entries[0]["content"] is None
    assert SECRET not in json.dumps(entries)
    one = LookupModule().lookup(["ci/db"], dict(options, public_content=False))
    assert one[0]["meta"]["Rundeck-data-type"] == "password" and "content" not in one[0]
