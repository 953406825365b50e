"""HTTP behaviour every API route shares, enforced once in front of the views.

* Canonical API paths end with `/`. A path under /api/ without it answers **308 Permanent
  Redirect** for every method (a 301 makes clients turn a POST into a GET).
* A body larger than `REQUEST_BODY_MAX_BYTES` is a 413 in the API's error envelope (the v2
  protocol's `{"error": ...}` under /v2), decided from `Content-Length` before anything
  reads it, so nothing is logged as an error.
* A chunked body (no `Content-Length`) is read by the WSGI wrapper in flower_power/wsgi.py,
  under the same limit, when the server has de-chunked it (`wsgi.input_terminated`, as
  gunicorn does); a server that cannot gets a clear 411.
* Unknown query parameters, and single-valued ones given twice, are a 400 naming them: the
  OpenAPI schema is the list of what each operation reads.
* JSON responses of at least `JSON_GZIP_MIN_BYTES` are gzipped for clients that accept it.
  HTML never is: a page carrying a CSRF token must not be compressed (BREACH).
"""

import io
import re
import threading

import orjson
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, resolve
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from flower_power.api.errors import error_body

# Paths answered in the API's JSON error envelope, and those answered in the v2 protocol's.
JSON_PATHS = ("/api/", "/get_random_flower", "/predict_flower")
PROTOCOL_PATHS = ("/v2",)
JSON_GZIP_MIN_BYTES = 1024


def _error_payload(path: str, code: str, message: str, fields=None) -> dict:
    """The API's error envelope, or the v2 protocol's {"error": ...} under /v2."""
    if path.startswith(PROTOCOL_PATHS):
        return {"error": message}
    return error_body(code, message, fields)


def _error(path: str, status: int, code: str, message: str, fields=None) -> HttpResponse:
    return JsonResponse(_error_payload(path, code, message, fields), status=status)


def _too_large_message() -> str:
    return _("The request body is larger than %(limit)d bytes.") % {
        "limit": settings.REQUEST_BODY_MAX_BYTES}


def _handled(path: str) -> bool:
    return path.startswith(JSON_PATHS + PROTOCOL_PATHS)


class RequestBodyLimitMiddleware:
    """413 for a declared body over the limit, before any reader (Django's would log)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _handled(request.path_info):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.REQUEST_BODY_MAX_BYTES:
                # Up to what nginx lets through (twice the limit, flower_power/serve.py), the
                # body is read and dropped: left unread, granian could reset the connection
                # nginx was still writing it to, and the client got a 502 instead of this 413.
                if length <= 2 * settings.REQUEST_BODY_MAX_BYTES:
                    while request.read(65536):
                        pass
                return _error(request.path_info, 413, "too_large", _too_large_message())
        return self.get_response(request)


class ApiTrailingSlashMiddleware:
    """308 (method and body kept) from /api/...x to /api/...x/ when only the latter exists."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/api/") and not path.endswith("/"):
            try:
                resolve(path)
            except Resolver404:
                try:
                    resolve(path + "/")
                except Resolver404:
                    pass
                else:
                    query = request.META.get("QUERY_STRING", "")
                    location = request.build_absolute_uri(
                        request.path + "/" + (f"?{query}" if query else "")
                    )
                    response = _error(
                        path, 308, "moved",
                        _("API paths end with a slash: use %(url)s (same method).")
                        % {"url": location},
                    )
                    response["Location"] = location
                    return response
        return self.get_response(request)


# Path parameters, in Django's route (`<int:pk>`) and in the schema (`{id}`), compared blank.
_ROUTE_PARAMETER = re.compile(r"<[^>]+>")
_SCHEMA_PARAMETER = re.compile(r"{[^}]+}")
_schema_lock = threading.Lock()
_query_parameters: dict | None = None


def _accepts(schema: dict) -> tuple[bool, frozenset | None]:
    """(repeatable?, the values allowed or None) of a query parameter's schema."""
    if schema.get("type") == "array":
        values = schema.get("items", {}).get("enum")
        return True, frozenset(values) if values else None
    values = schema.get("enum")
    return False, frozenset(str(v) for v in values) if values else None


