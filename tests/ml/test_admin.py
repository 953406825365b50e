"""The ml admin: flower samples (with CSV import/export) and the model registry."""

import csv
import io

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ml.models import FlowerSample, ModelVersion, Source
from tests.factories import UserFactory

HEADER = "sepal_length,sepal_width,petal_length,petal_width,species"
ROW = "5.0,3.4,1.5,0.2,setosa\n"
SAMPLES = reverse("admin:ml_flowersample_changelist")
IMPORT = reverse("admin:ml_flowersample_import")
EXPORT = reverse("admin:ml_flowersample_export")
VERSIONS = reverse("admin:ml_modelversion_changelist")
RETRAIN = reverse("admin:ml_modelversion_retrain")


def upload(client, content: bytes, name: str = "flowers.csv"):
    return client.post(
        IMPORT, {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )


def imported():
    return FlowerSample.objects.filter(source=Source.IMPORT)


def version_detail(version) -> str:
    return reverse("admin:ml_modelversion_change", args=[version.pk])


def another_version(active_version, *, number=2, status=ModelVersion.Status.READY):
    return ModelVersion.objects.create(
        number=number, status=status, trigger=ModelVersion.Trigger.MANAGER,
        hyperparameters=active_version.hyperparameters, metrics=active_version.metrics,
        history=active_version.history, train_count=120, test_count=30, progress=1.0,
        tflite=active_version.tflite, keras=active_version.keras,
    )


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# Who gets in


@pytest.mark.parametrize(
    "url", [SAMPLES, IMPORT, EXPORT, VERSIONS, RETRAIN], ids=lambda url: url.strip("/")
)
def test_a_trainee_is_sent_to_the_admin_login(client, trainee, url):
    client.force_login(trainee)

    response = client.post(url) if url == RETRAIN else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_trainee_cannot_start_a_training(client, trainee):
    client.force_login(trainee)

    client.post(RETRAIN)

    assert not ModelVersion.objects.exists()


def test_staff_without_the_change_permission_may_look_but_not_retrain(client, db):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_modelversion"))
    client.force_login(viewer)

    listing = client.get(VERSIONS)
    response = client.post(RETRAIN)

    assert listing.status_code == 200
    assert RETRAIN not in listing.content.decode()
    assert response.status_code == 403
    assert not ModelVersion.objects.exists()


# Flower samples


def test_a_manager_sees_the_samples_with_their_split_and_source(manager_client, flowers):
    response = manager_client.get(SAMPLES, {"species": "setosa"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Fisher&#x27;s iris data (shipped)" in page
    assert IMPORT in page
    assert "Export all 50 samples as CSV" in page


def test_a_manager_adds_a_sample_and_the_service_assigns_its_split(manager_client, manager):
    response = manager_client.post(
        reverse("admin:ml_flowersample_add"),
        {"sepal_length": 5.0, "sepal_width": 3.4, "petal_length": 1.5, "petal_width": 0.2,
         "species": "setosa"},
    )

    assert response.status_code == 302
    sample = FlowerSample.objects.get()
    assert (sample.split, sample.source, sample.added_by) == ("train", Source.MANAGER, manager)


def test_a_manager_edits_a_sample_and_its_split_stays(manager_client, flowers):
    sample = FlowerSample.objects.filter(species="setosa", split="test").first()

    response = manager_client.post(
        reverse("admin:ml_flowersample_change", args=[sample.pk]),
        {"sepal_length": 5.5, "sepal_width": 3.4, "petal_length": 1.5, "petal_width": 0.2,
         "species": "setosa", "split": "train", "source": Source.MANAGER},
    )

    assert response.status_code == 302
    sample.refresh_from_db()
    assert (sample.sepal_length, sample.split, sample.source) == (5.5, "test", Source.SHIPPED)


def test_the_sample_form_refuses_an_out_of_range_measurement(manager_client):
    response = manager_client.post(
        reverse("admin:ml_flowersample_add"),
        {"sepal_length": 31, "sepal_width": 3.4, "petal_length": 1.5, "petal_width": 0.2,
         "species": "setosa"},
    )

    assert response.status_code == 200
    assert "less than or equal to 30" in response.content.decode()
    assert not FlowerSample.objects.exists()


@pytest.mark.parametrize("value", ["\u0661", "\uff15", "nan", "0x1p1", "5e-324"])
def test_the_sample_form_refuses_numbers_that_are_not_plain_ascii_decimals(
    manager_client, value
):
    response = manager_client.post(
        reverse("admin:ml_flowersample_add"),
        {"sepal_length": value, "sepal_width": 3.4, "petal_length": 1.5, "petal_width": 0.2,
         "species": "setosa"},
    )

    assert response.status_code == 200
    assert not FlowerSample.objects.exists()


# CSV import


def test_a_csv_import_stores_every_row_with_its_split(manager_client, manager, flowers):
    content = f"{HEADER}\n5.0,3.4,1.5,0.2,setosa\r\n6.1,2.8,4.7,1.2,Versicolor\n\n".encode()

    response = upload(manager_client, content)

    assert response.status_code == 302
    rows = list(imported().order_by("id"))
    assert [(row.species, row.petal_length, row.added_by) for row in rows] == [
        ("setosa", 1.5, manager), ("versicolor", 4.7, manager),
    ]
    # The 51st sample of each species: k = 50, a training sample.
    assert {row.split for row in rows} == {"train"}
    page = manager_client.get(response["Location"]).content.decode()
    assert "Imported 2 flower samples." in page


def test_a_csv_import_accepts_a_byte_order_mark(manager_client):
    response = upload(manager_client, f"\ufeff{HEADER}\n5.0,3.4,1.5,0.2,setosa\n".encode())

    assert response.status_code == 302
    assert imported().count() == 1


def test_a_csv_import_with_a_bad_row_stores_nothing_and_names_the_row(manager_client):
    content = (
        f"{HEADER}\n"
        "5.0,3.4,1.5,0.2,setosa\n"
        "5.1,abc,1.5,0.2,setosa\n"
        "5.2,3.4,31,0.2,setosa\n"
        "5.3,3.4,1.5,0,setosa\n"
        "5.4,3.4,1.5,0.2,rose\n"
        "5.5,3.4,1.5\n"
    ).encode()

    response = upload(manager_client, content)

    assert response.status_code == 200
    assert not imported().exists()
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Line 2:" not in page
    assert "Line 3: sepal_width must be a number, not &#x27;abc&#x27;." in page
    assert "Line 4: petal_length must be at least 0.01 and at most 30 cm, not 31." in page
    assert "Line 5: petal_width must be at least 0.01" in page
    assert "Line 6: Unknown species &#x27;rose&#x27;" in page
    assert "Line 7: Expected 5 values, found 3." in page


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"sepal_length,sepal_width,petal_length,species\n5,3,1,setosa\n",
         "The header must be exactly"),
        (f"{HEADER}\n5.0,3.4,1.5,0.2,s\xe9tosa\n".encode("latin-1"), "not UTF-8"),
        (b"", "The submitted file is empty."),
        (b"\n \n", "The file is empty."),
        (f"{HEADER}\n".encode(), "no rows"),
        (b'sepal_length,"sepal_width\n', "not valid CSV"),
    ],
    ids=["bad-header", "not-utf8", "empty", "blank", "header-only", "broken-quotes"],
)
def test_a_malformed_csv_is_refused_with_a_reason(manager_client, content, problem):
    response = upload(manager_client, content)

    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not FlowerSample.objects.exists()


