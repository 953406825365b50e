"""The levels from a real worker's retraining and from the first model (bin/run-local)."""

import pytest

from ml.models import ModelVersion
from ml.selectors import model_version_active, opponent_levels
from ml.serving import model_version_served

pytestmark = pytest.mark.django_db


# A real worker


@pytest.fixture
def worker(tmp_path, django_db_setup, django_db_blocker):
    from tests.worker import Worker

    started = Worker(tmp_path / "worker.log").start()
    yield started
    started.stop()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_retrain_in_the_worker_stores_both_levels_with_the_version(
    manager_api, trainee_api, active_version, trained_levels, worker
):
    import time

    number = manager_api.post("/api/v1/models/", {}).json()["version"]["number"]
    deadline = time.monotonic() + 180
    while ModelVersion.objects.get(number=number).status in ModelVersion.IN_PROGRESS:
        assert time.monotonic() < deadline, worker.output()[-4000:]
        time.sleep(0.3)

    version = ModelVersion.objects.get(number=number)
    assert version.status == "ready" and version.is_active, version.error or version.gate
    stored = {row.level: row.accuracy for row in version.opponents.all()}
    assert stored == {
        level: result.metrics["accuracy"] for level, result in trained_levels.items()
    }
    levels = trainee_api.get(f"/api/v1/models/{number}/").json()["levels"]
    assert [level["level"] for level in levels] == ["apprentice", "florist", "botanist"]
    florist = model_version_served(number, "florist")
    assert florist.predict([[5.1, 3.5, 1.4, 0.2]])[0]["species"] == "setosa"


# Bootstrap (bin/run-local)


def run_train_model(*args) -> str:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("train_model", *args, stdout=out)
    return out.getvalue()


def test_the_first_model_is_trained_with_its_levels(flowers):
    output = run_train_model("--if-levels-missing")

    version = model_version_active()
    assert version.number == 1 and version.trigger == "bootstrap"
    assert version.opponents.count() == 2
    assert "AI levels: apprentice 0.767, florist 0.900" in output


def test_an_active_version_with_its_levels_is_left_alone(active_version):
    output = run_train_model("--if-levels-missing")

    assert "already active, with its AI levels" in output
    assert ModelVersion.objects.count() == 1


def test_an_active_version_from_before_levels_is_replaced_by_one_with_levels(active_version):
    active_version.opponents.all().delete()

    output = run_train_model("--if-levels-missing")

    version = model_version_active()
    assert "predates the AI levels" in output
    assert version.number == 2 and version.trigger == "bootstrap"
    assert [level["available"] for level in opponent_levels(version=version)] == [True] * 3