def _documented_query_parameters() -> dict:
    """{(method, path template): {name: (repeatable?, allowed values)}} from the OpenAPI
    schema, once a process."""
    global _query_parameters
    if _query_parameters is None:
        with _schema_lock:
            if _query_parameters is None:
                from drf_spectacular.generators import SchemaGenerator

                schema = SchemaGenerator().get_schema(request=None, public=True)
                known = {}
                for path, operations in schema["paths"].items():
                    for method, operation in operations.items():
                        if not isinstance(operation, dict):
                            continue
                        template = _SCHEMA_PARAMETER.sub("{}", path)
                        known[(method.upper(), template)] = {
                            parameter["name"]: _accepts(parameter.get("schema", {}))
                            for parameter in operation.get("parameters", [])
                            if parameter["in"] == "query"
                        }
                _query_parameters = known
    return _query_parameters


class KnownQueryParametersMiddleware(MiddlewareMixin):
    """400 naming every query parameter an operation does not read (or reads once)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        path = request.path_info
        if not request.GET or not path.startswith(JSON_PATHS):
            return None
        route = "/" + _ROUTE_PARAMETER.sub("{}", request.resolver_match.route)
        method = "GET" if request.method == "HEAD" else request.method
        known = _documented_query_parameters().get((method, route))
        if known is None:  # not a documented operation (405s, excluded views)
            return None
        fields = {}
        for name, values in request.GET.lists():
            if name not in known:
                fields[name] = [_("Unknown query parameter.")]
                continue
            repeatable, allowed = known[name]
            if len(values) > 1 and not repeatable:
                fields[name] = [_("Given more than once.")]
            elif allowed is not None:
                # `?status=` is not "any status"; an empty list (`?ordering=`) is a list.
                items = (
                    [v for value in values for v in value.split(",") if v] if repeatable
                    else values
                )
                wrong = [v for v in items if v not in allowed]
                if wrong:
                    fields[name] = [_("%(value)r is not one of %(allowed)s.") % {
                        "value": wrong[0], "allowed": ", ".join(sorted(allowed))}]
        if not fields:
            return None
        names = ", ".join(sorted(fields))
        accepted = ", ".join(sorted(known)) or _("none")
        return _error(
            path, 400, "invalid",
            _("Query parameters not accepted here: %(names)s (accepted: %(accepted)s).")
            % {"names": names, "accepted": accepted},
            fields,
        )


class JsonGZipMiddleware(GZipMiddleware):
    """Django's gzip, for JSON (and binary tensor) bodies of JSON_GZIP_MIN_BYTES or more
    only; never HTML."""

    def process_response(self, request, response):
        kind = response.get("Content-Type", "").split(";")[0].strip()
        # JSON, and the v2 protocol's binary tensors (numbers, no secrets).
        if kind not in ("application/json", "application/octet-stream") or response.streaming:
            return response
        if len(response.content) < JSON_GZIP_MIN_BYTES:
            return response
        return super().process_response(request, response)


class ChunkedBodyWSGIMiddleware:
    """Give Django a chunked request body as a sized one, or refuse it clearly.

    Django reads `Content-Length` bytes and nothing when there is none, so a chunked upload
    (requests with a generator body, curl -T -) looked empty. When the server has removed
    the chunk framing and marks the end of the body (`wsgi.input_terminated`, gunicorn), the
    body is read here, at most REQUEST_BODY_MAX_BYTES (else 413); otherwise it is a 411.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            path = environ.get("PATH_INFO", "")
            if not environ.get("wsgi.input_terminated"):
                return self._refuse(environ, start_response, path, 411, "length_required", _(
                    "Send a Content-Length: this server cannot read a chunked request body."))
            limit = settings.REQUEST_BODY_MAX_BYTES
            body = environ["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                return self._refuse(
                    environ, start_response, path, 413, "too_large", _too_large_message()
                )
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.application(environ, start_response)

    def _refuse(self, environ, start_response, path, status, code, message):
        body = orjson.dumps(_error_payload(path, code, message))
        reason = {411: "Length Required", 413: "Content Too Large"}[status]
        start_response(f"{status} {reason}", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
            # The rest of the body was not read: the connection cannot be reused.
            ("Connection", "close"),
        ])
        return [body]
