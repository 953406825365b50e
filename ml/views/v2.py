"""The Open Inference Protocol (KServe v2) over HTTP/REST, serving the iris model.

Standard clients (`tritonclient.http`, KServe's `InferenceRESTClient`) work unchanged, so
these views follow the protocol rather than the rest of the API where the two differ:

* Errors are the protocol's `{"error": "<message>"}` with a 4xx (or 503) status, not the
  project's `{"error": {"code", "message", "fields"}}` envelope.
* Health is the HTTP status: 200 means yes; not ready is 503 (as KServe answers, and what
  its client expects); a model or version this server does not have is 404. The bodies
  (`{"live": true}`, `{"ready": ...}`) are what KServe's client reads.
* The body of an inference request is JSON whatever its Content-Type says: neither client
  sends one for JSON tensors.
* JSON tensors only: the binary tensor data extension (`Inference-Header-Content-Length`),
  shared memory and classification parameters are refused with a 400 that says so.
"""

import tomllib
from functools import cache
from pathlib import Path

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from flower_power.api.errors import exception_handler
from flower_power.api.renderers import FastJSONRenderer
from flower_power.errors import ApplicationError, NotFound, ServiceUnavailable
from ml.dataset import SPECIES
from ml.guards import prediction_check
from ml.models import ModelVersion
from ml.serving import ServedModel, active_model, model_version_served
from ml.v2_protocol import (
    INPUT,
    MODEL_NAME,
    OUTPUTS,
    PLATFORM,
    SERVER_NAME,
    VERSION_PATTERN,
    infer_request_parse,
    invalid,
)

TAGS = ["v2 inference protocol"]
JSON_OBJECT = {"application/json": OpenApiTypes.OBJECT}


@cache
def server_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def v2_exception_handler(exc, context):
    """The project's exception handler, reshaped to the protocol's {"error": "<message>"}."""
    response = exception_handler(exc, context)
    if response is not None:
        error = response.data.get("error") if isinstance(response.data, dict) else None
        message = error.get("message") if isinstance(error, dict) else response.data
        response.data = {"error": str(message)}
    return response


class _V2Api(APIView):
    renderer_classes = [FastJSONRenderer]

    def get_exception_handler(self):
        return v2_exception_handler


class _ProbeApi(_V2Api):
    # Kubelets and load balancers carry no credentials and must never be throttled.
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()


def _no_model_message() -> str:
    return _("Model %(name)s is not ready: no version is active yet.") % {"name": MODEL_NAME}


@extend_schema(tags=TAGS, summary="Server live (v2)", responses={200: OpenApiTypes.OBJECT})
class ServerLiveApi(_ProbeApi):
    def get(self, request):
        return Response({"live": True})


