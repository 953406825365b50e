"""The model registry in the admin: versions, retraining and activation."""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse

from ml.models import ModelVersion
from tests.ml.admin.conftest import RETRAIN, VERSIONS, another_version, version_detail

# Model versions


def test_a_manager_sees_the_versions_and_a_retrain_button(manager_client, active_version):
    response = manager_client.get(VERSIONS)

    assert response.status_code == 200
    page = response.content.decode()
    assert RETRAIN in page
    assert f"{active_version.accuracy:.1%}" in page


def test_a_version_page_shows_its_metrics_and_embeds_the_plots(manager_client, active_version):
    response = manager_client.get(version_detail(active_version))

    assert response.status_code == 200
    page = response.content.decode()
    # Inline SVG, labels as text: drawn by the browser's fonts in any language.
    assert page.count('<svg role="img" aria-label="Model v1: ') == 3
    assert ">Iris virginica</text>" in page
    assert "<image" not in page
    assert 'id="confusion-matrix"' in page
    assert "precision" in page
    assert "120 for training, 30 for testing" in page
    # Read-only: nothing to save, and the artifacts appear only as sizes.
    assert 'name="_save"' not in page
    assert 'name="tflite"' not in page
    assert "LiteRT" in page


def test_a_queued_version_page_has_no_plots(manager_client, manager):
    manager_client.post(RETRAIN)
    version = ModelVersion.objects.get()

    page = manager_client.get(version_detail(version)).content.decode()

    assert "<svg role=\"img\"" not in page


def test_versions_cannot_be_added_or_deleted_in_the_admin(manager_client, active_version):
    add = manager_client.get(reverse("admin:ml_modelversion_add"))
    delete = manager_client.post(
        reverse("admin:ml_modelversion_delete", args=[active_version.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert delete.status_code == 403
    assert ModelVersion.objects.filter(pk=active_version.pk).exists()


def test_retrain_queues_a_new_version_for_the_manager(manager_client, manager, active_version):
    response = manager_client.post(RETRAIN, follow=True)

    version = ModelVersion.objects.get(number=2)
    assert (version.status, version.trigger, version.triggered_by) == (
        ModelVersion.Status.QUEUED, ModelVersion.Trigger.MANAGER, manager,
    )
    assert "Version 2 is queued for training." in response.content.decode()


def test_a_second_retrain_while_one_is_queued_is_refused(manager_client, active_version):
    manager_client.post(RETRAIN)

    response = manager_client.post(RETRAIN, follow=True)

    assert "A training is already queued or running (version 2)." in response.content.decode()
    assert ModelVersion.objects.count() == 2


def test_retrain_is_a_post(manager_client):
    response = manager_client.get(RETRAIN)

    assert response.status_code == 405
    assert not ModelVersion.objects.exists()


def test_activating_a_ready_version_switches_the_active_one(manager_client, active_version):
    ready = another_version(active_version)
    button = reverse("admin:ml_modelversion_activate", args=[ready.pk])
    assert button in manager_client.get(version_detail(ready)).content.decode()

    response = manager_client.post(button, follow=True)

    assert "Version 2 is now the active model." in response.content.decode()
    active_version.refresh_from_db()
    ready.refresh_from_db()
    assert (active_version.is_active, ready.is_active) == (False, True)


def test_the_activate_action_rolls_back_to_an_older_version(manager_client, active_version):
    another_version(active_version)
    manager_client.post(reverse("admin:ml_modelversion_activate", args=[
        ModelVersion.objects.get(number=2).pk]))

    response = manager_client.post(
        VERSIONS, {"action": "activate", "_selected_action": [active_version.pk]}, follow=True
    )

    assert "Version 1 is now the active model." in response.content.decode()
    assert ModelVersion.objects.get(is_active=True).number == 1


def test_activating_a_rejected_version_is_refused(manager_client, active_version):
    rejected = another_version(active_version, status=ModelVersion.Status.REJECTED)

    response = manager_client.post(
        VERSIONS, {"action": "activate", "_selected_action": [rejected.pk]}, follow=True
    )

    page = response.content.decode()
    assert (
        "Only a ready version can be activated; version 2 is rejected by the promotion gate."
        in page
    )
    assert ModelVersion.objects.get(is_active=True).number == 1


def test_the_activate_action_needs_exactly_one_version(manager_client, active_version):
    ready = another_version(active_version)

    response = manager_client.post(
        VERSIONS, {"action": "activate", "_selected_action": [active_version.pk, ready.pk]},
        follow=True,
    )

    assert "Select exactly one version to activate." in response.content.decode()
    assert ModelVersion.objects.get(is_active=True).number == 1


def test_activating_a_version_that_does_not_exist_is_not_found(manager_client, active_version):
    for object_id in ("999", "not-a-number"):
        response = manager_client.post(
            reverse("admin:ml_modelversion_activate", args=[object_id])
        )

        assert response.status_code == 404
    assert ModelVersion.objects.get(is_active=True).number == 1


def test_retrain_and_activation_are_recorded_in_the_admin_history(
    manager_client, manager, active_version
):
    ready = another_version(active_version)
    manager_client.post(reverse("admin:ml_modelversion_activate", args=[ready.pk]))
    manager_client.post(RETRAIN)

    entries = LogEntry.objects.filter(user=manager).order_by("id")
    assert [(entry.object_repr, entry.action_flag) for entry in entries] == [
        (str(ModelVersion.objects.get(number=2)), CHANGE),
        (str(ModelVersion.objects.get(number=3)), ADDITION),
    ]
