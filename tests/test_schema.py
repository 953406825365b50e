import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_openapi_schema_validates_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn",
         "--file", "/dev/null"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stderr and "Error" not in result.stderr


@pytest.mark.django_db
def test_the_schema_is_served_as_openapi_3(anon):
    response = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.django_db
def test_swagger_ui_is_served_from_our_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    for cdn in ("cdn.", "jsdelivr", "unpkg", "googleapis", "cloudflare"):
        assert cdn not in html


# --- The contract as a generated client meets it: typed, named, required, readable, exemplary.

import copy  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402

import jsonschema  # noqa: E402

# The only objects whose keys are not known in advance: an error's per-field messages.
FREE_FORM = {"Error.error.fields"}
# Internal words that must never reach a client through a description or a summary.
INTERNAL_WORDS = ("serializer", "queryset", "service", "selector", "ScopedForPost",
                  "Throttle POSTs", "swagger_fake_view", "docstring", "drf-spectacular")


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _component(schema, ref):
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def _ref_of(prop):
    """The component a property refers to, directly or through a one-item allOf."""
    return (prop.get("$ref") or prop["allOf"][0]["$ref"]).rsplit("/", 1)[-1]


def _walk(schema, node, where, seen, problems):
    """Every object schema under `node` (refs followed once) without a known shape."""
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _walk(schema, _component(schema, node["$ref"]), name, seen, problems)
        return
    for key in ("oneOf", "anyOf", "allOf"):
        for choice in node.get(key, []):
            _walk(schema, choice, where, seen, problems)
    if "items" in node:
        _walk(schema, node["items"], where, seen, problems)
    extra = node.get("additionalProperties")
    if node.get("type") == "object" or "properties" in node:
        # `additionalProperties: {}` (or true) says nothing about the values: untyped too.
        typed_values = isinstance(extra, dict) and bool(extra)
        if not node.get("properties") and not typed_values and where not in FREE_FORM:
            problems.append(where)
    for name, child in node.get("properties", {}).items():
        _walk(schema, child, f"{where}.{name}", seen, problems)
    if isinstance(extra, dict):
        _walk(schema, extra, f"{where}.*", seen, problems)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _responses(schema):
    for method, path, operation in _operations(schema):
        for status, response in operation.get("responses", {}).items():
            for media_type, media in response.get("content", {}).items():
                yield f"{method} {path} {status} {media_type}", media


def test_no_object_the_api_returns_is_an_untyped_object(schema):
    problems, seen = [], set()
    for where, media in _responses(schema):
        _walk(schema, media.get("schema", {}), where, seen, problems)
    assert problems == []
    # The shapes this issue named, typed all the way down.
    components = schema["components"]["schemas"]
    assert _ref_of(components["MeOutput"]["properties"]["stats"]) == "MeStats"
    assert _ref_of(components["MeStats"]["properties"]["confusion"]) == "SpeciesConfusion"
    assert set(components["ConfusionRows"]["properties"]) == {"setosa", "versicolor", "virginica"}
    assert _ref_of(components["Round"]["properties"]["result"]) == "RoundResult"
    assert _ref_of(components["StudyFlower"]["properties"]["data"]) == "FlowerData"
    assert set(components["MeasurementRanges"]["properties"]) == {
        "sepal_length", "sepal_width", "petal_length", "petal_width"}
    detail = components["ModelVersionDetail"]["properties"]
    for name, component in (("metrics", "Metrics"), ("history", "History"), ("gate", "Gate"),
                            ("hyperparameters", "Hyperparameters"), ("plots", "ModelPlots")):
        assert _ref_of(detail[name]) == component, name
    assert set(components["Metrics"]["properties"]) == {
        "accuracy", "loss", "per_class", "confusion_matrix"}
    assert set(components["History"]["properties"]) == {
        "loss", "accuracy", "test_loss", "test_accuracy"}
    levels = components[_ref_of(components["ScoreboardRow"]["properties"]["levels"])]
    assert set(levels["properties"]) == {"apprentice", "florist", "botanist"}
    assert _ref_of(levels["properties"]["florist"]) == "LevelResults"


def test_the_walk_would_catch_an_untyped_object(schema):
    broken = copy.deepcopy(schema)
    broken["components"]["schemas"]["Metrics"] = {"type": "object", "additionalProperties": {}}
    broken["components"]["schemas"]["Gate"] = {"type": "object"}
    problems, seen = [], set()
    for where, media in _responses(broken):
        _walk(broken, media.get("schema", {}), where, seen, problems)
    assert problems == ["Metrics", "Gate"]


