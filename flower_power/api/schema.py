"""OpenAPI post-processing: the parts of the contract drf-spectacular cannot infer.

drf-spectacular documents only the success response of each view. Clients (and
tests/fuzz/test_schemathesis.py, which holds the API to its schema) need the rest too: which
statuses an operation may answer with, and that their body is the one error envelope of
flower_power/api/errors.py (or the v2 protocol's `{"error": "..."}`); plus JSON-valued query
parameters and required inline request bodies.
"""

import re
import tomllib
from functools import cache
from pathlib import Path

from django.conf import settings

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
    ("get", "/api/v1/models/{number}/plots/{kind}/data-uri/"),
}
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
    if (method, path) in CONFLICTS:
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


# --- Names a generated client can live with: one tag per resource, readable operation ids.
OPERATIONS = {
    ("post", "/api/v1/auth/token/"): ("auth", "token_obtain"),
    ("delete", "/api/v1/auth/token/"): ("auth", "token_revoke"),
    ("get", "/api/v1/auth/tokens/"): ("auth", "tokens_list"),
    ("delete", "/api/v1/auth/tokens/"): ("auth", "tokens_revoke_all"),
    ("delete", "/api/v1/auth/tokens/{token_id}/"): ("auth", "token_revoke_one"),
    ("get", "/api/v1/auth/ping/"): ("auth", "ping"),
    ("get", "/api/v1/me/"): ("me", "me_read"),
    ("get", "/api/v1/me/progress/"): ("me", "me_progress"),
    ("get", "/api/v1/flowers/"): ("flowers", "flowers_list"),
    ("post", "/api/v1/flowers/"): ("flowers", "flower_create"),
    ("get", "/api/v1/flowers/{id}/"): ("flowers", "flower_read"),
    ("put", "/api/v1/flowers/{id}/"): ("flowers", "flower_replace"),
    ("patch", "/api/v1/flowers/{id}/"): ("flowers", "flower_update"),
    ("delete", "/api/v1/flowers/{id}/"): ("flowers", "flower_delete"),
    ("get", "/api/v1/flowers/random/"): ("flowers", "flower_random"),
    ("get", "/api/v1/flowers/ranges/"): ("flowers", "species_ranges"),
    ("get", "/api/v1/flowers/rules/"): ("flowers", "species_rules"),
    ("get", "/api/v1/flowers/photos/"): ("flowers", "species_photos"),
    ("get", "/flowers/photos/{species}/"): ("flowers", "species_photo_file"),
    ("get", "/api/v1/predict/"): ("predict", "predict_one"),
    ("post", "/api/v1/predict/"): ("predict", "predict"),
    ("get", "/api/v1/models/"): ("models", "models_list"),
    ("post", "/api/v1/models/"): ("models", "model_retrain"),
    ("get", "/api/v1/models/active/"): ("models", "model_active"),
    ("get", "/api/v1/models/{number}/"): ("models", "model_read"),
    ("post", "/api/v1/models/{number}/activate/"): ("models", "model_activate"),
    ("get", "/api/v1/models/{number}/plots/{kind}/"): ("models", "model_plot"),
    ("get", "/api/v1/models/{number}/plots/{kind}/data-uri/"): ("models", "model_plot_data_uri"),
    ("post", "/api/v1/practice/"): ("practice", "practice_start"),
    ("post", "/api/v1/practice/{attempt_id}/answer/"): ("practice", "practice_answer"),
    ("get", "/api/v1/challenges/"): ("challenges", "challenges_list"),
    ("post", "/api/v1/challenges/"): ("challenges", "challenge_start"),
    ("get", "/api/v1/challenges/options/"): ("challenges", "challenge_options"),
    ("get", "/api/v1/challenges/{session_id}/"): ("challenges", "challenge_read"),
    ("post", "/api/v1/challenges/{session_id}/give-up/"): ("challenges", "challenge_give_up"),
    ("post", "/api/v1/challenges/{session_id}/rounds/{index}/answer/"): (
        "challenges", "challenge_round_answer"),
    ("get", "/api/v1/scoreboard/"): ("scoreboard", "scoreboard_read"),
    ("get", "/get_random_flower"): ("legacy", "legacy_random_flower"),
    ("get", "/predict_flower"): ("legacy", "legacy_predict_flower"),
    ("get", "/v2"): ("inference-v2", "v2_server_metadata"),
    ("get", "/v2/health/live"): ("inference-v2", "v2_server_live"),
    ("get", "/v2/health/ready"): ("inference-v2", "v2_server_ready"),
    ("get", "/v2/models/{model_name}"): ("inference-v2", "v2_model_metadata"),
    ("get", "/v2/models/{model_name}/ready"): ("inference-v2", "v2_model_ready"),
    ("post", "/v2/models/{model_name}/infer"): ("inference-v2", "v2_model_infer"),
    ("get", "/v2/models/{model_name}/versions/{version}"): (
        "inference-v2", "v2_model_version_metadata"),
    ("get", "/v2/models/{model_name}/versions/{version}/ready"): (
        "inference-v2", "v2_model_version_ready"),
    ("post", "/v2/models/{model_name}/versions/{version}/infer"): (
        "inference-v2", "v2_model_version_infer"),
}
TAGS = [
    {"name": "auth", "description": "API tokens: obtain one per client with a username and "
     "password, list yours, revoke one or all."},
    {"name": "me", "description": "Your profile, stats and progress."},
    {"name": "flowers", "description": "Study flowers, species ranges, rules, photos; labelled "
     "samples (managers)."},
    {"name": "predict", "description": "The AI's species for one flower or a batch."},
    {"name": "models", "description": "Model versions, retraining and metric plots."},
    {"name": "practice", "description": "Unlabelled flowers with instant feedback."},
    {"name": "challenges", "description": "Challenges against an AI level, round by round."},
    {"name": "scoreboard", "description": "Trainees ranked against each other and the AI."},
    {"name": "legacy", "description": "The prototype's routes, kept for old clients."},
    {"name": "inference-v2", "description": "The Open Inference Protocol (KServe v2), for "
     "tritonclient and KServe clients."},
]
_LOCATION = {"Location": {"schema": {"type": "string", "format": "uri"},
                           "description": "The absolute URL of the new resource."}}
