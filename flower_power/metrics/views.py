"""GET /metrics: Prometheus's scrape, for a metrics-scoped token (`manage.py metrics_token`)
whose user has `metrics.view_metrics`."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from flower_power.api.authentication import CachedTokenAuthentication
from flower_power.metrics.collectors import exposition
from trainees.models import ApiToken

PERMISSION = "metrics.view_metrics"


class CanViewMetrics(BasePermission):
    message = _("Only the metrics service account may scrape /metrics.")

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm(PERMISSION)


class MetricsTokenAuthentication(CachedTokenAuthentication):
    """Metrics-scoped tokens only, never a session: even a superuser's API token cannot
    scrape. A valid API token here is known but not allowed, so a 403 (CanViewMetrics's)."""

    scope = ApiToken.Scope.METRICS

    def scope_refused(self) -> exceptions.APIException:
        return exceptions.PermissionDenied(CanViewMetrics.message)


class AnyAccept(BaseContentNegotiation):
    """The metrics are text whatever Prometheus asks for; errors are the project's JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class MetricsApi(APIView):
    authentication_classes = [MetricsTokenAuthentication]
    content_negotiation_class = AnyAccept
    permission_classes = [CanViewMetrics]

    @extend_schema(exclude=True)
    def get(self, request):
        return HttpResponse(exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
