import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flower_power.settings")

django_application = get_wsgi_application()

from flower_power.api.middleware import ChunkedBodyWSGIMiddleware  # noqa: E402 (after setup)

# Chunked request bodies (no Content-Length) read under the body-size limit, or a clear 411.
application = ChunkedBodyWSGIMiddleware(django_application)
