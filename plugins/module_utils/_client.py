# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base of every service client: one transport from the connection options, JSON reads and
writes, and the part of error-body parsing all services share.

A service declares its name, where its API lives under ``url``, how it authenticates and how
its error bodies carry the server's message; its endpoints are methods of the subclass.
"""

from __future__ import annotations

from ansible_collections.opsforge.delivery.plugins.module_utils._http import ApiError, HttpClient, decode_json, describe_non_json, excerpt
from ansible_collections.opsforge.delivery.plugins.module_utils._options import transport_options


class ServiceClient(object):
    """One service at ``params["url"]``: ``self.http`` is its HttpClient.

    Subclasses set ``service`` and ``api_path``, and override ``headers``, ``basic_auth`` and
    ``describe_error`` where the service needs them.
    """

    #: The service's name, as failure messages begin.
    service = None
    #: Where the API lives under the server's address; every request path is relative to it.
    api_path = ""
    #: The key of the server's own message in a JSON error body. A body without it is shown as an
    #: excerpt; None hands every JSON object to describe_error.
    message_key = "message"
    #: The transport; a subclass of HttpClient for a service whose base address can change.
    http_class = HttpClient

    def __init__(self, params, **http_options):
        options = transport_options(params)
        options.update(http_options)
        self.http = self.http_class(self.service, self.api_url(params), headers=self.headers(params),
                                    auth=self.basic_auth(params), error_parser=self.parse_error, **options)

    def api_url(self, params):
        """The base of every request path: the server's address and ``api_path``."""
        return params["url"].rstrip("/") + self.api_path

    def headers(self, params):
        """Headers every request carries (the credential header among them)."""
        return {}

    def basic_auth(self, params):
        """``(user, password)`` for HTTP basic authentication, or None."""
        return None

    def read(self, path, action, missing_ok=False, **kwargs):
        """GET ``path``: its JSON body, or None for a 404 when ``missing_ok``."""
        response = self.http.request("GET", path, action, missing_ok=missing_ok, **kwargs)
        return None if response is None else self.decode(response, action)

    def write(self, method, path, action, expected=(200,), **kwargs):
        """Send a write that the server answers with JSON (``json=`` is the body); the answer."""
        return self.decode(self.http.request(method, path, action, expected=expected, **kwargs), action)

    def decode(self, response, action):
        """The JSON body of a successful ``response``, or ApiError saying what arrived instead."""
        return decode_json(response, self.service, action)

    def answer_error(self, response, action, message, details=None):
        """ApiError for a successful answer that cannot be used (a list where a mapping belongs, say)."""
        request = response.request
        return ApiError(self.service, action, request.method, request.url, response.status_code, message, details)

    @classmethod
    def parse_error(cls, response):
        """An error answer in the service's own words, ``(message, details)``.

        A body that is not JSON is described, and a JSON body without the service's message is
        quoted; the rest is the service's describe_error.
        """
        try:
            body = response.json()
        except ValueError:
            return describe_non_json(response), None
        if not isinstance(body, dict) or (cls.message_key and not body.get(cls.message_key)):
            return excerpt(response.text), None
        return cls.describe_error(response, body)

    @classmethod
    def describe_error(cls, response, body):
        """``(message, details)`` from a JSON error body: by default, its message alone."""
        return str(body[cls.message_key]), None
