# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/sandbox/PROVENANCE.md: every row is complete, cites upstream, and names a test that exists."""

import importlib.util
import os
import re

import pytest

# The folder that holds tests/ and tools/: the repository or the staged collection.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _load_ledger_reader():
    spec = importlib.util.spec_from_file_location("provenance_ledger", os.path.join(ROOT, "tools", "sandbox", "provenance_ledger.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ledger = _load_ledger_reader()
ROWS = ledger.read_rows(os.path.join(ROOT, "tests", "sandbox", "PROVENANCE.md"))
# Where upstream evidence lives: a repository or a path in one (owner/name, dir/file), a function at
# a tag or commit of the section's repository (@v6.1.0, @0735d3c), an issue (#1234) or a vendor's
# published page; a section may name its sources and tags once, above its rows.
EVIDENCE = re.compile(r"[\w.-]+/[\w.-]+|#\d+|https?://|@v?\d[\w.-]*|@[0-9a-f]{7,}")


def _source_abbreviations():
    """The short names a section gives its sources, as in "OctopusClients at commit 26802a14 (CS below)"."""
    with open(os.path.join(ROOT, "tests", "sandbox", "PROVENANCE.md"), encoding="utf-8") as handle:
        text = handle.read()
    # "(CS below)" after a source, or "`api.go@001727e` = routers/api/v1/api.go @<commit>".
    return set(re.findall(r"\((\w+) below", text)) | set(re.findall(r"`([\w.]+@\w+)` =", text))


ABBREVIATIONS = _source_abbreviations()


ROW_IDS = {row.cells[0] for row in ROWS}


def cites_a_source(evidence):
    """A repository, path, issue or page; a source the section named above its rows; or another row."""
    return (
        bool(EVIDENCE.search(evidence))
        or any(re.search(r"(?<![\w@])%s(?![\w@])" % re.escape(name), evidence) for name in ABBREVIATIONS)
        or any(identifier in ROW_IDS for identifier in re.findall(r"\b[A-Z]+-\d+\b", evidence))
    )


def _row_id(row):
    return "%s:%d" % (row.section.split(":")[0], row.line)


def test_every_section_has_rows():
    sections = {row.section for row in ROWS}
    with open(os.path.join(ROOT, "tests", "sandbox", "PROVENANCE.md"), encoding="utf-8") as handle:
        headings = [line[3:].strip() for line in handle if line.startswith("## ")]
    assert headings, "the ledger has no sections"
    assert [heading for heading in headings if heading not in sections] == []


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_row_is_complete(row):
    assert len(row.cells) == len(ledger.COLUMNS), "line %d has %d cells, not %d" % (row.line, len(row.cells), len(ledger.COLUMNS))
    identifier, behaviour, evidence, ours, test, _status = row.cells
    assert re.match(r"^[A-Z]+-\d+$", identifier), "line %d: ID %r" % (row.line, identifier)
    assert behaviour and ours and test, "line %d: a cell is empty" % row.line
    assert ledger.status_of(row) in ledger.STATUSES, "line %d: status %r" % (row.line, row.cells[-1])
    if ledger.status_of(row) != "unconfirmed":
        assert cites_a_source(evidence), "line %d: a confirmed rule cites no repository, tag or page: %r" % (row.line, evidence)


def test_ids_are_unique():
    seen = {}
    for row in ROWS:
        assert row.cells[0] not in seen, "%s is used on lines %d and %d" % (row.cells[0], seen.get(row.cells[0]), row.line)
        seen[row.cells[0]] = row.line


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_row_names_a_test_that_exists(row):
    if row.cells[4].startswith("none: not emulated"):
        return  # a server behaviour the docs warn of, which the sandbox does not emulate
    references = ledger.TEST_REFERENCE.findall(row.cells[4])
    playbooks = re.findall(r"tests/integration/targets/[\w/.-]+\.ya?ml", row.cells[4])
    assert references or playbooks, "line %d names no test as tests/<file>.py::<test> or an integration target's tasks file" % row.line
    for path in playbooks:
        assert os.path.isfile(os.path.join(ROOT, path)), "line %d: %s does not exist" % (row.line, path)
    for path, first, second in references:
        full = os.path.join(ROOT, path)
        assert os.path.isfile(full), "line %d: %s does not exist" % (row.line, path)
        with open(full, encoding="utf-8") as handle:
            source = handle.read()
        for name in filter(None, (first, second)):
            assert re.search(r"^\s*(def|class) %s\b" % re.escape(name), source, re.M), "line %d: %s has no %s" % (row.line, path, name)


def test_summary_gives_the_rows_counts():
    with open(os.path.join(ROOT, "tests", "sandbox", "PROVENANCE.md"), encoding="utf-8") as handle:
        text = handle.read()
    assert ledger.summary_text(ROWS) in text, "run: python tools/sandbox/provenance_ledger.py --write"
