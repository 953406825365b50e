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

import re
import tomllib
from functools import cache
from pathlib import Path

import numpy as np
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
from ml.dataset import FEATURES, SPECIES
from ml.inputs import measurement
from ml.models import MEASUREMENT_MAX_CM, ModelVersion
from ml.serving import ServedModel, active_model, model_version_served

SERVER_NAME = "flower-power"
MODEL_NAME = "iris"
# The protocol's "<project>_<format>" naming: a TensorFlow Lite (LiteRT) flatbuffer.
PLATFORM = "tensorflow_tflite"
INPUT = {"name": "input", "datatype": "FP32", "shape": [-1, len(FEATURES)]}
OUTPUTS = {
    "probabilities": {"name": "probabilities", "datatype": "FP32", "shape": [-1, len(SPECIES)]},
    "species": {"name": "species", "datatype": "BYTES", "shape": [-1]},
}
# Parameters that ask for tensor data outside the JSON body.
OUT_OF_BAND_PARAMETERS = (
    "binary_data_size", "shared_memory_region", "shared_memory_byte_size", "shared_memory_offset",
)
# At most 9 digits: the version column is a 32-bit integer in PostgreSQL.
_VERSION = re.compile(r"[0-9]{1,9}")

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
    model = model_version_served(int(version)) if _VERSION.fullmatch(version) else None
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
        if version is not None and not (_VERSION.fullmatch(version) and int(version) in ready):
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


def _invalid(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid")


def _json_object(value, what: str, allowed: set[str], required: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise _invalid(_("%(what)s must be a JSON object.") % {"what": what})
    extra = sorted(set(value) - allowed)
    if extra:
        raise _invalid(_("%(what)s has unknown fields: %(names)s.") % {
            "what": what, "names": ", ".join(extra)})
    missing = [name for name in required if name not in value]
    if missing:
        raise _invalid(_("%(what)s is missing %(names)s.") % {
            "what": what, "names": ", ".join(missing)})
    return value


def _check_parameters(value, what: str) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise _invalid(_("%(what)s parameters must be a JSON object.") % {"what": what})
    out_of_band = [name for name in OUT_OF_BAND_PARAMETERS if name in value]
    if out_of_band:
        raise _invalid(
            _("%(what)s: %(names)s: only JSON tensor data is supported, not binary or "
              "shared-memory data; send the tensor as JSON (binary_data=False).")
            % {"what": what, "names": ", ".join(out_of_band)}
        )
    if "classification" in value:
        raise _invalid(_("%(what)s: the classification extension is not supported.") % {
            "what": what})


def _features(tensor: dict) -> np.ndarray:
    """The (n, 4) float32 rows of the "input" tensor; every value checked like /predict/."""
    _check_parameters(tensor.get("parameters"), "input")
    if tensor["datatype"] != INPUT["datatype"]:
        raise _invalid(_("input has datatype %(got)r; expected 'FP32'.") % {
            "got": tensor["datatype"]})
    shape, width = tensor["shape"], len(FEATURES)
    if not (
        isinstance(shape, list) and len(shape) == 2
        and all(type(d) is int for d in shape) and shape[0] >= 1 and shape[1] == width
    ):
        raise _invalid(
            _("input has shape %(got)s; expected [n, 4] with n at least 1, one row per "
              "flower: %(features)s.") % {"got": orjson.dumps(shape).decode()[:100],
                                          "features": ", ".join(FEATURES)}
        )
    rows, limit = shape[0], settings.ML_PREDICT_MAX_ROWS
    if rows > limit:
        raise _invalid(_("At most %(limit)d rows per request, not %(n)d.") % {
            "limit": limit, "n": rows})
    data = tensor["data"]
    if not isinstance(data, list):
        raise _invalid(_("input data must be a list of numbers."))
    if data and isinstance(data[0], list):
        # The "natural" nested form [[...4 numbers...], ...]: exactly the declared shape.
        if len(data) != rows or not all(isinstance(r, list) and len(r) == width for r in data):
            raise _invalid(_("input data is nested but not %(rows)d rows of 4 numbers.") % {
                "rows": rows})
        data = [value for row in data for value in row]
    if len(data) != rows * width:
        raise _invalid(
            _("input shape %(shape)s needs %(need)d values, but data holds %(got)d.")
            % {"shape": orjson.dumps(shape).decode(), "need": rows * width, "got": len(data)}
        )
    values = []
    for i, value in enumerate(data):
        # Fast path for the common case; measurement() explains anything else (bool, NaN, ...).
        if type(value) in (float, int) and 0 < value <= MEASUREMENT_MAX_CM:
            values.append(value)
        else:
            values.append(measurement(value, f"input[{i // width}].{FEATURES[i % width]}"))
    return np.asarray(values, dtype=np.float32).reshape(rows, width)


def _requested_outputs(requested) -> list[str]:
    if requested is None or requested == []:
        return list(OUTPUTS)
    if not isinstance(requested, list):
        raise _invalid(_("outputs must be a list of {\"name\": ...} objects."))
    names: list[str] = []
    for i, item in enumerate(requested):
        _json_object(item, f"outputs[{i}]", {"name", "parameters"}, ("name",))
        _check_parameters(item.get("parameters"), f"outputs[{i}]")
        name = item["name"]
        if not isinstance(name, str) or name not in OUTPUTS:
            raise _invalid(_("Unknown output %(name)r; the model produces %(outputs)s.") % {
                "name": name, "outputs": ", ".join(OUTPUTS)})
        if name in names:
            raise _invalid(_("Output %(name)r is requested twice.") % {"name": name})
        names.append(name)
    return names


def infer_request_parse(payload) -> tuple[np.ndarray, list[str], str | None]:
    """Rows, requested output names and request id of a v2 inference request."""
    _json_object(payload, _("The inference request"),
                 {"id", "parameters", "inputs", "outputs"}, ("inputs",))
    request_id = payload.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise _invalid(_("id must be a string."))
    _check_parameters(payload.get("parameters"), _("The inference request"))
    inputs = payload["inputs"]
    if not isinstance(inputs, list) or not inputs:
        raise _invalid(_("inputs must be a non-empty list holding the tensor 'input'."))
    for i, tensor in enumerate(inputs):
        _json_object(tensor, f"inputs[{i}]", {"name", "shape", "datatype", "data", "parameters"},
                     ("name", "shape", "datatype", "data"))
        if tensor["name"] != INPUT["name"]:
            raise _invalid(_("Unknown input %(name)r; the model takes one input, 'input' "
                             "(FP32, shape [-1, 4]).") % {"name": tensor["name"]})
    if len(inputs) > 1:
        raise _invalid(_("The input 'input' is given %(n)d times.") % {"n": len(inputs)})
    return _features(inputs[0]), _requested_outputs(payload.get("outputs")), request_id


def _request_json(request):
    if "Inference-Header-Content-Length" in request.headers:
        raise _invalid(_("The binary tensor data extension is not supported: send the tensors "
                         "as JSON (binary_data=False)."))
    if request.headers.get("Content-Encoding", "identity").lower() != "identity":
        raise _invalid(_("Compressed request bodies are not supported."))
    try:
        body = request.body
    except RequestDataTooBig:
        raise ApplicationError(_("The request body is too large."), status=413) from None
    except RawPostDataException:
        raise _invalid(_("The request body must be a JSON inference request.")) from None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise _invalid(_("Malformed JSON: %(error)s") % {"error": exc}) from None


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
