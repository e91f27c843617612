# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Control API shared by every emulated service: request log, faults, reset.

It wraps a service's WSGI app, so the vendor code never sees the control
paths and every vendor request passes through the log and the faults first.
"""

import json
import re
import socket
import threading
import time
from urllib.parse import unquote_plus

from werkzeug.wrappers import Request, Response

CONTROL_PREFIX = "/__sandbox__"
REDACTED = "********"
# Query parameters that carry credentials; their values never reach the log.
SECRET_PARAMETERS = frozenset(("authtoken", "token", "access_token", "apikey", "api_key"))

_FAULT_KEYS = frozenset(
    ("method", "path", "times", "status", "retry_after", "delay", "drop", "body", "content_type", "apply", "truncate")
)


class FaultError(ValueError):
    """A fault definition that cannot be used."""


def redact_query(query):
    """The raw query string with the values of credential parameters masked."""
    if not query:
        return ""
    parts = []
    for part in query.split("&"):
        key, sep, _value = part.partition("=")
        if sep and unquote_plus(key).lower() in SECRET_PARAMETERS:
            part = key + "=" + REDACTED
        parts.append(part)
    return "&".join(parts)


def parse_faults(data):
    """Check fault definitions (an object or a list of them) and normalize them."""
    items = data if isinstance(data, list) else [data]
    return [_parse_fault(item, position) for position, item in enumerate(items, start=1)]


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parse_fault(item, position):
    where = "fault %d" % position

    def fail(message):
        raise FaultError("%s: %s" % (where, message))

    if not isinstance(item, dict):
        fail("expected a JSON object")
    unknown = sorted(set(item) - _FAULT_KEYS)
    if unknown:
        fail("unknown keys: %s (allowed: %s)" % (", ".join(unknown), ", ".join(sorted(_FAULT_KEYS))))
    path = item.get("path")
    if not isinstance(path, str):
        fail("'path' (a regular expression searched in the request path) is required")
    try:
        re.compile(path)
    except re.error as exc:
        fail("'path' is not a valid regular expression: %s" % exc)
    fault = {"method": "*", "path": path, "times": 1}
    if "method" in item:
        if not isinstance(item["method"], str) or not item["method"].strip():
            fail("'method' must be an HTTP method name or '*'")
        fault["method"] = item["method"].strip().upper()
    if "times" in item:
        if not isinstance(item["times"], int) or isinstance(item["times"], bool) or item["times"] < 1:
            fail("'times' must be a positive integer")
        fault["times"] = item["times"]
    if "status" in item:
        if not isinstance(item["status"], int) or isinstance(item["status"], bool) or not 100 <= item["status"] <= 599:
            fail("'status' must be an HTTP status code between 100 and 599")
        fault["status"] = item["status"]
    if "retry_after" in item:
        value = item["retry_after"]
        # Seconds, or an HTTP date given as text.
        if not ((_is_number(value) and value >= 0) or (isinstance(value, str) and value.strip())):
            fail("'retry_after' must be a number of seconds or an HTTP date")
        fault["retry_after"] = value
    if "delay" in item:
        if not _is_number(item["delay"]) or item["delay"] < 0:
            fail("'delay' must be a number of seconds, zero or more")
        fault["delay"] = item["delay"]
    for key in ("drop", "apply"):
        if key in item:
            if not isinstance(item[key], bool):
                fail("'%s' must be true or false" % key)
            fault[key] = item[key]
    if "truncate" in item:
        if not isinstance(item["truncate"], int) or isinstance(item["truncate"], bool) or item["truncate"] < 0:
            fail("'truncate' must be a number of bytes, zero or more")
        fault["truncate"] = item["truncate"]
    for key in ("body", "content_type"):
        if key in item:
            if not isinstance(item[key], str):
                fail("'%s' must be a string" % key)
            fault[key] = item[key]
    if fault.get("drop") and any(key in fault for key in ("status", "body", "retry_after", "content_type")):
        fail("'drop' closes the connection, so it cannot be combined with a status, body or header")
    if fault.get("drop") and "truncate" in fault:
        fail("'drop' sends no answer at all, so there is nothing to truncate")
    return fault


def _guess_content_type(body):
    # HTML for error pages of proxies; JSON (even cut short) for anything that
    # starts like it; plain text otherwise.
    text = body.lstrip()
    if text.startswith("<"):
        return "text/html; charset=utf-8"
    if text.startswith(("{", "[")):
        return "application/json"
    return "text/plain; charset=utf-8"


def _default_error_response(status, request):
    return Response(json.dumps({"status": status}), status=status, content_type="application/json")


class Control:
    """Request log, pending faults and reset hook of one service."""

    def __init__(self, service):
        self.service = service
        self._lock = threading.Lock()
        self._log = []
        # When each logged request arrived (time.time()), in the log's order.
        self._arrivals = []
        self._faults = []
        self._reset_state = None
        self._error_response = _default_error_response
        self._endpoints = {}
        #: The service's store, for in-process tests that set up many objects faster than its API can.
        self.state = None

    def install(self, app, reset, error_response, endpoints=None, state=None):
        """Put the control layer in front of a Flask app.

        ``reset()`` clears and seeds the service's own state;
        ``error_response(status, request)`` builds the vendor's error for a
        status, used when a fault gives a status but no body. ``endpoints``
        adds control endpoints of the service's own: a name (the first path
        segment after the prefix) -> ``handler(request, rest)`` returning a
        response, where ``rest`` is the remainder of the path. ``state`` is the
        service's store, kept as ``self.state``.
        """
        self.state = state
        self._reset_state = reset
        self._error_response = error_response
        self._endpoints = dict(endpoints or {})
        app.wsgi_app = _ControlMiddleware(self, app.wsgi_app)
        reset()
        return app

    def reset(self):
        with self._lock:
            self._log = []
            self._arrivals = []
            self._faults = []
        if self._reset_state is not None:
            self._reset_state()

    def requests(self):
        with self._lock:
            return [dict(entry) for entry in self._log]

    def timed_requests(self):
        """``(arrival, entry)`` for each logged request, arrival being ``time.time()`` when it came.

        For in-process callers that tell which of their steps sent which requests; the HTTP
        control API shows the entries alone.
        """
        with self._lock:
            return [(arrival, dict(entry)) for arrival, entry in zip(self._arrivals, self._log)]

    def clear_requests(self):
        with self._lock:
            self._log = []
            self._arrivals = []

    def add_faults(self, data):
        faults = parse_faults(data)
        with self._lock:
            self._faults.extend(faults)
        return faults

    def faults(self):
        with self._lock:
            return [dict(fault) for fault in self._faults]

    def clear_faults(self):
        with self._lock:
            self._faults = []

    def _record(self, method, host, path, query):
        entry = {"method": method, "host": host, "path": path, "query": redact_query(query), "status": None}
        with self._lock:
            self._log.append(entry)
            self._arrivals.append(time.time())
        return entry

    def _set_status(self, entry, status):
        with self._lock:
            entry["status"] = status

    def _take_fault(self, method, path):
        # Consumed under the lock so that two concurrent requests never both
        # get the last use of a fault.
        with self._lock:
            for fault in self._faults:
                if fault["method"] in ("*", method) and re.search(fault["path"], path):
                    fault["times"] -= 1
                    if fault["times"] <= 0:
                        self._faults.remove(fault)
                    return dict(fault)
        return None

    def fault_response(self, fault, request):
        """The response a fault asks for, or None to let the request through."""
        if "status" not in fault and "body" not in fault:
            return None
        if "body" in fault:
            status = fault.get("status", 200)
            content_type = fault.get("content_type") or _guess_content_type(fault["body"])
            response = Response(fault["body"], status=status, content_type=content_type)
        elif fault["status"] < 400:
            # Only errors have a body of their own.
            response = Response(b"", status=fault["status"], content_type=fault.get("content_type"))
        else:
            response = self._error_response(fault["status"], request)
            if "content_type" in fault:
                response.content_type = fault["content_type"]
        if "retry_after" in fault:
            response.headers["Retry-After"] = str(fault["retry_after"])
        return response

    def control_response(self, request):
        """Answer a request under the control prefix."""
        endpoint = request.path.replace(CONTROL_PREFIX, "", 1).strip("/")
        method = request.method
        if endpoint == "reset":
            if method != "POST":
                return method_not_allowed("POST")
            self.reset()
            return _json({"reset": True})
        if endpoint == "requests":
            if method in ("GET", "HEAD"):
                return _json(self.requests())
            if method == "DELETE":
                self.clear_requests()
                return Response(status=204)
            return method_not_allowed("GET", "DELETE")
        if endpoint == "faults":
            if method in ("GET", "HEAD"):
                return _json(self.faults())
            if method == "DELETE":
                self.clear_faults()
                return Response(status=204)
            if method == "POST":
                try:
                    data = json.loads(request.get_data(as_text=True) or "null")
                except ValueError as exc:
                    return _json({"error": "the body is not valid JSON: %s" % exc}, 400)
                if not isinstance(data, (dict, list)):
                    return _json({"error": "expected a fault object or a list of them"}, 400)
                try:
                    self.add_faults(data)
                except FaultError as exc:
                    return _json({"error": str(exc)}, 400)
                return _json(self.faults(), 201)
            return method_not_allowed("GET", "POST", "DELETE")
        name, rest = (endpoint.split("/", 1) + [""])[:2]
        if name in self._endpoints:
            return self._endpoints[name](request, rest)
        known = ["reset", "requests", "faults"] + sorted(self._endpoints)
        names = ", ".join(known[:-1]) + " or " + known[-1]
        return _json({"error": "no such control endpoint: %s (use %s)" % (request.path, names)}, 404)


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type="application/json")


def method_not_allowed(*allowed):
    """A 405 for a control endpoint, with the methods it takes in Allow."""
    response = _json({"error": "method not allowed, use %s" % " or ".join(allowed)}, 405)
    response.headers["Allow"] = ", ".join(allowed)
    return response


class ProcessDue:
    """Outermost WSGI layer of a service whose writes apply later: every request to the port, control
    ones too, first applies the writes that are due (``state.process_due()``)."""

    def __init__(self, state, app):
        self.state = state
        self.app = app

    def __call__(self, environ, start_response):
        self.state.process_due()
        return self.app(environ, start_response)


class _ControlMiddleware:
    """WSGI layer: control endpoints, then log and faults, then the vendor app."""

    def __init__(self, control, app):
        self.control = control
        self.app = app

    def __call__(self, environ, start_response):
        control = self.control
        request = Request(environ)
        path = request.path
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            return control.control_response(request)(environ, start_response)

        # The WSGI server hands the query over as latin-1; show it as UTF-8.
        query = environ.get("QUERY_STRING", "").encode("latin-1").decode("utf-8", "replace")
        # The Host header; werkzeug puts the host of an absolute-form target (a request sent
        # through a proxy, "GET http://host/path HTTP/1.1") there, and the path in the path.
        entry = control._record(request.method, environ.get("HTTP_HOST"), path, query)

        def logged_start_response(status, headers, exc_info=None):
            control._set_status(entry, int(status.split(None, 1)[0]))
            return start_response(status, headers, exc_info)

        fault = control._take_fault(request.method, path)
        if fault is None:
            return self.app(environ, logged_start_response)
        applied = None
        if fault.get("apply"):
            # The service does the work first; what the client then gets is the fault's doing:
            # a lost, late, cut or replaced answer to a request that did take effect.
            applied = Response.from_app(self.app, environ)
            control._set_status(entry, applied.status_code)
        if fault.get("delay"):
            time.sleep(fault["delay"])
        if fault.get("drop"):
            _drop_connection(environ)
        response = control.fault_response(fault, request)
        if response is None:
            response = applied
        if response is None:
            if "truncate" not in fault:
                return self.app(environ, logged_start_response)
            response = Response.from_app(self.app, environ)
        if "truncate" in fault:
            return _truncated(response, fault["truncate"], environ, logged_start_response)
        return response(environ, logged_start_response)


def _truncated(response, size, environ, start_response):
    """Send the headers of ``response`` (its full Content-Length) and ``size`` bytes of its body, then hang up."""
    body = response.get_data()
    headers = [(key, value) for key, value in response.headers.items() if key.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    start_response(response.status, headers)
    yield body[:size]
    _drop_connection(environ)


def _drop_connection(environ):
    """Close the client's connection without sending a single byte."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    # werkzeug treats a ConnectionError as a client that went away: it stops
    # handling the request quietly, without a response or a traceback.
    raise ConnectionAbortedError("connection dropped by a sandbox fault")
