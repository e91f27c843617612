"""Fixtures of the AWX job test (`make awx`): the running sandbox and the built collection.

`make awx` starts the sandbox on the SANDBOX_* ports, and passes the file tools/sandbox/sandbox.sh
wrote with its addresses and credentials (AWX_SANDBOX_CONFIG) and the built tarball
(AWX_COLLECTION_TARBALL).
"""

from __future__ import annotations

import os
import sys

import pytest
import yaml

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if COLLECTION_ROOT not in sys.path:
    sys.path.insert(0, COLLECTION_ROOT)


def _from_environment(name):
    value = os.environ.get(name)
    if not value or not os.path.isfile(value):
        pytest.fail("%s must name a file; run this test with `make awx`" % name, pytrace=False)
    return value


@pytest.fixture(scope="session")
def sandbox_config():
    """Addresses and credentials of the running sandbox (tests/integration/integration_config.yml)."""
    with open(_from_environment("AWX_SANDBOX_CONFIG")) as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def collection_tarball():
    return _from_environment("AWX_COLLECTION_TARBALL")
