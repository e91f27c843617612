# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The gitea_token_rotation role for an account with two-factor authentication, in a real playbook."""

from __future__ import annotations

import time

import requests

from tests.sandbox import gitea_totp


def _enrol(sandbox, user):
    response = requests.post(sandbox.urls["gitea"] + "/__sandbox__/gitea/totp", json={"user": user}, timeout=5)
    assert response.status_code == 201, response.text


def _rotation(sandbox, **role_vars):
    return {
        "name": "Rotate",
        "ansible.builtin.include_role": {"name": "opsforge.delivery.gitea_token_rotation"},
        "vars": dict({
            "gitea_token_rotation_url": sandbox.urls["gitea"],
            "gitea_token_rotation_username": "alice",
            "gitea_token_rotation_password": sandbox.credentials["gitea_alice_password"],
            "gitea_token_rotation_prefix": "ci",
            "gitea_token_rotation_scopes": ["read:user"],
        }, **role_vars),
    }


def test_the_role_signs_in_with_the_code_in_its_variable(sandbox, playbook):
    _enrol(sandbox, "alice")
    code = gitea_totp.code_at(gitea_totp.DEFAULT_SECRET, time.time())
    run = playbook.run([_rotation(sandbox, gitea_token_rotation_otp="{{ code }}")], module_defaults={},
                       extra_vars={"code": code})
    assert run.returncode == 0, run.output()
    assert [entry["method"] for entry in sandbox.writes("gitea")] == ["POST"]
    # The code is a credential: the role passes it on without showing it.
    assert code not in run.stdout + run.stderr + run.log_text


def test_an_empty_code_leaves_gitea_otp_to_apply(sandbox, playbook):
    _enrol(sandbox, "alice")
    code = gitea_totp.code_at(gitea_totp.DEFAULT_SECRET, time.time())
    run = playbook.run([_rotation(sandbox)], module_defaults={}, env={"GITEA_OTP": code})
    assert run.returncode == 0, run.output()
    assert len(sandbox.writes("gitea")) == 1


def test_check_mode_rotates_for_a_user_an_earlier_task_creates(sandbox, playbook):
    # The user does not exist yet: in a real run an earlier task would create it.
    credentials = sandbox.credentials
    rotation = _rotation(sandbox, gitea_token_rotation_user="newcomer",
                         gitea_token_rotation_username=credentials["gitea_admin_username"],
                         gitea_token_rotation_password=credentials["gitea_admin_password"])
    run = playbook.run([rotation], module_defaults={}, check=True, diff=True)
    assert run.returncode == 0, run.output()
    assert sandbox.writes("gitea") == []
    created = run.result("opsforge.delivery.gitea_token_rotation : Gitea token rotation | create the new token")
    assert created["status"] == "changed", run.summary()
    assert "Gitea has no user newcomer yet" in run.stderr + run.stdout, run.output()
    real = playbook.run([rotation], module_defaults={})
    assert real.returncode != 0
    assert "Gitea has no user newcomer; check user" in real.stdout + real.stderr, real.output()


def test_an_empty_prefix_is_refused_before_any_request(sandbox, playbook):
    run = playbook.run([_rotation(sandbox, gitea_token_rotation_prefix=" ")], module_defaults={})
    assert run.returncode != 0
    assert "gitea_token_rotation_prefix is empty" in run.stdout, run.output()
    assert sandbox.requests("gitea") == []
