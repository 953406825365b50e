"""One client address for throttles, lockouts and logs (TRUSTED_PROXIES), and a per-address
limit on all three login paths."""

import json
import logging

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from flower_power.client_ip import client_ip

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_PATHS = ["/accounts/login/", "/admin/login/"]
ATTACKER = "198.51.100.66"
PROXY = "10.0.0.5"


def auth_limit() -> int:
    return int(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"].split("/")[0])


def meta(remote, forwarded=None) -> dict:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return extra


def test_with_no_proxy_configured_a_forwarded_for_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", **meta(ATTACKER, "1.2.3.4"))
    assert client_ip(request) == ATTACKER


def test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.1"]
    # The client forged "1.2.3.4"; the edge proxy (192.0.2.1) appended what it saw.
    request = RequestFactory().get("/", **meta(PROXY, f"1.2.3.4, {ATTACKER}, 192.0.2.1"))
    assert client_ip(request) == ATTACKER


def test_a_request_not_from_the_proxy_is_judged_by_its_own_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = RequestFactory().get("/", **meta(ATTACKER, "1.2.3.4"))
    assert client_ip(request) == ATTACKER


def test_garbage_in_the_hops_our_proxy_wrote_falls_back_to_the_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = RequestFactory().get("/", **meta(PROXY, "1.2.3.4, not-an-ip"))
    assert client_ip(request) == PROXY


def test_rotating_forwarded_for_does_not_escape_the_token_throttle(anon, settings):
    settings.TRUSTED_PROXIES = []
    statuses = [
        anon.post(
            TOKEN_URL, {"username": f"user{n}", "password": "wrong-password!"},
            **meta(ATTACKER, f"203.0.113.{n}"),
        ).status_code
        for n in range(auth_limit() + 10)
    ]
    assert statuses[: auth_limit()] == [400] * auth_limit()
    assert set(statuses[auth_limit():]) == {429}


def test_the_api_answers_429_json_with_retry_after(anon):
    for n in range(auth_limit()):
        anon.post(TOKEN_URL, {"username": f"u{n}", "password": "x"}, **meta(ATTACKER))
    response = anon.post(TOKEN_URL, {"username": "u", "password": "x"}, **meta(ATTACKER))
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_behind_a_trusted_proxy_clients_are_throttled_separately(anon, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(auth_limit()):
        anon.post(TOKEN_URL, {"username": f"u{n}", "password": "x"}, **meta(PROXY, ATTACKER))
    refused = anon.post(TOKEN_URL, {"username": "u", "password": "x"}, **meta(PROXY, ATTACKER))
    assert refused.status_code == 429
    # Another shop behind the same proxy is still served.
    other = anon.post(TOKEN_URL, {"username": "u", "password": "x"}, **meta(PROXY, "192.0.2.9"))
    assert other.status_code == 400


@pytest.mark.parametrize("path", LOGIN_PATHS)
def test_60_usernames_from_one_address_are_throttled_on_the_login_pages(client, path):
    statuses = [
        client.post(
            path, {"username": f"victim{n}", "password": "Spring2026!"},
            **meta(ATTACKER, f"203.0.113.{n}"),
        ).status_code
        for n in range(60)
    ]
    assert statuses[: auth_limit()] == [200] * auth_limit()  # the form again, with an error
    assert set(statuses[auth_limit():]) == {429}


@pytest.mark.parametrize("path", LOGIN_PATHS)
def test_a_throttled_login_page_is_a_429_page_with_retry_after(client, path):
    for n in range(auth_limit()):
        client.post(path, {"username": f"v{n}", "password": "x"}, **meta(ATTACKER))
    response = client.post(path, {"username": "v", "password": "x"}, **meta(ATTACKER))
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert b"Too many login attempts from your address" in response.content
    assert int(response["Retry-After"]) > 0
    # Only attempts count: the page itself still opens, and other addresses still log in.
    assert client.get(path, **meta(ATTACKER)).status_code == 200


def test_the_three_login_paths_share_one_budget(client, anon, trainee, password):
    third = auth_limit() // 3
    for n in range(third):
        client.post("/accounts/login/", {"username": f"a{n}", "password": "x"}, **meta(ATTACKER))
        client.post("/admin/login/", {"username": f"b{n}", "password": "x"}, **meta(ATTACKER))
        anon.post(TOKEN_URL, {"username": f"c{n}", "password": "x"}, **meta(ATTACKER))
    for _ in range(auth_limit() - 3 * third):
        anon.post(TOKEN_URL, {"username": "c", "password": "x"}, **meta(ATTACKER))
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": password}, **meta(ATTACKER)
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # A colleague elsewhere logs in as usual.
    ok = client.post("/accounts/login/", {"username": "alice", "password": password},
                     **meta("192.0.2.44"))
    assert ok.status_code == 302


def test_the_lockout_is_recorded_against_the_same_address_as_the_throttle(anon, trainee):
    from axes.models import AccessAttempt

    anon.post(TOKEN_URL, {"username": "alice", "password": "wrong!"}, **meta(ATTACKER, "1.2.3.4"))
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]


def test_forwarded_proto_is_ignored_unless_a_trusted_proxy_sends_it(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = [PROXY]
    from django.http import HttpRequest

    seen = {}

    def record(request: HttpRequest):
        seen["secure"] = request.is_secure()
        seen["forwarded_for"] = request.META.get("HTTP_X_FORWARDED_FOR")
        from django.http import HttpResponse

        return HttpResponse()

    from flower_power.client_ip import ForwardedHeadersMiddleware

    middleware = ForwardedHeadersMiddleware(record)
    factory = RequestFactory()
    middleware(factory.get("/", HTTP_X_FORWARDED_PROTO="https", **meta(ATTACKER, "1.2.3.4")))
    assert seen == {"secure": False, "forwarded_for": None}
    middleware(factory.get("/", HTTP_X_FORWARDED_PROTO="https", **meta(PROXY, ATTACKER)))
    assert seen == {"secure": True, "forwarded_for": ATTACKER}


def test_a_request_log_line_names_the_client_and_a_403_has_no_traceback(
    client, manager, caplog
):
    from trainees.models import User

    boss = User.objects.create_user("boss", password="x" * 12, is_staff=True, is_superuser=True)
    client.force_login(manager)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/admin/trainees/user/{boss.pk}/password/", **meta(ATTACKER))
    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.WARNING
    handler = logging.getLogger("django.request").handlers[0]
    for log_filter in handler.filters:
        log_filter.filter(record)
    assert record.exc_info is None
    line = handler.format(record)
    # Production lines are JSON (flower_power/logs.py; LOG_FORMAT=text would say client=...).
    assert json.loads(line)["client_ip"] == ATTACKER
    assert "Traceback" not in line
