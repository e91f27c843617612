"""A real ansible-playbook run at -vvvv: no credential appears anywhere in its output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from tests.support.ansible_environment import ansible_command
from tests.support.paths import COLLECTIONS_PATH


PLAYBOOK = textwrap.dedent("""
    - name: Tasks of every service that succeed and fail, at -vvvv
      hosts: localhost
      gather_facts: false
      module_defaults:
        group/opsforge.delivery.rundeck:
          url: "{{ rundeck_url }}"
          api_token: "{{ rundeck_api_token }}"
      tasks:
        - name: Create a policy
          opsforge.delivery.rundeck_acl:
            name: verbose
            policy: [{description: d, context: {application: rundeck}, for: {project: [{allow: read}]}, by: {group: g}}]
        - name: A policy the server refuses
          opsforge.delivery.rundeck_acl:
            name: refused
            policy: "description: no sections"
          ignore_errors: true
        - name: A token the server does not know
          opsforge.delivery.rundeck_acl:
            name: verbose
            state: absent
            api_token: "{{ wrong_token }}"
          ignore_errors: true
        - name: Read it back with the lookup
          ansible.builtin.debug:
            msg: "{{ lookup('opsforge.delivery.rundeck_acl', 'verbose', url=rundeck_url, api_token=rundeck_api_token).name }}"
        - name: A project with a label and a property
          opsforge.delivery.rundeck_project:
            name: verbose
            label: Verbose project
            config: {project.nodeCache.enabled: false}
        - name: A project read with a token the server does not know
          opsforge.delivery.rundeck_project:
            name: verbose
            api_token: "{{ wrong_token }}"
          ignore_errors: true
        - name: Read the project back with the lookup
          ansible.builtin.debug:
            msg: "{{ lookup('opsforge.delivery.rundeck_project', 'verbose', url=rundeck_url, api_token=rundeck_api_token).label }}"
        - name: An Octopus target
          opsforge.delivery.octopus_machine:
            url: "{{ octopus_url }}"
            api_key: "{{ octopus_api_key }}"
            name: verbose
            environments: [Test]
            roles: [web]
            endpoint: {communication_style: cloud_region}
        - name: An Octopus key the server does not know
          opsforge.delivery.octopus_machine:
            url: "{{ octopus_url }}"
            api_key: "{{ wrong_octopus_key }}"
            name: verbose
            state: absent
          ignore_errors: true
        - name: Read the target back with the lookup
          ansible.builtin.debug:
            msg: "{{ lookup('opsforge.delivery.octopus_machine', 'verbose', url=octopus_url, api_key=octopus_api_key).Id }}"
        - name: A Gitea token, created and then rotated
          opsforge.delivery.gitea_token:
            url: "{{ gitea_url }}"
            username: alice
            password: "{{ gitea_password }}"
            name: verbose
            scopes: [read:user]
            recreate: always
          no_log: true
          loop: [1, 2]
          register: gitea_tokens
        - name: Keep the secrets to search for them
          ansible.builtin.copy:
            content: "{{ gitea_tokens.results | map(attribute='token') | map(attribute='sha1') | join('\\n') }}"
            dest: "{{ secrets_file }}"
            mode: "0600"
          no_log: true
        - name: A Gitea password the server does not know
          opsforge.delivery.gitea_token:
            url: "{{ gitea_url }}"
            username: alice
            password: "{{ wrong_gitea_password }}"
            name: verbose
            state: absent
          ignore_errors: true
        - name: Read the Gitea token back with the lookup
          ansible.builtin.debug:
            msg: "{{ lookup('opsforge.delivery.gitea_token', 'verbose', url=gitea_url, username='alice', password=gitea_password).id }}"
        - name: An Opsgenie deployment, started and finished
          opsforge.delivery.opsgenie_deployment:
            url: "{{ opsgenie_url }}"
            api_key: "{{ opsgenie_api_key }}"
            external_id: verbose
            state: "{{ item }}"
            environment: {type: Test, id: lab}
            releases: [{workspace: sandbox, repo_slug: app, commit: 0c9135c}]
          loop: [started, successful]
        - name: An Opsgenie key the server does not know
          opsforge.delivery.opsgenie_deployment:
            url: "{{ opsgenie_url }}"
            api_key: "{{ wrong_opsgenie_key }}"
            external_id: verbose
            state: failed
          ignore_errors: true
        - name: Read the deployment back with the lookup
          ansible.builtin.debug:
            msg: "{{ lookup('opsforge.delivery.opsgenie_deployment', 'verbose', url=opsgenie_url, api_key=opsgenie_api_key).state }}"
        - name: A Jira deployment, started and finished
          opsforge.delivery.jira_deployment:
            url: "{{ jira_url }}"
            site: "{{ jira_url }}"
            client_id: sandbox-jira-client
            client_secret: "{{ jira_client_secret }}"
            pipeline_id: verbose
            environment_id: lab
            sequence_number: 1
            deployment_state: "{{ item }}"
            display_name: Verbose
            deployment_url: https://ci.example.com/verbose/1
            issue_keys: [WEB-1]
          loop: [in_progress, successful]
        - name: A Jira client secret the server does not know
          opsforge.delivery.jira_deployment:
            url: "{{ jira_url }}"
            cloud_id: sandbox-cloud
            client_id: sandbox-jira-client
            client_secret: "{{ wrong_jira_secret }}"
            pipeline_id: verbose
            environment_id: lab
            sequence_number: 1
            state: absent
          ignore_errors: true
        - name: Read the Jira deployment back with the lookup
          ansible.builtin.debug:
            msg: >-
              {{ lookup('opsforge.delivery.jira_deployment', 1, pipeline_id='verbose', environment_id='lab', url=jira_url,
                        cloud_id='sandbox-cloud', client_id='sandbox-jira-client', client_secret=jira_client_secret).state }}
