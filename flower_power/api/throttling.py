"""Throttles as fixed-window counters in the shared cache.

DRF's SimpleRateThrottle reads, extends and writes back a list of every request time in the
window: two cache round trips, a cost that grows with the rate it allows (bench/README.md),
and concurrent processes overwrite each other's updates. A counter per window is one atomic
INCR whatever the rate. The price: a client can burst up to twice the rate across a window
boundary, which is fine for abuse protection. Rates are read when asked (DRF binds them at
import), so changed settings apply.

Anonymous clients are counted per address from flower_power.client_ip, never from DRF's own
get_ident, which believes any X-Forwarded-For a client sends (a rotating value escaped it).
"""

import logging

from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework import exceptions, throttling
from rest_framework.settings import api_settings

from flower_power.client_ip import client_ip

logger = logging.getLogger(__name__)


def _count(key: str, window_seconds: int, amount: int = 1) -> int | None:
    """Add `amount` (a request, or its rows) to a window's counter and return the total;
    None when the cache is unreachable."""
    try:
        from django_redis import get_redis_connection
    except ImportError:  # pragma: no cover - django-redis is a dependency
        get_redis_connection = None
    if get_redis_connection is not None and hasattr(cache, "client"):
        try:
            connection, counter = get_redis_connection("default"), cache.make_key(key)
            count = connection.incrby(counter, amount)
            # Only the window's first increment sets the expiry: every other request is one
            # command, half the CPU of a pipeline (bench/README.md). Were that EXPIRE lost,
            # the key would only linger: the window's number is part of it.
            if count == amount:
                connection.expire(counter, window_seconds + 1)
            return count
        except Exception as exc:  # Redis down: let requests through rather than fail them
            logger.warning("throttle not counted, cache unavailable: %s", exc)
            return None
    # Other caches (the file cache of `make run`): add-then-incr, good enough on a laptop.
    if cache.add(key, amount, timeout=window_seconds + 1):
        return amount
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired in between
        cache.add(key, amount, timeout=window_seconds + 1)
        return amount


class CounterRateThrottle(throttling.SimpleRateThrottle):
    @property
    def THROTTLE_RATES(self):
        return api_settings.DEFAULT_THROTTLE_RATES

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count = self.count(request, f"{self.key}:{self.window()}")
        allowed = count is None or count <= self.num_requests
        if not allowed and count == self.num_requests + 1:  # once per window, not per refusal
            logger.warning("rate limit %s reached by %s", self.key, client_ip(request))
        return allowed

    def window(self) -> int:
        """The number of the current window: counters are per window, keyed by it."""
        return int(self.timer() // self.duration)

    def count(self, request, window_key: str) -> int | None:
        return _count(window_key, self.duration)

    def get_ident(self, request) -> str:
        return client_ip(request)

    def wait(self) -> float:
        return self.duration - self.timer() % self.duration


class AnonRateThrottle(throttling.AnonRateThrottle, CounterRateThrottle):
    pass


class UserRateThrottle(throttling.UserRateThrottle, CounterRateThrottle):
    """Per account. Token authentication counts the request in the Redis round trip it makes
    anyway (flower_power.api.authentication) and leaves the count on the request."""

    def window_key(self, user_pk) -> str:
        ident = self.cache_format % {"scope": self.scope, "ident": user_pk}
        return f"{ident}:{self.window()}"

    def count(self, request, window_key: str) -> int | None:
        counted = getattr(getattr(request, "_request", request), _PRECOUNTED, None)
        if counted is not None and counted[0] == window_key:
            return counted[1]
        return super().count(request, window_key)


_PRECOUNTED = "_fp_user_throttle_count"


def user_throttle_precounted(request, window_key: str, count: int) -> None:
    """Leave a user throttle count on the request (counted by the authentication)."""
    setattr(getattr(request, "_request", request), _PRECOUNTED, (window_key, count))


class ScopedRateThrottle(throttling.ScopedRateThrottle, CounterRateThrottle):
    pass


class LoginRateThrottle(CounterRateThrottle):
    """Login attempts per client address, whoever they claim to be: the same "auth" budget
    for the token endpoint, /accounts/login/ and /admin/login/ (one counter for all three, so
    spreading a password spray over them gains nothing)."""

    scope = "auth"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# {rows counter key: its window} of users this process saw over THROTTLE_ROWS. A counter only
# grows within its window, so until the window ends their batches are refused before their
# bodies are parsed: a refusal must not cost what serving did (16 parallel 10,000-row batches
# of one user, mostly refused, still slowed everyone else's requests ~50 times).
_rows_exhausted: dict[str, int] = {}


class RowsRateThrottle(CounterRateThrottle):
    """Rows predicted per user (THROTTLE_ROWS): a request costs its rows, so one client's
    10,000-row batches, each a single request to UserRateThrottle, cannot take the CPU from
    everyone else. The prediction views call `rows_throttle_early` before reading the body and
    `rows_throttle` once it is parsed; DRF's own throttles cannot know the rows."""

    scope = "rows"

    def get_cache_key(self, request, view) -> str:
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def window_key(self, request) -> str:
        """The counter of the request's user (or address) in this window."""
        return f"{self.get_cache_key(request, None)}:{self.window()}"

    def known_exhausted(self, request) -> bool:
        """Whether this process already saw the user over the budget in this window."""
        if self.rate is None or not _rows_exhausted:
            return False
        return _rows_exhausted.get(self.get_cache_key(request, None)) == self.window()

    def allow_rows(self, request, rows: int) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, None)
        window = self.window()
        count = _count(f"{self.key}:{window}", self.duration, rows)
        allowed = count is None or count <= self.num_requests
        if not allowed:
            for key in [k for k, w in list(_rows_exhausted.items()) if w < window]:
                _rows_exhausted.pop(key, None)
            _rows_exhausted[self.key] = window
            if count - rows <= self.num_requests:  # the first refusal of a window
                logger.warning("rate limit %s reached by %s", self.key, client_ip(request))
        return allowed


def _rows_throttled(throttle: RowsRateThrottle) -> exceptions.Throttled:
    return exceptions.Throttled(
        wait=throttle.wait(),
        detail=_("Too many rows predicted: at most %(limit)d per %(period)d s per user.")
        % {"limit": throttle.num_requests, "period": throttle.duration},
    )


def rows_throttle_early(request) -> None:
    """Before the body is read: 429 for a user already over THROTTLE_ROWS in this window."""
    throttle = RowsRateThrottle()
    if throttle.known_exhausted(request):
        raise _rows_throttled(throttle)


def rows_throttle(request, rows: int) -> None:
    """Count a prediction's rows; raise Throttled (429, Retry-After) past THROTTLE_ROWS."""
    throttle = RowsRateThrottle()
    if not throttle.allow_rows(request, rows):
        raise _rows_throttled(throttle)
