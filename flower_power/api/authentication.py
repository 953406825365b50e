"""API token authentication: django-rest-knox's, with a per-process cache in front of it.

Knox finds a token by its first characters and compares SHA-512 digests, loading the token
and its user with a join: the largest part of a cheap request's time (bench/README.md). Here
each process keeps what knox loaded, keyed by the presented token's digest, and checks that
it is still true with one Redis round trip the request makes anyway: the same pipeline that
counts the user throttle reads the user's version stamp (`auth:v:<user id>`). Whatever
changes a user row or its tokens sets a new random stamp on commit
(trainees.services.user_auth_changed), so a revoked token, a deactivated account or a started
challenge is seen on the very next request by every process. Random stamps rather than a
counter: a stamp that expired or was evicted can never come back with an old value.

Without Redis (the file cache of `make run`), or while it is unreachable, there is no
process cache: knox reads the database on every request.

Each token has a scope (trainees.models.ApiToken.Scope) and each authenticator class accepts
its own only, from the cache or the database: this one "api" tokens, /metrics's "metrics"
ones (flower_power/metrics/views.py). A leaked Prometheus token opens nothing else.
"""

import copy
import logging
import secrets
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from flower_power.api import throttling
from trainees.models import ApiToken

logger = logging.getLogger(__name__)

CACHE_MAX_ENTRIES = 10_000
# Bounds how long an entry can outlive a change whose stamp never reached Redis (it was
# unreachable at that commit; a process that sees Redis fail also drops its whole cache).
CACHE_MAX_AGE_SECONDS = 300
# A stamp unused this long expires; the next request sets a fresh one and reloads.
STAMP_TTL_SECONDS = 24 * 3600

_FAILED = object()


@dataclass(slots=True, frozen=True)
class _Entry:
    user: object
    token: object
    expires_at: float | None  # time.time() seconds; None: the token never expires
    stamp: bytes | None  # None: loaded before any stamp was read, so never trusted
    loaded_at: float


_entries: dict[str, _Entry] = {}
_entries_lock = threading.Lock()


def _store():
    """The Redis client behind the default cache, or None when the cache is not Redis."""
    if not hasattr(cache, "client"):
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def stamp_key(user_id) -> str:
    """The user's version stamp's key, before the cache's prefix."""
    return f"auth:v:{user_id}"


def _stamp_key(user_id) -> str:
    return cache.make_key(stamp_key(user_id))


def auth_versions_bump(user_ids) -> None:
    """Give these users new version stamps: every process's cached copies become stale."""
    store = _store()
    if store is None:
        return
    try:
        pipeline = store.pipeline(transaction=False)
        for user_id in user_ids:
            pipeline.set(_stamp_key(user_id), secrets.token_hex(8), ex=STAMP_TTL_SECONDS)
        pipeline.execute()
    except Exception as exc:  # the commit stands; entries age out (CACHE_MAX_AGE_SECONDS)
        logger.error("auth cache stamps not renewed for users %s: %s", list(user_ids), exc)


def auth_cache_clear() -> None:
    """Forget this process's cached tokens."""
    with _entries_lock:
        _entries.clear()


def _remember(digest: str, entry: _Entry) -> None:
    with _entries_lock:
        if digest not in _entries and len(_entries) >= CACHE_MAX_ENTRIES:
            del _entries[next(iter(_entries))]  # the oldest
        _entries[digest] = entry


def _forget(digest: str) -> None:
    with _entries_lock:
        _entries.pop(digest, None)


def _user_throttle(request):
    """The view's user throttle, if it has one: its count rides in our Redis round trip."""
    view = (getattr(request, "parser_context", None) or {}).get("view")
    if view is None:
        return None
    # get_throttles, not throttle_classes: some views choose their throttles per method.
    for throttle in view.get_throttles():
        if isinstance(throttle, throttling.UserRateThrottle) and throttle.rate is not None:
            return throttle
    return None


def entry_trusted(entry: _Entry | None, scope: str) -> bool:
    """Whether a cached entry may stand for knox's load of its token where tokens of `scope`
    authenticate: loaded under a stamp, token unexpired, entry young enough, user active, and
    the token of that scope. The cached path (below) and the lean path (flower_power/fastpath.py)
    both ask this; each compares the entry's stamp with Redis's in its own round trip."""
    if entry is None or entry.stamp is None or entry.token.scope != scope:
        return False
    now = time.time()
    return (
        (entry.expires_at is None or now < entry.expires_at)
        and now - entry.loaded_at < CACHE_MAX_AGE_SECONDS
        and entry.user.is_active
    )


