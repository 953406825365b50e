"""Plots of finished versions are rendered once per language and format, then served from the
cache; a version still training is drawn afresh every time."""

import pytest

from ml import plots
from ml.models import ModelVersion

pytestmark = pytest.mark.django_db

PNG = {"HTTP_ACCEPT": "image/png"}
SVG = {"HTTP_ACCEPT": "image/svg+xml"}


@pytest.fixture
def renders(monkeypatch):
    """How many plots matplotlib drew."""
    calls = []
    real = plots.plot_render

    def counted(version, kind, fmt="svg"):
        calls.append((version.number, kind, fmt))
        return real(version, kind, fmt)

    monkeypatch.setattr(plots, "plot_render", counted)
    return calls


def test_a_finished_versions_plot_is_rendered_once(trainee_api, active_version, renders):
    first = trainee_api.get("/api/v1/models/1/plots/loss/", **PNG)
    second = trainee_api.get("/api/v1/models/1/plots/loss/", **PNG)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert renders == [(1, "loss", "png")]


def test_each_format_kind_and_language_is_cached_on_its_own(
    trainee_api, active_version, renders
):
    trainee_api.get("/api/v1/models/1/plots/loss/", **PNG)
    trainee_api.get("/api/v1/models/1/plots/loss/", **SVG)
    trainee_api.get("/api/v1/models/1/plots/confusion/", **SVG)
    chinese = trainee_api.get(
        "/api/v1/models/1/plots/confusion/", HTTP_ACCEPT_LANGUAGE="zh-hans", **SVG
    )
    english = trainee_api.get("/api/v1/models/1/plots/confusion/", **SVG)
    assert chinese.content != english.content  # the species are named in Chinese
    again = trainee_api.get(
        "/api/v1/models/1/plots/confusion/", HTTP_ACCEPT_LANGUAGE="zh-hans", **SVG
    )
    assert again.content == chinese.content
    assert len(renders) == 4


def test_the_data_uri_shares_the_cached_png(trainee_api, active_version, renders):
    png = trainee_api.get("/api/v1/models/1/plots/accuracy/", **PNG).content
    body = trainee_api.get("/api/v1/models/1/plots/accuracy/data-uri/").json()
    import base64

    assert base64.b64decode(body["data_uri"].split(",", 1)[1]) == png
    assert len(renders) == 1


def test_a_version_in_training_is_never_cached(trainee_api, active_version, renders):
    ModelVersion.objects.create(
        number=2, status=ModelVersion.Status.TRAINING, metrics=active_version.metrics,
        history=active_version.history, trigger=ModelVersion.Trigger.MANAGER,
        hyperparameters=active_version.hyperparameters,
    )
    for _ in range(2):
        assert trainee_api.get("/api/v1/models/2/plots/loss/", **PNG).status_code == 200
    assert renders == [(2, "loss", "png"), (2, "loss", "png")]


def test_a_version_that_finished_after_a_render_is_cached_from_then_on(
    trainee_api, active_version, renders
):
    version = ModelVersion.objects.create(
        number=2, status=ModelVersion.Status.TRAINING, metrics=active_version.metrics,
        history={"loss": [1.0, 0.5]}, trigger=ModelVersion.Trigger.MANAGER,
        hyperparameters=active_version.hyperparameters,
    )
    during = trainee_api.get("/api/v1/models/2/plots/loss/", **SVG).content
    ModelVersion.objects.filter(id=version.id).update(
        status=ModelVersion.Status.REJECTED, history=active_version.history
    )
    after = trainee_api.get("/api/v1/models/2/plots/loss/", **SVG).content
    assert after != during  # the finished history, not the picture drawn while training
    assert trainee_api.get("/api/v1/models/2/plots/loss/", **SVG).content == after
    assert len(renders) == 2


def test_the_anonymous_get_no_plot_cached_or_not(anon, trainee_api, active_version):
    trainee_api.get("/api/v1/models/1/plots/loss/", **PNG)
    assert anon.get("/api/v1/models/1/plots/loss/", **PNG).status_code == 401
