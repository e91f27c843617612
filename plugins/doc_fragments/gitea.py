# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """Gitea connection options. PLUGINS adds where lookups also read them from."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - The Gitea server's base URL, without C(/api/v1), for example V(https://gitea.example.com).
      - If not set, the value of the E(GITEA_URL) environment variable is used (an empty
        variable counts as unset). Without either, the task fails before any request.
    type: str
  username:
    description:
      - The user to log in as, with HTTP basic authentication. Gitea's token endpoints accept
        nothing else.
      - If not set, the value of the E(GITEA_USERNAME) environment variable is used (an empty
        variable counts as unset). Without either, the task fails before any request.
    type: str
  password:
    description:
      - The password of O(username).
      - If not set, the value of the E(GITEA_PASSWORD) environment variable is used (an empty
        variable counts as unset). Without either, the task fails before any request.
    type: str
  otp:
    description:
      - A current code of the authenticator of an account with two-factor authentication (TOTP),
        sent as Gitea's C(X-Gitea-OTP) header with every request. A code is valid for about 30
        seconds.
      - Gitea 1.20.6 and later check the code of O(username), the user who logs in, on every
        request. Gitea 1.20.0 to 1.20.5 check it on the token endpoints only, and there it is the
        code of the user the request acts for, so with O(user) naming another user (sudo) the code
        must be that user's.
      - If not set, the value of the E(GITEA_OTP) environment variable is used (an empty variable
        counts as unset).
    type: str
"""

    PLUGINS = r"""
options:
  url:
    env:
      - name: GITEA_URL
    vars:
      - name: gitea_url
  username:
    env:
      - name: GITEA_USERNAME
    vars:
      - name: gitea_username
  password:
    env:
      - name: GITEA_PASSWORD
    vars:
      - name: gitea_password
  otp:
    env:
      - name: GITEA_OTP
    vars:
      - name: gitea_otp
notes:
  - Each item the terms name must exist; one that does not is an error, not an empty result.
"""
