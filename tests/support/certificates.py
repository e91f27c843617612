# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Certificates made for one test run: a CA, a server and a client certificate it signed, and an unrelated CA.

Nothing here is trusted by the system, so a client that checks certificates the default way refuses
the server until it is given the CA.
"""

from __future__ import annotations

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Long enough for any test run, short enough that a leaked file is soon worthless.
VALIDITY = datetime.timedelta(days=2)


class Certificates:
    """Paths of the PEM files written into one directory."""

    def __init__(self, directory):
        self.directory = str(directory)
        self.ca = self.path("ca.pem")
        self.server_cert = self.path("server.pem")
        self.server_key = self.path("server.key")
        self.client_cert = self.path("client.pem")
        self.client_key = self.path("client.key")
        # The client certificate followed by its key: what client_cert alone may point at.
        self.client_combined = self.path("client-combined.pem")
        self.other_ca = self.path("other-ca.pem")

    def path(self, name):
        return os.path.join(self.directory, name)

    def private_keys(self):
        """The text of every private key written: none may show up in any output."""
        texts = []
        for path in (self.server_key, self.client_key):
            with open(path, encoding="ascii") as handle:
                texts.append(handle.read())
        return texts


def generate(directory):
    """Write a CA, a server certificate for 127.0.0.1 and localhost, a client certificate and another CA."""
    os.makedirs(str(directory), exist_ok=True)
    files = Certificates(directory)
    ca_key, ca_cert = _authority("opsforge.delivery test CA")
    other_cert = _authority("opsforge.delivery unrelated CA")[1]
    server_key, server_cert = _leaf(
        "localhost", ca_key, ca_cert, ExtendedKeyUsageOID.SERVER_AUTH,
        x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
    )
    client_key, client_cert = _leaf("opsforge.delivery test client", ca_key, ca_cert, ExtendedKeyUsageOID.CLIENT_AUTH)
    _write(files.ca, _pem(ca_cert))
    _write(files.other_ca, _pem(other_cert))
    _write(files.server_cert, _pem(server_cert))
    _write(files.server_key, _key_pem(server_key), private=True)
    _write(files.client_cert, _pem(client_cert))
    _write(files.client_key, _key_pem(client_key), private=True)
    _write(files.client_combined, _pem(client_cert) + _key_pem(client_key), private=True)
    return files


def _authority(common_name):
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name)
    builder = _builder(name, name, key.public_key())
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
    builder = builder.add_extension(_key_usage(signs_certificates=True), critical=True)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    return key, builder.sign(key, hashes.SHA256())


def _leaf(common_name, ca_key, ca_cert, usage, alternative_names=None):
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _builder(_name(common_name), ca_cert.subject, key.public_key())
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    builder = builder.add_extension(_key_usage(signs_certificates=False), critical=True)
    builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    if alternative_names is not None:
        builder = builder.add_extension(alternative_names, critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def _builder(subject, issuer, public_key):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            # A little in the past: a clock a few seconds behind must not find it "not yet valid".
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + VALIDITY))


def _key_usage(signs_certificates):
    return x509.KeyUsage(
        digital_signature=not signs_certificates, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=signs_certificates,
        crl_sign=signs_certificates, encipher_only=False, decipher_only=False,
    )


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _write(path, data, private=False):
    # Private keys readable by their owner only, as a real deployment keeps them.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