""")


def test_no_token_in_vvvv_output(sandbox, tmp_path):
    token = sandbox.credentials["rundeck_token"]
    wrong = "wrong-token-0123456789"
    octopus_key = sandbox.credentials["octopus_api_key"]
    wrong_octopus_key = "API-WRONGKEY0123456789ABCDEF"
    gitea_password = sandbox.credentials["gitea_alice_password"]
    wrong_gitea_password = "not-alice-password-0123"
    opsgenie_key = sandbox.credentials["opsgenie_api_key"]
    wrong_opsgenie_key = "0e2b7c0a-wrong-opsgenie-key-0123"
    jira_secret = sandbox.credentials["jira_client_secret"]
    wrong_jira_secret = "wrong-jira-secret-0123456789"
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    (tmp_path / "vars.json").write_text(json.dumps(dict(
        rundeck_url=sandbox.urls["rundeck"], rundeck_api_token=token, wrong_token=wrong,
        octopus_url=sandbox.urls["octopus"], octopus_api_key=octopus_key, wrong_octopus_key=wrong_octopus_key,
        gitea_url=sandbox.urls["gitea"], gitea_password=gitea_password, wrong_gitea_password=wrong_gitea_password,
        opsgenie_url=sandbox.urls["opsgenie"], opsgenie_api_key=opsgenie_key, wrong_opsgenie_key=wrong_opsgenie_key,
        jira_url=sandbox.urls["jira"], jira_client_secret=jira_secret, wrong_jira_secret=wrong_jira_secret,
        secrets_file=str(tmp_path / "secrets"),
        ansible_python_interpreter=sys.executable)))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    run = subprocess.run(
        [ansible_command("ansible-playbook"), "-vvvv", str(tmp_path / "play.yml"),
         "-e", "@%s" % (tmp_path / "vars.json"), "-c", "local", "-i", "localhost,"],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert "ok: [localhost]" in output and "HTTP 403" in output and "refused.aclpolicy[1]" in output
    assert "could not read project verbose" in output and '"msg": "Verbose project"' in output
    assert "HTTP 401" in output and "Machines-" in output and "Could not authenticate" in output
    assert "access_denied: Unauthorized" in output and '"msg": "successful"' in output
    created_tokens = (tmp_path / "secrets").read_text().split()
    assert len(created_tokens) == 2 and all(len(value) == 40 for value in created_tokens)
    # The access tokens the Jira tasks got: one per task in the worker, where a loop's items share the
    # task's process; one per item when every item is a module process of its own.
    jira_tokens = sandbox.controls["jira"].state.tokens
    assert len(jira_tokens) == (3 if os.environ.get("OPSFORGE_DELIVERY_EXECUTION") == "module" else 2)
    for secret in (token, wrong, octopus_key, wrong_octopus_key, gitea_password, wrong_gitea_password,
                   opsgenie_key, wrong_opsgenie_key, jira_secret, wrong_jira_secret, *created_tokens, *jira_tokens):
        assert secret not in output
