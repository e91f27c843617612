"""Runs every plugin's EXAMPLES, as written, against the sandbox with the installed collection.

For each plugins/modules/*.py and plugins/lookup/*.py, EXAMPLES is read from the source (parsed,
never imported) and becomes, word for word, the task list of a playbook (hosts: localhost,
gather_facts: false) that ansible-playbook runs against a freshly reset sandbox. The collection is
the one in ANSIBLE_COLLECTIONS_PATH (build/collections, where `make install` puts it), and the
connection is given only the way users give it outside a task: the environment variables the
collection reads (RUNDECK_URL, RUNDECK_API_TOKEN, OPSGENIE_URL, OPSGENIE_API_KEY, OCTOPUS_URL,
OCTOPUS_API_KEY, GITEA_URL, GITEA_USERNAME, GITEA_PASSWORD, JIRA_URL, JIRA_CLOUD_ID, JIRA_CLIENT_ID,
JIRA_CLIENT_SECRET), pointing at the sandbox.

What an example takes for granted comes from plugin_examples_world.py: the sandbox's state after
the reset, and the variables the examples name (passed as extra vars, only those a plugin's
examples use). The files the examples read (plugin_examples_files/) sit next to each playbook.

A plugin fails when it has no EXAMPLES, when they are not a list of tasks, or when any task fails
(an ignored or rescued failure counts). Each plugin's playbook, extra vars and output stay in
build/examples/<kind>-<name>/. The sandbox must be running: `tools/sandbox/sandbox.sh start` writes the
addresses and credentials this script reads to build/sandbox/log.

    tools/examples/run_plugin_examples.py [--sandbox-log FILE] [--ansible-playbook COMMAND] [PLUGIN ...]

--ansible-playbook gives the command that runs a playbook (default: the ansible-playbook beside this
Python, or on PATH); `make compat` passes each ansible-core release's own, some of them run in a root.

PLUGIN limits the run to plugins of that name (rundeck_acl) or kind and name (lookup/rundeck_acl).
"""

import argparse
import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

import requests
import yaml

import plugin_examples_world as world

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KINDS = (("module", "plugins/modules"), ("lookup", "plugins/lookup"))
SERVICES = ("rundeck", "opsgenie", "octopus", "gitea")
TIMEOUT = 600
RECAP_RE = re.compile(r"^localhost\s*:\s*(.*)$", re.MULTILINE)
# A task whose failure is ignored or rescued is still an example that does not work.
MUST_BE_ZERO = ("unreachable", "failed", "rescued", "ignored")


class ExampleError(Exception):
    """A plugin whose examples cannot be run: why, in words."""


