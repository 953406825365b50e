"""OpenAPI post-processing: the parts of the contract drf-spectacular cannot infer.

drf-spectacular documents only the success response of each view. Clients (and
tests/fuzz/test_schemathesis.py, which holds the API to its schema) need the rest too: which
statuses an operation may answer with, and that their body is the one error envelope of
flower_power/api/errors.py (or the v2 protocol's `{"error": "..."}`); plus JSON-valued query
parameters and required inline request bodies.
"""

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
    401: "Not authenticated: send `Authorization: Token <key>` or log in.",
    403: "Authenticated, but not allowed (e.g. managers only, or a missing CSRF token).",
    404: "No such resource (or not yours).",
    409: (
        "Conflicts with the current state (e.g. already answered, a training in progress, or "
        "`challenge_in_progress`: the AI does not answer a trainee during an open challenge)."
    ),
    413: "The request body is too large.",
    415: "The request body must be JSON.",
    429: "Too many requests (throttled, or a login locked out); see `Retry-After`.",
    503: "A dependency is unavailable (database, or no active model yet); retry later.",
}

# Operations whose service raises flower_power.errors.Conflict; the prediction routes and
# practice refuse a trainee with an open challenge (challenge_in_progress).
CONFLICTS = {
    ("post", "/api/v1/challenges/"),
    ("post", "/api/v1/challenges/{session_id}/rounds/{index}/answer/"),
    ("post", "/api/v1/challenges/{session_id}/give-up/"),
    ("post", "/api/v1/practice/"),
    ("post", "/api/v1/practice/{attempt_id}/answer/"),
    ("post", "/api/v1/predict/"),
    ("get", "/api/v1/predict/"),
    ("get", "/predict_flower"),
    ("post", "/v2/models/{model_name}/infer"),
    ("post", "/v2/models/{model_name}/versions/{version}/infer"),
    ("post", "/api/v1/models/"),
    ("post", "/api/v1/models/{number}/activate/"),
    ("get", "/api/v1/models/{number}/plots/{kind}/"),
}
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
    if "query" in locations:
        codes.add(400)
    if "path" in locations or "page" in names:
        codes.add(404)
    if authenticated:
        codes |= {401, 403}
    if not probe:
        codes.add(429)
    if (method, path) in CONFLICTS:
        codes.add(409)
    if (method, path) not in NO_IO:
        codes.add(503)
    return codes


def _json_content_parameters(operation: dict) -> None:
    # OpenApiParameter can only give a `schema`; a parameter marked `x-json-content` is a JSON
    # document in the query string (the prototype's guess_string=[6.7,3.3,5.7,2.5]).
    for parameter in operation.get("parameters", []):
        if parameter.pop("x-json-content", False):
            parameter["content"] = {"application/json": {"schema": parameter.pop("schema")}}


def _body_required(schema: dict) -> bool:
    if "oneOf" in schema:
        return all(_body_required(choice) for choice in schema["oneOf"])
    return bool(schema.get("required"))


def _require_inline_bodies(operation: dict) -> None:
    # drf-spectacular works out `required` for serializers only; an inline JSON schema whose
    # every alternative has required properties cannot be satisfied by an empty body either.
    body = operation.get("requestBody")
    if not body or "required" in body:
        return
    schemas = [media.get("schema", {}) for media in body.get("content", {}).values()]
    if schemas and all("$ref" not in schema and _body_required(schema) for schema in schemas):
        body["required"] = True


def complete_schema(result, generator, request, public):
    """Add what drf-spectacular cannot infer: error responses, JSON query values, bodies."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["ProtocolError"] = PROTOCOL_ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        name = "ProtocolError" if path.startswith("/v2") else "Error"
        body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            _json_content_parameters(operation)
            _require_inline_bodies(operation)
            responses = operation.setdefault("responses", {})
            for code in sorted(_error_codes(path, method, operation)):
                responses.setdefault(
                    str(code), {"description": DESCRIPTIONS[code], "content": body}
                )
    return result
