"""Predictions: the hot path. LiteRT only, strict parsing, no serializer machinery."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from flower_power.api.schema import may_conflict
from flower_power.api.throttling import rows_throttle, rows_throttle_early
from flower_power.errors import ServiceUnavailable
from flower_power.request_id import note_model_version
from ml.dataset import FEATURES
from ml.guards import prediction_check
from ml.inputs import flower_query, guess_string, predict_payload
from ml.models import MEASUREMENT_MAX_CM, MEASUREMENT_MIN_CM
from ml.monitoring import inputs_record
from ml.serializers import (
    LegacyPredictionSerializer,
    PredictOutputSerializer,
    StudyFlowerSerializer,
)
from ml.serving import ServedModel, active_model
from ml.views.flowers import random_train_sample, study_flower_payload


def served_or_503() -> ServedModel:
    model = active_model()
    if model is None:
        raise ServiceUnavailable(
            _("No model is active yet; a manager must train or activate one."), code="no_model"
        )
    return model


def prediction_model(request, x) -> ServedModel:
    """The model to answer with, once the guard and the rows throttle let this request in."""
    prediction_check(user=request.user)
    model = served_or_503()
    rows_throttle(request, len(x))
    note_model_version(request, model.number)
    inputs_record(x)
    return model


def prediction_body(model: ServedModel, x) -> dict:
    """The answer of /api/v1/predict/ (here and on the lean path, ml/views/fast.py)."""
    return {"model_version": model.number, "predictions": model.predict_json(x)}


def predictions(request, x) -> dict:
    return prediction_body(prediction_model(request, x), x)


# What ml/inputs.py accepts, so clients (and the schema fuzzer) know the bounds.
MEASUREMENT_SCHEMA = {
    "type": "number", "minimum": MEASUREMENT_MIN_CM, "maximum": MEASUREMENT_MAX_CM,
}
FLOWER_SCHEMA = {
    "type": "object",
    "description": "One flower's four measurements, in cm.",
    "properties": dict.fromkeys(FEATURES, MEASUREMENT_SCHEMA),
    "required": list(FEATURES),
    "additionalProperties": False,
}
ROW_SCHEMA = {
    "type": "array", "items": MEASUREMENT_SCHEMA, "minItems": len(FEATURES),
    "maxItems": len(FEATURES), "description": "[" + ", ".join(FEATURES) + "]",
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# Named request components (added to the schema by flower_power.api.schema), so a generated
# client gets PredictOne and PredictBatch classes rather than anonymous body types.
PREDICT_COMPONENTS = {
    "PredictOne": FLOWER_SCHEMA,
    "PredictBatch": {
        "type": "object",
        "description": "A batch of flowers, each as an object or as a list of 4 numbers.",
        "properties": {
            "instances": {
                "type": "array", "items": {"oneOf": [_ref("PredictOne"), ROW_SCHEMA]},
                "minItems": 1, "maxItems": settings.ML_PREDICT_MAX_ROWS,
            },
        },
        "required": ["instances"],
        "additionalProperties": False,
    },
}
PREDICT_REQUEST_SCHEMA = {"oneOf": [_ref("PredictOne"), _ref("PredictBatch")]}
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.7, "sepal_width": 3.3, "petal_length": 5.7, "petal_width": 2.5}
PREDICT_EXAMPLES = [
    OpenApiExample(
        "One flower (setosa)", request_only=True, value=SETOSA,
        description="Iris setosa, the first flower of Fisher's data set.",
    ),
    OpenApiExample(
        "A batch", request_only=True,
        value={"instances": [SETOSA, [6.7, 3.3, 5.7, 2.5]]},
        description="Objects and 4-number lists may be mixed.",
    ),
    OpenApiExample(
        "Predictions", response_only=True, status_codes=["200"],
        value={"model_version": 3, "predictions": [
            {"species": "setosa", "probabilities": {
                "setosa": 0.9812, "versicolor": 0.0185, "virginica": 0.0003}},
            {"species": "virginica", "probabilities": {
                "setosa": 0.0001, "versicolor": 0.0423, "virginica": 0.9576}},
        ]},
    ),
]


class PredictApi(APIView):
    @may_conflict
    @extend_schema(
        request={"application/json": PREDICT_REQUEST_SCHEMA},
        responses={200: PredictOutputSerializer},
        examples=PREDICT_EXAMPLES,
        summary="Species of one flower, or of a batch {\"instances\": [...]}",
        description=(
            "One flower: {\"sepal_length\", \"sepal_width\", \"petal_length\", \"petal_width\"} "
            "in cm, each at least 0.01 and at most 30. A batch: {\"instances\": [...]} of such "
            "objects or of 4-number lists in that order, up to "
            f"{settings.ML_PREDICT_MAX_ROWS} rows."
        ),
    )
    def post(self, request):
        rows_throttle_early(request)  # before parsing what may be 10,000 rows
        x, _batch = predict_payload(request.data)
        return Response(predictions(request, x))

    @may_conflict
    @extend_schema(
        parameters=[
            OpenApiParameter(name, MEASUREMENT_SCHEMA, required=True) for name in FEATURES
        ],
        responses={200: PredictOutputSerializer},
        summary="Species of one flower given as query parameters",
    )
    def get(self, request):
        return Response(predictions(request, flower_query(request.query_params)))


class LegacyRandomFlowerApi(APIView):
    """The prototype's GET /get_random_flower, for clients written against it."""

    @extend_schema(
        responses={200: StudyFlowerSerializer},
        summary="Prototype route: a random study flower", deprecated=True,
    )
    def get(self, request):
        return Response(study_flower_payload(random_train_sample()))


class LegacyPredictFlowerApi(APIView):
    """The prototype's GET /predict_flower?guess_string=[...]; parsed, never evaluated."""

    @may_conflict
    @extend_schema(
        parameters=[OpenApiParameter(
            "guess_string", ROW_SCHEMA, required=True,
            description="[sepal_length,sepal_width,petal_length,petal_width]",
            # A JSON array in the query string, not a form-style list (see api/schema.py).
            extensions={"x-json-content": True},
        )],
        responses={200: LegacyPredictionSerializer},
        summary="Prototype route: predict from a guess_string",
        description="The prototype's GET /predict_flower?guess_string=[6.7,3.3,5.7,2.5]: the "
        "species and probabilities of one flower, for clients written against it.",
        deprecated=True,
    )
    def get(self, request):
        x = guess_string(request.query_params.get("guess_string"))
        model = prediction_model(request, x)
        [first] = model.predict(x)
        return Response({
            "model_version": model.number,
            "species": first["species"],
            "probabilities": first["probabilities"],
        })
