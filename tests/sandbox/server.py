# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs every emulated service on its own port, all in one process."""

import http.client
import socket
import ssl
import threading
import time

from werkzeug.serving import WSGIRequestHandler, make_server

from . import gitea, jira, octopus, opsgenie, rundeck
from .control import CONTROL_PREFIX, Control

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORTS = {"rundeck": 24440, "opsgenie": 24441, "octopus": 24442, "gitea": 24443, "jira": 24444}
DEFAULT_CREDENTIALS = {
    "rundeck_token": "sandbox-rundeck-token",
    "opsgenie_api_key": "sandbox-opsgenie-key",
    # An Opsgenie key that may only read: writes get 403.
    "opsgenie_read_only_api_key": "sandbox-opsgenie-readonly-key",
    "octopus_api_key": "API-SANDBOX",
    # A key whose user may read but not change anything: writes get 403.
    "octopus_viewer_api_key": "API-SANDBOXVIEWER",
    # An access token, as an OIDC exchange gives one: sent as "Authorization: Bearer <token>".
    "octopus_access_token": "sandbox-octopus-access-token",
    "gitea_admin_username": "sandbox-admin",
    "gitea_admin_password": "sandbox-password",
    "gitea_admin_token": "sandbox-gitea-token",
    # Passwords of the two ordinary Gitea users, alice and bob.
    "gitea_alice_password": "alice-password",
    "gitea_bob_password": "bob-password",
    # Not a credential but a setting of the same kind: the Gitea version emulated (1.20 or later).
    "gitea_version": gitea.VERSION,
    # The same for Rundeck: the release emulated (5.0 or later).
    "rundeck_version": rundeck.DEFAULT_RELEASE,
    # The OAuth 2.0 credentials of an on-premises integration, and the cloud id of the emulated site.
    "jira_client_id": "sandbox-jira-client",
    "jira_client_secret": "sandbox-jira-secret",
    "jira_cloud_id": "sandbox-cloud",
}
# Service name -> factory(control, credentials) returning its Flask app.
SERVICES = {
    "rundeck": rundeck.create_app,
    "opsgenie": opsgenie.create_app,
    "octopus": octopus.create_app,
    "gitea": gitea.create_app,
    "jira": jira.create_app,
}
# What the tls argument of Sandbox may hold: PEM files of the server's certificate and key, and of
# the CA whose client certificates every connection must then present.
TLS_KEYS = ("cert", "key", "client_ca")
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


def _tls_context(tls):
    """The server side of TLS: the certificate, and when a client CA is given, client certificates required."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(tls["cert"], tls["key"])
    except OSError as exc:
        raise OSError(exc.errno, "cannot load the TLS certificate %s with the key %s: %s" % (tls["cert"], tls["key"], exc.strerror or exc)) from None
    if tls.get("client_ca"):
        try:
            context.load_verify_locations(cafile=tls["client_ca"])
        except OSError as exc:
            raise OSError(exc.errno, "cannot load the client CA certificates %s: %s" % (tls["client_ca"], exc.strerror or exc)) from None
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def _probe_context():
    # The probe only asks whether the server answers; who the server is does not matter.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


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

    def __init__(self, host=DEFAULT_HOST, ports=None, credentials=None, tls=None):
        unknown = sorted(set(ports or {}) - set(SERVICES))
        if unknown:
            raise ValueError("unknown services: %s (known: %s)" % (", ".join(unknown), ", ".join(SERVICES)))
        unknown = sorted(set(credentials or {}) - set(DEFAULT_CREDENTIALS))
        if unknown:
            raise ValueError("unknown credentials: %s (known: %s)" % (", ".join(unknown), ", ".join(DEFAULT_CREDENTIALS)))
        if tls is not None:
            unknown = sorted(set(tls) - set(TLS_KEYS))
            if unknown:
                raise ValueError("unknown TLS settings: %s (known: %s)" % (", ".join(unknown), ", ".join(TLS_KEYS)))
            if not tls.get("cert") or not tls.get("key"):
                raise ValueError("TLS needs both a certificate (cert) and its private key (key)")
        self.host = host
        self.tls = dict(tls) if tls else None
        self.ports = dict(DEFAULT_PORTS, **(ports or {}))
        self.credentials = dict(DEFAULT_CREDENTIALS, **(credentials or {}))
        self.controls = {name: Control(name) for name in SERVICES}
        self._servers = {}
        self._threads = []

    @property
    def urls(self):
        """Base URL of each service; ports are the bound ones once started."""
        ports = {name: server.port for name, server in self._servers.items()}
        scheme = "https" if self.tls else "http"
        return {name: "%s://%s:%d" % (scheme, _url_host(self.host), ports.get(name, self.ports[name])) for name in SERVICES}

    def start(self, timeout=10.0):
        """Start every service; returns once each one answers."""
        if self._servers:
            raise RuntimeError("the sandbox is already running")
        try:
            # Built before any port is taken: a missing or bad file fails here (ssl.SSLError is an OSError).
            ssl_context = _tls_context(self.tls) if self.tls else None
            for name, factory in SERVICES.items():
                app = factory(self.controls[name], self.credentials)
                sock = _listen(name, self.host, self.ports[name])
                try:
                    self._servers[name] = make_server(
                        self.host,
                        self.ports[name],
                        app,
                        threaded=True,
                        request_handler=_QuietRequestHandler,
                        ssl_context=ssl_context,
                        fd=sock.fileno(),
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
            while not self._answers(server.port):
                if time.monotonic() > deadline:
                    raise RuntimeError("the %s service did not answer within %s seconds" % (name, timeout))
                time.sleep(0.02)

    def _answers(self, port):
        """Whether the server on ``port`` serves: it answers a control request, or speaks TLS to the probe."""
        host = _url_host(self.host).strip("[]")
        if self.tls:
            connection = http.client.HTTPSConnection(host, port, timeout=1, context=_probe_context())
        else:
            connection = http.client.HTTPConnection(host, port, timeout=1)
        client_cert_required = bool(self.tls and self.tls.get("client_ca"))
        handshake_done = False
        try:
            connection.connect()
            # Over TLS the server has now done its part of the handshake: it serves.
            handshake_done = self.tls is not None
            # A control path: it is neither logged nor faulted.
            connection.request("GET", CONTROL_PREFIX + "/faults")
            connection.getresponse().read()
            return True
        except ssl.SSLError:
            # The probe has no client certificate to give; a server refusing the handshake for
            # that reason serves.
            return client_cert_required
        except (OSError, http.client.HTTPException):
            # With TLS 1.3 that refusal comes after the handshake, and may arrive as a reset.
            return client_cert_required and handshake_done
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
