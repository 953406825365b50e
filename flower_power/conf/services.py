"""Database, cache and Celery broker: PostgreSQL and Redis when their URLs are set, else a
SQLite file and embedded ones that need no server (a laptop's `make run`)."""

from pathlib import Path

import dj_database_url

from flower_power.env import env_int


def database(url: str | None, var_dir: Path) -> dict:
    if url:
        return dj_database_url.parse(
            url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    var_dir.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": var_dir / "flower_power.sqlite3",
        # Web and worker processes share the file: wait for a lock instead of failing.
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }


def cache(redis_url: str | None, var_dir: Path) -> dict:
    if redis_url:
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
            "KEY_PREFIX": "fp",
        }
    # A file-based cache is shared by every process on the machine (throttles must count
    # across the web server and the worker), which the in-memory one is not.
    return {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": var_dir / "cache",
    }


def broker(redis_url: str | None, var_dir: Path) -> tuple[str, dict]:
    """CELERY_BROKER_URL and CELERY_BROKER_TRANSPORT_OPTIONS."""
    if redis_url:
        return redis_url, {
            # Must exceed the training hard time limit, or Redis redelivers a task still running.
            "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
        }
    broker_dir = var_dir / "broker"
    for sub in ("out", "processed"):
        (broker_dir / sub).mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(broker_dir / "out"),
        "data_folder_out": str(broker_dir / "out"),
        "processed_folder": str(broker_dir / "processed"),
        "store_processed": False,
    }
