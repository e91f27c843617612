"""`make compat`: the collection on every ansible-core release it supports, with real playbooks.

For each ansible-core of MATRIX, a "lane":

1. a virtualenv with that ansible-core and the collection's requirements (requirements.txt), built
   once and kept under build/compat (ansible-core 2.20 and later need Python 3.12+, which this
   machine lacks: their virtualenvs live in a Debian trixie root with Python 3.13, see
   trixie_root.sh, and every command of theirs runs there under chroot);
2. the built collection tarball installed with that release's own ansible-galaxy;
3. a sandbox of its own on its own ports (the lanes run side by side);
4. every integration target (tests/integration/targets, but the hidden ones), each as the role of a
   playbook with the variables ansible-test would give it (not in the 2.19 lane: `make reliability`
   runs every target on 2.19 already, see TARGETS_IN_RELIABILITY);
5. every plugin's EXAMPLES, as written (tools/examples/run_plugin_examples.py).

The lanes split the two ways a module task runs (see EXECUTION): the older releases execute every
module as a module (OPSFORGE_DELIVERY_EXECUTION=module), the newer ones run them in Ansible's
worker, the default on the controller; so every integration target and every EXAMPLES run passes
both ways on every run of `make compat`.

A lane fails when a playbook fails or when ansible-core prints a deprecation warning, but the one the
collection gives itself for opsgenie_deployment (meta/runtime.yml: Opsgenie's end of support), which
every run of that module prints. Everything a lane ran stays in build/compat/<minor>/lane.log (and each
playbook's files beside it).

Three checks run beside the lanes:

- ansible-test sanity with the newest release (in the trixie root), since Galaxy and Automation Hub
  check uploads with the newest, whose rules are the strictest;
- ansible-test units with the oldest release;
- Galaxy's importer on the built tarball (galaxy_importer.sh).

The virtualenvs are made first, all at once (they wait on PyPI, not on the processor); then the
lanes and checks share --jobs workers, longest first.

    tools/compat/run_compat.py [--jobs N] [--first-port PORT] [NAME ...]     e.g. run_compat.py 2.16 2.21 sanity-newest

NAME is a lane's minor (2.16 ... 2.21), sanity-newest, units-oldest or importer; without one, all run.
"""

import argparse
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMPAT = os.path.join(TOP, "build", "compat")
TARGETS = os.path.join(TOP, "tests", "integration", "targets")
TRIXIE_ROOT = os.path.join(TOP, "tools", "compat", "trixie_root.sh")
SANDBOX_PYTHON = os.path.join(TOP, ".venv", "bin", "python")
FIRST_PORT = 24500

# (minor, the release tested, where it runs, how its module tasks run). The README's support matrix lists the same releases.
MATRIX = (
    ("2.16", "2.16.19", "host", "module"),
    ("2.17", "2.17.14", "host", "module"),
    ("2.18", "2.18.19", "host", "module"),
    ("2.19", "2.19.14", "host", "auto"),
    ("2.20", "2.20.10", "trixie", "auto"),
    ("2.21", "2.21.5", "trixie", "auto"),
)
# The lane's OPSFORGE_DELIVERY_EXECUTION: "module" executes every module as a module; "auto" runs them in
# Ansible's worker, as they run by default on the controller. Words for the summary line.
EXECUTION = {"module": "executed as modules", "auto": "in the worker"}
# `make reliability` runs every integration target (at -vvvv, with no secret in the output allowed) on
# the development virtualenv's ansible-core, a 2.19 like this lane's: this lane runs the EXAMPLES only,
# so that `make test` runs no target twice on one release.
TARGETS_IN_RELIABILITY = "2.19"
# ansible-core's own deprecation notices name the code they are about; ours say opsforge.delivery.
DEPRECATION_RE = re.compile(r"\[DEPRECATION WARNING\]:.*", re.MULTILINE)
# The deprecations the collection declares in meta/runtime.yml: expected, so no lane fails on them. The
# notice starts with the plugin's name on every release (older ones wrap the rest onto more lines).
EXPECTED_DEPRECATIONS = (re.compile(r"^\[DEPRECATION WARNING\]: opsforge\.delivery\.opsgenie_deployment( |$)"),)


class LaneFailed(Exception):
    """A step of a lane that did not pass: what failed, in words, and where its output is."""


