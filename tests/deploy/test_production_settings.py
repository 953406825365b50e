import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF="tests.deploy.crashing_urls", DEBUG=False)
def test_a_500_page_shows_no_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/crash/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "hunter2" not in body and "Traceback" not in body


@override_settings(ROOT_URLCONF="tests.deploy.crashing_urls", DEBUG=False)
def test_an_api_500_is_json_without_internals():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/crash/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "hunter2" not in response.content.decode()


def test_the_api_renders_json_only_when_not_debugging(trainee_api, settings):
    assert settings.DEBUG is False
    response = trainee_api.get("/api/v1/auth/ping/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/json")
    response = trainee_api.get("/api/v1/auth/ping/", HTTP_ACCEPT="*/*")
    assert response["Content-Type"].startswith("application/json")
