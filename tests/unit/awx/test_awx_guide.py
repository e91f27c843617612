"""The AWX guide shows the credential types as the collection ships them."""

from __future__ import annotations

import os
import re
import textwrap

import pytest
import yaml

from tests.awx.definitions import COLLECTION_ROOT, SERVICES, load

GUIDE = os.path.join(COLLECTION_ROOT, "docs", "docsite", "rst", "guide_awx.rst")


def guide():
    with open(GUIDE) as handle:
        return handle.read()


def code_block_starting_with(first_line):
    """The YAML of the code block whose first line is ``first_line``."""
    match = re.search(r"\.\. code-block:: yaml\n\n((  %s\n)(  .*\n|\n)*)" % re.escape(first_line), guide())
    assert match, first_line
    return yaml.safe_load(textwrap.dedent(match.group(1)))


def test_the_rundeck_type_to_paste_is_the_shipped_one():
    assert code_block_starting_with("# Input configuration") == load("rundeck")["inputs"]
    assert code_block_starting_with("# Injector configuration") == load("rundeck")["injectors"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_type_and_variable_is_named(service):
    definition = load(service)
    assert "``%s``" % definition["name"] in guide()
    for name in definition["injectors"]["env"]:
        assert guide().count("``%s``" % name) >= 2, name
