"""docker-compose.yml and the Dockerfile agree with the code (no Docker engine here)."""

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
SETTINGS_SOURCE = (ROOT / "flower_power" / "settings.py").read_text()
ENV_EXAMPLE = dict(
    line.split("=", 1)
    for line in (ROOT / ".env.example").read_text().splitlines()
    if line and not line.startswith("#")
)
APP_SERVICES = ("migrate", "web", "worker", "beat")


def variables_read_by_settings() -> set[str]:
    names = set(re.findall(r'env_(?:str|bool|int|float|list)\(\s*"([A-Z_0-9]+)"', SETTINGS_SOURCE))
    serve = (ROOT / "flower_power" / "serve.py").read_text()
    names |= set(re.findall(r'(?:_raw|_int|_bool)\(\s*env,\s*"([A-Z_0-9]+)"', serve))
    return names


def test_there_are_the_six_services():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "beat"}


def test_the_database_is_postgresql_16_with_a_volume_and_a_healthcheck():
    db = SERVICES["db"]
    assert db["image"] == "postgres:16"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "healthcheck" in SERVICES["redis"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_start_only_when_what_they_need_is_healthy(name):
    needs = SERVICES[name]["depends_on"]
    assert needs["redis"]["condition"] == "service_healthy"
    if name == "migrate":
        assert needs["db"]["condition"] == "service_healthy"
    else:
        assert needs["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_the_database_and_redis_urls_settings_read(name):
    env = SERVICES[name]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://flower_power:")
    assert env["DATABASE_URL"].endswith("@db:5432/flower_power")
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert {"DATABASE_URL", "REDIS_URL"} <= variables_read_by_settings()


def test_every_variable_in_env_example_is_read_by_the_code():
    compose_only = {"POSTGRES_PASSWORD"}
    unknown = set(ENV_EXAMPLE) - variables_read_by_settings() - compose_only
    assert not unknown
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD"} <= set(ENV_EXAMPLE)


def test_the_web_command_is_our_launcher_in_compose_and_the_dockerfile():
    command = SERVICES["web"]["command"]
    assert command == ["python", "-m", "flower_power.serve"]
    assert (ROOT / "flower_power" / "serve.py").is_file()
    assert 'CMD ["python", "-m", "flower_power.serve"]' in DOCKERFILE
    # nginx, the launcher's front, comes from Debian's packages in the image.
    assert re.search(r"apt-get install [^\n]*\bnginx-light\b", DOCKERFILE)


def test_the_web_port_matches_the_launcher_and_the_dockerfile():
    from flower_power.serve import Config

    port = Config.from_env({}).port
    assert SERVICES["web"]["ports"] == [f"{port}:{port}"]
    assert f"EXPOSE {port}" in DOCKERFILE
    assert f"127.0.0.1:{port}/healthz" in DOCKERFILE


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_services_use_our_celery_app(name):
    command = SERVICES[name]["command"]
    assert command[:3] == ["celery", "-A", "flower_power"]
    assert command[3] == name
    assert (ROOT / "flower_power" / "celery.py").is_file()


def test_the_migrate_service_runs_existing_management_commands():
    script = SERVICES["migrate"]["command"][-1]
    commands = get_commands()
    for step in script.split("&&"):
        argv = shlex.split(step)
        assert argv[:2] == ["python", "manage.py"]
        assert argv[2] in commands, argv[2]


def test_the_dockerfile_is_multi_stage_non_root_with_static_files_and_a_healthcheck():
    assert re.search(r"^FROM node:\S+ AS frontend", DOCKERFILE, re.M)
    assert "npm ci" in DOCKERFILE
    assert re.search(r"^FROM python:3\.11-slim AS runtime", DOCKERFILE, re.M)
    assert "collectstatic --noinput" in DOCKERFILE
    assert re.search(r"^USER app$", DOCKERFILE, re.M)
    assert "HEALTHCHECK" in DOCKERFILE
    # The d3 bundle the settings serve as vendor/d3 is built in the frontend stage and copied.
    assert "COPY frontend ./frontend" in DOCKERFILE
    assert "--from=frontend /app/node_modules/.build/d3 node_modules/.build/d3" in DOCKERFILE
    assert ("vendor/d3", settings.BASE_DIR / "node_modules" / ".build" / "d3") in (
        settings.STATICFILES_DIRS
    )


def test_whitenoise_serves_static_files():
    from django.conf import settings

    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    assert "CompressedManifestStaticFilesStorage" in SETTINGS_SOURCE


def test_the_app_is_loaded_in_each_worker_never_in_a_parent():
    # A model must never be loaded before a fork: granian imports the app in each worker.
    from flower_power.serve import Config, granian_argv

    argv = granian_argv(Config.from_env({}), ROOT / "app.sock")
    assert argv[-1] == "flower_power.wsgi:application"
    assert "--interface" in argv and argv[argv.index("--interface") + 1] == "wsgi"


def test_nothing_configures_a_photo_on_another_host():
    # Species photos are uploaded by managers and served by the app: no request leaves the
    # server by default, so no setting or variable names an outside photo URL.
    sources = (
        SETTINGS_SOURCE, (ROOT / ".env.example").read_text(),
        (ROOT / "docker-compose.yml").read_text(),
    )
    for source in sources:
        assert not re.search(r"\bPHOTO_", source)
        assert "upload.wikimedia.org" not in source
    assert "SPECIES_PHOTO_MAX_BYTES" in variables_read_by_settings()
    assert "SPECIES_PHOTO_MAX_BYTES" in (ROOT / ".env.example").read_text()
