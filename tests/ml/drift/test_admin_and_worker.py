"""The drift state in the admin, and the check in a real worker."""

import time

import pytest
from django.urls import reverse

from ml.models import DriftReport
from ml.services import drift_report_compute
from tests.factories import ModelVersionFactory
from tests.ml.drift.conftest import VERSIONS, shifted_petals, split, store
from tests.worker import Worker

# The admin


@pytest.fixture
def drifted(version):
    store(shifted_petals(split("test")).repeat(10, axis=0))
    return drift_report_compute()


def test_a_manager_sees_the_active_versions_drift_state_in_the_list(client, manager, drifted):
    client.force_login(manager)

    page = client.get(VERSIONS).content.decode()

    assert "input-drift-drifted" in page
    assert "Inputs have drifted: petal " in page
    assert f"petal length (PSI {drifted.features['petal_length']['psi']:.2f})" in page


def test_the_version_page_shows_the_figures_per_measurement(client, manager, drifted):
    client.force_login(manager)

    page = client.get(reverse("admin:ml_modelversion_change", args=[drifted.version_id]))
    text = page.content.decode()

    assert page.status_code == 200
    assert "Input monitoring" in text and "drift-table" in text
    assert f"{drifted.features['sepal_width']['psi']:.3f}" in text
    assert f"{drifted.features['petal_length']['ks_critical']:.3f}" in text
    assert "300 inputs of the last 24 hours (300 prediction requests)" in text


def test_the_list_says_when_the_active_version_was_not_checked_yet(client, manager, version):
    client.force_login(manager)
    assert "Not checked yet" in client.get(VERSIONS).content.decode()


def test_the_list_shows_an_ok_state(client, manager, version):
    store(split("test").repeat(10, axis=0))
    drift_report_compute()
    client.force_login(manager)

    page = client.get(VERSIONS).content.decode()

    assert "input-drift-ok" in page and "Inputs look like training data" in page


def test_the_list_reads_the_drift_state_in_one_query(
    client, manager, version, django_assert_max_num_queries
):
    for number in range(2, 12):
        ModelVersionFactory(number=number)
    drift_report_compute()
    client.force_login(manager)
    client.get(VERSIONS)  # warm caches (content types, permissions)

    with django_assert_max_num_queries(12) as context:
        client.get(VERSIONS)
    drift_queries = [q for q in context.captured_queries if "ml_driftreport" in q["sql"]]
    assert len(drift_queries) == 1


def test_a_trainee_cannot_see_the_drift_state(client, trainee, drifted):
    client.force_login(trainee)

    for url in (VERSIONS, reverse("admin:ml_modelversion_change", args=[drifted.version_id])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


# In the real worker


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_detects_shifted_inputs(tmp_path, version, django_db_setup):
    from ml.tasks import input_drift_check_task

    store(shifted_petals(split("test")).repeat(10, axis=0))
    worker = Worker(tmp_path / "worker.log").start()
    try:
        input_drift_check_task.delay()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not DriftReport.objects.exists():
            time.sleep(0.2)
        report = DriftReport.objects.first()
        assert report is not None, worker.output()[-4000:]
    finally:
        worker.stop()
    assert report.version_id == version.id
    assert report.state == DriftReport.State.DRIFTED
    assert set(report.drifted_features) == {"petal_length", "petal_width"}
    assert "input drift of v1: drifted (300 inputs)" in worker.output()
