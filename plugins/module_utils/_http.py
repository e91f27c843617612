# -*- coding: utf-8 -*-
# Copyright: opsforge.delivery contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP transport shared by every service client.

One ``requests.Session`` per run: authentication headers, TLS settings, timeouts, bounded
retries (see build_retry), JSON decoding with a clear error, and ``ApiError`` carrying the
status, the method, the URL with any credential removed and the server's own message.

The connection defaults and the retry rules below are the only place they are defined: the
connection doc fragment, the README and the guides quote them, and a unit test keeps them in step.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import ssl
import threading
import traceback
import warnings
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import InsecureRequestWarning, NewConnectionError, ReadTimeoutError
    from urllib3.util.retry import Retry
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    HAS_REQUESTS = False
else:
    HAS_REQUESTS = True


#: Seconds to wait for a connection and for each answer, unless ``timeout`` says otherwise.
DEFAULT_TIMEOUT = 30
#: How often a request is tried again, unless ``retries`` says otherwise.
DEFAULT_RETRIES = 3
#: The values ``timeout`` (more than the first, at most the second) and ``retries`` (inclusive) may take;
#: outside them a task fails before any request.
TIMEOUT_RANGE = (0, 3600)
RETRIES_RANGE = (0, 10)
#: Methods that may be sent twice without doing the work twice (the collection sends GET, PUT and DELETE).
IDEMPOTENT_METHODS = frozenset(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
#: Methods that change nothing on the server.
READ_METHODS = frozenset(["GET", "HEAD", "OPTIONS"])
#: Answers that mean "try again later" rather than "this request is wrong"; a request of
#: IDEMPOTENT_METHODS is sent again on any of them, a write only on REFUSED_UNDONE_STATUS. A 500 is
#: among them because servers answer it for passing trouble such as a locked database, and sending
#: a read again costs nothing.
RETRY_STATUSES = frozenset([429, 500, 502, 503, 504])
#: "Too many requests": the server refused before doing anything, so even a write may be sent again.
REFUSED_UNDONE_STATUS = 429
#: A server asking for a longer pause than this would hang the play; the wait is capped.
MAX_RETRY_AFTER_SECONDS = 120
#: urllib3's backoff factor: without a Retry-After, the n-th retry of a request waits this many
#: seconds times 2 ** (n - 1), the first none (0, 1, 2, 4 ... seconds).
BACKOFF_FACTOR = 0.5
#: What stands in for a secret wherever one would show: a message, a URL, a result, a diff.
MASK = "********"
#: Query parameters that carry credentials; their values never leave this module.
SECRET_QUERY_PARAMETERS = frozenset(["authtoken", "token", "access_token", "apikey", "api_key", "password", "key"])
#: Request headers whose values are credentials (compared without case).
CREDENTIAL_HEADERS = frozenset(["authorization", "proxy-authorization", "x-rundeck-auth-token", "x-octopus-apikey",
                                "x-gitea-otp"])
#: The user and password of a URL (``scheme://user:password@host``).
URL_USERINFO = re.compile(r"(?<=//)[^/\s@'\"]+@")
#: A credential query parameter of a URL and its value, wherever the URL appears in a text.
SECRET_PARAMETER_VALUE = re.compile(r"(?i)(?<=[?&])(%s)=[^&#\s'\"]+" % "|".join(sorted(SECRET_QUERY_PARAMETERS)))
#: What a failed request that may have changed something means for the person running the task.
MAY_HAVE_CHANGED = ("The change may have been made all the same; run the task again: it reads the current state "
                    "first, so it never makes a change twice.")
#: OpenSSL's verification results that ca_path cannot fix.
X509_CERT_NOT_YET_VALID = 9
X509_CERT_HAS_EXPIRED = 10
X509_HOSTNAME_MISMATCH = 62
#: TLS alerts a server sends when it refuses the client certificate it got.
CLIENT_CERT_REFUSED_ALERTS = ("UNKNOWN_CA", "BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN", "UNSUPPORTED_CERTIFICATE",
                              "CERTIFICATE_EXPIRED", "ACCESS_DENIED", "DECRYPT_ERROR")
#: TLS alerts a server sends when it wanted a client certificate and got none.
CLIENT_CERT_MISSING_ALERTS = ("CERTIFICATE_REQUIRED", "HANDSHAKE_FAILURE")


class ServiceFailure(Exception):
    """A failure of a service's, which ``to_result`` turns into the failed task's result."""

    def to_result(self):
        raise NotImplementedError


class ApiError(ServiceFailure):
    """A request to a service failed; the message is fit to show to a person.

    ``status`` is None when no HTTP answer arrived (connection refused, timeout, TLS failure).
    """

    def __init__(self, service, action, method, url, status=None, message="", details=None, outcome=None):
        self.service = service
        self.action = action
        self.method = method
        self.url = redact_url(url) if url else url
        self.status = status
        self.message = scrub(message)
        self.details = scrub_data(details)
        self.outcome = outcome
        super(ApiError, self).__init__(self._describe())

    def _describe(self):
        where = "%s %s" % (self.method, self.url) if self.method else self.url
        answer = "HTTP %s" % self.status if self.status is not None else "no HTTP answer"
        text = "%s: could not %s (%s): %s" % (self.service, self.action, where, answer)
        if self.message:
            text += ": %s" % self.message
        if self.outcome:
            text += ". %s" % self.outcome if not text.endswith(".") else " %s" % self.outcome
        return text

    def with_message(self, message):
        """The same failure with another message (the outcome and everything else kept)."""
        return ApiError(self.service, self.action, self.method, self.url, self.status, message, self.details, self.outcome)

    def to_result(self):
        """Keyword arguments for ``fail_json`` / fields for a lookup error."""
        result = dict(msg=str(self), status=self.status, method=self.method, url=self.url)
        if self.details is not None:
            result["details"] = self.details
        return result


def write_may_have_taken_effect(http, error):
    """Whether a failed run may have changed something: a write the server confirmed (on ``http``, the
    run's HttpClient), or one whose outcome ``error`` leaves unknown (no answer, or one that could not be read)."""
    if http is not None and http.completed_writes:
        return True
    return isinstance(error, ApiError) and MAY_HAVE_CHANGED in (error.outcome or "")


def redact_url(url):
    """Remove user info and credential query parameters from a URL."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MASK if k.lower() in SECRET_QUERY_PARAMETERS else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


#: Every credential this process has been given; scrub() removes them from any text.
_SECRETS = set()


def register_secret(value):
    """Remember a credential so that scrub() removes it (and its escaped forms) from every message."""
    if not isinstance(value, str) or not value.strip():
        return
    for form in (value, value.strip()):
        _SECRETS.update(secret_forms(form))


@contextlib.contextmanager
def separate_secrets():
    """Within the block, scrub() knows only the credentials registered in it, as a process of its own
    would (a module run in Ansible's worker); afterwards, again those registered before."""
    global _SECRETS
    saved = _SECRETS
    _SECRETS = set()
    try:
        yield
    finally:
        _SECRETS = saved


def secret_forms(value):
    """The ways a credential can appear in a message: as is, escaped as repr() and JSON escape it, percent-encoded."""
    forms = set([value, repr(value)[1:-1], ascii(value)[1:-1], json.dumps(value)[1:-1],
                 json.dumps(value, ensure_ascii=False)[1:-1], quote(value, safe="")])
    return set(form for form in forms if form)


def scrub(text, secrets=()):
    """``text`` without any credential: the registered ones and ``secrets`` (raw or escaped), a URL's user
    and password, and the values of credential query parameters.

    Every message made from an exception or an answer passes through here before anyone sees it.
    """
    if not isinstance(text, str) or not text:
        return text
    known = set(_SECRETS)
    for value in secrets:
        if isinstance(value, str) and value.strip():
            known.update(secret_forms(value))
            known.update(secret_forms(value.strip()))
    # Longest first, so that a value is not half-replaced through a shorter form of it.
    for secret in sorted(known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = URL_USERINFO.sub("", text)
    return SECRET_PARAMETER_VALUE.sub(lambda match: "%s=%s" % (match.group(1), MASK), text)


def scrub_data(data):
    """``data`` (an error body: mappings, lists, texts) with scrub() applied to every text in it."""
    if isinstance(data, dict):
        return dict((key, scrub_data(value)) for key, value in data.items())
    if isinstance(data, list):
        return [scrub_data(item) for item in data]
    return scrub(data)


def excerpt(text, limit=200):
    """The first ``limit`` characters of a body, on one line, for an error message."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


if HAS_REQUESTS:

    class Utf8BasicAuth(requests.auth.AuthBase):
        """HTTP basic authentication with the user and password encoded as UTF-8, as curl and Gitea do
        (requests encodes them as Latin-1: other characters fail, and accented ones arrive wrong)."""

        def __init__(self, username, password):
            self.username = username
            self.password = password

        def __call__(self, request):
            pair = ("%s:%s" % (self.username, self.password)).encode("utf-8")
            request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
            return request

    class BoundedRetry(Retry):
        """urllib3's Retry, with the server's Retry-After capped so one answer cannot hang a play."""

        def get_retry_after(self, response):
            seconds = super(BoundedRetry, self).get_retry_after(response)
            if seconds is None:
                return None
            return min(seconds, MAX_RETRY_AFTER_SECONDS)

        def is_retry(self, method, status_code, has_retry_after=False):
            # Writes are outside allowed_methods (so a lost answer is never resent); a 429 is
            # the one answer that proves the write was not done.
            if method.upper() not in IDEMPOTENT_METHODS:
                return status_code == REFUSED_UNDONE_STATUS and bool(self.total)
            return super(BoundedRetry, self).is_retry(method, status_code, has_retry_after)


def build_retry(retries, backoff_factor=BACKOFF_FACTOR):
    """The retry policy: up to ``retries`` more tries, each after a longer pause (``backoff_factor``)
    or after the server's Retry-After, at most MAX_RETRY_AFTER_SECONDS.

    A request of IDEMPOTENT_METHODS is retried on RETRY_STATUSES, on connection errors and on errors
    while reading the answer (a timeout, a dropped connection); HttpClient.request also retries one
    whose body was cut short. A POST or PATCH is retried only on connection errors, which happen
    before anything reached the server, and on REFUSED_UNDONE_STATUS, which says the server did
    nothing; a read error or any other error status after a write is final, so a write is never
    applied twice.
    """
    return BoundedRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=0,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
    )


class HttpClient(object):
    """One session to one service.

    ``error_parser(response)`` turns an error response into ``(message, details)`` in the
    service's own words. ``headers`` are sent with every request (authentication among them).
    """

    def __init__(self, service, base_url, headers=None, auth=None, validate_certs=True, ca_path=None,
                 client_cert=None, client_key=None, timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES, error_parser=None,
                 backoff_factor=BACKOFF_FACTOR):
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.error_parser = error_parser or default_error_message
        self.retries = retries
        #: Requests sent, each retry counted, for a test or benchmark to check what a run costs.
        self.request_count = 0
        # A set's reads share the session from several threads: the counts must not lose an increment.
        self._count_lock = threading.Lock()
        #: Writes the server confirmed during this run ("POST /path (HTTP 201)"), for failure messages.
        self.completed_writes = []
        self.session = requests.Session()
        self.session.trust_env = True
        self.session.headers.update({"Accept": "application/json", "User-Agent": "opsforge.delivery"})
        self.session.headers.update(headers or {})
        for name, value in (headers or {}).items():
            if name.lower() in CREDENTIAL_HEADERS:
                register_secret(value)
                # "GenieKey <key>": the key alone can show up too.
                register_secret(value.split(" ", 1)[-1])
        if isinstance(auth, tuple):
            register_secret(auth[1])
            auth = Utf8BasicAuth(*auth)
        self.session.auth = auth
        # Passed with every request too: requests lets REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE in the
        # environment override a session's verify, which would drop ca_path and validate_certs.
        if validate_certs and ca_path:
            self.verify = ca_path
        else:
            self.verify = bool(validate_certs)
        self.session.verify = self.verify
        self.has_client_cert = bool(client_cert)
        if client_cert and client_key:
            self.session.cert = (client_cert, client_key)
        elif client_cert:
            self.session.cert = client_cert
        adapter = HTTPAdapter(max_retries=build_retry(retries, backoff_factor))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def url(self, path):
        """``path`` under the base URL (the base itself for ""); an absolute URL (a link the server gave) is kept."""
        if path.startswith(("http://", "https://")):
            return path
        if not path:
            return self.base_url
        return "%s/%s" % (self.base_url, path.lstrip("/"))

    def request(self, method, path, action, expected=(200,), missing_ok=False, **kwargs):
        """Send one request; return the response, or None for a 404 when ``missing_ok``.

        Any other status outside ``expected`` raises ApiError with the server's message.
        Redirects are not followed: a redirect to another host would carry the credential
        headers along, so it is reported instead.
        """
        url = self.url(path)
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("verify", self.verify)
        # A body cut short is retried here: urllib3's Retry has already handed the response over.
        rereads = self.retries if method.upper() in IDEMPOTENT_METHODS else 0
        while True:
            try:
                with warnings.catch_warnings():
                    if kwargs["verify"] is False:
                        # The user turned checks off on purpose; urllib3 would print a warning on
                        # stderr for every request, which Ansible shows as stray output of a lookup.
                        warnings.simplefilter("ignore", InsecureRequestWarning)
                    response = self.session.request(method, url, allow_redirects=False, **kwargs)
                break
            except requests.exceptions.RequestException as exc:
                self._count(1 + _retries_in(exc))
                if rereads > 0 and _is_cut_short(exc):
                    rereads -= 1
                    continue
                # "from None": the exception's own text may hold a header value; only the scrubbed message goes on.
                raise ApiError(self.service, action, method, url,
                               message=describe_transport_error(exc, self.timeout, client_cert=self.has_client_cert),
                               outcome=self.outcome(method, None, never_sent=_never_sent(exc))) from None
            except OSError as exc:
                # requests checks that ca_path and client_cert exist before it connects.
                raise ApiError(self.service, action, method, url,
                               message="%s; ca_path, client_cert and client_key must name readable PEM files" % exc,
                               outcome=self.outcome(method, None, never_sent=True)) from None
            except (UnicodeError, ValueError) as exc:
                # A header or URL that cannot be sent (a character HTTP cannot carry): refused before sending.
                raise ApiError(self.service, action, method, url,
                               message="the request could not be built (%s): %s; check the connection options"
                               % (type(exc).__name__, excerpt(str(exc), 300)),
                               outcome=self.outcome(method, None, never_sent=True)) from None
        self._count(1 + _retries_in(response))
        response.writes_before = tuple(self.completed_writes)
        if response.status_code in expected:
            if method.upper() not in READ_METHODS:
                self.completed_writes.append("%s %s (HTTP %d)" % (method.upper(), urlsplit(url).path, response.status_code))
            return response
        if response.status_code == 404 and missing_ok:
            return None
        if 300 <= response.status_code < 400:
            location = response.headers.get("Location", "")
            raise ApiError(self.service, action, method, url, response.status_code,
                           "the server redirected to %s; set url to the address the server redirects to"
                           % redact_url(location), outcome=self.outcome(method, response.status_code))
        message, details = self.error_parser(response)
        raise ApiError(self.service, action, method, url, response.status_code, message, details,
                       outcome=self.outcome(method, response.status_code))

    def _count(self, sent):
        with self._count_lock:
            self.request_count += sent

    def outcome(self, method, status, never_sent=False):
        """What a failed request means for the server's state, and what this run had already changed."""
        return describe_outcome(method, status, never_sent, self.completed_writes)

    def close(self):
        self.session.close()


def describe_outcome(method, status, never_sent, completed_writes, answered=False):
    """The sentences a failure message ends with: whether the failed request changed anything, and
    what earlier requests of the run changed."""
    if method.upper() in READ_METHODS:
        text = "" if completed_writes else "Nothing was changed."
    elif answered:
        text = "The server answered HTTP %s but its answer could not be read. %s" % (status, MAY_HAVE_CHANGED)
    elif never_sent:
        text = "The request never reached the server, so it changed nothing."
    elif status is not None and status < 500:
        text = "The server refused the request, so it changed nothing."
    else:
        text = MAY_HAVE_CHANGED
    if completed_writes:
        text += " Changed before this failure: %s." % ", ".join(completed_writes)
    return text.strip()


def decode_json(response, service, action):
    """The JSON body of a successful response, or ApiError saying what arrived instead."""
    request = response.request
    content_type = response.headers.get("Content-Type", "")
    try:
        return response.json()
    except ValueError as exc:
        if "json" in content_type.lower():
            problem = "the response body is not valid JSON (%s; %d bytes received): %s" % (
                exc, len(response.content), excerpt(response.text))
        else:
            problem = "expected a JSON response but got %s (%d bytes): %s" % (
                content_type or "no content type", len(response.content), excerpt(response.text))
        writes_before = getattr(response, "writes_before", ())
        outcome = describe_outcome(request.method, response.status_code, False, writes_before, answered=True)
        raise ApiError(service, action, request.method, request.url, response.status_code,
                       problem + "; a proxy or load balancer may be answering instead of the service", outcome=outcome)


def default_error_message(response):
    """The body's ``message`` if it is JSON with one, else an excerpt of the body."""
    try:
        body = response.json()
    except ValueError:
        return describe_non_json(response), None
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"]), None
    return excerpt(json.dumps(body)), None


def describe_non_json(response):
    content_type = response.headers.get("Content-Type", "no content type")
    if not response.content:
        return "empty response body (%s)" % content_type
    return "the response is not JSON (%s): %s" % (content_type, excerpt(response.text))


def describe_transport_error(exc, timeout, client_cert=False):
    """A person-readable reason for a request that got no HTTP answer.

    ``client_cert`` says whether a client certificate was offered, which changes what a TLS
    refusal means.
    """
    if _is_cut_short(exc):
        return "the answer was cut short: %s" % _root_cause(exc)
    if isinstance(exc, requests.exceptions.InvalidHeader):
        # Its text quotes the header's value, which may be a credential: say what is wrong without it.
        return ("a request header holds a character HTTP cannot carry (a line break, or leading whitespace); "
                "check the credential options for stray characters")
    if isinstance(exc, requests.exceptions.SSLError):
        return describe_tls_error(_root(exc), client_cert)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "could not connect within %g seconds" % timeout
    if isinstance(exc, requests.exceptions.Timeout) or isinstance(_root(exc), ReadTimeoutError):
        # After the last retry, urllib3's read timeout arrives wrapped in a ConnectionError.
        return "no answer within %g seconds (timeout)" % timeout
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = "connection failed: %s" % _root_cause(exc)
        request = getattr(exc, "request", None)
        over_tls = bool(request is not None and (request.url or "").startswith("https://"))
        if over_tls and not client_cert and _caused_by(exc, ConnectionResetError):
            # Some servers reset the connection instead of sending a TLS alert.
            text += "; if the server requires a client certificate, set client_cert (and client_key)"
        return text
    return "%s: %s" % (type(exc).__name__, _root_cause(exc))


def _is_cut_short(exc):
    """Whether the status line arrived but the body broke off (the connection closed early)."""
    return isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError))


def _never_sent(exc):
    """Whether the request failed before any of it reached the server (no connection, no TLS session)."""
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError, requests.exceptions.InvalidURL,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
        return True
    return isinstance(_root(exc), NewConnectionError)


def describe_tls_error(reason, client_cert=False):
    """What went wrong in a TLS handshake (``reason``: the innermost exception), and what to set to fix it."""
    text = excerpt(str(reason), 300)
    if isinstance(reason, ssl.SSLCertVerificationError):
        code = getattr(reason, "verify_code", None)
        if code == X509_HOSTNAME_MISMATCH:
            return ("TLS verification failed (%s): the server's certificate is not for the host in url; "
                    "set url to a host name the certificate names" % text)
        if code in (X509_CERT_NOT_YET_VALID, X509_CERT_HAS_EXPIRED):
            return ("TLS verification failed (%s): the server's certificate is outside its validity dates; "
                    "renew it, or check the clocks" % text)
        return ("TLS verification failed (%s): the server's certificate is not signed by a CA this host trusts; "
                "set ca_path to a PEM file with the CA certificate that signed it, or validate_certs to false "
                "for a test server" % text)
    code = getattr(reason, "reason", None) or ""
    if code == "NO_CERTIFICATE_OR_CRL_FOUND":
        return "could not load ca_path (%s): it must be a PEM file of CA certificates" % text
    if code == "KEY_VALUES_MISMATCH":
        return "could not load the client certificate (%s): client_key is not the private key of client_cert" % text
    if "PEM lib" in text:
        return ("could not load the client certificate (%s): client_cert must be a PEM file with the certificate "
                "and, unless client_key is set, its private key" % text)
    # A server that refuses the handshake sends an alert, or just closes the connection.
    ended = isinstance(reason, ssl.SSLEOFError)
    if client_cert and (ended or code.endswith(CLIENT_CERT_REFUSED_ALERTS)):
        return ("the server ended the TLS handshake (%s): it did not accept the client certificate; client_cert "
                "must be signed by a CA the server trusts for clients" % text)
    if not client_cert and (ended or code.endswith(CLIENT_CERT_MISSING_ALERTS)):
        return ("the server ended the TLS handshake (%s), as a server that requires a client certificate does; "
                "set client_cert (and client_key) to a certificate it accepts" % text)
    return "TLS failed (%s); check url, ca_path, client_cert and client_key" % text


def _root_cause(exc):
    """The innermost reason of a requests/urllib3 exception chain, as text."""
    return excerpt(str(_root(exc)), 300)


def _root(exc):
    """The innermost reason of a requests/urllib3 exception chain."""
    reason = exc
    while True:
        inner = getattr(reason, "reason", None)
        # ssl.SSLError's reason is OpenSSL's code, a string: the chain ends there.
        if not isinstance(inner, BaseException):
            inner = None
        if inner is None and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        if inner is None or inner is reason:
            break
        reason = inner
    return reason


def _caused_by(exc, kind):
    """Whether an exception of type ``kind`` is anywhere in the chain of ``exc`` (urllib3 nests them in args)."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        pending.extend(inner for inner in [getattr(current, "reason", None)] + list(current.args) if isinstance(inner, BaseException))
    return False


def _retries_in(obj):
    """How many retries urllib3 made before this response or exception."""
    raw = getattr(obj, "raw", None)
    retries = getattr(raw, "retries", None)
    history = getattr(retries, "history", None)
    return len(history) if history else 0