@extend_schema(
    tags=TAGS, summary="Server ready (v2): 200 once a model is active, else 503",
    responses={200: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
)
class ServerReadyApi(_ProbeApi):
    def get(self, request):
        if active_model() is None:
            return Response({"ready": False, "error": _no_model_message()}, status=503)
        return Response({"ready": True})


@extend_schema(tags=TAGS, summary="Server metadata (v2)", responses={200: OpenApiTypes.OBJECT})
class ServerMetadataApi(_V2Api):
    def get(self, request):
        return Response({"name": SERVER_NAME, "version": server_version(), "extensions": []})


@extend_schema(exclude=True)
class ServerMetadataSlashApi(ServerMetadataApi):
    """`/v2/`, the spelling of KServe's OpenAPI file; documented once, as `/v2`."""


@extend_schema(exclude=True)
class UnknownRouteApi(_V2Api):
    """Any other path under /v2/: a 404 in the protocol's shape rather than the API's."""

    permission_classes = (AllowAny,)

    def get(self, request, path):
        raise NotFound(_("No such v2 protocol route: /v2/%(path)s") % {"path": path[:200]})

    post = get


def _check_model_name(model_name: str) -> None:
    if model_name != MODEL_NAME:
        raise NotFound(_("Unknown model %(name)r; this server serves %(served)r.") % {
            "name": model_name, "served": MODEL_NAME})


def _version_not_found(version: str) -> NotFound:
    return NotFound(_("Model %(name)s has no ready version %(version)r.") % {
        "name": MODEL_NAME, "version": version})


def _served(model_name: str, version: str | None) -> ServedModel:
    """The active model, or the requested ready version; 404 or 503 otherwise."""
    _check_model_name(model_name)
    if version is None:
        model = active_model()
        if model is None:
            raise ServiceUnavailable(_no_model_message(), code="no_model")
        return model
    model = model_version_served(int(version)) if VERSION_PATTERN.fullmatch(version) else None
    if model is None:
        raise _version_not_found(version)
    return model


@extend_schema(
    tags=TAGS, summary="Model metadata (v2)",
    responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
)
class ModelMetadataApi(_V2Api):
    def get(self, request, model_name, version=None):
        _check_model_name(model_name)
        ready = list(
            ModelVersion.objects.filter(status=ModelVersion.Status.READY)
            .order_by("number").values_list("number", flat=True)
        )
        known = version is None or (VERSION_PATTERN.fullmatch(version) and int(version) in ready)
        if not known:
            raise _version_not_found(version)
        return Response({
            "name": MODEL_NAME,
            "versions": [str(number) for number in ready],
            "platform": PLATFORM,
            "inputs": [INPUT],
            "outputs": list(OUTPUTS.values()),
        })


@extend_schema(
    tags=TAGS, summary="Model ready (v2): 200 ready, 503 no active version, 404 unknown",
    responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
)
class ModelReadyApi(_V2Api):
    def get(self, request, model_name, version=None):
        try:
            _served(model_name, version)
        except ServiceUnavailable as exc:
            return Response(
                {"name": MODEL_NAME, "ready": False, "error": exc.message}, status=503
            )
        return Response({"name": MODEL_NAME, "ready": True})


def _request_json(request):
    if "Inference-Header-Content-Length" in request.headers:
        raise invalid(_("The binary tensor data extension is not supported: send the tensors "
                         "as JSON (binary_data=False)."))
    if request.headers.get("Content-Encoding", "identity").lower() != "identity":
        raise invalid(_("Compressed request bodies are not supported."))
    try:
        body = request.body
    except RequestDataTooBig:
        raise ApplicationError(_("The request body is too large."), status=413) from None
    except RawPostDataException:
        raise invalid(_("The request body must be a JSON inference request.")) from None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise invalid(_("Malformed JSON: %(error)s") % {"error": exc}) from None


@extend_schema(
    tags=TAGS, summary="Inference (v2), JSON tensors",
    description=(
        "Input 'input': FP32, shape [n, 4], rows of sepal length, sepal width, petal length "
        "and petal width in cm (each above 0, at most 30), flat or nested, n up to "
        "ML_PREDICT_MAX_ROWS. Outputs 'probabilities' (FP32 [n, 3]: setosa, versicolor, "
        "virginica) and 'species' (BYTES [n])."
    ),
    request=JSON_OBJECT,
    responses={
        200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT,
        503: OpenApiTypes.OBJECT,
    },
)
class ModelInferApi(_V2Api):
    def post(self, request, model_name, version=None):
        _check_model_name(model_name)
        x, names, request_id = infer_request_parse(_request_json(request))
        prediction_check(user=request.user)
        model = _served(model_name, version)
        probabilities = model.predict_proba(x)
        outputs = []
        for name in names:
            if name == "probabilities":
                shape, data = list(probabilities.shape), probabilities.ravel().tolist()
            else:
                shape = [len(probabilities)]
                data = [SPECIES[b] for b in probabilities.argmax(axis=1).tolist()]
            outputs.append({**OUTPUTS[name], "shape": shape, "data": data})
        body = {"model_name": MODEL_NAME, "model_version": str(model.number)}
        if request_id is not None:
            body["id"] = request_id
        body["outputs"] = outputs
        return Response(body)
