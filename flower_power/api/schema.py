"""OpenAPI post-processing: the parts of the contract drf-spectacular cannot infer.

drf-spectacular documents only the success response of each view. Clients (and
tests/fuzz/test_schemathesis.py, which holds the API to its schema) need the rest too: which
statuses an operation may answer with, and that their body is the one error envelope of
flower_power/api/errors.py (or the v2 protocol's `{"error": "..."}`); plus JSON-valued query
parameters and required inline request bodies. (Tags and operation ids: schema_names.py.)
"""

import tomllib
from functools import cache
from pathlib import Path

from django.conf import settings
from drf_spectacular.utils import extend_schema

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error: a stable code, a readable message, and per-field problems.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
            },
            "required": ["code", "message", "fields"],
        },
    },
    "required": ["error"],
}
PROTOCOL_ERROR_SCHEMA = {
    "type": "object",
    "description": "An Open Inference Protocol (KServe v2) error.",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}

DESCRIPTIONS = {
    400: "Invalid input; the message (and `fields`) say what is wrong.",
    401: "Not authenticated: send `Authorization: Token <key>` (or `Bearer <key>`) or log in.",
    403: "Authenticated, but not allowed (e.g. managers only, or a missing CSRF token).",
    404: "No such resource (or not yours).",
    409: (
        "Conflicts with the current state (e.g. already answered, a training in progress, or "
        "`challenge_in_progress`: the AI does not answer a trainee during an open challenge)."
    ),
    413: "The request body is too large (over {max_bytes} bytes).",
    422: "The Idempotency-Key was already used with a different body.",
    415: "The request body must be JSON.",
    429: "Too many requests (throttled, or a login locked out); see `Retry-After`.",
    503: "A dependency is unavailable (database, or no active model yet); retry later.",
}

def _error(code: str, message: str, fields: dict | None = None) -> dict:
    return {"value": {"error": {"code": code, "message": message, "fields": fields or {}}}}


# Real bodies (as the API answers them), one per status, shown in the docs and clients.
ERROR_EXAMPLES = {
    400: _error("invalid", "rounds: Ensure this value is greater than or equal to 1.",
                {"rounds": ["Ensure this value is greater than or equal to 1."]}),
    401: _error("not_authenticated", "Authentication credentials were not provided."),
    403: _error("permission_denied", "Only managers may do this."),
    404: _error("not_found", "No such challenge."),
    409: _error("challenge_in_progress",
                "Challenge #12 is still open: finish it or give it up first."),
    413: _error("request_too_large", "The request body is too large."),
    415: _error("unsupported_media_type", 'Unsupported media type "text/plain" in request.'),
    422: _error("idempotency_key_reused",
                "This Idempotency-Key was already used with a different body."),
    429: _error("throttled", "Request was throttled. Expected available in 42 seconds."),
    503: _error("no_model", "No model is active yet; a manager must train or activate one."),
}
PROTOCOL_ERROR_EXAMPLES = {
    400: {"value": {"error": "Malformed JSON: unexpected end of document."}},
    401: {"value": {"error": "Authentication credentials were not provided."}},
    403: {"value": {"error": "You do not have permission to perform this action."}},
    404: {"value": {"error": "Unknown model 'iris-classifier'."}},
    409: {"value": {"error": "Challenge #12 is still open: finish it or give it up first."}},
    413: {"value": {"error": "The request body is too large."}},
    415: {"value": {"error": "Unsupported media type \"text/plain\" in request."}},
    429: {"value": {"error": "Request was throttled. Expected available in 42 seconds."}},
    503: {"value": {"error": "No model is active yet."}},
}

# A view (or view method) whose service may raise flower_power.errors.Conflict says so where
# it calls the service: `@may_conflict` documents its 409 (complete_schema reads the mark).
CONFLICT_MARK = "x-may-conflict"
may_conflict = extend_schema(extensions={CONFLICT_MARK: True})

# Operations with no body or query that still answer 400: revoking "this request's token"
# from a browser session, which carries none (no_token).
BAD_REQUESTS = {("delete", "/api/v1/auth/token/")}
# Readiness and liveness probes: no credentials, no throttle; liveness does no I/O.
NO_IO = {("get", "/v2/health/live")}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _error_codes(path: str, method: str, operation: dict) -> set[int]:
    parameters = operation.get("parameters", [])
    locations = {parameter["in"] for parameter in parameters}
    names = {parameter["name"] for parameter in parameters}
    security = operation.get("security")
    authenticated = any(requirement for requirement in security or [])
    # `[{}]`: open to anonymous callers, like the v2 probes, which are never throttled.
    probe = security is not None and not authenticated
    codes = set()
    if "requestBody" in operation:
        codes |= {400, 413, 415}
    if "query" in locations or (method, path) in BAD_REQUESTS:
        codes.add(400)
    if "path" in locations or "page" in names:
        codes.add(404)
    if authenticated:
        codes |= {401, 403}
    if not probe:
        codes.add(429)
    if operation.pop(CONFLICT_MARK, False):
        codes.add(409)
    if any(p["name"] == "Idempotency-Key" for p in parameters):
        codes.add(422)
    if (method, path) not in NO_IO:
        codes.add(503)
    return codes


