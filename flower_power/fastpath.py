"""The lean path: the hottest requests of an authenticated client, answered without Django's
request handling, or handed to Django unchanged.

Through Django and DRF a prediction costs ~0.8-1.2 ms of CPU, mostly the request object, 17
middleware, DRF's negotiation and the signals around them; the model costs microseconds. The
routes in FAST_ROUTES are tried here first, and answered here only when the answer is the one
Django would give: a token whose process-cache entry is trusted (api/authentication.py), a
plain JSON body, no cookie or forwarded header, the active model loaded, guards and throttles
passed. Anything else (a new token, a bad body, a 401, 409 or 429, a compressed or chunked
body, Redis down) goes to Django with its body, before anything was counted; Django answers
as it always does. Same status, headers and body (tests/test_fastpath.py compares them).

Its checks cost one Redis round trip (flower_power/admission.py): a Lua script compares the
user's auth stamp and counts the user and rows throttles only if the stamp holds and neither
limit would be passed, so a refusal counts nothing here and Django counts it as usual.
"""

import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.http.request import split_domain_port, validate_host
from django.middleware.gzip import GZipMiddleware
from django.utils.module_loading import import_string
from django.utils.regex_helper import _lazy_re_compile
from django.utils.text import compress_string
from django.utils.translation import get_language_from_request
from knox.crypto import hash_token

from flower_power import metrics
from flower_power.admission import Admission
from flower_power.api import authentication, throttling
from flower_power.api.middleware import JSON_GZIP_MIN_BYTES
from flower_power.client_ip import FORWARDED_HEADERS
from flower_power.errors import ApplicationError
from flower_power.request_id import (
    HEADER,
    request_id_accept,
    request_id_bind,
    request_id_unbind,
    request_log,
)

logger = logging.getLogger(__name__)

_ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")
_PLAIN_ACCEPT = frozenset({"", "*/*", "application/json"})
_JSON_TYPES = frozenset({"application/json", "application/json; charset=utf-8"})
# Headers that change what Django would do or answer: let it.
_DJANGO_HEADERS = ("HTTP_COOKIE", "HTTP_CONTENT_ENCODING", "HTTP_TRANSFER_ENCODING",
                   *FORWARDED_HEADERS)

# "METHOD path": the handler, a function of a FastRequest returning an Answer or raising
# Fallback (before FastRequest.admit; after it, it must answer).
FAST_ROUTES = {
    "GET /healthz": "flower_power.health.healthz_fast",
    "POST /v2/models/iris/infer": "ml.views.fast.v2_infer",
    "POST /api/v1/predict/": "ml.views.fast.predict",
}


class Fallback(Exception):
    """Django answers this request (raised before anything was counted or recorded)."""


@dataclass(slots=True)
class Answer:
    status: str  # "200 OK"
    content_type: str
    body: bytes
    headers: list[tuple[str, str]]
    model_version: int | None = None


class FastRequest:
    """What a handler needs of the request, checked as Django would check it."""

    __slots__ = (
        "_entry_stamp",
        "admitted",
        "body",
        "client_ip",
        "environ",
        "language",
        "secure",
        "user",
    )

    def __init__(self, environ: dict, body: bytes) -> None:
        self.environ = environ
        self.body = body
        self.user = None
        self.admitted = False
        shim = SimpleNamespace(META=environ, COOKIES={}, path_info=environ["PATH_INFO"])
        self.language = get_language_from_request(shim)
        self.secure = environ.get("wsgi.url_scheme") == "https"
        self.client_ip = environ.get("REMOTE_ADDR", "")

    def authenticate(self) -> None:
        """The user of a token this process has a cache entry for that the routes' Django
        authentication (the default one, API scope) would trust, else Fallback: Django also
        refuses a token of another scope."""
        scheme, _, key = self.environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() not in ("token", "bearer") or not key or " " in key:
            raise Fallback
        entry = authentication._entries.get(hash_token(key))
        if not authentication.entry_trusted(
                entry, authentication.CachedTokenAuthentication.scope):
            raise Fallback
        self.user = entry.user
        self._entry_stamp = entry.stamp
        if throttling.RowsRateThrottle().known_exhausted(self):
            raise Fallback

    def admit(self, rows: int) -> None:
        """Count the request and its rows, or Fallback with nothing counted. After this the
        request is answered here, whatever happens."""
        user_throttle, rows_throttle = throttling.UserRateThrottle(), throttling.RowsRateThrottle()
        user_id, make_key = self.user.pk, _redis["make_key"]
        try:
            admitted = _redis["admit"](
                [make_key(authentication.stamp_key(user_id)),
                 make_key(user_throttle.window_key(user_id)),
                 make_key(rows_throttle.window_key(self))],
                [self._entry_stamp, *_limit(user_throttle), rows, *_limit(rows_throttle)],
            )
        except Exception as exc:  # Redis down or slow: Django's path knows what to do
            logger.debug("fast path: admission not checked (%s)", exc)
            raise Fallback from None
        if admitted != 1:
            raise Fallback
        self.admitted = True


def _limit(throttle) -> tuple[int, int]:
    if throttle.rate is None:
        return -1, 0
    return throttle.num_requests, throttle.duration + 1


