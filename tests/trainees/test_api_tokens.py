"""API tokens: hashed at rest, one per client with a name and a fixed expiry, listed and
revoked by their owner, revoked at once by a password change, deactivation or a manager."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.crypto import hash_token
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from flower_power.api import authentication
from tests.factories import UserFactory
from trainees.models import ApiToken
from trainees.services import token_issue, token_revoke_all, user_auth_changed

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
PING_URL = "/api/v1/auth/ping/"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(autouse=True)
def _empty_process_cache():
    authentication.auth_cache_clear()
    yield
    authentication.auth_cache_clear()


def ping(client, raw: str, scheme: str = "Token") -> int:
    return client.get(PING_URL, HTTP_AUTHORIZATION=f"{scheme} {raw}").status_code


def warm(client, raw: str) -> None:
    """Until the token is served from the process cache (the first load is never trusted)."""
    for _ in range(3):
        assert ping(client, raw) == 200
    assert hash_token(raw) in authentication._entries


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


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer nope", "Token fp_nope"])
def test_a_malformed_or_unknown_token_is_a_401(anon, trainee, header):
    response = anon.get(PING_URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "authentication_failed"


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


# --- Listing and revoking one's own


def test_a_trainee_lists_their_own_tokens_only(anon, trainee, other_trainee):
    _, laptop = token_issue(user=trainee, name="laptop")
    _, phone = token_issue(user=trainee, name="phone")
    token_issue(user=other_trainee, name="bob's")
    response = anon.get(TOKENS_URL, HTTP_AUTHORIZATION=f"Token {phone}")
    assert response.status_code == 200
    tokens = response.json()
    assert [t["name"] for t in tokens] == ["phone", "laptop"]
    assert [t["current"] for t in tokens] == [True, False]
    assert all(set(t) == {"id", "name", "created", "expiry", "current"} for t in tokens)
    assert phone not in response.content.decode() and laptop not in response.content.decode()


def test_anonymous_cannot_list_or_revoke_tokens(anon, trainee):
    token, _ = token_issue(user=trainee)
    assert anon.get(TOKENS_URL).status_code == 401
    assert anon.delete(TOKENS_URL).status_code == 401
    assert anon.delete(f"{TOKENS_URL}{token.id}/").status_code == 401
    assert ApiToken.objects.filter(id=token.id).exists()


def test_a_trainee_revokes_one_of_their_tokens_by_id(anon, trainee):
    laptop, laptop_raw = token_issue(user=trainee, name="laptop")
    _, phone_raw = token_issue(user=trainee, name="phone")
    warm(anon, laptop_raw)
    response = anon.delete(f"{TOKENS_URL}{laptop.id}/", HTTP_AUTHORIZATION=f"Token {phone_raw}")
    assert response.status_code == 204
    assert ping(anon, laptop_raw) == 401
    assert ping(anon, phone_raw) == 200


def test_another_users_token_is_not_found(anon, trainee, other_trainee):
    theirs, their_raw = token_issue(user=other_trainee)
    _, mine = token_issue(user=trainee)
    for token_id in (theirs.id, 10**12, 10**30):
        response = anon.delete(f"{TOKENS_URL}{token_id}/", HTTP_AUTHORIZATION=f"Token {mine}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert ping(anon, their_raw) == 200


def test_revoking_all_tokens_includes_the_current_one(anon, trainee, other_trainee):
    _, first = token_issue(user=trainee)
    _, second = token_issue(user=trainee)
    _, theirs = token_issue(user=other_trainee)
    warm(anon, first)
    response = anon.delete(TOKENS_URL, HTTP_AUTHORIZATION=f"Token {second}")
    assert response.json() == {"revoked": 2}
    assert [ping(anon, raw) for raw in (first, second, theirs)] == [401, 401, 200]


def test_delete_on_the_token_endpoint_revokes_only_the_token_presented(anon, trainee):
    _, used = token_issue(user=trainee)
    _, other = token_issue(user=trainee)
    warm(anon, used)
    response = anon.delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Bearer {used}")
    assert response.status_code == 204
    assert ping(anon, used) == 401
    assert ping(anon, other) == 200


def test_delete_on_the_token_endpoint_with_a_session_revokes_nothing(client, trainee):
    _, raw = token_issue(user=trainee)
    client.force_login(trainee)
    response = client.delete(TOKEN_URL)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_token"
    assert ping(client, raw) == 200


def test_a_session_lists_tokens_with_none_current(client, trainee):
    token_issue(user=trainee)
    client.force_login(trainee)
    assert [t["current"] for t in client.get(TOKENS_URL).json()] == [False]


# --- What revokes every token of an account, at once (the cache warm first)


def test_changing_the_password_revokes_every_token(client, trainee, password):
    _, raw = token_issue(user=trainee)
    warm(client, raw)
    client.force_login(trainee)
    response = client.post("/accounts/password_change/", {
        "old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert ping(client, raw) == 401
    assert not ApiToken.objects.filter(user=trainee).exists()


def test_a_password_change_form_save_revokes_every_token(anon, trainee, password):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    form = PasswordChangeForm(trainee, {
        "old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert form.is_valid(), form.errors
    form.save()
    assert ping(anon, raw) == 401


def test_a_password_reset_revokes_every_token(anon, trainee):
    # SetPasswordForm is what Django's reset flow (PasswordResetConfirmView) saves.
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    form = SetPasswordForm(trainee, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()
    assert ping(anon, raw) == 401


def test_a_managers_password_change_in_the_admin_revokes_every_token(
    client, anon, manager, trainee
):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    client.force_login(manager)
    response = client.post(
        f"/admin/trainees/user/{trainee.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert ping(anon, raw) == 401


def test_deactivating_an_account_revokes_its_tokens(anon, trainee):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    trainee.is_active = False
    trainee.save()
    assert ping(anon, raw) == 401
    assert not ApiToken.objects.filter(user=trainee).exists()


def test_the_admin_deactivate_action_revokes_tokens(client, anon, manager, trainee):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    client.force_login(manager)
    client.post("/admin/trainees/user/", {"action": "deactivate", "_selected_action": [trainee.pk]})
    trainee.refresh_from_db()
    assert trainee.is_active is False
    assert ping(anon, raw) == 401


def test_deleting_an_account_revokes_its_tokens(anon, trainee):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    trainee.delete()
    assert ping(anon, raw) == 401


def test_the_manager_action_revokes_a_trainees_tokens(client, anon, manager, trainee):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    client.force_login(manager)
    response = client.post(
        "/admin/trainees/user/", {"action": "revoke_api_tokens", "_selected_action": [trainee.pk]}
    )
    assert response.status_code == 302
    assert ping(anon, raw) == 401


def test_the_manager_action_leaves_a_staff_accounts_tokens(client, anon, manager):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    _, raw = token_issue(user=boss)
    client.force_login(manager)
    client.post(
        "/admin/trainees/user/", {"action": "revoke_api_tokens", "_selected_action": [boss.pk]}
    )
    assert ping(anon, raw) == 200


def test_a_manager_sees_trainees_tokens_but_never_a_digest(client, manager, trainee):
    token, raw = token_issue(user=trainee, name="shop laptop")
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    token_issue(user=boss, name="boss phone")
    client.force_login(manager)
    page = client.get("/admin/trainees/apitoken/").content.decode()
    assert "shop laptop" in page and "boss phone" not in page
    detail = client.get(f"/admin/trainees/apitoken/{token.id}/change/").content.decode()
    assert token.digest not in page + detail and raw[15:] not in page + detail


def test_a_manager_deletes_a_trainees_token_in_the_admin(client, anon, manager, trainee):
    token, raw = token_issue(user=trainee)
    warm(anon, raw)
    client.force_login(manager)
    response = client.post(f"/admin/trainees/apitoken/{token.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert ping(anon, raw) == 401


def test_a_manager_cannot_delete_a_staff_accounts_token(client, anon, manager):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    token, raw = token_issue(user=boss)
    client.force_login(manager)
    response = client.post(f"/admin/trainees/apitoken/{token.id}/delete/", {"post": "yes"})
    # Outside a manager's queryset the token "does not exist": the admin redirects to its index.
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert ApiToken.objects.filter(id=token.id).exists()
    assert ping(anon, raw) == 200


def test_a_trainee_cannot_see_the_token_admin(client, trainee):
    client.force_login(trainee)
    assert client.get("/admin/trainees/apitoken/").status_code == 302  # to the admin login


# --- The cache: no query when warm, still exact


def test_a_warm_request_makes_no_database_query(anon, trainee, django_assert_num_queries):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    with django_assert_num_queries(0):
        assert ping(anon, raw) == 200


def test_a_manager_stays_a_manager_from_the_cache(anon, manager):
    _, raw = token_issue(user=manager)
    warm(anon, raw)
    with CaptureQueriesContext(connection) as queries:
        response = anon.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.json()["is_manager"] is True
    # /me/ reads the trainee's stats, but not the groups or the token.
    tables = ("auth_group", "trainees_apitoken")
    assert [q["sql"] for q in queries if any(t in q["sql"] for t in tables)] == []


def test_leaving_the_managers_group_is_seen_at_once(anon, manager):
    _, raw = token_issue(user=manager)
    warm(anon, raw)
    manager.groups.clear()
    assert anon.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").json()["is_manager"] is False


def test_a_change_to_the_user_row_is_seen_on_the_next_request(anon, trainee):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    type(trainee).objects.filter(id=trainee.id).update(display_name="Renamed")
    user_auth_changed([trainee.id])
    me = anon.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").json()
    assert me["display_name"] == "Renamed"


def test_each_request_gets_its_own_copy_of_the_cached_user(anon, trainee):
    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    auth = authentication.CachedTokenAuthentication()
    seen = []
    for _ in range(2):
        request = Request(APIRequestFactory().get(PING_URL, HTTP_AUTHORIZATION=f"Token {raw}"))
        user, token = auth.authenticate(request)
        if not seen:
            user.display_name = "scribbled"
        seen.append((user, token))
    assert seen[0][0] is not seen[1][0]
    assert seen[1][0].display_name == "Alice"
    assert seen[1][1].user is seen[1][0]


def test_without_redis_every_request_reads_the_database(anon, trainee, monkeypatch):
    monkeypatch.setattr(authentication, "_store", lambda: None)
    _, raw = token_issue(user=trainee)
    for _ in range(3):
        assert ping(anon, raw) == 200
    assert authentication._entries == {}
    token_revoke_all(user=trainee)
    assert ping(anon, raw) == 401


def test_with_redis_down_requests_bypass_the_cache(anon, trainee, monkeypatch):
    import redis

    _, raw = token_issue(user=trainee)
    warm(anon, raw)
    down = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    monkeypatch.setattr(authentication, "_store", lambda: down)
    assert ping(anon, raw) == 200
    assert authentication._entries == {}  # dropped: stamps may have been missed
    ApiToken.objects.filter(user=trainee).delete()
    assert ping(anon, raw) == 401


def test_the_user_throttle_is_counted_in_the_same_round_trip(anon, trainee, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "user": "5/min"}
    }
    _, raw = token_issue(user=trainee)
    statuses = [ping(anon, raw) for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2


def test_the_schema_offers_both_header_spellings(anon):
    schema = anon.get("/api/schema/?format=json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["tokenAuth"]["in"] == "header"
    ping_operation = schema["paths"][PING_URL]["get"]
    assert {"tokenAuth": []} in ping_operation["security"]
    assert {"bearerAuth": []} in ping_operation["security"]
    assert schema["paths"][TOKENS_URL]["get"]["operationId"] == "tokens_list"


# --- Another process's cache (a real server process holds its own)

CHILD = """
import sys, django
django.setup()
from django.test import Client
from flower_power.api import authentication
client = Client(HTTP_AUTHORIZATION="Token " + sys.argv[1])
for line in sys.stdin:
    status = client.get("/api/v1/auth/ping/").status_code
    print(status, len(authentication._entries), flush=True)