def _json_content_parameters(operation: dict) -> None:
    # OpenApiParameter can only give a `schema`; a parameter marked `x-json-content` is a JSON
    # document in the query string (the prototype's guess_string=[6.7,3.3,5.7,2.5]).
    for parameter in operation.get("parameters", []):
        if parameter.pop("x-json-content", False):
            parameter["content"] = {"application/json": {"schema": parameter.pop("schema")}}


def _body_required(schema: dict, components: dict) -> bool:
    if "oneOf" in schema:
        return all(_body_required(choice, components) for choice in schema["oneOf"])
    if "$ref" in schema:
        return _body_required(components.get(schema["$ref"].rsplit("/", 1)[-1], {}), components)
    return bool(schema.get("required"))


def _require_inline_bodies(operation: dict, components: dict) -> None:
    # drf-spectacular works out `required` for serializers only; a JSON schema given by hand
    # (a `oneOf` of PredictOne and PredictBatch) whose every alternative has required
    # properties cannot be satisfied by an empty body either.
    body = operation.get("requestBody")
    if not body or "required" in body:
        return
    schemas = [media.get("schema", {}) for media in body.get("content", {}).values()]
    if schemas and all(
        "$ref" not in schema and _body_required(schema, components) for schema in schemas
    ):
        body["required"] = True


def _hand_written_components() -> dict:
    # Request bodies given as JSON schemas (not serializers) that a client should see by name,
    # and the plot kinds (only ever a path parameter, so no serializer names them).
    from ml.plots import PLOT_KINDS
    from ml.views.predict import PREDICT_COMPONENTS

    return {**PREDICT_COMPONENTS, "PlotKindEnum": {"type": "string", "enum": list(PLOT_KINDS)}}


def _named_parameter_enums(operation: dict, schemas: dict) -> None:
    # A parameter's inline enum (a filter's `species`, a path's `kind`) becomes a reference
    # to the named component with the same values: one SpeciesEnum for the whole client.
    by_values = {}
    for name, schema in schemas.items():
        values = schema.get("enum")
        if isinstance(values, list) and schema.get("type") == "string":
            by_values.setdefault(tuple(sorted(map(str, values))), name)
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        values = schema.get("enum")
        name = by_values.get(tuple(sorted(map(str, values)))) if isinstance(values, list) else None
        if name and schema.get("type") == "string":
            parameter["schema"] = {"$ref": f"#/components/schemas/{name}"}


# BoundedPageNumberPagination takes page numbers of at most 9 digits.
PAGE_MAX = 999_999_999


def _query_parameter_bounds(operation: dict) -> None:
    # What the API accepts, said in the schema (the fuzzer holds us to it): a page number of at
    # most 9 digits; no NUL character in free text (DRF's CharField refuses it); an empty
    # `ordering=` is the default order.
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "query":
            continue
        schema = parameter.get("schema", {})
        if parameter["name"] == "page":
            schema["maximum"] = PAGE_MAX
        elif parameter["name"] == "ordering":
            parameter["allowEmptyValue"] = True
        elif schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
            schema.setdefault("pattern", "^[^\\u0000]*$")


def complete_schema(result, generator, request, public):
    """Add what drf-spectacular cannot infer: error responses, JSON query values, bodies."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["ProtocolError"] = PROTOCOL_ERROR_SCHEMA
    schemas.update(_hand_written_components())
    for name, component in schemas.items():
        # A page always has `next` and `previous` (null at either end).
        if name.startswith("Paginated") and "properties" in component:
            component["required"] = list(component["properties"])
    for path, operations in result.get("paths", {}).items():
        protocol = path.startswith("/v2")
        name = "ProtocolError" if protocol else "Error"
        examples = PROTOCOL_ERROR_EXAMPLES if protocol else ERROR_EXAMPLES
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            _json_content_parameters(operation)
            _require_inline_bodies(operation, schemas)
            _named_parameter_enums(operation, schemas)
            _query_parameter_bounds(operation)
            responses = operation.setdefault("responses", {})
            for code in sorted(_error_codes(path, method, operation)):
                media = {"schema": {"$ref": f"#/components/schemas/{name}"}}
                if code in examples:
                    media["examples"] = {"Error": examples[code]}
                responses.setdefault(
                    str(code),
                    {"description": DESCRIPTIONS[code].format(
                        max_bytes=settings.REQUEST_BODY_MAX_BYTES),
                     "content": {"application/json": media}},
                )
    return result


@cache
def project_version() -> str:
    """The project's one version string (pyproject.toml): the schema's and GET /v2's."""
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
