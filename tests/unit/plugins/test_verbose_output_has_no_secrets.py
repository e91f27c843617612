"""A real ansible-playbook run at -vvvv: no credential appears anywhere in its output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

# <collections path>/ansible_collections/opsforge/delivery/tests/unit/plugins/<this file>
COLLECTIONS_PATH = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 6))

PLAYBOOK = textwrap.dedent("""
    - name: Rundeck ACL tasks that succeed and fail, at -vvvv
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
""")


def test_no_token_in_vvvv_output(sandbox, tmp_path):
    token = sandbox.credentials["rundeck_token"]
    wrong = "wrong-token-0123456789"
    octopus_key = sandbox.credentials["octopus_api_key"]
    wrong_octopus_key = "API-WRONGKEY0123456789ABCDEF"
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    (tmp_path / "vars.json").write_text(json.dumps(dict(
        rundeck_url=sandbox.urls["rundeck"], rundeck_api_token=token, wrong_token=wrong,
        octopus_url=sandbox.urls["octopus"], octopus_api_key=octopus_key, wrong_octopus_key=wrong_octopus_key,
        ansible_python_interpreter=sys.executable)))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    bindir = os.path.dirname(sys.executable)
    run = subprocess.run(
        [os.path.join(bindir, "ansible-playbook"), "-vvvv", str(tmp_path / "play.yml"),
         "-e", "@%s" % (tmp_path / "vars.json"), "-c", "local", "-i", "localhost,"],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert "ok: [localhost]" in output and "HTTP 403" in output and "refused.aclpolicy[1]" in output
    assert "HTTP 401" in output and "Machines-" in output
    for secret in (token, wrong, octopus_key, wrong_octopus_key):
        assert secret not in output
