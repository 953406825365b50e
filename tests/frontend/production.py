"""The static files as production serves them, for the browser tests that weigh a page.

The suite's settings serve static files from the finders, unhashed and uncompressed
(settings_test.py), and pytest-django's live server answers /static/ with Django's own handler.
Production runs `collectstatic` with whitenoise's CompressedManifestStaticFilesStorage
(settings.STORAGES) and lets WhiteNoiseMiddleware serve the result: hashed names, far-future
caching, gzip and brotli files chosen by the browser's Accept-Encoding. `production_server`
does the same: collectstatic into a temporary STATIC_ROOT, then a live server with no test
static handler in front of the project's middleware.
"""

from dataclasses import dataclass

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.test import override_settings
from django.test.testcases import LiveServerThread

from tests.frontend.browser import LOCAL_HOST

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
# The API pages' bundles (Swagger UI, DRF's browsable API: 11 MB, 9/10 of collectstatic's
# 40 s of compressing), which the pages weighed here never load.
NOT_COLLECTED = ["drf_spectacular_sidecar", "rest_framework"]


def production_static_settings(static_root) -> override_settings:
    from django.conf import settings

    return override_settings(
        STATIC_ROOT=str(static_root),
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}},
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    )


@pytest.fixture(scope="module")
def production_static_root(tmp_path_factory, django_db_blocker):
    """collectstatic with the production storage, once per module: hashed, gzip and brotli."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    with django_db_blocker.unblock(), production_static_settings(static_root):
        call_command(
            "collectstatic", interactive=False, verbosity=0, ignore_patterns=NOT_COLLECTED
        )
    return static_root


@dataclass
class ProductionServer:
    url: str


def _project_application(media_handler) -> WSGIHandler:
    # LiveServerThread wraps the project in a static and a media handler of Django's test
    # tools. Production has neither: whitenoise's middleware serves /static/ by itself.
    return media_handler.application


@pytest.fixture
def production_server(production_static_root, transactional_db):
    """A live server of the project with production's static files: its url."""
    with production_static_settings(production_static_root):
        thread = LiveServerThread(LOCAL_HOST, static_handler=_project_application)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        try:
            yield ProductionServer(url=f"http://{LOCAL_HOST}:{thread.port}")
        finally:
            thread.terminate()