def sandbox_settings(log_file):
    """The addresses and credentials the sandbox printed before its ready line (YAML)."""
    try:
        with open(log_file, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        sys.exit("cannot read the sandbox's output (%s): start it with tools/sandbox/sandbox.sh start" % exc)
    head, ready, _rest = text.partition("# sandbox ready")
    if not ready:
        sys.exit("the sandbox is not ready (no ready line in %s): start it with tools/sandbox/sandbox.sh start" % log_file)
    return yaml.safe_load(head)


def connection_environment(sandbox):
    return {
        "RUNDECK_URL": sandbox["rundeck_url"],
        "RUNDECK_API_TOKEN": sandbox["rundeck_token"],
        "OPSGENIE_URL": sandbox["opsgenie_url"],
        "OPSGENIE_API_KEY": sandbox["opsgenie_api_key"],
        "OCTOPUS_URL": sandbox["octopus_url"],
        "OCTOPUS_API_KEY": sandbox["octopus_api_key"],
        "GITEA_URL": sandbox["gitea_url"],
        "GITEA_USERNAME": sandbox["gitea_admin_username"],
        "GITEA_PASSWORD": sandbox["gitea_admin_password"],
        "JIRA_URL": sandbox["jira_url"],
        "JIRA_CLOUD_ID": sandbox["jira_cloud_id"],
        "JIRA_CLIENT_ID": sandbox["jira_client_id"],
        "JIRA_CLIENT_SECRET": sandbox["jira_client_secret"],
    }


def discover(selected):
    """(kind, name, path) of every module and lookup, or of those ``selected`` names."""
    plugins = []
    for kind, folder in KINDS:
        directory = os.path.join(TOP, folder)
        for file_name in sorted(os.listdir(directory)):
            name, extension = os.path.splitext(file_name)
            if extension != ".py" or name == "__init__":
                continue
            if selected and name not in selected and "%s/%s" % (kind, name) not in selected:
                continue
            plugins.append((kind, name, os.path.join(directory, file_name)))
    return plugins


def read_examples(path):
    """The text of the module-level EXAMPLES string of a plugin's source."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(target, ast.Name) and target.id == "EXAMPLES" for target in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str) and node.value.value.strip():
                return node.value.value
            raise ExampleError("EXAMPLES is not a non-empty string")
    raise ExampleError("no EXAMPLES")


def parse_tasks(examples):
    try:
        tasks = yaml.safe_load(examples)
    except yaml.YAMLError as exc:
        raise ExampleError("EXAMPLES is not YAML: %s" % exc) from None
    if not isinstance(tasks, list) or not tasks or not all(isinstance(task, dict) for task in tasks):
        raise ExampleError("EXAMPLES is not a list of tasks")
    return tasks


def write_playbook(directory, kind, name, examples, tasks):
    """The playbook: the EXAMPLES text, indented under ``tasks:``, so comments and layout stay as written."""
    indented = "".join(("    " + line if line.strip() else line) for line in examples.strip("\n").splitlines(True))
    text = "---\n- name: EXAMPLES of %s opsforge.delivery.%s\n  hosts: localhost\n  gather_facts: false\n  tasks:\n%s\n" % (
        kind,
        name,
        indented,
    )
    if yaml.safe_load(text)[0]["tasks"] != tasks:
        raise ExampleError("EXAMPLES does not keep its meaning inside a playbook")
    path = os.path.join(directory, "playbook.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def write_variables(directory, examples, sandbox):
    """The extra vars the examples name, in a file; None when they name none."""
    named = {key: value for key, value in world.variables(sandbox, directory).items() if re.search(r"\b%s\b" % key, examples)}
    if not named:
        return None
    path = os.path.join(directory, "extra-vars.yml")
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(named, handle, default_flow_style=False)
    return path


def reset(sandbox):
    for service in SERVICES:
        response = requests.post(sandbox[service + "_url"] + "/__sandbox__/reset", timeout=30)
        response.raise_for_status()


def playbook_environment(sandbox):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RUNDECK_", "OPSGENIE_", "OCTOPUS_", "GITEA_")) and key != "ANSIBLE_CONFIG"
    }
    environment.update(connection_environment(sandbox))
    environment.update(
        ANSIBLE_COLLECTIONS_PATH=collections_path(),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_NOCOLOR="true",
        ANSIBLE_FORCE_COLOR="false",
        ANSIBLE_RETRY_FILES_ENABLED="false",
    )
    return environment


def collections_path():
    """ANSIBLE_COLLECTIONS_PATH with absolute paths (the playbooks run in their own folders), or build/collections."""
    given = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(TOP, "build", "collections")
    return os.pathsep.join(os.path.abspath(path) for path in given.split(os.pathsep) if path)


def check_installed():
    for root in collections_path().split(os.pathsep):
        if os.path.isfile(os.path.join(root, "ansible_collections", "opsforge", "delivery", "MANIFEST.json")):
            return
    sys.exit("opsforge.delivery is not installed in %s: run make install" % collections_path())


def recap(output):
    """The counts of the play recap's localhost line, {"ok": 3, "changed": 1, ...}."""
    lines = RECAP_RE.findall(output)
    if not lines:
        return None
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", lines[-1])}


def run_plugin(kind, name, path, sandbox, work, playbook_command):
    """Run one plugin's examples; returns (passed, summary)."""
    examples = read_examples(path)
    tasks = parse_tasks(examples)
    directory = os.path.join(work, "%s-%s" % (kind, name))
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(world.FILES, directory)
    playbook = write_playbook(directory, kind, name, examples, tasks)
    command = playbook_command + [playbook]
    variables = write_variables(directory, examples, sandbox)
    if variables:
        command += ["--extra-vars", "@" + variables]
    reset(sandbox)
    world.seed(sandbox, lookup=kind == "lookup")
    try:
        result = subprocess.run(
            command,
            cwd=directory,
            env=playbook_environment(sandbox),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        output = result.stdout
        returncode = result.returncode
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"").decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        output += "\nstopped after %d seconds" % TIMEOUT
        returncode = None
    with open(os.path.join(directory, "ansible-playbook.log"), "w", encoding="utf-8") as handle:
        handle.write(output)
    counts = recap(output)
    passed = returncode == 0 and counts is not None and all(counts.get(key, 0) == 0 for key in MUST_BE_ZERO)
    summary = "%d examples" % len(tasks)
    if counts:
        summary += ": " + " ".join("%s=%d" % (key, counts[key]) for key in ("ok", "changed", "skipped", "failed", "ignored") if key in counts)
    if not passed:
        summary += "\n" + "\n".join("    " + line for line in output.strip().splitlines()[-40:])
    return passed, summary


def ansible_playbook():
    beside = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    return beside if os.path.exists(beside) else shutil.which("ansible-playbook") or "ansible-playbook"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sandbox-log", default=os.path.join(TOP, "build", "sandbox", "log"), help="the running sandbox's output")
    parser.add_argument("--work", default=os.path.join(TOP, "build", "examples"), help="where the playbooks and their output go")
    parser.add_argument("--ansible-playbook", default=ansible_playbook(), help="the command that runs a playbook")
    parser.add_argument("plugins", nargs="*", metavar="PLUGIN", help="name or kind/name of the plugins to run (default: all)")
    args = parser.parse_args()
    sandbox = sandbox_settings(args.sandbox_log)
    check_installed()
    plugins = discover(set(args.plugins))
    if not plugins:
        sys.exit("no plugin matches %s" % " ".join(args.plugins))
    os.makedirs(args.work, exist_ok=True)
    failures = 0
    started = time.monotonic()
    for kind, name, path in plugins:
        began = time.monotonic()
        try:
            passed, summary = run_plugin(kind, name, path, sandbox, args.work, shlex.split(args.ansible_playbook))
        except (ExampleError, RuntimeError, requests.RequestException) as exc:
            passed, summary = False, str(exc)
        failures += not passed
        print("%s  %-6s %-22s %5.1f s  %s" % ("PASS" if passed else "FAIL", kind, name, time.monotonic() - began, summary), flush=True)
    print(
        "%d of %d plugins' examples ran without a failure in %.1f s (logs: %s)"
        % (len(plugins) - failures, len(plugins), time.monotonic() - started, args.work)
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
