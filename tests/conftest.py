"""Personas shared by every test: an anonymous client, two trainees and a manager."""

import os

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import PASSWORD, ManagerFactory, UserFactory
from trainees.services import token_issue


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Under CI a test must fail, never skip, for a missing browser or service.
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters and lockouts live in the shared cache: no test may inherit another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def trainee(db):
    return UserFactory(username="alice", display_name="Alice")


@pytest.fixture
def other_trainee(db):
    return UserFactory(username="bob", display_name="Bob", store="Harbour")


@pytest.fixture
def manager(db):
    return ManagerFactory(username="mina", display_name="Mina")


@pytest.fixture
def anon():
    return APIClient()


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user).key}")
    return client


@pytest.fixture
def trainee_api(trainee):
    return _token_client(trainee)


@pytest.fixture
def other_api(other_trainee):
    return _token_client(other_trainee)


@pytest.fixture
def manager_api(manager):
    return _token_client(manager)