ENUM_FIELDS = {
    ("Prediction", "species"): "SpeciesEnum",
    ("LegacyPrediction", "species"): "SpeciesEnum",
    ("StudyFlower", "name"): "SpeciesEnum",
    ("SpeciesRange", "species"): "SpeciesEnum",
    ("FlowerSample", "species"): "SpeciesEnum",
    ("PracticeAnswerOutput", "ai_guess"): "SpeciesEnum",
    ("AnswerOutput", "ai_guess"): "SpeciesEnum",
    ("RoundResult", "guess"): "SpeciesEnum",
    ("RoundResult", "correct_species"): "SpeciesEnum",
    ("Session", "status"): "ChallengeStatusEnum",
    ("Session", "outcome"): "OutcomeEnum",
    ("Session", "level"): "LevelEnum",
    ("AnswerOutput", "outcome"): "OutcomeEnum",
    ("ProgressSession", "outcome"): "OutcomeEnum",
    ("Scoreboard", "period"): "PeriodEnum",
    ("ModelVersion", "status"): "ModelVersionStatusEnum",
    ("Gate", "code"): "GateCodeEnum",
    ("OpponentLevel", "level"): "LevelEnum",
    ("ChallengeOptions", "default_level"): "LevelEnum",
}
ENUM_PARAMETERS = {
    ("get", "/api/v1/models/{number}/plots/{kind}/", "kind"): "PlotKindEnum",
    ("get", "/api/v1/models/{number}/plots/{kind}/data-uri/", "kind"): "PlotKindEnum",
    ("get", "/api/v1/scoreboard/", "period"): "PeriodEnum",
    ("get", "/api/v1/challenges/", "status"): "ChallengeStatusEnum",
    ("get", "/api/v1/models/", "status"): "ModelVersionStatusEnum",
    ("get", "/api/v1/flowers/", "species"): "SpeciesEnum",
    ("get", "/flowers/photos/{species}/", "species"): "SpeciesEnum",
}


def _refs(node):
    return {ref for ref in json.dumps(node).split('"') if ref.startswith("#/components/")}


def test_species_status_outcome_period_level_and_plot_kind_are_named_enums(schema):
    components = schema["components"]["schemas"]
    for (component, field), enum in ENUM_FIELDS.items():
        prop = components[component]["properties"][field]
        assert f"#/components/schemas/{enum}" in _refs(prop), (component, field, prop)
    for (method, path, name), enum in ENUM_PARAMETERS.items():
        parameter = next(p for p in schema["paths"][path][method]["parameters"]
                         if p["name"] == name)
        assert parameter["schema"] == {"$ref": f"#/components/schemas/{enum}"}
    assert components["PeriodEnum"]["x-enum-varnames"] == ["LAST_7_DAYS", "LAST_30_DAYS", "ALL"]
    assert components["SpeciesEnum"]["enum"] == ["setosa", "versicolor", "virginica"]
    # One species enum, not one per serializer.
    species_sets = [name for name, c in components.items()
                    if sorted(c.get("enum") or []) == ["setosa", "versicolor", "virginica"]]
    assert species_sets == ["SpeciesEnum"]


# Sent only sometimes, and documented so: a round's result once answered; a version's
# training results once it has trained (`{}` before).
OPTIONAL = {("Round", "result")} | {
    # The inference protocol's optional members: the request's id echoed if given, an output's
    # data absent when sent as binary, why a model is not ready.
    ("V2InferResponse", "id"), ("V2InferOutput", "data"), ("V2InferOutput", "parameters"),
    ("V2ModelReady", "error"), ("V2ServerReady", "error"),
} | {
    (component, name) for component in ("Metrics", "History", "Gate") for name in (
        "accuracy", "loss", "per_class", "confusion_matrix", "test_loss", "test_accuracy",
        "passed", "code", "reason", "min_accuracy", "tolerance", "active_version",
        "active_accuracy")
}


def test_every_property_always_sent_is_required(schema):
    seen, problems = set(), []
    for _where, media in _responses(schema):
        stack = [media.get("schema", {})]
        while stack:
            node = stack.pop()
            for ref in _refs(node):
                name = ref.rsplit("/", 1)[-1]
                if name in seen:
                    continue
                seen.add(name)
                component = schema["components"]["schemas"][name]
                stack.append(component)
                for prop in set(component.get("properties", {})) - set(
                    component.get("required", [])
                ):
                    if (name, prop) not in OPTIONAL:
                        problems.append(f"{name}.{prop}")
    assert sorted(problems) == []
    assert "stats" in schema["components"]["schemas"]["MeOutput"]["required"]


def test_predict_takes_named_one_or_batch_components(schema):
    body = schema["paths"]["/api/v1/predict/"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"oneOf": [
        {"$ref": "#/components/schemas/PredictOne"},
        {"$ref": "#/components/schemas/PredictBatch"},
    ]}
    batch = schema["components"]["schemas"]["PredictBatch"]
    assert {"$ref": "#/components/schemas/PredictOne"} in batch["properties"]["instances"][
        "items"]["oneOf"]


