import base64

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import generics, status
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from flower_power.api.permissions import IsManager
from flower_power.api.renderers import FastJSONRenderer
from flower_power.api.throttling import ScopedRateThrottle
from flower_power.errors import Conflict, NotFound
from ml.models import ModelVersion
from ml.plots import PLOT_KINDS, plot_png
from ml.selectors import opponents_prefetch
from ml.serializers import (
    ModelVersionDetailSerializer,
    ModelVersionSerializer,
    RetrainInputSerializer,
    RetrainOutputSerializer,
)
from ml.services import model_version_activate, model_version_request


def model_versions_listed():
    """Versions as the API shows them: levels in one query, never the model blobs."""
    return (
        ModelVersion.objects.select_related("triggered_by").defer("tflite", "keras")
        .prefetch_related(opponents_prefetch())
    )


class ModelVersionListApi(generics.ListAPIView):
    serializer_class = ModelVersionSerializer

    def get_queryset(self):
        return model_versions_listed()

    def get_throttles(self):
        if self.request.method == "POST":
            self.throttle_scope = "retrain"
            return [ScopedRateThrottle()]
        return super().get_throttles()

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsManager()]
        return super().get_permissions()

    @extend_schema(
        request=RetrainInputSerializer,
        responses={202: RetrainOutputSerializer},
        summary="Start a retrain in the background (managers)",
    )
    def post(self, request):
        serializer = RetrainInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = model_version_request(
            trigger=ModelVersion.Trigger.MANAGER, triggered_by=request.user,
            hyperparameters=serializer.validated_data,
        )
        poll = f"/api/v1/models/{version.number}/"
        return Response(
            {"version": ModelVersionSerializer(version).data, "poll": poll},
            status=status.HTTP_202_ACCEPTED, headers={"Location": poll},
        )


class ModelVersionDetailApi(generics.RetrieveAPIView):
    serializer_class = ModelVersionDetailSerializer
    lookup_field = "number"

    def get_queryset(self):
        return model_versions_listed()


class ActiveModelVersionApi(APIView):
    @extend_schema(responses={200: ModelVersionDetailSerializer}, summary="The active version")
    def get(self, request):
        version = model_versions_listed().filter(is_active=True).first()
        if version is None:
            raise NotFound(_("No model version is active yet."), code="no_model")
        return Response(ModelVersionDetailSerializer(version).data)


class ModelVersionActivateApi(APIView):
    permission_classes = [IsManager]

    @extend_schema(
        request=None, responses={200: ModelVersionSerializer},
        summary="Activate (promote or roll back to) a ready version (managers)",
    )
    def post(self, request, number: int):
        version = model_version_activate(number=number, by=request.user)
        return Response(ModelVersionSerializer(version).data)


class PNGRenderer(BaseRenderer):
    media_type = "image/png"
    format = "png"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ModelVersionPlotApi(APIView):
    # PNG first: a browser's <img> (Accept: image/*) gets the picture.
    renderer_classes = [PNGRenderer, FastJSONRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON even when the client asked for a PNG.
        if response.status_code >= 400:
            request.accepted_renderer = FastJSONRenderer()
            request.accepted_media_type = FastJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
    @extend_schema(
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
        },
        summary="A metric plot as PNG, or as a data URI with Accept: application/json",
    )
    def get(self, request, number: int, kind: str):
        if kind not in PLOT_KINDS:
            raise NotFound(
                _("Unknown plot %(kind)r; choose one of %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(PLOT_KINDS)}
            )
        version = get_object_or_404(ModelVersion.objects.defer("tflite", "keras"), number=number)
        if not version.metrics:
            raise Conflict(
                _("Version %(n)s has no metrics (%(status)s).")
                % {"n": number, "status": version.status},
                code="no_metrics",
            )
        png = plot_png(version, kind)
        if request.accepted_renderer.format == "png":
            return HttpResponse(png, content_type="image/png")
        return Response({"data_uri": "data:image/png;base64," + base64.b64encode(png).decode()})
