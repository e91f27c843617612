"""Writes a Sphinx inventory of the Ansible documentation labels that generated plugin pages use.

With it, a docsite build resolves those links without downloading docs.ansible.com's inventory.
A build that reports another undefined label of the Ansible documentation needs it added here.

Usage: python tools/docs/ansible_docs_inventory.py <output file>
"""

import sys
import zlib

#: label -> (page and anchor under the Ansible documentation's root, title)
LABELS = {
    "action_plugins": ("plugins/action.html#action-plugins", "Action plugins"),
    "ansible_configuration_settings": ("reference_appendices/config.html#ansible-configuration-settings",
                                       "Ansible Configuration Settings"),
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values", "Return Values"),
}

HEADER = (
    "# Sphinx inventory version 2\n"
    "# Project: Ansible\n"
    "# Version: devel\n"
    "# The remainder of this file is compressed using zlib.\n"
)


def inventory():
    entries = "".join("%s std:label -1 %s %s\n" % (label, uri, title) for label, (uri, title) in sorted(LABELS.items()))
    return HEADER.encode("utf-8") + zlib.compress(entries.encode("utf-8"))


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__.strip())
    with open(argv[1], "wb") as handle:
        handle.write(inventory())


if __name__ == "__main__":
    main(sys.argv)
