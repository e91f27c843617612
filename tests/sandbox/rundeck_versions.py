# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which Rundeck release the sandbox emulates, and what differs between releases.

A release answers API versions from 14 up to its own current one; any other
version in the URL is refused. The current version is also the ``apiversion``
of every error body and the version in the job links the server writes.
"""

import json

from flask import current_app
from werkzeug.wrappers import Response

# The oldest version every release answers.
EARLIEST_API_VERSION = 14
# Release line -> its current API version (ApiVersions.API_CURRENT_VERSION of each tag).
CURRENT_API_VERSIONS = (
    ((5, 0), 46),
    ((5, 2), 47),
    ((5, 4), 48),
    ((5, 6), 50),
    ((5, 9), 52),
    ((5, 14), 53),
    ((5, 16), 55),
    ((5, 17), 56),
    ((5, 20), 58),
    ((6, 0), 58),
    ((6, 1), 59),
)
DEFAULT_RELEASE = "%d.%d" % CURRENT_API_VERSIONS[-1][0]
# From 6.0 an error body also carries the arguments of its message.
ERROR_ARGS_RELEASE = (6, 0)
CONFIG_KEY = "RUNDECK_RELEASE"


def parse_release(text):
    """``"5.0"`` or ``"5.17.2"`` -> ``(5, 17)``; a ValueError for anything older than 5.0 or not a release."""
    parts = str(text).strip().split(".")
    try:
        numbers = tuple(int(part) for part in parts)
    except ValueError:
        numbers = ()
    if len(numbers) not in (2, 3):
        raise ValueError("a Rundeck release is MAJOR.MINOR[.PATCH], e.g. 5.0 or 6.1, not %r" % text)
    release = numbers[:2]
    if release < CURRENT_API_VERSIONS[0][0]:
        raise ValueError("the sandbox emulates Rundeck 5.0 and later, not %s" % text)
    return release


def current_api_version(release):
    """The newest API version a release answers."""
    found = CURRENT_API_VERSIONS[0][1]
    for line, version in CURRENT_API_VERSIONS:
        if line <= release:
            found = version
    return found


def emulated_release():
    """The release the app of this request emulates."""
    return current_app.config.get(CONFIG_KEY) or parse_release(DEFAULT_RELEASE)


def server_api_version():
    return current_api_version(emulated_release())


def error(status, code, message, args=None):
    """Rundeck's JSON error body: the server's current version, never the URL's."""
    body = {"error": True, "apiversion": server_api_version(), "errorCode": code, "message": message}
    if args and emulated_release() >= ERROR_ARGS_RELEASE:
        body["args"] = list(args)
    return Response(json.dumps(body), status=status, content_type="application/json")
