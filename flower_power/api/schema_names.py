"""OpenAPI post-processing: names a generated client can live with.

One tag per resource, readable operation ids, response headers, enum member names and the
project's version (the error responses are flower_power/api/schema.py's).
"""

import re

from flower_power.api.schema import HTTP_METHODS, project_version

# Per tag, one operation a line: method, path, operation id.
_OPERATION_TABLE = {
    "auth": """
        post    /api/v1/auth/token/             token_obtain
        delete  /api/v1/auth/token/             token_revoke
        get     /api/v1/auth/tokens/            tokens_list
        delete  /api/v1/auth/tokens/            tokens_revoke_all
        delete  /api/v1/auth/tokens/{token_id}/ token_revoke_one
        get     /api/v1/auth/ping/              ping
    """,
    "me": """
        get     /api/v1/me/                     me_read
        get     /api/v1/me/progress/            me_progress
    """,
    "flowers": """
        get     /api/v1/flowers/                flowers_list
        post    /api/v1/flowers/                flower_create
        get     /api/v1/flowers/{id}/           flower_read
        put     /api/v1/flowers/{id}/           flower_replace
        patch   /api/v1/flowers/{id}/           flower_update
        delete  /api/v1/flowers/{id}/           flower_delete
        get     /api/v1/flowers/random/         flower_random
        get     /api/v1/flowers/ranges/         species_ranges
        get     /api/v1/flowers/rules/          species_rules
        get     /api/v1/flowers/photos/         species_photos
        get     /flowers/photos/{species}/      species_photo_file
    """,
    "predict": """
        get     /api/v1/predict/                predict_one
        post    /api/v1/predict/                predict
    """,
    "models": """
        get     /api/v1/models/                                 models_list
        post    /api/v1/models/                                 model_retrain
        get     /api/v1/models/active/                          model_active
        get     /api/v1/models/{number}/                        model_read
        post    /api/v1/models/{number}/activate/               model_activate
        get     /api/v1/models/{number}/plots/{kind}/           model_plot
        get     /api/v1/models/{number}/plots/{kind}/data-uri/  model_plot_data_uri
    """,
    "practice": """
        post    /api/v1/practice/                       practice_start
        post    /api/v1/practice/{attempt_id}/answer/   practice_answer
    """,
    "challenges": """
        get     /api/v1/challenges/                                     challenges_list
        post    /api/v1/challenges/                                     challenge_start
        get     /api/v1/challenges/options/                             challenge_options
        get     /api/v1/challenges/{session_id}/                        challenge_read
        post    /api/v1/challenges/{session_id}/give-up/                challenge_give_up
        post    /api/v1/challenges/{session_id}/rounds/{index}/answer/  challenge_round_answer
    """,
    "scoreboard": """
        get     /api/v1/scoreboard/             scoreboard_read
    """,
    "legacy": """
        get     /get_random_flower              legacy_random_flower
        get     /predict_flower                 legacy_predict_flower
    """,
    "inference-v2": """
        get     /v2                                                 v2_server_metadata
        get     /v2/health/live                                     v2_server_live
        get     /v2/health/ready                                    v2_server_ready
        get     /v2/models/{model_name}                             v2_model_metadata
        get     /v2/models/{model_name}/ready                       v2_model_ready
        post    /v2/models/{model_name}/infer                       v2_model_infer
        get     /v2/models/{model_name}/versions/{version}          v2_model_version_metadata
        get     /v2/models/{model_name}/versions/{version}/ready    v2_model_version_ready
        post    /v2/models/{model_name}/versions/{version}/infer    v2_model_version_infer
    """,
}
# (method, path) -> (tag, operation id)
OPERATIONS = {
    (method, path): (tag, operation_id)
    for tag, table in _OPERATION_TABLE.items()
    for method, path, operation_id in (line.split() for line in table.strip().splitlines())
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


def _location(description: str) -> dict:
    return {"Location": {"schema": {"type": "string", "format": "uri"},
                         "description": description}}


RESPONSE_HEADERS = {
    ("get", "/api/v1/scoreboard/", "200"): {"ETag": {
        "schema": {"type": "string"}, "description": "Send it back in If-None-Match."}},
    ("get", "/api/v1/scoreboard/", "304"): {"ETag": {"schema": {"type": "string"}}},
    ("post", "/api/v1/challenges/", "201"): _location("The absolute URL of the new resource."),
    ("post", "/api/v1/models/", "202"): _location("The absolute URL of the version to poll."),
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
