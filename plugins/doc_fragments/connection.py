# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """Connection options every service shares: TLS, timeouts and retries."""

    DOCUMENTATION = r"""
options:
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate.
      - Set it to V(false) only for a test server whose certificate cannot be verified; prefer
        O(ca_path).
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to verify the server's certificate with, instead of the
        system's trust store.
    type: path
  client_cert:
    description:
      - A PEM file with the client certificate to present, for servers that require one.
      - May also contain the private key; otherwise set O(client_key).
    type: path
  client_key:
    description:
      - A PEM file with the private key of O(client_cert).
    type: path
  timeout:
    description:
      - Seconds to wait for the server to connect and to answer each request.
      - More than V(0) and at most V(3600); another value fails the task before any request.
    type: float
    default: 30
  retries:
    description:
      - How many times to retry a request that got no answer, an answer cut short, or an answer of
        429, 500, 502, 503 or 504, with a growing pause between tries that honours the server's C(Retry-After)
        up to 120 seconds.
      - Only requests that are safe to repeat (GET, PUT, DELETE) are retried after they may have
        reached the server; a POST or PATCH is retried only when the connection could not be made,
        or on 429, which says the server did nothing.
      - From V(0) to V(10); V(0) turns retries off. Another value fails the task before any request.
    type: int
    default: 3
notes:
  - Leading and trailing whitespace in O(url) and in the credentials is removed before use (a
    credential stored as a YAML block scalar ends in a line break). A token or API key must be
    printable ASCII; a user name and password are sent as UTF-8.
requirements:
  - requests
  - PyYAML
"""
