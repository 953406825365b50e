"""Settings for the test suite: production-like (DEBUG off) against real PostgreSQL and Redis."""

import os

# setdefault: a developer may point the suite elsewhere with the same variables.
os.environ.setdefault("SECRET_KEY", "test-only-key-" + "x" * 50)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/flower_power")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DEBUG", "false")

from flower_power.settings import *  # noqa: F403

# Hashing with PBKDF2's real cost makes every login in the suite take ~0.3 s.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Plain storage: the suite does not run collectstatic.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the finders, as in development: the suite does not collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Two suites on one machine (say, two checkouts) must not share a test database, cache keys
# (the suite deletes its own between tests) or Celery queue.
_SUITE = os.environ.get("TEST_DATABASE_NAME", "test_flower_power")
DATABASES["default"]["TEST"] = {"NAME": _SUITE}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = f"fp-{_SUITE}"  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = f"celery-{_SUITE}"
# Nor Prometheus counter files (the workers a test starts inherit the variable).
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(
    VAR_DIR / "prometheus" / _SUITE  # noqa: F405
)
