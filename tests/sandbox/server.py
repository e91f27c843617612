# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs every emulated service on its own port, all in one process."""

import http.client
import socket
import threading
import time

from werkzeug.serving import WSGIRequestHandler, make_server

from . import gitea, octopus, opsgenie, rundeck
from .control import CONTROL_PREFIX, Control

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORTS = {"rundeck": 24440, "opsgenie": 24441, "octopus": 24442, "gitea": 24443}
DEFAULT_CREDENTIALS = {
    "rundeck_token": "sandbox-rundeck-token",
    "opsgenie_api_key": "sandbox-opsgenie-key",
    # An Opsgenie key that may only read: writes get 403.
    "opsgenie_read_only_api_key": "sandbox-opsgenie-readonly-key",
    "octopus_api_key": "API-SANDBOX",
    # A key whose user may read but not change anything: writes get 403.
    "octopus_viewer_api_key": "API-SANDBOXVIEWER",
    "gitea_admin_username": "sandbox-admin",
    "gitea_admin_password": "sandbox-password",
    "gitea_admin_token": "sandbox-gitea-token",
    # Passwords of the two ordinary Gitea users, alice and bob.
    "gitea_alice_password": "alice-password",
    "gitea_bob_password": "bob-password",
}
# Service name -> factory(control, credentials) returning its Flask app.
SERVICES = {
    "rundeck": rundeck.create_app,
    "opsgenie": opsgenie.create_app,
    "octopus": octopus.create_app,
    "gitea": gitea.create_app,
}
# How often a server checks for a stop request; also bounds how long stop() takes.
_POLL_INTERVAL = 0.05


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: test output stays readable."""

    def log_request(self, code="-", size="-"):
        pass


def _listen(name, host, port):
    """A listening socket for one service.

    Bound here rather than by werkzeug, which prints to stderr and exits the
    whole process when a port is taken.
    """
    # The same address family werkzeug picks for the host.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = None
    try:
        address = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)[0][4]
        sock = socket.socket(family, socket.SOCK_STREAM)
        # Lets a restarted sandbox take its ports back at once.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        if sock is not None:
            sock.close()
        raise OSError(exc.errno, "cannot listen on %s port %s for %s: %s" % (host, port, name, exc.strerror or exc)) from None
    return sock


def _url_host(host):
    # A wildcard address cannot be connected to; the loopback one can.
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    if ":" in host:
        return "[%s]" % host
    return host


class Sandbox:
    """The emulated services, each served by a threaded werkzeug server."""

    def __init__(self, host=DEFAULT_HOST, ports=None, credentials=None):
        unknown = sorted(set(ports or {}) - set(SERVICES))
        if unknown:
            raise ValueError("unknown services: %s (known: %s)" % (", ".join(unknown), ", ".join(SERVICES)))
        unknown = sorted(set(credentials or {}) - set(DEFAULT_CREDENTIALS))
        if unknown:
            raise ValueError("unknown credentials: %s (known: %s)" % (", ".join(unknown), ", ".join(DEFAULT_CREDENTIALS)))
        self.host = host
        self.ports = dict(DEFAULT_PORTS, **(ports or {}))
        self.credentials = dict(DEFAULT_CREDENTIALS, **(credentials or {}))
        self.controls = {name: Control(name) for name in SERVICES}
        self._servers = {}
        self._threads = []

    @property
    def urls(self):
        """Base URL of each service; ports are the bound ones once started."""
        ports = {name: server.port for name, server in self._servers.items()}
        return {name: "http://%s:%d" % (_url_host(self.host), ports.get(name, self.ports[name])) for name in SERVICES}

    def start(self, timeout=10.0):
        """Start every service; returns once each one answers."""
        if self._servers:
            raise RuntimeError("the sandbox is already running")
        try:
            for name, factory in SERVICES.items():
                app = factory(self.controls[name], self.credentials)
                sock = _listen(name, self.host, self.ports[name])
                try:
                    self._servers[name] = make_server(
                        self.host, self.ports[name], app, threaded=True, request_handler=_QuietRequestHandler, fd=sock.fileno()
                    )
                finally:
                    # The server works on its own duplicate of the socket.
                    sock.close()
            for name, server in self._servers.items():
                thread = threading.Thread(
                    target=server.serve_forever, kwargs={"poll_interval": _POLL_INTERVAL}, name="sandbox-" + name, daemon=True
                )
                thread.start()
                self._threads.append(thread)
            self._wait_until_answering(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_answering(self, timeout):
        deadline = time.monotonic() + timeout
        for name, server in self._servers.items():
            while True:
                connection = http.client.HTTPConnection(_url_host(self.host).strip("[]"), server.port, timeout=1)
                try:
                    # A control path: it is neither logged nor faulted.
                    connection.request("GET", CONTROL_PREFIX + "/faults")
                    connection.getresponse().read()
                    break
                except (OSError, http.client.HTTPException):
                    if time.monotonic() > deadline:
                        raise RuntimeError("the %s service did not answer within %s seconds" % (name, timeout)) from None
                    time.sleep(0.02)
                finally:
                    connection.close()

    def stop(self):
        """Stop every service; safe to call more than once."""
        threads, self._threads = self._threads, []
        servers, self._servers = self._servers, {}
        # Only servers whose thread started are serving; shutdown() would wait
        # forever on the others. Both are kept in the same order.
        for server, _thread in zip(servers.values(), threads):
            server.shutdown()
        for server in servers.values():
            server.server_close()
        for thread in threads:
            thread.join(timeout=5)

    def reset(self):
        """Same as POST /__sandbox__/reset on every port."""
        for control in self.controls.values():
            control.reset()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
