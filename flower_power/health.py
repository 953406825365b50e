"""Liveness and readiness for load balancers and orchestrators."""

import logging
import time
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from flower_power.api.errors import error_body

logger = logging.getLogger(__name__)

# Other apps add checks (e.g. "an active model is loaded") without this module importing them.
READINESS_CHECKS: dict = {}


def register_readiness_check(name: str, check) -> None:
    READINESS_CHECKS[name] = check


@never_cache
@require_GET
def healthz(request):
    """The process is alive and answering; no I/O, so a slow database never restarts us."""
    return JsonResponse({"status": "ok"})


_HEALTHZ = b'{"status": "ok"}'  # what JsonResponse writes for healthz's dict


def healthz_fast(request):
    """healthz on the lean path (flower_power/fastpath.py): the same answer, never_cache's
    headers included, without Django's request handling."""
    from flower_power.fastpath import Answer

    return Answer("200 OK", "application/json", _HEALTHZ, [
        ("Expires", http_date(time.time())),
        ("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private"),
    ])


healthz_fast.authenticated = False


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


@never_cache
@require_GET
def readyz(request):
    """Which checks fail, by name only: the reasons (hosts, database names, driver messages)
    are for the operator's log, not for an anonymous caller."""
    checks = {"database": _database, "cache": _cache, **READINESS_CHECKS}
    results = {}
    down = []
    for name, check in checks.items():
        try:
            check()
        except Exception:  # any failure means "not ready"
            logger.warning("readiness check %s failed", name, exc_info=True)
            results[name] = {"ok": False}
            down.append(name)
        else:
            results[name] = {"ok": True}
    if down:
        return JsonResponse(
            {
                "status": "unavailable",
                **error_body("not_ready", "Not ready: " + ", ".join(down) + " unavailable."),
                "checks": results,
            },
            status=503,
        )
    return JsonResponse({"status": "ok", "checks": results})