"""


@pytest.mark.django_db(transaction=True)
def test_another_processs_warm_cache_sees_revocation_on_its_next_request(trainee):
    from tests.worker import ROOT, child_process_env

    _, raw = token_issue(user=trainee)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, raw], cwd=ROOT, env=child_process_env(),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        def ask() -> tuple[int, int]:
            child.stdin.write("\n")
            child.stdin.flush()
            status, entries = child.stdout.readline().split()
            return int(status), int(entries)

        assert [ask() for _ in range(3)] == [(200, 1)] * 3
        trainee.set_password(NEW_PASSWORD)
        trainee.save()  # commits: every token of alice is revoked
        assert ask()[0] == 401
    finally:
        child.stdin.close()
        child.wait(timeout=30)



# --- The challenge guard reads the cached user's open_challenge_id

FLOWER = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def test_a_started_challenge_stops_the_ai_on_the_next_request_with_a_warm_cache(
    anon, trainee, active_version
):
    _, raw = token_issue(user=trainee)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for _ in range(3):
        assert anon.post("/api/v1/predict/", FLOWER, **headers).status_code == 200
    assert hash_token(raw) in authentication._entries
    session = anon.post("/api/v1/challenges/", {"rounds": 3}, **headers)
    assert session.status_code == 201
    refused = anon.post("/api/v1/predict/", FLOWER, **headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "challenge_in_progress"
    give_up = anon.post(f"/api/v1/challenges/{session.json()['id']}/give-up/", **headers)
    assert give_up.status_code == 200
    assert anon.post("/api/v1/predict/", FLOWER, **headers).status_code == 200


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
