"""Put the offline get-pip stand-in where ansible-test looks for its cached bootstrap script.

ansible-test would download the script from a host that is not always reachable; with the
cache filled it never tries.
"""

import os
import re
import shutil
import sys

import ansible_test


def pip_version():
    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source, encoding="utf-8") as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        sys.exit("cannot find the pip version ansible-test bootstraps in %s" % source)
    return match.group(1)


def main():
    version = pip_version()
    cache = os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % version.replace(".", "_"))
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    shutil.copyfile(os.path.join(os.path.dirname(os.path.abspath(__file__)), "get_pip_offline.py"), cache)
    print("pip %s bootstrap: %s" % (version, cache))


if __name__ == "__main__":
    main()
