"""YAML written for diffs: multi-line text as literal blocks, and always the exact text back."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.opsforge.delivery.plugins.module_utils._yaml import dump_sorted


def test_a_multi_line_string_is_a_literal_block_line_by_line():
    text = dump_sorted({"script": "#!/bin/sh\necho 'one'\necho \"two\"\n"})
    assert text == "script: |\n  #!/bin/sh\n  echo 'one'\n  echo \"two\"\n"


@pytest.mark.parametrize("script, start", [
    ("no newline at the end\nsecond", "script: |-\n"),
    ("blank lines kept at the end\n\n\n", "script: |+\n"),
    ("  indented first line\nsecond\n", "script: |2\n"),
    ("trailing spaces  \nsecond\n", 'script: "'),
    ("a tab before the end\t\nsecond", 'script: "'),
    ("one line", "script: one line"),
])
def test_a_block_only_where_it_gives_the_same_text_back(script, start):
    text = dump_sorted({"script": script})
    assert text.startswith(start)
    assert yaml.safe_load(text) == {"script": script}


# Every character that changes how YAML writes text, except NEL (U+0085), which PyYAML's own
# quoted form does not give back either.
texts = st.text(alphabet=" \t\n\r\u2028ab#:-|>'\"\\{}[],&*!%@`", max_size=20)


@given(st.lists(texts, min_size=1, max_size=3))
def test_any_text_reads_back_exactly(scripts):
    data = {"sequence": {"commands": [{"script": script} for script in scripts]}, "description": scripts[0]}
    assert yaml.safe_load(dump_sorted(data)) == data
