"""The Open Inference Protocol (KServe v2) routes, at the root and without trailing slashes."""

from django.urls import re_path

from ml.urls import route
from ml.views import v2

# A model's routes, and the same for one of its versions: (suffix, view, name).
MODEL_ROUTES = (
    ("", v2.ModelMetadataApi, "metadata"),
    ("/ready", v2.ModelReadyApi, "ready"),
    ("/infer", v2.ModelInferApi, "infer"),
)

urlpatterns = [
    route("v2", v2.ServerMetadataApi, "v2-server-metadata"),
    route("v2/", v2.ServerMetadataSlashApi),
    route("v2/health/live", v2.ServerLiveApi, "v2-server-live"),
    route("v2/health/ready", v2.ServerReadyApi, "v2-server-ready"),
    *(
        route(f"v2/models/<str:model_name>{suffix}", view, f"v2-model-{name}")
        for suffix, view, name in MODEL_ROUTES
    ),
    *(
        route(f"v2/models/<str:model_name>/versions/<str:version>{suffix}", view,
              f"v2-model-version-{name}")
        for suffix, view, name in MODEL_ROUTES
    ),
    # Last: anything else under /v2/ answers in the protocol's error shape.
    re_path(r"^v2/(?P<path>.+)$", v2.UnknownRouteApi.as_view()),
]
