# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection options shared by every module and lookup."""

from __future__ import annotations

import math
import os
import re
from urllib.parse import urlsplit

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.opsforge.delivery.plugins.module_utils._http import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    RETRIES_RANGE,
    TIMEOUT_RANGE,
    redact_url,
    register_secret,
)


class InputError(Exception):
    """The user's input cannot work; raised before any request is sent."""


#: Credentials sent in a request header: only visible ASCII characters can go there.
HEADER_CREDENTIALS = ("api_token", "api_key", "access_token", "otp")
#: Credentials sent with basic authentication, as UTF-8.
BASIC_CREDENTIALS = ("username", "password")
#: Credentials sent in a request body (OAuth 2.0 client credentials), and the names of a site.
BODY_CREDENTIALS = ("client_id", "client_secret")
SITE_OPTIONS = ("cloud_id", "site")
#: The credentials that are secrets (a user name or a client id is not).
SECRET_OPTIONS = frozenset(["api_token", "api_key", "access_token", "otp", "password", "client_secret"])
#: A URL path that ends in an API path (/api, /api/49, /api/v1, /v2): url must be the server's base address.
API_PATH_END = re.compile(r"/(?:api(?:/v?\d+)?|v\d+)/*$", re.IGNORECASE)
#: A character a header value cannot carry: anything but visible ASCII.
NOT_HEADER_SAFE = re.compile(r"[^\x21-\x7e]")


