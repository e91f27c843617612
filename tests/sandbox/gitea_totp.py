# Copyright (c) opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time-based one-time codes (RFC 6238) as Gitea checks them: 6 digits, 30-second steps, SHA-1.

Gitea accepts the code of the current step and of the step on either side of it.
"""

import base64
import hashlib
import hmac
import struct
import time

#: The seed every user enrolled through the control endpoint gets unless another is given:
#: base32 of "12345678901234567890", the secret of RFC 6238's own test vectors.
DEFAULT_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
STEP = 30
DIGITS = 6
# Steps accepted before and after the current one.
SKEW = 1


def decode_secret(secret):
    """The key bytes of a base32 secret (spaces ignored, any case, padding optional); ValueError if it is not base32."""
    cleaned = secret.replace(" ", "").upper()
    cleaned += "=" * (-len(cleaned) % 8)
    try:
        key = base64.b32decode(cleaned)
    except (ValueError, TypeError) as exc:
        raise ValueError("not a base32 secret: %s" % exc) from None
    if not key:
        raise ValueError("the secret is empty")
    return key


def code_at(secret, when, digits=DIGITS):
    """The code of ``secret`` for the step that holds the Unix time ``when``."""
    counter = int(when) // STEP
    digest = hmac.new(decode_secret(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10 ** digits).zfill(digits)


def is_valid(secret, code, when=None):
    """Whether ``code`` is the code of the current step, or of one step before or after it."""
    when = time.time() if when is None else when
    if not code or len(code) != DIGITS:
        return False
    return any(hmac.compare_digest(code, code_at(secret, when + shift * STEP)) for shift in range(-SKEW, SKEW + 1))