class Lane:
    """One ansible-core release: where its virtualenv is and how its commands are run."""

    def __init__(self, index, minor, release, where, execution, first_port=FIRST_PORT):
        self.minor = minor
        self.release = release
        self.where = where
        self.execution = execution
        self.work = os.path.join(COMPAT, minor)
        self.ports = [first_port + 10 * index + offset for offset in range(5)]
        if where == "host":
            self.venv = os.path.join(COMPAT, "venv-" + minor)
            self.prefix = []
            self.python = "python3"
        else:
            # A path inside the root; the same directory is <root>/opt/... seen from outside.
            self.venv = "/opt/ansible-" + minor
            self.prefix = [TRIXIE_ROOT, "run"]
            self.python = "/usr/bin/python3"
        self.log = os.path.join(self.work, "lane.log")

    def run(self):
        """Steps 2 to 5 (the virtualenv is made before); the summary line."""
        self.install_collection()
        process, sandbox_log, settings = self.start_sandbox()
        try:
            targets = self.run_targets(settings) if self.minor != TARGETS_IN_RELIABILITY else None
            examples = self.run_examples(sandbox_log)
        finally:
            process.terminate()
            process.wait(timeout=10)
        where = "Python 3.11, this machine" if self.where == "host" else "Python 3.13, trixie root"
        where += ", modules %s" % EXECUTION[self.execution]
        if targets is None:
            return "ansible-core %s (%s): the EXAMPLES of %d plugins passed (make reliability runs its integration targets)" % (
                self.release, where, examples)
        return "ansible-core %s (%s): %d integration targets and the EXAMPLES of %d plugins passed" % (
            self.release, where, len(targets), examples)

    def command(self, program, *arguments):
        """A command line that runs ``program`` of this lane's virtualenv (in the root, if there)."""
        return self.prefix + [os.path.join(self.venv, "bin", program)] + list(arguments)

    def step(self, command, title, env=None, cwd=None, log=None):
        """Run a step, keep its output in lane.log (or ``log``); raise LaneFailed when it fails."""
        started = time.monotonic()
        done = subprocess.run(command, cwd=cwd or self.work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=False)
        with open(log or self.log, "a", encoding="utf-8") as handle:
            handle.write("### %s (%.1f s, exit %s)\n$ %s\n%s\n" % (
                title, time.monotonic() - started, done.returncode, shlex.join(command), done.stdout))
        if done.returncode != 0:
            tail = "\n".join("    " + line for line in done.stdout.strip().splitlines()[-30:])
            raise LaneFailed("%s failed (exit %s); the output ends:\n%s" % (title, done.returncode, tail))
        return done.stdout

    # -- 1. the virtualenv

    def requirements(self):
        with open(os.path.join(TOP, "requirements.txt"), encoding="utf-8") as handle:
            wanted = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
        return ["ansible-core==" + self.release] + wanted

    def ensure_virtualenv(self):
        """Build the virtualenv unless one with the same requirements is there."""
        requirements = self.requirements()
        stamp_inside = os.path.join(self.venv, "compat-requirements.txt")
        stamp = stamp_inside if self.where == "host" else os.path.join(COMPAT, "trixie") + stamp_inside
        if os.path.exists(stamp):
            with open(stamp, encoding="utf-8") as handle:
                if handle.read().split("\n") == requirements:
                    return "kept"
        script = "rm -rf %(venv)s && %(python)s -m venv %(venv)s && %(venv)s/bin/pip install -q %(wanted)s && " \
                 "printf '%%s' %(stamp_text)s > %(stamp)s" % {
                     "venv": shlex.quote(self.venv), "python": self.python, "wanted": " ".join(map(shlex.quote, requirements)),
                     "stamp_text": shlex.quote("\n".join(requirements)), "stamp": shlex.quote(stamp_inside)}
        os.makedirs(self.work, exist_ok=True)
        self.step(self.prefix + ["/bin/sh", "-c", script], "virtualenv with ansible-core %s" % self.release,
                  cwd=TOP, log=os.path.join(self.work, "virtualenv.log"))
        return "built"

    # -- 2. the collection

    def install_collection(self):
        tarballs = sorted(name for name in os.listdir(os.path.join(TOP, "build", "dist")) if name.endswith(".tar.gz"))
        if len(tarballs) != 1:
            raise LaneFailed("expected one collection tarball in build/dist (make build), found %s" % tarballs)
        collections = os.path.join(self.work, "collections")
        tarball = os.path.join(TOP, "build", "dist", tarballs[0])
        self.step(self.command("ansible-galaxy", "collection", "install", "--force", "-p", collections, tarball),
                  "ansible-galaxy collection install", env=self.environment())
        return collections

    def environment(self, **extra):
        """The caller's environment without its Ansible settings, plus the lane's."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("ANSIBLE_", "OPSFORGE_", "RUNDECK_", "OPSGENIE_", "OCTOPUS_", "GITEA_", "JIRA_",
                                      "VIRTUAL_ENV"))}
        env.update({
            "OPSFORGE_DELIVERY_EXECUTION": self.execution,
            "ANSIBLE_COLLECTIONS_PATH": os.path.join(self.work, "collections"),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
            "ANSIBLE_LOCAL_TEMP": os.path.join(self.work, ".ansible-tmp"),
        })
        env.update(extra)
        return env

    # -- 3. the sandbox

    def start_sandbox(self):
        log_path = os.path.join(self.work, "sandbox.log")
        arguments = [SANDBOX_PYTHON, "-m", "tests.sandbox", "--host", "127.0.0.1"]
        for service, port in zip(("rundeck", "opsgenie", "octopus", "gitea", "jira"), self.ports):
            arguments += ["--%s-port" % service, str(port)]
        with open(log_path, "w", encoding="utf-8") as log:
            process = subprocess.Popen(arguments, cwd=TOP, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(log_path, encoding="utf-8") as handle:
                text = handle.read()
            if "# sandbox ready" in text:
                return process, log_path, yaml.safe_load(text.partition("# sandbox ready")[0])
            if process.poll() is not None:
                break
            time.sleep(0.2)
        process.kill()
        raise LaneFailed("the sandbox on ports %s did not start; see %s" % (self.ports, log_path))

    # -- 4. the integration targets

    def run_targets(self, settings):
        config = {key: settings[key] for key in (
            "rundeck_url", "opsgenie_url", "opsgenie_api_key", "opsgenie_read_only_api_key", "octopus_url", "octopus_api_key",
            "octopus_viewer_api_key", "gitea_url", "gitea_admin_username", "gitea_admin_password",
            "gitea_alice_password", "gitea_bob_password", "jira_url", "jira_cloud_id", "jira_client_id", "jira_client_secret")}
        config["rundeck_api_token"] = settings["rundeck_token"]
        # Not octopus_access_token, which the lookups read as their credential beside octopus_api_key.
        config["octopus_test_access_token"] = settings["octopus_access_token"]
        passed = []
        for target in integration_targets():
            directory = os.path.join(self.work, "targets", target)
            os.makedirs(directory, exist_ok=True)
            files = {
                "playbook.yml": [{"name": "Integration target " + target, "hosts": "localhost", "gather_facts": False,
                                  "roles": [target]}],
                "integration_config.yml": config,
            }
            for name, content in files.items():
                with open(os.path.join(directory, name), "w", encoding="utf-8") as handle:
                    yaml.safe_dump(content, handle, sort_keys=False)
            output = self.step(self.command("ansible-playbook", "-e", "@integration_config.yml", "playbook.yml"),
                               "integration target " + target, cwd=directory, env=self.environment(ANSIBLE_ROLES_PATH=TARGETS))
            check_deprecations(output, "integration target " + target)
            passed.append(target)
        return passed

    # -- 5. the plugins' EXAMPLES

    def run_examples(self, sandbox_log):
        runner = [sys.executable, os.path.join(TOP, "tools", "examples", "run_plugin_examples.py"), "--sandbox-log", sandbox_log,
                  "--work", os.path.join(self.work, "examples"), "--ansible-playbook", shlex.join(self.command("ansible-playbook"))]
        output = self.step(runner, "plugins' EXAMPLES", env=self.environment())
        check_deprecations(output, "plugins' EXAMPLES")
        return sum(1 for line in output.splitlines() if line.startswith("PASS "))


def unexpected_deprecations(output):
    """The deprecation warnings of ``output`` but those the collection declares itself."""
    return sorted(line for line in set(DEPRECATION_RE.findall(output))
                  if not any(expected.search(line) for expected in EXPECTED_DEPRECATIONS))


def check_deprecations(output, what):
    found = unexpected_deprecations(output)
    if found:
        raise LaneFailed("%s: ansible-core deprecates what the collection does:\n%s" % (what, "\n".join("    " + line for line in found)))


def integration_targets():
    """Every target but the shared tasks the others include (alias ``hidden``)."""
    found = []
    for name in sorted(os.listdir(TARGETS)):
        with open(os.path.join(TARGETS, name, "aliases"), encoding="utf-8") as handle:
            if "hidden" not in handle.read().split():
                found.append(name)
    return found


class Check:
    """A check that runs beside the lanes: a title, a log and the steps it runs."""

    def __init__(self, name, title, steps):
        self.name = name
        self.title = title
        self.steps = steps
        self.log = os.path.join(COMPAT, name + ".log")

    def run(self):
        for command, cwd in self.steps():
            done = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
            with open(self.log, "a", encoding="utf-8") as handle:
                handle.write("$ %s\n%s\n" % (shlex.join(command), done.stdout))
            if done.returncode != 0:
                tail = "\n".join("    " + line for line in done.stdout.strip().splitlines()[-30:])
                raise LaneFailed("%s failed (exit %s); the output ends:\n%s" % (shlex.join(command), done.returncode, tail))
        return self.title


def fresh_stage(name):
    """The collection as a commit would hold it, in build/compat/stage-<name>; the collection's folder.

    ansible-test keeps the virtualenv it delegates to in the collection's tests/output, which staging
    empties: it is set aside and put back, so a second run installs nothing.
    """
    collection = os.path.join(COMPAT, "stage-" + name, "ansible_collections", "opsforge", "delivery")
    delegation = os.path.join(collection, "tests", "output", ".tmp", "delegation")
    kept = os.path.join(COMPAT, "delegation-" + name)
    if os.path.isdir(delegation):
        shutil.rmtree(kept, ignore_errors=True)
        shutil.move(delegation, kept)
    subprocess.run([os.path.join(TOP, "tools", "stage", "stage_collection.sh"), os.path.join(COMPAT, "stage-" + name)],
                   check=True, stdout=subprocess.DEVNULL)
    if os.path.isdir(kept):
        os.makedirs(os.path.dirname(delegation), exist_ok=True)
        shutil.move(kept, delegation)
    return collection


def ansible_test(name, lane, command, python):
    """``ansible-test <command> --venv`` on a fresh stage, with ``lane``'s ansible-core (in its root, if there)."""
    def steps():
        yield lane.command("python", os.path.join(TOP, "tools", "venv", "install_pip_bootstrap.py")), TOP
        yield lane.command("ansible-test", command, "--venv", "--python", python, "--color", "no"), fresh_stage(name)
    return Check(name, "ansible-test %s with ansible-core %s passed" % (command, lane.release), steps)


