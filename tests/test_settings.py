"""Settings parsing is strict, and production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from flower_power.env import env_bool, env_float, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "flower_power.settings",
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV",
    "ALLOWED_HOSTS": "flowers.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://flowers.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/flower_power",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
}


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    clean.pop("SECURE_SSL_REDIRECT", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("raw,expected", [("true", True), ("0", False), ("Off", False)])
def test_booleans_are_parsed(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["maybe", "ture", "2"])
def test_a_bad_boolean_is_an_error_not_false(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


def test_integers_floats_and_lists_are_parsed_strictly(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert env_int("N", 1) == 12
    monkeypatch.setenv("N", "12x")
    with pytest.raises(ImproperlyConfigured):
        env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured):
        env_int("N", 1, minimum=1)
    monkeypatch.setenv("F", "nan")
    with pytest.raises(ImproperlyConfigured):
        env_float("F", 0.5, minimum=0, maximum=1)
    monkeypatch.setenv("L", "a.example, b.example,")
    assert env_list("L", []) == ["a.example", "b.example"]


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("SPECIES_PHOTO_MAX_BYTES", "2MB", "SPECIES_PHOTO_MAX_BYTES='2MB' is not an integer"),
        ("TRUSTED_PROXIES", "10.0.0.1/8", "TRUSTED_PROXIES"),
        ("TRUSTED_PROXIES", "proxy.example", "TRUSTED_PROXIES"),
        ("TRUSTED_PROXIES", "*", "TRUSTED_PROXIES"),
        # The old switch for a TLS proxy: refused, with a pointer to its replacement.
        ("BEHIND_TLS_PROXY", "true", "replaced by TRUSTED_PROXIES"),
    ],
)
def test_a_bad_setting_stops_the_process_and_says_why(setting, value, message):
    result = run_manage("check", env={**PRODUCTION_ENV, setting: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_a_secret_key_is_required_unless_debug():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr
    assert run_manage("check", env={**env, "DEBUG": "true"}).returncode == 0


def test_production_settings_pass_the_deployment_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_without_database_and_redis_urls_it_uses_sqlite_and_embedded_services(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE']);"
        "print(settings.CACHES['default']['BACKEND']); print(settings.CELERY_BROKER_URL)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="flower_power.settings", DEBUG="true", VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.filebased.FileBasedCache",
        "filesystem://",
    ]


def settings_value(expression: str, **env) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings;"
        f"print(repr({expression}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **PRODUCTION_ENV, **env},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_by_default_no_proxy_is_trusted_and_forwarded_proto_means_nothing():
    assert settings_value("settings.TRUSTED_PROXIES") == "[]"
    assert settings_value("getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)") == "None"


def test_with_trusted_proxies_forwarded_proto_says_whether_tls_was_used():
    env = {"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1"}
    assert settings_value("settings.TRUSTED_PROXIES", **env) == "['10.0.0.0/8', '192.0.2.1']"
    assert settings_value("settings.SECURE_PROXY_SSL_HEADER", **env) == (
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    )
