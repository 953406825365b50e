import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flower_power.settings")

django_application = get_wsgi_application()

from flower_power.api.middleware import ChunkedBodyWSGIMiddleware  # noqa: E402 (after setup)
from flower_power.fastpath import FastPathWSGIMiddleware  # noqa: E402
from flower_power.memory import MemoryReleaseWSGIMiddleware  # noqa: E402


class ProxyPeerWSGIMiddleware:
    """REMOTE_ADDR is nginx's TCP peer when the request came through our own nginx.

    `python -m flower_power.serve` runs granian on a Unix socket in a private (0700)
    directory that only its nginx reaches; granian reports such a peer with an empty
    REMOTE_ADDR, and nginx always overwrites X-Real-IP with its client's address. Over TCP
    the header is a client's own and is dropped. TRUSTED_PROXIES then applies as if
    clients reached the app directly (flower_power/client_ip.py).
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        peer = environ.pop("HTTP_X_REAL_IP", "")
        if not environ.get("REMOTE_ADDR") and peer:
            environ["REMOTE_ADDR"] = peer
        return self.application(environ, start_response)


# Predictions and /healthz of the plain kind on the lean path (flower_power/fastpath.py);
# chunked request bodies (no Content-Length) read under the body-size limit, or a clear 411
# (nginx de-chunks before the app; this serves a WSGI server reached directly).
application = MemoryReleaseWSGIMiddleware(ProxyPeerWSGIMiddleware(
    FastPathWSGIMiddleware(ChunkedBodyWSGIMiddleware(django_application))))

# Everything loaded so far (Django, the URL conf, the libraries) lives as long as the process:
# moved out of the garbage collector's generations, a collection during a 10,000-row batch no
# longer walks it (bench/README.md: such a request went from 30-37 ms to 22 ms).
gc.freeze()
