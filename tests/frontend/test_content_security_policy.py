"""Every page works under the Content-Security-Policy, and a violation fails a browser test."""

import pytest

from challenges.models import ChallengeSession
from tests.factories import PASSWORD, ManagerFactory
from tests.frontend.browser import CSP_VIOLATION, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_an_inline_script_is_blocked_and_fails_the_test(open_page):
    page, watch = open_page("csp-inline-script")
    page.goto("/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.injected === undefined")
    assert any(problem.startswith(CSP_VIOLATION) for problem in watch.problems), watch.problems
    watch.problems.clear()  # the point of this test; the fixture would fail on it


def test_the_trainee_page_works_with_no_violation(open_page, alice):
    page, watch = open_page("csp-trainee")
    log_in(page, alice)
    page.locator(".scoreboard_section").wait_for()
    watch.check()


def test_the_admin_pages_work_with_no_violation(open_page, active_version, trainee):
    manager = ManagerFactory(username="csp-manager")
    manager.is_superuser = True  # every admin page, the scoreboard included
    manager.save()
    ChallengeSession.objects.create(
        user=trainee, model_version=active_version, rounds_count=1, status="finished",
    )
    page, watch = open_page("csp-admin")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    for path in (
        "/admin/",
        "/admin/trainees/user/",
        f"/admin/trainees/user/{trainee.pk}/change/",
        f"/admin/trainees/user/{trainee.pk}/password/",
        "/admin/ml/modelversion/",
        f"/admin/ml/modelversion/{active_version.pk}/change/",
        "/admin/ml/flowersample/",
        "/admin/ml/flowersample/add/",
        "/admin/challenges/challengesession/scoreboard/",
        f"/admin/challenges/challengesession/scoreboard/{trainee.pk}/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    watch.check()


def test_swagger_ui_starts_under_the_policy_with_its_nonce(open_page):
    page, watch = open_page("csp-swagger")
    response = page.goto("/api/docs/")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "'nonce-" in policy
    # The start-up script ran: the operations are listed.
    page.locator('.opblock-summary-path[data-path="/api/v1/flowers/random/"]').first.wait_for()
    watch.check()


def test_the_login_pages_work_with_no_violation(open_page, trainee):
    page, watch = open_page("csp-login")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(trainee.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    page.goto("/admin/login/")
    page.wait_for_load_state("networkidle")
    watch.check()
