"""The Open Inference Protocol (KServe v2) over HTTP/REST, serving the iris model.

Standard clients (`tritonclient.http`, KServe's `InferenceRESTClient`) work unchanged, so
these views follow the protocol rather than the rest of the API where the two differ:

* Errors are the protocol's `{"error": "<message>"}` with a 4xx (or 503) status, not the
  project's `{"error": {"code", "message", "fields"}}` envelope.
* Health is the HTTP status: 200 means yes; not ready is 503 (as KServe answers, and what
  its client expects); a model or version this server does not have is 404. The bodies
  (`{"live": true}`, `{"ready": ...}`) are what KServe's client reads.
* The body of an inference request is JSON whatever its Content-Type says: neither client
  sends one for JSON tensors. It may be gzip- or deflate-compressed (`Content-Encoding`).
* Tensors as JSON or with Triton's binary tensor data extension, both ways (see
  ml/v2_protocol.py); shared memory and classification are refused with a 400.
* Who and what before the body: 401 (anonymous), then 404 (unknown model or version) or 503
  (no active model), then the body's 400s, then the 409 of a trainee in a challenge, then
  the 429 of THROTTLE_ROWS (rows predicted per user; a batch costs its rows). Once a user
  is over that budget, the 429 comes before the body is read.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from flower_power.api.errors import exception_handler
from flower_power.api.renderers import FastJSONRenderer
from flower_power.api.schema import may_conflict, project_version
from flower_power.api.throttling import rows_throttle, rows_throttle_early
from flower_power.errors import NotFound, ServiceUnavailable
from flower_power.request_id import note_model_version
from ml.guards import prediction_check
from ml.models import ModelVersion
from ml.monitoring import inputs_record
from ml.serving import ServedModel, active_model, model_version_served
from ml.v2_bodies import BINARY_HEADER, body_decode, body_split, invalid, too_large
from ml.v2_protocol import (
    EXTENSIONS,
    INPUT,
    MODEL_NAME,
    OUTPUTS,
    PLATFORM,
    SERVER_NAME,
    VERSION_PATTERN,
    infer_request_parse,
    infer_response,
)
from ml.v2_schema import (
    INFER_REQUEST_EXAMPLE,
    INFER_RESPONSE_EXAMPLE,
    V2InferRequestSerializer,
    V2InferResponseSerializer,
    V2LiveSerializer,
    V2ModelMetadataSerializer,
    V2ModelReadySerializer,
    V2ServerMetadataSerializer,
    V2ServerReadySerializer,
)

TAGS = ["inference-v2"]


def server_version() -> str:
    return project_version()


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


@extend_schema(tags=TAGS, summary="Server live",
               responses={200: V2LiveSerializer})
class ServerLiveApi(_ProbeApi):
    def get(self, request):
        return Response({"live": True})


@extend_schema(
    tags=TAGS, summary="Server ready",
    description="200 once a model version is active, else 503 with `ready: false`.",
    responses={200: V2ServerReadySerializer, 503: V2ServerReadySerializer},
)
class ServerReadyApi(_ProbeApi):
    def get(self, request):
        if active_model() is None:
            return Response({"ready": False, "error": _no_model_message()}, status=503)
        return Response({"ready": True})


@extend_schema(tags=TAGS, summary="Server metadata",
               description="The server's name, version and the protocol extensions it supports.",
               responses={200: V2ServerMetadataSerializer})
class ServerMetadataApi(_V2Api):
    def get(self, request):
        return Response({
            "name": SERVER_NAME, "version": server_version(), "extensions": EXTENSIONS,
        })


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
    tags=TAGS, summary="Model metadata",
    description="The model's ready versions and its tensors.",
    responses={200: V2ModelMetadataSerializer},
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
    tags=TAGS, summary="Model ready",
    description=(
        "200 ready; 503 with `ready: false` when no version is active; 404 for a model or "
        "version this server does not have; 401 (with `WWW-Authenticate`) without "
        "credentials — never a `ready: false`. Note that `tritonclient`'s `is_model_ready` "
        "returns False for any non-200: call `get_model_metadata` to see a 401 as an error."
    ),
    responses={200: V2ModelReadySerializer, 503: V2ModelReadySerializer},
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


def _request_body(request) -> tuple[object, bytes]:
    """The JSON inference header and the binary tensor data after it (if any)."""
    try:
        body = request.body
    except RequestDataTooBig:
        raise too_large() from None
    except RawPostDataException:
        raise invalid(_("The request body must be an inference request.")) from None
    body = body_decode(body, request.headers.get("Content-Encoding"))
    return body_split(body, request.headers.get(BINARY_HEADER))


@may_conflict
@extend_schema(
    tags=TAGS, summary="Inference",
    description=(
        "Input `input`: FP32, shape [n, 4], rows of sepal length, sepal width, petal length "
        "and petal width in cm (each at least 0.01, at most 30), flat or nested, n up to "
        f"{settings.ML_PREDICT_MAX_ROWS:,}. Outputs `probabilities` (FP32 [n, 3]: setosa, "
        "versicolor, virginica) and `species` (BYTES [n]).\n\n"
        "**Binary tensor data** (Triton's extension, `tritonclient`'s default): send the JSON "
        "below, then the raw tensors, with `Inference-Header-Content-Length` giving the JSON's "
        "length in bytes; a binary input has `parameters.binary_data_size` instead of `data` "
        "(FP32 little-endian). Ask for binary outputs with `parameters.binary_data_output: "
        "true` on the request or `parameters.binary_data: true` on an output: the response "
        "then carries the same header, `Content-Type: application/octet-stream`, and each "
        "binary output's `binary_data_size` (BYTES elements are a 4-byte little-endian length "
        "and the UTF-8 bytes).\n\n"
        "The body may be compressed: `Content-Encoding: gzip` or `deflate`."
    ),
    request=V2InferRequestSerializer,
    responses={
        (200, "application/json"): OpenApiResponse(
            V2InferResponseSerializer, examples=[OpenApiExample(
                "Two flowers", value=INFER_RESPONSE_EXAMPLE, response_only=True)],
        ),
        (200, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY,
            description="When binary outputs were asked for: the JSON response "
            "(Inference-Header-Content-Length bytes), then the binary tensors.",
        ),
    },
    examples=[OpenApiExample("Two flowers", value=INFER_REQUEST_EXAMPLE, request_only=True)],
)
class ModelInferApi(_V2Api):
    def post(self, request, model_name, version=None):
        # The model and version before the body: a 404 says more than the body's 400.
        model = _served(model_name, version)
        rows_throttle_early(request)  # before parsing what may be 10,000 rows
        payload, binary = _request_body(request)
        parsed = infer_request_parse(payload, binary)
        prediction_check(user=request.user)
        rows_throttle(request, len(parsed.rows))
        note_model_version(request, model.number)
        inputs_record(parsed.rows)
        body, content_type, headers = infer_response(
            probabilities=model.predict_proba(parsed.rows), request=parsed, version=model.number
        )
        return HttpResponse(body, content_type=content_type, headers=headers)
