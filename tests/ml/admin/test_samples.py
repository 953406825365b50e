"""Who gets into the ml admin, and the flower samples' list and form."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from ml.models import FlowerSample, ModelVersion, Source
from tests.factories import UserFactory
from tests.ml.admin.conftest import EXPORT, IMPORT, RETRAIN, SAMPLES, VERSIONS

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