# The cache's key function and the registered script, once a process (FastPathWSGIMiddleware):
# through Django's per-thread cache proxies they cost more than the rest of the checks.
_redis: dict[str, Callable] = {}


@dataclass(frozen=True, slots=True)
class Route:
    handler: Callable[[FastRequest], Answer]
    route: str  # the URL pattern, as the log and the metrics name it
    authenticated: bool


class FastPathWSGIMiddleware:
    """Try FAST_ROUTES here; everything else, and every Fallback, goes to `application`."""

    def __init__(self, application) -> None:
        self.application = application
        self.routes: dict[tuple[str, str], Route] | None = None

    def _load(self) -> dict[tuple[str, str], Route]:
        from django.urls import resolve

        store = authentication._store()
        if not settings.FAST_PATH or store is None:
            return {}
        _redis.update(make_key=cache.make_key, admit=Admission(store))
        routes = {}
        for key, dotted in FAST_ROUTES.items():
            method, path = key.split(" ", 1)
            handler = import_string(dotted)
            routes[(method, path)] = Route(
                handler, "/" + resolve(path).route, getattr(handler, "authenticated", True))
        return routes

    def __call__(self, environ, start_response):
        if self.routes is None:
            self.routes = self._load()
        route = self.routes.get((environ["REQUEST_METHOD"], environ.get("PATH_INFO")))
        length = environ.get("CONTENT_LENGTH") or "0"
        if (route is None or not self._plain(environ) or not length.isdigit()
                or int(length) > settings.REQUEST_BODY_MAX_BYTES):  # Django's 413, unread
            return self.application(environ, start_response)
        started = time.perf_counter()
        body, request, connected = None, None, connection.connection is not None
        try:
            body = environ["wsgi.input"].read(int(length)) if length != "0" else b""
            request = FastRequest(environ, body)
            if route.authenticated:
                request.authenticate()
            answer = route.handler(request)
        except Exception as exc:
            if request is not None and request.admitted:
                raise  # counted: a 500, as Django's would be
            if not isinstance(exc, Fallback | ApplicationError):
                logger.warning("fast path failed; Django answers instead", exc_info=True)
            if body is not None:
                environ["wsgi.input"] = io.BytesIO(body)
            return self.application(environ, start_response)
        finally:
            if not connected and connection.connection is not None:  # drift samples written
                close_old_connections()  # the connection it opened, as Django's end of request
        return self._respond(environ, start_response, request, route, answer, started)

    @staticmethod
    def _plain(environ) -> bool:
        if environ.get("QUERY_STRING") or any(h in environ for h in _DJANGO_HEADERS):
            return False
        if environ.get("HTTP_ACCEPT", "") not in _PLAIN_ACCEPT:
            return False
        if environ.get("CONTENT_LENGTH") and environ.get("CONTENT_TYPE") not in _JSON_TYPES:
            return False
        secure = environ.get("wsgi.url_scheme") == "https"
        if settings.SECURE_SSL_REDIRECT and not secure:
            return False
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        domain, _port = split_domain_port(host)
        return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)

    def _respond(self, environ, start_response, request, route, answer: Answer, started):
        request_id = request_id_accept(environ.get("HTTP_X_REQUEST_ID"))
        token = request_id_bind(request_id)
        body, headers = answer.body, [("Content-Type", answer.content_type), *answer.headers]
        vary = "Accept-Language"
        if len(body) >= JSON_GZIP_MIN_BYTES:  # JsonGZipMiddleware's rule, Django's gzip
            vary += ", Accept-Encoding"
            if _ACCEPTS_GZIP.search(environ.get("HTTP_ACCEPT_ENCODING", "")):
                compressed = compress_string(
                    body, max_random_bytes=GZipMiddleware.max_random_bytes)
                if len(compressed) < len(body):
                    body = compressed
                    headers.append(("Content-Encoding", "gzip"))
        headers += _common_headers(request, len(body), vary)
        headers.append((HEADER, request_id))
        start_response(answer.status, headers)
        status = int(answer.status[:3])
        elapsed = time.perf_counter() - started
        if metrics.ENABLED:
            metrics.request_observe(route.route, environ["REQUEST_METHOD"], status, elapsed)
        request_log(environ["REQUEST_METHOD"], route.route, status, started,
                    user_id=request.user.pk if request.user is not None else None,
                    client_ip=request.client_ip, model_version=answer.model_version)
        request_id_unbind(token)
        return [body]


def _common_headers(request: FastRequest, length: int, vary: str) -> list[tuple[str, str]]:
    """What Django's middleware adds to such a response (settings.MIDDLEWARE, in its order)."""
    headers = [("X-Frame-Options", settings.X_FRAME_OPTIONS), ("Content-Length", str(length)),
               ("Vary", vary), ("Content-Language", request.language)]
    if settings.PERMISSIONS_POLICY:
        headers.append(("Permissions-Policy", settings.PERMISSIONS_POLICY))
    if settings.SECURE_HSTS_SECONDS and request.secure:
        sts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            sts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            sts += "; preload"
        headers.append(("Strict-Transport-Security", sts))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append(("Referrer-Policy", settings.SECURE_REFERRER_POLICY))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    return headers