RESPONSE_HEADERS = {
    ("get", "/api/v1/scoreboard/", "200"): {"ETag": {
        "schema": {"type": "string"}, "description": "Send it back in If-None-Match."}},
    ("get", "/api/v1/scoreboard/", "304"): {"ETag": {"schema": {"type": "string"}}},
    ("post", "/api/v1/challenges/", "201"): _LOCATION,
    ("post", "/api/v1/models/", "202"): {"Location": {
        "schema": {"type": "string", "format": "uri"},
        "description": "The absolute URL of the version to poll."}},
    ("post", "/api/v1/challenges/{session_id}/rounds/{index}/answer/", "200"): {
        "Idempotent-Replayed": {
            "schema": {"type": "string", "enum": ["true"]},
            "description": "Present when this is the stored answer to an earlier request "
            "with the same Idempotency-Key and body.",
        }},
}
# Readable member names where the value alone is not a Python name.
ENUM_MEMBER_NAMES = {"7d": "LAST_7_DAYS", "30d": "LAST_30_DAYS", "": "BLANK"}


def _member_name(value) -> str:
    if value in ENUM_MEMBER_NAMES:
        return ENUM_MEMBER_NAMES[value]
    name = re.sub(r"[^0-9A-Za-z]+", "_", str(value)).strip("_").upper()
    return name if name and not name[0].isdigit() else f"V_{name}"


def _enum_member_names(node) -> None:
    if isinstance(node, dict):
        values = node.get("enum")
        if isinstance(values, list) and values and "x-enum-varnames" not in node:
            node["x-enum-varnames"] = [_member_name(v) for v in values if v is not None]
        for child in node.values():
            _enum_member_names(child)
    elif isinstance(node, list):
        for child in node:
            _enum_member_names(child)


@cache
def project_version() -> str:
    """The project's one version string (pyproject.toml): the schema's and GET /v2's."""
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def name_operations(result, generator, request, public):
    """One tag per resource, explicit operation ids, enum member names, the version."""
    result.setdefault("info", {})["version"] = project_version()
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            tag, operation_id = OPERATIONS.get(
                (method, path), ("other", operation.get("operationId"))
            )
            operation["tags"] = [tag]
            operation["operationId"] = operation_id
    result["tags"] = TAGS
    for (method, path, status), headers in RESPONSE_HEADERS.items():
        response = result.get("paths", {}).get(path, {}).get(method, {}).get("responses", {})
        if status in response:
            response[status].setdefault("headers", {}).update(headers)
    _enum_member_names(result.get("components", {}))
    return result
