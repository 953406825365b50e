from django.urls import path
from rest_framework.views import APIView

from flower_power.urls import urlpatterns as real_urlpatterns


def crash(request):
    raise RuntimeError("secret internals: db password is hunter2")


class CrashApi(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("secret internals: db password is hunter2")


urlpatterns = [
    path("crash/", crash),
    path("api/v1/crash/", CrashApi.as_view()),
    *real_urlpatterns,
]
handler404 = "flower_power.urls.handler404"
handler500 = "flower_power.urls.handler500"
