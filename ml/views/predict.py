"""Predictions: the hot path. LiteRT only, strict parsing, no serializer machinery."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from flower_power.errors import ServiceUnavailable
from ml.dataset import FEATURES
from ml.guards import prediction_check
from ml.inputs import flower_query, guess_string, predict_payload
from ml.models import MEASUREMENT_MAX_CM
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


def predictions(request, x) -> dict:
    prediction_check(user=request.user)
    model = served_or_503()
    return {"model_version": model.number, "predictions": model.predict(x)}


# What ml/inputs.py accepts, so clients (and the schema fuzzer) know the bounds.
MEASUREMENT_SCHEMA = {
    "type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": MEASUREMENT_MAX_CM,
}
FLOWER_SCHEMA = {
    "type": "object",
    "properties": dict.fromkeys(FEATURES, MEASUREMENT_SCHEMA),
    "required": list(FEATURES),
    "additionalProperties": False,
}
ROW_SCHEMA = {
    "type": "array", "items": MEASUREMENT_SCHEMA, "minItems": len(FEATURES),
    "maxItems": len(FEATURES), "description": "[" + ", ".join(FEATURES) + "]",
}
PREDICT_REQUEST_SCHEMA = {
    "oneOf": [
        FLOWER_SCHEMA,
        {
            "type": "object",
            "properties": {
                "instances": {
                    "type": "array", "items": {"oneOf": [FLOWER_SCHEMA, ROW_SCHEMA]},
                    "minItems": 1, "maxItems": settings.ML_PREDICT_MAX_ROWS,
                },
            },
            "required": ["instances"],
            "additionalProperties": False,
        },
    ],
}


class PredictApi(APIView):
    @extend_schema(
        request={"application/json": PREDICT_REQUEST_SCHEMA},
        responses={200: PredictOutputSerializer},
        summary="Species of one flower, or of a batch {\"instances\": [...]}",
        description=(
            "One flower: {\"sepal_length\", \"sepal_width\", \"petal_length\", \"petal_width\"} "
            "in cm, each above 0 and at most 30. A batch: {\"instances\": [...]} of such "
            "objects or of 4-number lists in that order, up to ML_PREDICT_MAX_ROWS rows."
        ),
    )
    def post(self, request):
        x, _batch = predict_payload(request.data)
        return Response(predictions(request, x))

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

    @extend_schema(
        parameters=[OpenApiParameter(
            "guess_string", ROW_SCHEMA, required=True,
            description="[sepal_length,sepal_width,petal_length,petal_width]",
            # A JSON array in the query string, not a form-style list (see api/schema.py).
            extensions={"x-json-content": True},
        )],
        responses={200: LegacyPredictionSerializer},
        summary="Prototype route: predict from a guess_string",
        deprecated=True,
    )
    def get(self, request):
        result = predictions(request, guess_string(request.query_params.get("guess_string")))
        first = result["predictions"][0]
        return Response({
            "model_version": result["model_version"],
            "species": first["species"],
            "probabilities": first["probabilities"],
        })
