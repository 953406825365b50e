from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.gzip import gzip_page
from django.views.defaults import page_not_found, server_error
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from challenges import urls as challenge_urls
from flower_power import health
from flower_power.api.errors import error_body
from flower_power.favicon import favicon
from flower_power.metrics.views import MetricsApi
from ml import urls as ml_urls
from trainees import views as trainee_views

# The managers' admin, branded like the app (templates/admin/base_site.html); no app sidebar,
# so that the lists keep the width of a laptop screen for their columns.
admin.site.site_header = admin.site.site_title = gettext_lazy("Flower Power administration")
admin.site.enable_nav_sidebar = False

api_v1 = [
    path("auth/token/", trainee_views.TokenApi.as_view(), name="auth-token"),
    path("auth/tokens/", trainee_views.TokenListApi.as_view(), name="auth-tokens"),
    path(
        "auth/tokens/<int:token_id>/", trainee_views.TokenDetailApi.as_view(),
        name="auth-token-detail",
    ),
    path("auth/ping/", trainee_views.PingApi.as_view(), name="auth-ping"),
    *ml_urls.api_urlpatterns,
    *challenge_urls.api_urlpatterns,
]

urlpatterns = [
    path("", trainee_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Prometheus's scrape: only for a metrics-scoped token whose user has metrics.view_metrics
    # (README, "Metrics").
    path("metrics", MetricsApi.as_view(), name="metrics"),
    # Compressed: the Chinese catalog is ~31 KiB, the trainee page's largest response. It holds
    # no secret and reflects no input, so gzip gives BREACH nothing to read.
    path("jsi18n/", gzip_page(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("i18n/", include("django.conf.urls.i18n")),
    *ml_urls.page_urlpatterns,
    *ml_urls.legacy_urlpatterns,
    path("", include("ml.v2_urls")),
]


def _wants_json(request) -> bool:
    return request.path.startswith(
        (
            "/api/", "/v2", "/healthz", "/readyz", "/get_random_flower", "/predict_flower",
            "/flowers/photos/",
        )
    )


def handler404(request, exception=None):
    if _wants_json(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return page_not_found(request, exception)


def handler500(request):
    if _wants_json(request):
        return JsonResponse(
            error_body("server_error", _("Internal server error; it has been logged.")),
            status=500,
        )
    return server_error(request)
