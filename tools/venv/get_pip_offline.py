"""Offline stand-in for the get-pip.py script that ansible-test downloads.

ansible-test runs this file to put pip into the empty virtual environments it creates, passing
get-pip.py's arguments (pip install options and package specifiers). This stand-in installs the
pip bundled with Python through ensurepip, then lets that pip install what was asked for from
the package index.
"""

import ensurepip
import os
import subprocess
import sys

# get-pip.py understands these, pip install does not.
GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel", "--no-pip"}


def main():
    # ensurepip points PIP_CONFIG_FILE at /dev/null for its own run; the install that follows
    # must see the machine's pip configuration (index, certificates) again.
    environment = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args, env=environment))


if __name__ == "__main__":
    main()