def _texts(node, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary") and isinstance(value, str):
                yield f"{where}.{key}", value
            elif key != "examples":
                yield from _texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _texts(item, f"{where}[{index}]")


def test_descriptions_are_written_for_clients_not_copied_from_docstrings(schema):
    leaks = [(where, text) for where, text in _texts(schema)
             for word in INTERNAL_WORDS if word.lower() in text.lower()]
    assert leaks == []
    # Nor the names of server settings (a client cannot read ML_PREDICT_MAX_ROWS), nor Python.
    settings_names = [(where, text) for where, text in _texts(schema)
                      if re.search(r"\b[A-Z]+(_[A-Z]+){2,}\b", text)
                      or re.search(r"(?<![-\w])None(?![-\w])", text)]
    assert settings_names == []


def _json_schema(schema, node, depth=0):
    """The OpenAPI 3.0 schema as plain JSON Schema: refs inlined, `nullable` as a null type."""
    assert depth < 30, "recursive schema"
    if isinstance(node, list):
        return [_json_schema(schema, item, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _json_schema(schema, _component(schema, node["$ref"]), depth + 1)
    result = {key: _json_schema(schema, value, depth + 1) for key, value in node.items()
              if key not in ("nullable", "readOnly", "writeOnly", "x-enum-varnames")}
    if "properties" in node:
        result["properties"] = {name: _json_schema(schema, value, depth + 1)
                                for name, value in node["properties"].items()}
    if node.get("nullable"):
        return {"anyOf": [result, {"type": "null"}]}
    return result


def _examples(schema):
    for method, path, operation in _operations(schema):
        body = operation.get("requestBody", {}).get("content", {})
        for media_type, media in body.items():
            for name, example in media.get("examples", {}).items():
                yield f"{method} {path} request {media_type} {name}", media, example
        for status, response in operation.get("responses", {}).items():
            for media_type, media in response.get("content", {}).items():
                for name, example in media.get("examples", {}).items():
                    yield f"{method} {path} {status} {media_type} {name}", media, example


def test_every_example_is_valid_against_its_schema(schema):
    checked = 0
    for where, media, example in _examples(schema):
        validator = jsonschema.Draft7Validator(_json_schema(schema, media["schema"]))
        errors = [error.message for error in validator.iter_errors(example["value"])]
        assert errors == [], where
        checked += 1
    assert checked > 100  # every error response, plus predict and the challenge examples


def test_examples_show_a_real_flower_and_real_species(schema):
    predict = schema["paths"]["/api/v1/predict/"]["post"]
    requests = [e["value"] for e in predict["requestBody"]["content"]["application/json"][
        "examples"].values()]
    assert {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4,
            "petal_width": 0.2} in requests
    answer = schema["paths"]["/api/v1/challenges/{session_id}/rounds/{index}/answer/"]["post"]
    assert [e["value"] for e in answer["requestBody"]["content"]["application/json"][
        "examples"].values()] == [{"guess": "virginica"}]
    unauthorised = answer["responses"]["401"]["content"]["application/json"]["examples"]
    assert unauthorised["Error"]["value"]["error"]["code"] == "not_authenticated"


def test_the_broken_example_check_would_fail(schema):
    media = schema["paths"]["/api/v1/predict/"]["post"]["requestBody"]["content"][
        "application/json"]
    validator = jsonschema.Draft7Validator(_json_schema(schema, media["schema"]))
    assert not validator.is_valid({"sepal_length": 30.5, "sepal_width": 30, "petal_length": 30,
                                   "petal_width": 30})
    assert not validator.is_valid({"species": "setosa"})


@pytest.mark.django_db
def test_options_on_challenges_describes_what_a_post_takes(trainee_api):
    response = trainee_api.options("/api/v1/challenges/")
    assert response.status_code == 200
    post = response.json()["actions"]["POST"]
    assert set(post) == {"rounds", "level"}
    assert post["rounds"]["required"] is False
    assert [c["value"] for c in post["level"]["choices"]] == ["apprentice", "florist", "botanist"]


def test_query_parameters_say_what_the_api_accepts(schema):
    flowers = {p["name"]: p for p in schema["paths"]["/api/v1/flowers/"]["get"]["parameters"]}
    assert flowers["page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 999_999_999}
    assert flowers["ordering"]["allowEmptyValue"] is True
    board = {p["name"]: p for p in schema["paths"]["/api/v1/scoreboard/"]["get"]["parameters"]}
    assert re.fullmatch(board["store"]["schema"]["pattern"], "Central")
    assert not re.fullmatch(board["store"]["schema"]["pattern"], "Cen\x00tral")
