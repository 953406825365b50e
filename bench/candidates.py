"""Candidate hot-path changes, applied by monkeypatching so the bench can measure them.

Not used by the application: bench_http.py measures each against the code as shipped,
in-process and over HTTP (through bench/candidate_wsgi.py), to back the suggestions in
bench/README.md with figures. Call `apply()` only after Django is set up.
"""

import time
from collections.abc import Callable

NAMES = ("counter throttle", "token cache", "raw token query", "vectorised validation")
# What candidate_wsgi.py serves: the changes bench/README.md recommends.
RECOMMENDED = ("counter throttle", "token cache", "vectorised validation")
TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 4096


def _counter_allow_request(self, request, view) -> bool:
    """A fixed-window counter: INCR + EXPIRE NX in one round trip, whatever the rate.

    DRF's SimpleRateThrottle reads, extends and writes back a list of every request time in
    the window: two round trips, and a cost that grows with the rate it allows (and
    concurrent workers lose each other's updates). A fixed window lets a client burst up to
    twice the rate across a window boundary, which is fine for abuse protection.
    """
    if self.rate is None:
        return True
    self.key = self.get_cache_key(request, view)
    if self.key is None:
        return True
    from django_redis import get_redis_connection

    key = self.cache.make_key(f"{self.key}:{int(self.timer() // self.duration)}")
    pipeline = get_redis_connection("default").pipeline(transaction=False)
    pipeline.incr(key)
    pipeline.expire(key, self.duration, nx=True)  # Redis 7: only the first request sets it
    count, _ = pipeline.execute()
    return count <= self.num_requests


def _counter_wait(self) -> float:
    return self.duration - self.timer() % self.duration


def _token_cache(original: Callable) -> Callable:
    """Remember a valid token's (user, token) in the process for a few seconds.

    Saves the PostgreSQL round trip and, above all, the ORM's query building for a
    join; a revoked token or deactivated user keeps working for up to
    TOKEN_CACHE_SECONDS in each process that saw it.
    """
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


def _token_raw_query(self, key):
    """The token's user in one hand-written join: no ORM query building, never stale."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils.translation import gettext as _
    from rest_framework.authtoken.models import Token
    from rest_framework.exceptions import AuthenticationFailed

    user_model = get_user_model()
    fields = user_model._meta.concrete_fields
    columns = ", ".join(f'u."{field.column}"' for field in fields)
    # Identifiers from model metadata; the token is a bound parameter.
    sql = (
        f'SELECT t."created", {columns} FROM "{Token._meta.db_table}" t'  # noqa: S608
        f' JOIN "{user_model._meta.db_table}" u ON u."id" = t."user_id" WHERE t."key" = %s'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        raise AuthenticationFailed(_("Invalid token."))
    user = user_model.from_db(connection.alias, [field.attname for field in fields], row[1:])
    if not user.is_active:
        raise AuthenticationFailed(_("User inactive or deleted."))
    return user, Token(key=key, user=user, created=row[0])


def _vectorised_payload(original: Callable) -> Callable:
    """Check a batch of 4-number lists with numpy; anything else, or any error, as before.

    The shipped parser checks each value in Python and formats a field name for it even
    when it is valid; here only a rejected batch pays for that, to name the bad value.
    """
    import numpy as np
    from django.conf import settings

    from ml.models import MEASUREMENT_MAX_CM

    def predict_payload(payload):
        instances = payload.get("instances") if isinstance(payload, dict) else None
        if (
            type(instances) is list and len(payload) == 1
            and 0 < len(instances) <= settings.ML_PREDICT_MAX_ROWS
            and all(type(row) is list and len(row) == 4 for row in instances)
            and {type(value) for row in instances for value in row} <= {float, int}
        ):
            with np.errstate(all="ignore"):
                try:
                    x = np.array(instances, dtype=np.float64)
                except OverflowError:
                    return original(payload)
                if ((x > 0) & (x <= MEASUREMENT_MAX_CM)).all():
                    return x.astype(np.float32), True
        return original(payload)

    return predict_payload


def apply(names: tuple[str, ...] = RECOMMENDED) -> Callable[[], None]:
    """Apply the named changes; return a function that undoes them."""
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.throttling import SimpleRateThrottle

    restore: list[tuple[object, str, object]] = []

    def patch(owner: object, attribute: str, value: object) -> None:
        restore.append((owner, attribute, owner.__dict__[attribute]))
        setattr(owner, attribute, value)

    unknown = set(names) - set(NAMES)
    if unknown:
        raise ValueError(f"unknown candidates: {sorted(unknown)}")
    if "counter throttle" in names:
        patch(SimpleRateThrottle, "allow_request", _counter_allow_request)
        patch(SimpleRateThrottle, "wait", _counter_wait)
    if "raw token query" in names:
        patch(TokenAuthentication, "authenticate_credentials", _token_raw_query)
    if "token cache" in names:
        patch(
            TokenAuthentication, "authenticate_credentials",
            _token_cache(TokenAuthentication.authenticate_credentials),
        )
    if "vectorised validation" in names:
        import ml.views.predict

        patch(
            ml.views.predict, "predict_payload",
            _vectorised_payload(ml.views.predict.predict_payload),
        )

    def undo() -> None:
        for owner, attribute, value in reversed(restore):
            setattr(owner, attribute, value)

    return undo
