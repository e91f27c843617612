"""Reads tests/sandbox/PROVENANCE.md: its rows, their status counts, and the summary they give.

    python tools/sandbox/provenance_ledger.py           prints the counts by section and status
    python tools/sandbox/provenance_ledger.py --write   rewrites the summary table in the ledger from its rows

The unit tests use the same reader to check that every row is complete and names a test that exists.
"""

import argparse
import collections
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LEDGER = os.path.join(ROOT, "tests", "sandbox", "PROVENANCE.md")
COLUMNS = ("ID", "Behaviour or rule", "Evidence", "Ours", "Test", "Status")
STATUSES = ("confirmed", "corrected", "unconfirmed")
SUMMARY_START = "<!-- summary -->"
SUMMARY_END = "<!-- end of summary -->"
# A test named as tests/<path>.py::<function>, optionally with a class and a parameter id.
TEST_REFERENCE = re.compile(r"(tests/[\w/.-]+\.py)::([\w]+)(?:::([\w]+))?")

Row = collections.namedtuple("Row", "section line cells")


def _cells(line):
    # A table line: | a | b | c |; a pipe inside backticks is escaped as \| in Markdown.
    inner = line.strip()[1:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]


def read_rows(path=LEDGER):
    """Every data row of every table, with the ## section it stands in."""
    rows = []
    section = None
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.startswith("## "):
                section = line[3:].strip()
                continue
            if not line.lstrip().startswith("|") or section is None:
                continue
            cells = _cells(line)
            if cells[0] == COLUMNS[0] or set("".join(cells)) <= set("-: "):
                continue  # a header or the line under it
            rows.append(Row(section, number, cells))
    return rows


def status_of(row):
    """The status word of a row (its last cell may carry a note after the word)."""
    match = re.match(r"\W*(\w+)", row.cells[-1])
    return match.group(1).lower() if match else ""


def counts(rows):
    table = collections.OrderedDict()
    for row in rows:
        table.setdefault(row.section, collections.Counter())[status_of(row)] += 1
    return table


def summary_text(rows):
    lines = ["| Section | confirmed | corrected | unconfirmed | rows |", "| --- | ---: | ---: | ---: | ---: |"]
    total = collections.Counter()
    for section, counter in counts(rows).items():
        total.update(counter)
        lines.append("| %s | %d | %d | %d | %d |" % ((section,) + tuple(counter[s] for s in STATUSES) + (sum(counter.values()),)))
    lines.append("| **all** | %d | %d | %d | %d |" % (tuple(total[s] for s in STATUSES) + (sum(total.values()),)))
    return "\n".join(lines)


def rewrite_summary(path=LEDGER):
    """Puts the counts between the summary markers; the summary stands before the first section,
    so its own table is never read as rows."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    start = text.index(SUMMARY_START) + len(SUMMARY_START)
    end = text.find(SUMMARY_END)
    rest = text[start:] if end < 0 else text[end + len(SUMMARY_END):]
    text = text[:start] + "\n\n" + summary_text(read_rows(path)) + "\n\n" + SUMMARY_END + rest
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the summary table in the ledger")
    args = parser.parse_args(argv)
    if args.write:
        rewrite_summary()
    print(summary_text(read_rows()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
