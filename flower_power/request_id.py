"""One id per request, in the X-Request-ID response header and on every log line the request
causes, in the web process and in the Celery tasks it starts (flower_power/celery.py), so one
search finds everything a request did. Also the request's own log line: the access log.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar, Token

from django.core.signals import request_finished
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject, empty

HEADER = "X-Request-ID"
# An id a proxy or client sends is kept only if it is short and plain, so it can neither forge
# log structure nor smuggle a secret of any length into every line.
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)

logger = logging.getLogger("flower_power.requests")


def current_request_id() -> str | None:
    """The id of the request (or of the request that started the task) being handled."""
    return _current.get()


def request_id_bind(request_id: str | None) -> Token:
    return _current.set(request_id)


def request_id_unbind(token: Token) -> None:
    _current.reset(token)


def request_id_accept(candidate: str | None) -> str:
    """The candidate if it is a sane id, else a fresh one."""
    if candidate and _SANE.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


def note_model_version(request, number: int) -> None:
    """Name the model version that served this request on its log line."""
    # DRF's Request does not pass attribute writes on to the Django request the middleware has.
    getattr(request, "_request", request).model_version = number


@receiver(request_finished, dispatch_uid="flower_power.request_id.unbind")
def _request_id_unbind_at_the_end(**kwargs) -> None:
    _current.set(None)


def request_route(request) -> str | None:
    """The URL pattern the request matched ("/api/v1/models/<int:number>/"), never the path:
    ids and anything a client put in the path or query stay out of logs and metric labels.
    None when no pattern matched."""
    match = getattr(request, "resolver_match", None)
    return "/" + match.route if match is not None else None


def _user_id(request) -> int | None:
    # DRF puts the user it authenticated (a token's, say) on the Django request. A session user
    # nobody looked at stays unevaluated: logging must not cost a session query.
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


class RequestIdMiddleware:
    """Bind the request's id, return it in X-Request-ID, and log one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_accept(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        # Unbound when the response is closed (below), not on the way out of here: Django's
        # own django.request line about a 4xx/5xx is written after the middleware returns.
        request_id_bind(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[HEADER] = request_id
        self._log(request, response, started)
        return response

    @staticmethod
    def _log(request, response, started: float) -> None:
        request_log(
            request.method, request_route(request), response.status_code, started,
            user_id=_user_id(request), client_ip=getattr(request, "client_ip", None),
            model_version=getattr(request, "model_version", None),
        )


def request_log(method: str, route: str | None, status: int, started: float, *,
                user_id: int | None, client_ip: str | None, model_version: int | None) -> None:
    """A request's one line (the access log), from the middleware or the lean prediction
    path (flower_power/fastpath.py); `started` is its perf_counter() at the start."""
    level = logging.ERROR if status >= 500 else logging.INFO
    if not logger.isEnabledFor(level):  # LOG_LEVEL=WARNING: nothing to build
        return
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    logger.log(
        level,
        "%s %s %s %.1fms", method, route or "-", status, duration_ms,
        extra={
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": duration_ms,
            "user_id": user_id,
            "client_ip": client_ip,
            "model_version": model_version,
        },
    )
