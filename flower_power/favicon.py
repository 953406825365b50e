"""/favicon.ico: browsers ask for it on every page (the admin's too); the logo answers."""

from functools import cache

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

LOGO = settings.BASE_DIR / "static" / "img" / "logo.svg"


@cache
def _logo() -> bytes:
    return LOGO.read_bytes()


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    return HttpResponse(_logo(), content_type="image/svg+xml")
