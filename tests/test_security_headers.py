"""Content-Security-Policy and Permissions-Policy on every kind of page."""

import pytest

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = [part.strip().split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/api/docs/"])
def test_every_page_has_a_policy_without_inline_script(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_trainee_page_and_the_admin_have_the_policy(client, trainee, manager):
    client.force_login(trainee)
    assert "script-src 'self'" in client.get("/")["Content-Security-Policy"]
    client.force_login(manager)
    assert "script-src 'self'" in client.get("/admin/")["Content-Security-Policy"]


def test_swagger_uis_one_inline_script_carries_the_nonce_of_its_response(client):
    response = client.get("/api/docs/")
    nonce = next(
        source for source in directives(response)["script-src"] if source.startswith("'nonce-")
    )[len("'nonce-"):-1]
    page = response.content.decode()
    assert page.count("<script>") == 0
    assert f'<script nonce="{nonce}">' in page
    # A new nonce each time: one seen in a page is no use for the next.
    assert nonce not in client.get("/api/docs/")["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path", ["/api/v1/auth/ping/", "/v2/health/live", "/v2", "/healthz", "/api/v1/nowhere/"]
)
def test_json_responses_skip_the_page_policy_but_keep_nosniff_and_permissions(
    trainee_api, path
):
    response = trainee_api.get(path)

    assert response.status_code == (404 if "nowhere" in path else 200)
    assert response["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
