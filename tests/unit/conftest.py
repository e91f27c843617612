"""Fixtures shared by the unit tests: the collection on sys.path, the sandbox, module runs."""

from __future__ import annotations

import json
import os
import sys
import tempfile

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

# Property tests find the same examples on every run, in any time, and write no example database;
# Hypothesis's caches go to the temporary directory, not into the tree.
settings.register_profile("units", derandomize=True, database=None, deadline=None, max_examples=100)
settings.load_profile("units")
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "opsforge-delivery-hypothesis"))

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# <root>/ansible_collections/opsforge/delivery: the folder above ansible_collections goes on sys.path.
COLLECTIONS_PATH = os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION_ROOT)))
if os.path.basename(os.path.dirname(os.path.dirname(COLLECTION_ROOT))) != "ansible_collections":
    raise RuntimeError("run the unit tests from a tree laid out as ansible_collections/opsforge/delivery "
                       "(`make units` stages one)")
for path in (COLLECTIONS_PATH, COLLECTION_ROOT):
    if path not in sys.path:
        sys.path.insert(0, path)

from tests.support.certificates import generate  # noqa: E402
from tests.support.module_runs import module_args, requests_log, run_module  # noqa: E402
from tests.sandbox import Sandbox  # noqa: E402


# -- Which tests need a live sandbox -------------------------------------------------------------

# The fixtures that start sandbox servers. A test in tests/unit/live, or one that uses such a fixture
# anywhere else, is marked ``live``: ``pytest -m "not live"`` runs only the tests that need no server.
SERVER_FIXTURES = frozenset(("sandbox_server", "https_sandbox", "mutual_tls_sandbox", "running_sandbox"))
LIVE_FOLDER = os.path.join(COLLECTION_ROOT, "tests", "unit", "live") + os.sep


def pytest_configure(config):
    config.addinivalue_line("markers", "live: the test talks to a sandbox server it starts (tests/sandbox)")


def pytest_collection_modifyitems(items):
    for item in items:
        path = str(getattr(item, "path", None) or item.fspath)
        if path.startswith(LIVE_FOLDER) or SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.live)


@pytest.fixture(scope="session")
def sandbox_server():
    with Sandbox(host="127.0.0.1", ports={"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server):
    sandbox_server.reset()
    return sandbox_server


@pytest.fixture
def rundeck(sandbox):
    """Connection parameters for the sandbox's Rundeck."""
    return dict(url=sandbox.urls["rundeck"], api_token=sandbox.credentials["rundeck_token"], retries=2)


@pytest.fixture
def module_runner():
    return run_module


@pytest.fixture
def real_failure(capsys):
    """Run a module's main() that must fail, through Ansible's own fail_json (no_log masking included); return what it printed."""
    def fail(main, args):
        with module_args(args), pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 1
        result = json.loads(capsys.readouterr().out)
        assert result["failed"] is True
        return result
    return fail


@pytest.fixture
def request_log(sandbox):
    return lambda service="rundeck": requests_log(sandbox, service)


@pytest.fixture
def add_fault(sandbox):
    def add(fault, service="rundeck"):
        import requests
        response = requests.post(sandbox.urls[service] + "/__sandbox__/faults", json=fault, timeout=5)
        response.raise_for_status()
    return add


# -- TLS: certificates made for the run, and sandboxes served with them -------------------------

TLS_FREE_PORTS = {"rundeck": 0, "opsgenie": 0, "octopus": 0, "gitea": 0, "jira": 0}


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """A CA, a server certificate for 127.0.0.1 and localhost, and a client certificate, all signed by it."""
    return generate(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def foreign_certs(tmp_path_factory):
    """Another CA's files: its client certificate means nothing to a sandbox trusting ``certs``."""
    return generate(tmp_path_factory.mktemp("foreign"))


@pytest.fixture(scope="module")
def https_sandbox(certs):
    with Sandbox(ports=TLS_FREE_PORTS, tls={"cert": certs.server_cert, "key": certs.server_key}) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def mutual_tls_sandbox(certs):
    """A sandbox that requires a client certificate signed by the CA of ``certs``."""
    with Sandbox(ports=TLS_FREE_PORTS, tls={"cert": certs.server_cert, "key": certs.server_key, "client_ca": certs.ca}) as sandbox:
        yield sandbox
