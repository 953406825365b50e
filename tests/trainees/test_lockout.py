"""django-axes: username+IP lockout on the login page, the admin login and the token endpoint."""

import pytest
from django.conf import settings

from trainees.models import ApiToken

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
SHOP_IP = "203.0.113.7"


def fail_times(client, url, username, n, **extra):
    for _ in range(n):
        client.post(url, {"username": username, "password": "wrong-password!"}, REMOTE_ADDR=SHOP_IP,
                    **extra)


def test_the_token_endpoint_refuses_the_right_password_while_locked(anon, trainee, password):
    fail_times(anon, TOKEN_URL, "alice", settings.AXES_FAILURE_LIMIT)
    response = anon.post(
        TOKEN_URL, {"username": "alice", "password": password}, REMOTE_ADDR=SHOP_IP
    )
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "locked_out"
    assert int(response["Retry-After"]) == 15 * 60
    assert not ApiToken.objects.filter(user=trainee).exists()


def test_a_colleague_on_the_same_ip_can_still_get_a_token(anon, trainee, other_trainee, password):
    fail_times(anon, TOKEN_URL, "alice", settings.AXES_FAILURE_LIMIT)
    response = anon.post(TOKEN_URL, {"username": "bob", "password": password}, REMOTE_ADDR=SHOP_IP)
    assert response.status_code == 200


def test_the_same_user_from_another_ip_is_not_locked(anon, trainee, password):
    fail_times(anon, TOKEN_URL, "alice", settings.AXES_FAILURE_LIMIT)
    response = anon.post(
        TOKEN_URL, {"username": "alice", "password": password}, REMOTE_ADDR="198.51.100.1"
    )
    assert response.status_code == 200


def test_a_success_resets_the_failure_count(anon, trainee, password):
    fail_times(anon, TOKEN_URL, "alice", settings.AXES_FAILURE_LIMIT - 1)
    ok = anon.post(TOKEN_URL, {"username": "alice", "password": password}, REMOTE_ADDR=SHOP_IP)
    assert ok.status_code == 200
    fail_times(anon, TOKEN_URL, "alice", settings.AXES_FAILURE_LIMIT - 1)
    again = anon.post(TOKEN_URL, {"username": "alice", "password": password}, REMOTE_ADDR=SHOP_IP)
    assert again.status_code == 200


def test_the_login_page_refuses_the_right_password_while_locked(client, trainee, password):
    fail_times(client, "/accounts/login/", "alice", settings.AXES_FAILURE_LIMIT)
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": password}, REMOTE_ADDR=SHOP_IP
    )
    assert response.status_code == 429
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_the_login_page_lets_a_colleague_in(client, trainee, other_trainee, password):
    fail_times(client, "/accounts/login/", "alice", settings.AXES_FAILURE_LIMIT)
    response = client.post(
        "/accounts/login/", {"username": "bob", "password": password}, REMOTE_ADDR=SHOP_IP
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_trainee.pk)


def test_the_admin_login_refuses_a_locked_manager_without_a_500(client, manager, password):
    fail_times(client, "/admin/login/", "mina", settings.AXES_FAILURE_LIMIT)
    response = client.post(
        "/admin/login/", {"username": "mina", "password": password}, REMOTE_ADDR=SHOP_IP
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Still locked on the next visit, and still not a 500.
    assert client.get("/admin/login/", REMOTE_ADDR=SHOP_IP).status_code == 200
    response = client.post(
        "/admin/login/", {"username": "mina", "password": password}, REMOTE_ADDR=SHOP_IP
    )
    assert response.status_code == 429


def test_failures_while_locked_out_do_not_extend_the_cool_off(anon, trainee, password):
    from datetime import timedelta

    from axes.models import AccessAttempt

    fail_times(anon, TOKEN_URL, "alice", settings.AXES_FAILURE_LIMIT)
    locked_at = AccessAttempt.objects.get(username="alice").attempt_time
    # A colleague at the same shop keeps trying alice's name while she is locked out.
    fail_times(anon, TOKEN_URL, "alice", 10)
    attempt = AccessAttempt.objects.get(username="alice")
    assert attempt.attempt_time == locked_at
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    # Once the cool-off has passed since the lockout, alice gets in.
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=locked_at - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    response = anon.post(
        TOKEN_URL, {"username": "alice", "password": password}, REMOTE_ADDR=SHOP_IP
    )
    assert response.status_code == 200
