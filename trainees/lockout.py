"""What a locked-out login sees: JSON 429 on the API, a page (also 429) elsewhere."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from flower_power.api.errors import error_body


def lockout_response(request, original_response=None, credentials=None):
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    message = _(
        "Too many failed login attempts for this account from your address. "
        "Try again in %(minutes)d minutes."
    ) % {"minutes": settings.AXES_COOLOFF_TIME.total_seconds() // 60}
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("locked_out", message), status=429)
    else:
        response = render(
            request, "registration/locked_out.html", {"message": message}, status=429
        )
    response["Retry-After"] = retry_after
    return response