def test_an_import_without_a_file_asks_for_one(manager_client):
    response = manager_client.post(IMPORT)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_a_csv_with_too_many_rows_is_refused(manager_client, monkeypatch):
    monkeypatch.setattr("ml.flower_csv.CSV_MAX_ROWS", 2)

    response = upload(manager_client, f"{HEADER}\n{ROW * 3}".encode())

    assert "more than 2 rows" in response.content.decode()
    assert not FlowerSample.objects.exists()


def test_a_csv_that_is_too_large_is_refused(manager_client, monkeypatch):
    monkeypatch.setattr("ml.admin.samples.CSV_MAX_BYTES", 100)

    response = upload(manager_client, f"{HEADER}\n{ROW * 10}".encode())

    assert "larger than 100" in response.content.decode()
    assert not FlowerSample.objects.exists()


# CSV export


def test_the_export_action_returns_the_selected_samples(manager_client, flowers):
    chosen = list(FlowerSample.objects.order_by("id").values_list("pk", flat=True)[:3])

    response = manager_client.post(
        SAMPLES, {"action": "export_csv", "_selected_action": chosen}
    )

    rows = csv_rows(response)
    assert list(rows[0]) == ["id", *HEADER.split(","), "split", "source"]
    assert [int(row["id"]) for row in rows] == chosen
    assert rows[0] == {
        "id": str(chosen[0]), "sepal_length": "5.1", "sepal_width": "3.5",
        "petal_length": "1.4", "petal_width": "0.2", "species": "setosa", "split": "train",
        "source": "shipped",
    }


def test_the_export_link_returns_every_sample_the_list_shows(manager_client, flowers):
    everything = csv_rows(manager_client.get(EXPORT))
    tests = csv_rows(manager_client.get(EXPORT, {"split": "test"}))

    assert len(everything) == 150
    assert len(tests) == 30
    assert {row["split"] for row in tests} == {"test"}


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
