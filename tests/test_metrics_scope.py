"""Token scopes: the metrics token scrapes /metrics and authenticates nowhere else, on Django's
path and the lean one, cold or from the process cache; API tokens never scrape."""

from importlib import import_module

import orjson
import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from knox.crypto import hash_token

from flower_power.api import authentication
from tests.factories import UserFactory
from tests.test_fastpath import FLOWER, call, v2
from tests.test_metrics import metrics_token, scrape
from trainees.models import ApiToken
from trainees.services import token_issue

SCOPE_MESSAGE = "This token may only scrape /metrics."
# Each route of the API a trainee's token opens, and what the request is.
API_ROUTES = [
    ("post", "/api/v1/predict/", FLOWER),
    ("get", "/api/v1/auth/tokens/", None),
    ("get", "/api/v1/auth/ping/", None),
    ("get", "/api/v1/scoreboard/", None),
    ("post", "/api/v1/challenges/", {"rounds": 1, "level": "florist"}),
    ("get", "/api/v1/me/", None),
]


@pytest.fixture
def prometheus_token(db) -> str:
    return metrics_token()


def warm_scrapes(client, raw: str) -> None:
    """Scrape until the metrics token is served from the process cache."""
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for _ in range(3):
        scrape(client)
    entry = authentication._entries[hash_token(raw)]
    assert authentication.entry_trusted(entry, ApiToken.Scope.METRICS)
    assert not authentication.entry_trusted(entry, ApiToken.Scope.API)


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "cached"])
@pytest.mark.parametrize("scheme", ["Token", "Bearer"])
def test_the_metrics_token_is_a_401_everywhere_on_the_api(anon, prometheus_token,
                                                           active_version, scheme, warm):
    if warm:
        warm_scrapes(anon, prometheus_token)
    anon.credentials(HTTP_AUTHORIZATION=f"{scheme} {prometheus_token}")
    for method, path, body in API_ROUTES:
        response = getattr(anon, method)(path, body)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "authentication_failed", path
        assert response.json()["error"]["message"] == SCOPE_MESSAGE, path
        assert response["WWW-Authenticate"] == "Token"
    infer = anon.post("/v2/models/iris/infer", orjson.loads(v2()))
    assert infer.status_code == 401
    assert infer.json() == {"error": SCOPE_MESSAGE}
    scrape(anon)  # and it still scrapes


def test_api_tokens_never_scrape_not_even_a_superusers_cached_one(anon, trainee):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    for user in (trainee, boss):
        raw = token_issue(user=user)[1]
        anon.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        for _ in range(3):  # cached by the API's authentication: still not for /metrics
            assert anon.get("/api/v1/auth/ping/").status_code == 200
        response = anon.get("/metrics")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert b"flower_power_" not in response.content


def test_a_session_does_not_scrape_and_the_permission_is_still_needed(client, anon, db):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(boss)
    assert client.get("/metrics").status_code == 401
    stripped = UserFactory(username="stripped")
    raw = token_issue(user=stripped, scope=ApiToken.Scope.METRICS)[1]
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert anon.get("/metrics").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_lean_path_leaves_a_metrics_token_to_django_which_refuses_it(
        anon, prometheus_token, trainee, active_version):
    from flower_power.fastpath import FastPathWSGIMiddleware
    from tests.test_fastpath import Django

    warm_scrapes(anon, prometheus_token)
    django_app = Django()
    fast = FastPathWSGIMiddleware(django_app)
    api_token = token_issue(user=trainee)[1]  # the control: a warm API token is answered here
    for _ in range(2):  # the token's entry, then the model, as tests/test_fastpath.py's
        assert call(django_app, "POST", "/api/v1/predict/", orjson.dumps(FLOWER),
                    api_token)[0] == 200
    before = django_app.calls
    assert call(fast, "POST", "/api/v1/predict/", orjson.dumps(FLOWER), api_token)[0] == 200
    assert django_app.calls == before
    for path, body in (("/api/v1/predict/", orjson.dumps(FLOWER)),
                       ("/v2/models/iris/infer", v2())):
        before = django_app.calls
        status, _headers, content = call(fast, "POST", path, body, prometheus_token)
        assert (status, django_app.calls) == (401, before + 1), path
        assert SCOPE_MESSAGE in content.decode()


def test_the_migration_scopes_the_existing_prometheus_tokens_only(db):
    migration = import_module("trainees.migrations.0006_apitoken_scope")
    permission = Permission.objects.get(content_type__app_label="metrics",
                                        codename="view_metrics")
    scraper, grouped, other = (UserFactory(username=name) for name in ("s", "g", "o"))
    scraper.user_permissions.add(permission)
    other.user_permissions.add(permission)
    group = Group.objects.create(name="scrapers")
    group.permissions.add(permission)
    grouped.groups.add(group)
    tokens = [token_issue(user=scraper, name="prometheus")[0],
              token_issue(user=scraper, name="laptop")[0],
              token_issue(user=grouped, name="prometheus")[0],
              token_issue(user=other, name="grafana")[0]]
    migration.metrics_tokens_scope(apps, None)
    scopes = [ApiToken.objects.get(id=token.id).scope for token in tokens]
    assert scopes == ["metrics", "api", "api", "api"]


def test_the_admin_lists_each_tokens_scope(client, manager, prometheus_token):
    client.force_login(manager)
    page = client.get("/admin/trainees/apitoken/").content.decode()
    assert "metrics scrape only" in page
    filtered = client.get("/admin/trainees/apitoken/", {"scope__exact": "metrics"})
    assert filtered.status_code == 200 and "prometheus" in filtered.content.decode()
