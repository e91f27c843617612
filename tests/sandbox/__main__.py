# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Command line: python -m tests.sandbox [options]; runs until SIGINT or SIGTERM.

Everything printed before the ready line is YAML (base URLs and credentials),
so scripts can read it while people can too.
"""

import argparse
import signal
import sys
import threading

import yaml

from .rundeck_versions import parse_release
from .server import DEFAULT_CREDENTIALS, DEFAULT_HOST, DEFAULT_PORTS, SERVICES, Sandbox

# Credentials that can be changed from the command line; each option is the
# key with dashes, e.g. --rundeck-token.
_CREDENTIAL_OPTIONS = (
    "rundeck_token",
    "opsgenie_api_key",
    "opsgenie_read_only_api_key",
    "octopus_api_key",
    "octopus_viewer_api_key",
    "octopus_access_token",
    "gitea_admin_password",
    "gitea_admin_token",
    "gitea_alice_password",
    "gitea_bob_password",
    "gitea_version",
    "rundeck_version",
    "jira_client_id",
    "jira_client_secret",
    "jira_cloud_id",
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tests.sandbox",
        description="Emulate the Rundeck, Opsgenie, Octopus Deploy, Gitea and Jira REST APIs on local ports.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)")
    for name in SERVICES:
        parser.add_argument(
            "--%s-port" % name,
            type=int,
            default=DEFAULT_PORTS[name],
            metavar="PORT",
            help="port of the %s API, 0 for any free port (default: %%(default)s)" % name.capitalize(),
        )
    for key in _CREDENTIAL_OPTIONS:
        parser.add_argument("--" + key.replace("_", "-"), default=DEFAULT_CREDENTIALS[key], help="(default: %(default)s)")
    parser.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (chain), PEM; needs --tls-key")
    parser.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert, PEM")
    parser.add_argument(
        "--tls-client-ca", metavar="PEM", help="require a client certificate signed by one of these CA certificates, PEM; needs --tls-cert"
    )
    parser.add_argument(
        "--octopus-no-default-space",
        action="store_true",
        help="Octopus Deploy: no space is the default one, as when an administrator disabled it",
    )
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.tls_client_ca and not args.tls_cert:
        parser.error("--tls-client-ca needs --tls-cert and --tls-key")
    try:
        parse_release(args.rundeck_version)
    except ValueError as exc:
        parser.error("--rundeck-version: %s" % exc)
    return args


def tls_settings(args):
    """The tls argument of Sandbox from the command line: None serves plain HTTP."""
    if not args.tls_cert:
        return None
    return {"cert": args.tls_cert, "key": args.tls_key, "client_ca": args.tls_client_ca}


def main(argv=None):
    args = parse_args(argv)
    stop = threading.Event()

    def request_stop(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    ports = {name: getattr(args, "%s_port" % name) for name in SERVICES}
    credentials = {key: getattr(args, key) for key in _CREDENTIAL_OPTIONS}
    sandbox = Sandbox(host=args.host, ports=ports, credentials=credentials, tls=tls_settings(args))
    if args.octopus_no_default_space:
        # Read by the Octopus service when it starts.
        sandbox.controls["octopus"].settings = {"default_space": False}
    try:
        sandbox.start()
    except (OSError, RuntimeError, ValueError) as exc:
        print("sandbox: cannot start: %s" % exc, file=sys.stderr)
        return 1
    try:
        summary = {"%s_url" % name: url for name, url in sandbox.urls.items()}
        summary.update(sandbox.credentials)
        sys.stdout.write(yaml.safe_dump(summary, sort_keys=False))
        sys.stdout.write("# sandbox ready; stop it with Ctrl-C or SIGTERM\n")
        sys.stdout.flush()
        stop.wait()
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