def _copies(user, token):
    # Each request gets its own: threads share the cached ones, and a view may set attributes.
    user = copy.copy(user)
    token = copy.copy(token)
    token.user = user
    return user, token


class CachedTokenAuthentication(TokenAuthentication):
    """Knox tokens of this class's scope after `Authorization: Token` or `Bearer`, cached per
    process (above). Knox parses the header; ours are the second keyword, the cache and the
    scope: a token of another scope is refused (scope_refused), from the cache or not."""

    scope = ApiToken.Scope.API
    # The keyword knox's authenticate looks for (authenticate_header); "Token" but while
    # parsing a request that used Bearer.
    _keyword = "Token"

    def authenticate(self, request):
        # DRF makes new authenticators for each request (APIView.initialize_request calls
        # get_authenticators, which instantiates the classes), so what is kept on self here
        # belongs to this request alone.
        self._request = request
        first = get_authorization_header(request).split()[:1]
        self._keyword = "Bearer" if first and first[0].lower() == b"bearer" else "Token"
        try:
            return super().authenticate(request)
        finally:
            self._keyword = "Token"

    def authenticate_header(self, request) -> str:
        """Knox matches the header's keyword against this, so it is the one the request used
        while knox parses; otherwise (a 401's WWW-Authenticate) "Token", as always."""
        return self._keyword

    def authenticate_credentials(self, token: bytes):
        """Knox's lookup behind the process cache, then the scope. The key must be ASCII (they
        all are): knox would decode UTF-8 and fail with a 500 on other bytes."""
        try:
            key = token.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        store = _store()
        if store is None:
            user, api_token = super().authenticate_credentials(token)
        else:
            user, api_token = self._authenticate_cached(store, key)
        if api_token.scope != self.scope:
            raise self.scope_refused()
        return user, api_token

    def scope_refused(self) -> exceptions.APIException:
        """The answer to a valid token of another scope: on the API, a metrics token."""
        return exceptions.AuthenticationFailed(_("This token may only scrape /metrics."))

    def _authenticate_cached(self, store, key: str):
        digest = hash_token(key)
        entry = _entries.get(digest)
        stamp = _FAILED
        if entry is not None:
            stamp = self._round_trip(store, entry.user.pk)
            if entry_trusted(entry, self.scope) and stamp == entry.stamp:
                return _copies(entry.user, entry.token)
        try:
            user, token = super().authenticate_credentials(key.encode("ascii"))
        except exceptions.AuthenticationFailed:
            _forget(digest)
            raise
        if entry is None:
            # The stamp can only be read now, after the load: a change committed in between
            # would hide behind it. Stored untrusted; the next request reloads under a stamp.
            if self._round_trip(store, user.pk) is _FAILED:
                return user, token
            stamp = None
        elif stamp is _FAILED:
            return user, token
        user.is_manager  # noqa: B018 - computed once into the snapshot (it costs a query)
        _remember(digest, _Entry(
            user=user, token=token,
            expires_at=token.expiry.timestamp() if token.expiry else None,
            stamp=stamp, loaded_at=time.time(),
        ))
        return _copies(user, token)

    def _round_trip(self, store, user_id):
        """Read the user's stamp (setting one if there is none) and count the user throttle,
        in one pipeline; the count is left on the request for throttling.UserRateThrottle."""
        request = self._request
        throttle = _user_throttle(request)
        fresh = secrets.token_hex(8).encode()
        try:
            pipeline = store.pipeline(transaction=False)
            pipeline.set(_stamp_key(user_id), fresh, nx=True, get=True, ex=STAMP_TTL_SECONDS)
            if throttle is not None:
                window_key = throttle.window_key(user_id)
                counter = cache.make_key(window_key)
                pipeline.incr(counter)
                pipeline.expire(counter, throttle.duration + 1, nx=True)
            results = pipeline.execute()
        except Exception as exc:  # Redis down: stamps may have been missed, trust nothing
            logger.warning("auth cache bypassed, cache unavailable: %s", exc)
            auth_cache_clear()
            return _FAILED
        if throttle is not None:
            throttling.user_throttle_precounted(request, window_key, results[1])
        return results[0] if results[0] is not None else fresh


class CachedTokenScheme(OpenApiAuthenticationExtension):
    """Both header spellings in the schema, either one enough."""

    target_class = CachedTokenAuthentication
    name = ["tokenAuth", "bearerAuth"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": 'Token-based authentication with required prefix "Token"',
            },
            {"type": "http", "scheme": "bearer"},
        ]

    def get_security_requirement(self, auto_schema):
        return [{"tokenAuth": []}, {"bearerAuth": []}]
