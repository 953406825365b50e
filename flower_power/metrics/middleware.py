"""Request count and latency by route template, method and status (flower_power.metrics)."""

from time import perf_counter

from flower_power.metrics import request_observe
from flower_power.request_id import request_route

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetricsMiddleware:
    """Times everything inside it. The route is the URL pattern ("/api/v1/models/<int:number>/"),
    never the path, so labels stay few; a path no pattern matches is "unmatched"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = perf_counter()
        response = self.get_response(request)
        elapsed = perf_counter() - started
        method = request.method
        request_observe(
            request_route(request) or "unmatched",
            method if method in METHODS else "other",
            response.status_code,
            elapsed,
        )
        return response
