"""Obtaining a token: named, with a fixed expiry, either header spelling, stored hashed only,
and the migration from DRF's plaintext tokens."""

import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from knox.crypto import hash_token

from flower_power.api import authentication
from tests.trainees.api_tokens.conftest import PING_URL, TOKEN_URL, ping, warm
from trainees.models import ApiToken
from trainees.services import token_issue

pytestmark = pytest.mark.django_db


# --- Obtaining, naming, expiry


def test_a_login_returns_a_named_token_with_its_expiry(anon, trainee, password):
    response = anon.post(
        TOKEN_URL, {"username": "alice", "password": password, "name": "shop laptop"}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "username", "id", "name", "expiry"}
    assert body["username"] == "alice"
    assert body["name"] == "shop laptop"
    assert body["token"].startswith("fp_")
    expiry = ApiToken.objects.get(id=body["id"]).expiry
    assert abs(expiry - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


def test_each_login_is_a_token_of_its_own(anon, trainee, password):
    first = anon.post(TOKEN_URL, {"username": "alice", "password": password}).json()
    second = anon.post(TOKEN_URL, {"username": "alice", "password": password}).json()
    assert first["token"] != second["token"]
    assert first["name"] == second["name"] == "API client"
    assert ping(anon, first["token"]) == ping(anon, second["token"]) == 200


def test_a_name_longer_than_100_characters_is_a_400(anon, trainee, password):
    response = anon.post(TOKEN_URL, {"username": "alice", "password": password, "name": "x" * 101})
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


def test_the_ttl_comes_from_the_setting(anon, trainee, password, settings):
    settings.API_TOKEN_TTL = timedelta(days=2)
    body = anon.post(TOKEN_URL, {"username": "alice", "password": password}).json()
    expiry = ApiToken.objects.get(id=body["id"]).expiry
    assert abs(expiry - (timezone.now() + timedelta(days=2))) < timedelta(minutes=1)


def test_an_expired_token_is_refused_and_deleted(anon, trainee):
    token, raw = token_issue(user=trainee)
    ApiToken.objects.filter(id=token.id).update(expiry=timezone.now() - timedelta(seconds=1))
    assert ping(anon, raw) == 401
    assert not ApiToken.objects.filter(id=token.id).exists()


def test_a_token_expiring_while_cached_is_refused(anon, trainee, monkeypatch):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    later = timezone.now() + timedelta(days=31)
    monkeypatch.setattr(authentication.time, "time", lambda: later.timestamp())
    monkeypatch.setattr("knox.auth.timezone.now", lambda: later)
    assert ping(anon, raw) == 401


def test_a_token_without_expiry_keeps_working(anon, trainee):
    token, raw = token_issue(user=trainee, ttl=None)
    assert token.expiry is None
    assert ping(anon, raw) == 200


def test_past_the_limit_issuing_a_token_revokes_the_oldest(anon, trainee, settings):
    settings.API_TOKENS_PER_USER = 2
    _, oldest = token_issue(user=trainee)
    _, middle = token_issue(user=trainee)
    _, newest = token_issue(user=trainee)
    assert [ping(anon, raw) for raw in (oldest, middle, newest)] == [401, 200, 200]


# --- Headers


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer", "token"])
def test_token_and_bearer_are_both_accepted(anon, trainee, scheme):
    _, raw = token_issue(user=trainee)
    assert ping(anon, raw, scheme) == 200


@pytest.mark.parametrize(("header", "message"), [
    ("Bearer", "Invalid token header. No credentials provided."),
    ("token", "Invalid token header. No credentials provided."),
    ("Bearer a b", "Invalid token header. Token string should not contain spaces."),
    ("Bearer nope", "Invalid token."),
    ("BEARER fp_nope", "Invalid token."),
    ("Token fp_nope", "Invalid token."),
    ("Token fp_\xe9t\xe9", "Invalid token."),  # not UTF-8 once encoded: no 500 either
])
def test_a_malformed_or_unknown_token_is_a_401(anon, trainee, header, message):
    response = anon.get(PING_URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response.json()["error"]["message"] == message


def test_a_drf_style_40_character_key_still_works_once_hashed(anon, trainee):
    # What the migration does to a pre-upgrade key (tests below run it for real).
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    ApiToken(user=trainee, digest=hash_token(key), token_key=key[:15], name="old").save()
    assert ping(anon, key) == 200


# --- Stored hashed only


@pytest.mark.django_db(transaction=True)
def test_the_raw_token_appears_nowhere_in_the_database(anon, trainee, password):
    raw = anon.post(TOKEN_URL, {"username": "alice", "password": password}).json()["token"]
    assert ping(anon, raw) == 200
    dump = subprocess.run(
        ["pg_dump", "--data-only", "-h", connection.settings_dict["HOST"],
         "-U", connection.settings_dict["USER"], connection.settings_dict["NAME"]],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "trainees_apitoken" in dump and len(dump) > 10_000
    assert raw not in dump
    # Knox keeps the first 15 characters as a lookup key; nothing after them is stored.
    assert raw[15:] not in dump
    assert hash_token(raw) in dump


def test_no_text_column_of_any_table_holds_the_token(anon, trainee, password):
    raw = anon.post(TOKEN_URL, {"username": "alice", "password": password}).json()["token"]
    secret = raw[15:]
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                found.extend(table for value in row if secret in str(value))
    assert found == []


# --- The migration from DRF's plaintext tokens


def test_the_migration_hashes_old_drf_tokens_and_drops_their_table(anon, trainee):
    from importlib import import_module

    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    migration = import_module("trainees.migrations.0005_hash_drf_tokens")
    key = "0123456789abcdef0123456789abcdef01234567"
    created = timezone.now() - timedelta(days=400)
    with connection.cursor() as cursor:  # the table as rest_framework.authtoken made it
        cursor.execute(
            'CREATE TABLE "authtoken_token" ("key" varchar(40) PRIMARY KEY, '
            '"created" timestamp with time zone NOT NULL, '
            '"user_id" bigint NOT NULL UNIQUE REFERENCES "trainees_user" ("id"))'
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, created, trainee.id]
        )
    recorder = MigrationRecorder(connection)
    recorder.record_applied("authtoken", "0001_initial")
    state = MigrationExecutor(connection).loader.project_state(("trainees", "0004_apitoken"))
    with connection.schema_editor() as editor:
        migration.forwards(state.apps, editor)

    assert "authtoken_token" not in connection.introspection.table_names()
    assert not recorder.migration_qs.filter(app="authtoken").exists()
    token = ApiToken.objects.get(user=trainee)
    assert token.digest == hash_token(key)
    assert token.created == created
    assert token.expiry > timezone.now() + timedelta(days=29)
    assert ping(anon, key) == 200
    assert ping(anon, key, "Bearer") == 200