def run_job(job):
    """A lane's steps or a check; (passed, summary line)."""
    started = time.monotonic()
    log = job.log
    os.makedirs(os.path.dirname(log), exist_ok=True)
    with open(log, "w", encoding="utf-8"):
        pass
    try:
        summary = job.run()
    except LaneFailed as exc:
        return False, "FAILED after %.0f s: %s\n    (everything it ran: %s)" % (time.monotonic() - started, exc, os.path.relpath(log, TOP))
    return True, "%s in %.0f s" % (summary, time.monotonic() - started)


def prepare(lane):
    try:
        return lane.ensure_virtualenv()
    except LaneFailed as exc:
        return "FAILED: %s" % exc


def all_jobs(first_port=FIRST_PORT):
    """Every lane and check by name, longest first (so that no long job starts last)."""
    lanes = [Lane(index, *row, first_port=first_port) for index, row in enumerate(MATRIX)]
    jobs = {"sanity-newest": ansible_test("sanity-newest", lanes[-1], "sanity", "3.13")}
    jobs.update((lane.minor, lane) for lane in lanes)
    jobs["units-oldest"] = ansible_test("units-oldest", lanes[0], "units", "%d.%d" % sys.version_info[:2])
    jobs["importer"] = Check("importer", "Galaxy's importer found nothing to warn about",
                             lambda: iter([([os.path.join(TOP, "tools", "compat", "galaxy_importer.sh")], TOP)]))
    return jobs, {"sanity-newest": lanes[-1], "units-oldest": lanes[0]}


