import base64

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from flower_power.api.filters import status_filterset
from flower_power.api.permissions import IsManager
from flower_power.api.renderers import FastJSONRenderer
from flower_power.api.schema import may_conflict
from flower_power.api.throttling import ScopedRateThrottle
from flower_power.errors import Conflict, NotFound
from ml.models import ModelVersion
from ml.plots import PLOT_KINDS, plot
from ml.selectors import model_versions_listed
from ml.serializers import (
    ModelVersionDetailSerializer,
    ModelVersionSerializer,
    RetrainInputSerializer,
    RetrainOutputSerializer,
)
from ml.services import model_version_activate, model_version_request

ModelVersionFilter = status_filterset(
    ModelVersion, rows="versions", order_by=("number", "created_at"),
    ordering_help="Sort by number or created_at; `-` first for descending.",
)


class ModelVersionListApi(generics.ListAPIView):
    serializer_class = ModelVersionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ModelVersionFilter

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

    @may_conflict
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
        poll = request.build_absolute_uri(
            reverse("model-detail", kwargs={"number": version.number})
        )
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
        version = model_versions_listed().active().first()
        if version is None:
            raise NotFound(_("No model version is active yet."), code="no_model")
        return Response(ModelVersionDetailSerializer(version).data)


class ModelVersionActivateApi(APIView):
    permission_classes = [IsManager]

    @may_conflict
    @extend_schema(
        request=None, responses={200: ModelVersionSerializer},
        summary="Activate (promote or roll back to) a ready version (managers)",
    )
    def post(self, request, number: int):
        version = model_version_activate(number=number, by=request.user)
        return Response(ModelVersionSerializer(version).data)


PLOT_KIND_PARAMETER = OpenApiParameter(
    "kind", str, OpenApiParameter.PATH, enum=list(PLOT_KINDS),
    description="loss and accuracy curves over the epochs, or the test confusion matrix.",
)


class PlotDataUriSerializer(serializers.Serializer):
    data_uri = serializers.CharField(help_text="data:image/png;base64,...")


class PNGRenderer(BaseRenderer):
    media_type = "image/png"
    format = "png"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class SVGRenderer(BaseRenderer):
    media_type = "image/svg+xml"
    format = "svg"
    charset = "utf-8"
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def plotted_version(number: int, kind: str) -> ModelVersion:
    """The version whose `kind` plot is asked for: 404 for an unknown plot or version, 409
    for a version not trained yet."""
    if kind not in PLOT_KINDS:
        raise NotFound(
            _("Unknown plot %(kind)r; choose one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(PLOT_KINDS)}
        )
    version = get_object_or_404(ModelVersion.objects.without_blobs(), number=number)
    if not version.metrics:
        raise Conflict(
            _("Version %(n)s has no metrics (%(status)s).")
            % {"n": number, "status": version.status},
            code="no_metrics",
        )
    return version


class ModelVersionPlotApi(APIView):
    # PNG first: a browser's <img> (Accept: image/*) and existing clients get the picture;
    # SVG (text kept as text, drawn by the client's fonts: any language) when asked for.
    renderer_classes = [PNGRenderer, SVGRenderer, FastJSONRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON even when the client asked for a PNG.
        if response.status_code >= 400:
            request.accepted_renderer = FastJSONRenderer()
            request.accepted_media_type = FastJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
    @may_conflict
    @extend_schema(
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR),
            (200, "application/json"): OpenApiResponse(PlotDataUriSerializer),
        },
        summary="A metric plot as PNG or SVG, or as a PNG data URI with Accept: application/json",
        parameters=[PLOT_KIND_PARAMETER],
    )
    def get(self, request, number: int, kind: str):
        version = plotted_version(number, kind)
        if request.accepted_renderer.format == "svg":
            return HttpResponse(plot(version, kind, "svg"), content_type="image/svg+xml")
        png = plot(version, kind, "png")
        if request.accepted_renderer.format == "png":
            return HttpResponse(png, content_type="image/png")
        return Response({"data_uri": "data:image/png;base64," + base64.b64encode(png).decode()})


class ModelVersionPlotDataUriApi(APIView):
    """A plot as a PNG data URI, in JSON: one media type per operation for generated clients."""

    @may_conflict
    @extend_schema(
        parameters=[PLOT_KIND_PARAMETER],
        responses={200: PlotDataUriSerializer},
        summary="A metric plot as a PNG data URI",
        description="The same picture as the plot operation, base64-encoded in a `data:` URI "
        "that an <img> or a notebook can show as it is.",
    )
    def get(self, request, number: int, kind: str):
        version = plotted_version(number, kind)
        png = plot(version, kind, "png")
        return Response({"data_uri": "data:image/png;base64," + base64.b64encode(png).decode()})
