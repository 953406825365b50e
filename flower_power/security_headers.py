"""Security headers: Permissions-Policy on every response (Django has no setting for it), and
django-csp's Content-Security-Policy on the documents a browser renders (HTML and SVG)."""

from csp.middleware import CSPMiddleware
from django.conf import settings


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# What a browser renders as a document that could run script; JSON, plain text (/metrics) and
# PNG are never run, so they carry nosniff (SecurityMiddleware) and no policy.
DOCUMENT_TYPES = ("text/html", "image/svg+xml")


class PageCSPMiddleware(CSPMiddleware):
    """django-csp for documents only: it builds the policy for every response (~0.2 ms, a
    third of a /healthz request), which the JSON API and the probes do not need."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(DOCUMENT_TYPES):
            return response
        return super().process_response(request, response)
