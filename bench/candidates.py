"""Alternatives to the shipped hot path, applied by monkeypatching so the bench can measure
them side by side. Not used by the application.

* "drf defaults": the path as it was before bench/README.md's findings were adopted: DRF's
  token lookup through the ORM, DRF's list-of-timestamps throttle, and value-by-value
  validation of batches. Shows what the shipped changes bought.
* "token cache": what is still on the table: remembering a valid token's user in the process
  for a few seconds. Not shipped, because a revoked token or a deactivated account must stop
  working at once, and this would let it work for up to TOKEN_CACHE_SECONDS more.

Call `apply()` only after Django is set up.
"""

import time
from collections.abc import Callable

NAMES = ("drf defaults", "token cache")
# What candidate_wsgi.py serves next to the shipped application.
RECOMMENDED = ("token cache",)
TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 4096


def _token_cache(original: Callable) -> Callable:
    cache: dict[str, tuple[float, tuple]] = {}

    def authenticate_credentials(self, key):
        hit = cache.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        result = original(self, key)
        if len(cache) >= TOKEN_CACHE_SIZE:
            cache.clear()
        cache[key] = (now + TOKEN_CACHE_SECONDS, result)
        return result

    return authenticate_credentials


def apply(names: tuple[str, ...] = RECOMMENDED) -> Callable[[], None]:
    """Apply the named alternatives; return a function that undoes them."""
    from knox.auth import TokenAuthentication
    from rest_framework.throttling import SimpleRateThrottle

    import ml.inputs
    from flower_power.api.authentication import CachedTokenAuthentication
    from flower_power.api.throttling import CounterRateThrottle

    restore: list[tuple[object, str, object]] = []

    def patch(owner: object, attribute: str, value: object) -> None:
        restore.append((owner, attribute, owner.__dict__[attribute]))
        setattr(owner, attribute, value)

    unknown = set(names) - set(NAMES)
    if unknown:
        raise ValueError(f"unknown candidates: {sorted(unknown)}")
    if "drf defaults" in names:
        patch(CachedTokenAuthentication, "authenticate", TokenAuthentication.authenticate)
        patch(CounterRateThrottle, "allow_request", SimpleRateThrottle.allow_request)
        patch(CounterRateThrottle, "wait", SimpleRateThrottle.wait)
        patch(ml.inputs, "_valid_rows_fast", lambda instances: None)
    if "token cache" in names:
        patch(
            CachedTokenAuthentication, "authenticate_credentials",
            _token_cache(TokenAuthentication.authenticate_credentials),
        )

    def undo() -> None:
        for owner, attribute, value in reversed(restore):
            setattr(owner, attribute, value)

    return undo
