"""Swagger UI in a real browser: it loads from our own static files and can call the API."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.frontend.browser import log_in, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_swagger_ui_tries_out_the_random_flower_with_the_session(open_page, active_version):
    page, watch = open_page("swagger")
    log_in(page, UserFactory(username="alice"))

    with watch.navigating_away():  # from the trainee page, whose first requests may be in flight
        page.goto("/api/docs/")
    operation = page.locator(".opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/api/v1/flowers/random/"]')
    ).first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    with page.expect_response(re.compile(r"/api/v1/flowers/random/")) as called:
        operation.get_by_role("button", name="Execute").click()
    assert called.value.status == 200
    assert called.value.json()["name"] in ("setosa", "versicolor", "virginica")
    status = operation.locator(".live-responses-table tbody .response-col_status")
    expect(status).to_have_text("200")
    screenshot(operation, "swagger-try-it-out")
    watch.check()
