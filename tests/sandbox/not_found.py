# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Opsgenie with no endpoints yet.

The service already runs on its own port with the control API and answers
every vendor request with Opsgenie's not-found error. It gets its endpoints
by replacing its ``create_*_app`` factory in ``server.SERVICES`` with a full
app built the same way.
"""

import json
import uuid
from http import HTTPStatus

from flask import Flask, request
from werkzeug.wrappers import Response


def _reason(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP %d" % status


def _json(data, status):
    return Response(json.dumps(data), status=status, content_type="application/json")


def opsgenie_error(status, request=None, message=None):
    if message is None:
        message = "Could not find the requested resource." if status == 404 else _reason(status)
    # Opsgenie reports the processing time and a fresh request id on every answer.
    return _json({"message": message, "took": 0.001, "requestId": str(uuid.uuid4())}, status)


def _not_found_app(control, error_response):
    # No routes at all, so every request ends in the 404 handler.
    app = Flask(__name__, static_folder=None)
    app.url_map.merge_slashes = False

    def not_found(exc):
        return error_response(404, request)

    app.register_error_handler(404, not_found)
    return control.install(app, reset=lambda: None, error_response=error_response)


def create_opsgenie_app(control, credentials):
    return _not_found_app(control, opsgenie_error)
