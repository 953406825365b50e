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
from rest_framework import throttling
from rest_framework.settings import api_settings

from flower_power.client_ip import client_ip

logger = logging.getLogger(__name__)


def _count(key: str, window_seconds: int) -> int | None:
    """Add one to a window's counter and return it; None when the cache is unreachable."""
    try:
        from django_redis import get_redis_connection
    except ImportError:  # pragma: no cover - django-redis is a dependency
        get_redis_connection = None
    if get_redis_connection is not None and hasattr(cache, "client"):
        try:
            pipeline = get_redis_connection("default").pipeline(transaction=False)
            pipeline.incr(cache.make_key(key))
            # Only the first request of a window sets its expiry (Redis 7's NX).
            pipeline.expire(cache.make_key(key), window_seconds + 1, nx=True)
            return pipeline.execute()[0]
        except Exception as exc:  # Redis down: let requests through rather than fail them
            logger.warning("throttle not counted, cache unavailable: %s", exc)
            return None
    # Other caches (the file cache of `make run`): add-then-incr, good enough on a laptop.
    if cache.add(key, 1, timeout=window_seconds + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, timeout=window_seconds + 1)
        return 1


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
        window = int(self.timer() // self.duration)
        count = _count(f"{self.key}:{window}", self.duration)
        allowed = count is None or count <= self.num_requests
        if not allowed and count == self.num_requests + 1:  # once per window, not per refusal
            logger.warning("rate limit %s reached by %s", self.key, client_ip(request))
        return allowed

    def get_ident(self, request) -> str:
        return client_ip(request)

    def wait(self) -> float:
        return self.duration - self.timer() % self.duration


class AnonRateThrottle(throttling.AnonRateThrottle, CounterRateThrottle):
    pass


class UserRateThrottle(throttling.UserRateThrottle, CounterRateThrottle):
    pass


class ScopedRateThrottle(throttling.ScopedRateThrottle, CounterRateThrottle):
    pass


class LoginRateThrottle(CounterRateThrottle):
    """Login attempts per client address, whoever they claim to be: the same "auth" budget
    for the token endpoint, /accounts/login/ and /admin/login/ (one counter for all three, so
    spreading a password spray over them gains nothing)."""

    scope = "auth"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