def main():
    jobs, lane_of_check = all_jobs()
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2), help="lanes and checks run side by side")
    parser.add_argument("--first-port", type=int, default=FIRST_PORT,
                        help="the lanes' sandboxes listen from this port on, 10 ports a lane (default: %(default)s)")
    parser.add_argument("names", nargs="*", metavar="NAME", help="what to run (default: all): %s" % ", ".join(jobs))
    options = parser.parse_args()
    jobs, lane_of_check = all_jobs(options.first_port)
    unknown = sorted(set(options.names) - set(jobs))
    if unknown:
        parser.error("no such lane or check: %s; there are %s" % (", ".join(unknown), ", ".join(jobs)))
    chosen = [job for name, job in jobs.items() if not options.names or name in options.names]
    started = time.monotonic()
    # Each virtualenv a chosen lane or check needs, made first, all at once: they wait on PyPI.
    lanes = []
    for name, job in jobs.items():
        lane = job if isinstance(job, Lane) else lane_of_check.get(name)
        if job in chosen and lane is not None and lane not in lanes:
            lanes.append(lane)
    if any(lane.where == "trixie" for lane in lanes):
        subprocess.run([TRIXIE_ROOT, "build"], check=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(MATRIX)) as pool:
        for lane, outcome in zip(lanes, pool.map(prepare, lanes)):
            print("virtualenv of ansible-core %s: %s" % (lane.release, outcome), flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=options.jobs) as pool:
        outcomes = list(pool.map(run_job, chosen))
    for passed, summary in outcomes:
        print(("PASS  " if passed else "FAIL  ") + summary)
    failed = sum(1 for passed, dummy in outcomes if not passed)
    print("compat: %d of %d passed in %.0f s" % (len(chosen) - failed, len(chosen), time.monotonic() - started))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