def nonempty_env_fallback(*names):
    """Like Ansible's env_fallback, but an empty variable counts as unset.

    AWX exports every optional credential field, the empty ones as "", and an empty value must
    never override a default or turn a check off.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


def needed_env_fallback(*names):
    """nonempty_env_fallback for an option that the task cannot do without (see env_option's ``needed``)."""
    return nonempty_env_fallback(*names)


def credential_env_fallback(*names):
    """nonempty_env_fallback for one of a service's alternative credentials (see env_option's ``credential``)."""
    return nonempty_env_fallback(*names)


def env_option(names, needed=False, credential=False, **spec):
    """An argument spec entry that falls back to the first non-empty environment variable.

    ``needed``: the option or one of the variables must be set. It is not Ansible's ``required``
    (which would tell users the option itself is required); prepare_connection() checks it.
    ``credential``: the option is one of the service's alternative credentials, of which exactly
    one is used (Octopus takes an API key or an access token); see credential_problem.
    """
    if credential:
        fallback = credential_env_fallback
    else:
        fallback = needed_env_fallback if needed else nonempty_env_fallback
    spec["fallback"] = (fallback, list(names))
    return spec


#: Options every service shares: TLS, timeouts and retries.
COMMON_CONNECTION_SPEC = dict(
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    client_cert=dict(type="path"),
    client_key=dict(type="path", no_log=False),
    timeout=dict(type="float", default=DEFAULT_TIMEOUT),
    retries=dict(type="int", default=DEFAULT_RETRIES),
)


def connection_spec(service_spec):
    """The full connection argument spec of a service: its own options plus the common ones."""
    spec = dict(COMMON_CONNECTION_SPEC)
    spec.update(service_spec)
    return spec


def _options_falling_back_with(spec, function):
    """The options of ``spec`` whose fallback is ``function``, each with its environment variables."""
    found = {}
    for name, entry in spec.items():
        fallback = entry.get("fallback") or (None, ())
        if fallback[0] is function:
            found[name] = list(fallback[1])
    return found


def needed_options(spec):
    """The options of ``spec`` that must be set, each with its environment variables."""
    return _options_falling_back_with(spec, needed_env_fallback)


def credential_options(spec):
    """The alternative credentials of ``spec``, each with its environment variables: exactly one must be set."""
    return _options_falling_back_with(spec, credential_env_fallback)


def credential_problem(params, spec, direct=None):
    """What is wrong with the alternative credentials of ``spec``: none set, or more than one; None
    when exactly one is (or the service has no alternatives). Never names a value.

    ``direct``: the options given in the task itself (its arguments and module_defaults) or as
    keywords of a lookup. When exactly one of the credentials set is among them, it is the one
    used, and the others (from an environment variable or a lookup variable) are cleared in
    ``params``: a task that names its credential is not spoiled by another one in the environment.
    """
    options = credential_options(spec)
    if not options:
        return None
    given = [name for name in options if params.get(name)]
    described = " or ".join("%s (or the environment variable %s)" % (name, " or ".join(names))
                            for name, names in options.items())
    if not given:
        return "set %s" % described
    if len(given) > 1:
        named = [name for name in given if name in (direct or ())]
        if len(named) == 1:
            for name in given:
                if name != named[0]:
                    params[name] = None
            return None
        return ("%s are both set, and only one may be: set one of %s, and leave the other unset (one given in "
                "the task wins over the other's variable)" % (" and ".join(given), described))
    return None


def prepare_connection(params, spec, direct=None):
    """Tidy and check the connection options of ``params`` (changed in place) before any request.

    Credentials lose surrounding whitespace (a vault block scalar ends in a line break), silently:
    their values are never shown. Returns the secret values given, as given and as sent, for the
    caller to hide from its output. Raises InputError naming the option (never its value).
    ``direct``: the options the task (or the lookup's keywords) gave itself; see credential_problem.
    """
    secrets = secret_values(params, spec)
    for value in secrets:
        register_secret(value)
    for name in ("url",) + HEADER_CREDENTIALS + BASIC_CREDENTIALS + BODY_CREDENTIALS + SITE_OPTIONS:
        if name in spec and isinstance(params.get(name), str):
            params[name] = params[name].strip()
    problems = [(name, "set %s (or the environment variable %s)" % (name, " or ".join(names)))
                for name, names in needed_options(spec).items() if not params.get(name)]
    credentials = credential_problem(params, spec, direct)
    if credentials:
        problems.append((next(iter(credential_options(spec))), credentials))
    if problems:
        raise InputError("; ".join(problem for _name, problem in sorted(problems)))
    for name in HEADER_CREDENTIALS:
        if name in spec and params.get(name) and NOT_HEADER_SAFE.search(params[name]):
            raise InputError("%s holds a character that an HTTP header cannot carry (a space, a line break or a "
                             "character outside ASCII); check its value" % name)
    if "url" in spec and params.get("url"):
        check_url(params["url"])
    check_numbers(params)
    return secrets


def secret_values(params, spec):
    """The secret option values of ``params``, as given and without surrounding whitespace, and the
    password of a url that carries one (``https://user:password@host``)."""
    found = []
    for name in sorted(SECRET_OPTIONS):
        value = params.get(name)
        if name in spec and isinstance(value, str) and value.strip():
            found.extend(value for value in set([value, value.strip()]) if value not in found)
    url = params.get("url")
    if "url" in spec and isinstance(url, str):
        try:
            password = urlsplit(url.strip()).password
        except ValueError:
            password = None
        if password and password not in found:
            found.append(password)
    return found


def check_url(url):
    """Refuse a url that is not an http(s) address of a server, or that names the API path."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc.rsplit("@", 1)[-1]:
        raise InputError("url must be an http:// or https:// address with a host name, such as "
                         "https://server.example.com; got %s" % redact_url(url))
    end = API_PATH_END.search(parts.path)
    if end:
        raise InputError("url is the server's base address, without the API path: remove %s from its end "
                         "(this collection adds the API path itself)" % end.group(0).rstrip("/"))


def check_numbers(params):
    """Refuse a timeout or a retry count outside the documented range."""
    timeout = params.get("timeout")
    if timeout is not None and not (math.isfinite(timeout) and 0 < timeout <= TIMEOUT_RANGE[1]):
        raise InputError("timeout must be more than 0 and at most %g seconds; got %s" % (TIMEOUT_RANGE[1], timeout))
    retries = params.get("retries")
    if retries is not None and not RETRIES_RANGE[0] <= retries <= RETRIES_RANGE[1]:
        raise InputError("retries must be from %d to %d; got %s" % (RETRIES_RANGE[0], RETRIES_RANGE[1], retries))


def transport_options(params):
    """The keyword arguments of HttpClient that come from the common options."""
    return dict(
        validate_certs=params.get("validate_certs", True) is not False,
        ca_path=params.get("ca_path") or None,
        client_cert=params.get("client_cert") or None,
        client_key=params.get("client_key") or None,
        timeout=DEFAULT_TIMEOUT if params.get("timeout") is None else params["timeout"],
        retries=DEFAULT_RETRIES if params.get("retries") is None else params["retries"],
    )
