# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""YAML documents as data: load a stream, write one back.

PyYAML is imported on first use, not with this file: most runs never read or write YAML (the
rundeck_job module writes it only for ``--diff``), and the import costs every run time.
"""

from __future__ import annotations

import traceback


class YAMLError(Exception):
    """A text that is not valid YAML; the message is PyYAML's."""


def _library():
    import yaml
    return yaml


def yaml_import_error():
    """The traceback of a failed ``import yaml``, or None when PyYAML is there."""
    try:
        _library()
    except ImportError:
        return traceback.format_exc()
    return None


def load_documents(text):
    """The documents of a YAML stream, empty documents left out. Raises YAMLError."""
    yaml = _library()
    try:
        return [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        raise YAMLError(str(exc)) from exc


def dump_documents(documents):
    """A YAML stream of ``documents`` in block style, keys in the order given."""
    return _library().safe_dump_all(documents, default_flow_style=False, sort_keys=False, explicit_start=len(documents) > 1)


def dump_sorted(data):
    """One YAML document in block style with keys sorted, for a stable text diff.

    A multi-line string is written as a literal block (``|``), line by line as a person reads
    it, whenever such a block gives back exactly the same text; otherwise it stays quoted.
    """
    yaml = _library()
    return yaml.dump(data, Dumper=_block_text_dumper(yaml), default_flow_style=False, sort_keys=True, allow_unicode=True)


_BLOCK_TEXT_DUMPER = []


def _block_text_dumper(yaml):
    """A safe dumper that writes multi-line strings as literal blocks; made once, on first use."""
    if not _BLOCK_TEXT_DUMPER:
        class BlockTextDumper(yaml.SafeDumper):
            pass

        def represent_text(dumper, text):
            if "\n" in text and _literal_block_holds(yaml, text):
                return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
            return dumper.represent_str(text)

        BlockTextDumper.add_representer(str, represent_text)
        _BLOCK_TEXT_DUMPER.append(BlockTextDumper)
    return _BLOCK_TEXT_DUMPER[0]


def _literal_block_holds(yaml, text):
    """Whether a literal block reads back as exactly ``text``.

    Trailing spaces, a leading or trailing blank line, tabs before line ends and characters YAML
    reads as line breaks are where a block would change the text; writing it and reading it back
    is the exact test. (The emitter itself falls back to quotes when it cannot write a block.)
    """
    written = yaml.safe_dump(text, default_style="|", allow_unicode=True)
    return written.startswith("|") and yaml.safe_load(written) == text
