# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""YAML documents as data: load a stream, write one back.

This file is for internal use by the opsforge.delivery collection only. It can change at any
time; nothing outside the collection may rely on it.
"""

from __future__ import annotations

import traceback

YAML_IMPORT_ERROR = None
try:
    import yaml
except ImportError:
    YAML_IMPORT_ERROR = traceback.format_exc()
    HAS_YAML = False

    class YAMLError(Exception):
        """Stands in for yaml.YAMLError when PyYAML is missing."""
else:
    HAS_YAML = True
    YAMLError = yaml.YAMLError


def load_documents(text):
    """The documents of a YAML stream, empty documents left out. Raises YAMLError."""
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def dump_documents(documents):
    """A YAML stream of ``documents`` in block style, keys in the order given."""
    return yaml.safe_dump_all(documents, default_flow_style=False, sort_keys=False, explicit_start=len(documents) > 1)


def dump_sorted(data):
    """One YAML document in block style with keys sorted, for a stable text diff."""
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=True, allow_unicode=True)
