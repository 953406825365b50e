"""The Open Inference Protocol (KServe v2) routes, at the root and without trailing slashes."""

from django.urls import path, re_path

from ml.views import v2

urlpatterns = [
    path("v2", v2.ServerMetadataApi.as_view(), name="v2-server-metadata"),
    path("v2/", v2.ServerMetadataSlashApi.as_view()),
    path("v2/health/live", v2.ServerLiveApi.as_view(), name="v2-server-live"),
    path("v2/health/ready", v2.ServerReadyApi.as_view(), name="v2-server-ready"),
    path("v2/models/<str:model_name>", v2.ModelMetadataApi.as_view(), name="v2-model-metadata"),
    path("v2/models/<str:model_name>/ready", v2.ModelReadyApi.as_view(), name="v2-model-ready"),
    path("v2/models/<str:model_name>/infer", v2.ModelInferApi.as_view(), name="v2-model-infer"),
    path(
        "v2/models/<str:model_name>/versions/<str:version>", v2.ModelMetadataApi.as_view(),
        name="v2-model-version-metadata",
    ),
    path(
        "v2/models/<str:model_name>/versions/<str:version>/ready", v2.ModelReadyApi.as_view(),
        name="v2-model-version-ready",
    ),
    path(
        "v2/models/<str:model_name>/versions/<str:version>/infer", v2.ModelInferApi.as_view(),
        name="v2-model-version-infer",
    ),
    # Last: anything else under /v2/ answers in the protocol's error shape.
    re_path(r"^v2/(?P<path>.+)$", v2.UnknownRouteApi.as_view()),
]
