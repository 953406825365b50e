"""Personas shared by every test: an anonymous client, two trainees and a manager."""

import os

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import PASSWORD, ManagerFactory, ModelVersionFactory, UserFactory
from trainees.services import token_issue


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Under CI a test must fail, never skip, for a missing browser or service.
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"


def _clear_cache() -> None:
    # Only this suite's keys (settings_test gives them a prefix): another suite may be using
    # the same Redis database.
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters and lockouts live in the shared cache: no test may inherit another's.
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture(autouse=True)
def _no_recorded_inputs_left():
    # Inputs recorded for drift monitoring wait in a per-process buffer: no test may inherit
    # another's, and none may be written at exit, when the test database is gone.
    from ml.monitoring import inputs_discard

    inputs_discard()
    yield
    inputs_discard()


@pytest.fixture(autouse=True)
def _no_served_model_left():
    # Each process caches the models it serves (a dict, cleared under a lock): no test may
    # be served another's version.
    from ml.serving import model_cache

    model_cache.forget()
    yield
    model_cache.forget()


@pytest.fixture(autouse=True)
def _no_cached_token_left():
    # Each process caches the tokens it authenticated: no test may be let in by another's.
    from flower_power.api.authentication import auth_cache_clear

    auth_cache_clear()
    yield
    auth_cache_clear()


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
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)[1]}")
    return client


@pytest.fixture
def manager_client(client, manager):
    """The Django test client logged in as a manager (the admin's pages)."""
    client.force_login(manager)
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


@pytest.fixture(scope="session")
def trained_artifacts():
    """One real training per test session (about 3 s with the TensorFlow import)."""
    from ml.dataset import shipped_split_arrays
    from ml.trainer import train_classifier

    x_train, y_train, x_test, y_test = shipped_split_arrays()
    return train_classifier(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


@pytest.fixture(scope="session")
def trained_levels():
    """The weaker levels' trainings, once per test session: {level: TrainingResult}."""
    from ml.dataset import shipped_split_arrays
    from ml.models import LEVEL_FEATURES, Level
    from ml.trainer import train_classifier

    x_train, y_train, x_test, y_test = shipped_split_arrays()
    return {
        level: train_classifier(
            x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test,
            features=LEVEL_FEATURES[level], export_keras=False,
        )
        for level in (Level.APPRENTICE, Level.FLORIST)
    }


@pytest.fixture
def flowers(db):
    from ml.services import flowers_load_shipped

    flowers_load_shipped()


@pytest.fixture
def active_version(flowers, trained_artifacts, trained_levels):
    """An active model version and its levels from the session's trainings, as the worker
    stores them."""
    return ModelVersionFactory(
        number=1, is_active=True, trigger="bootstrap", artifacts=trained_artifacts,
        levels=trained_levels,
    )
