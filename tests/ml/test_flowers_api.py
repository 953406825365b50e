import pytest

from ml.models import FlowerSample, Source, Split
from tests.responses import error_of
from tests.threads import in_threads

pytestmark = pytest.mark.django_db

NEW = {"sepal_length": 5.0, "sepal_width": 3.1, "petal_length": 1.4, "petal_width": 0.2,
       "species": "setosa"}


def test_the_shipped_data_loads_once_with_a_stratified_80_20_split(flowers):
    from ml.services import flowers_load_shipped

    assert flowers_load_shipped() == 0
    assert FlowerSample.objects.count() == 150
    for species in ("setosa", "versicolor", "virginica"):
        assert FlowerSample.objects.filter(species=species, split=Split.TEST).count() == 10
        assert FlowerSample.objects.filter(species=species, split=Split.TRAIN).count() == 40


def test_anonymous_cannot_list_flowers(anon):
    assert anon.get("/api/v1/flowers/").status_code == 401


def test_a_trainee_cannot_list_labelled_flowers(trainee_api, flowers):
    assert error_of(trainee_api.get("/api/v1/flowers/")) == (403, "permission_denied")


def test_a_trainee_cannot_read_change_or_delete_a_sample(trainee_api, flowers):
    sample = FlowerSample.objects.first()
    url = f"/api/v1/flowers/{sample.id}/"
    assert trainee_api.get(url).status_code == 403
    assert trainee_api.patch(url, {"species": "virginica"}).status_code == 403
    assert trainee_api.delete(url).status_code == 403
    assert trainee_api.post("/api/v1/flowers/", NEW).status_code == 403
    sample.refresh_from_db()
    assert FlowerSample.objects.count() == 150


def test_a_manager_lists_flowers_paginated(manager_api, flowers):
    body = manager_api.get("/api/v1/flowers/?page_size=500").json()
    assert body["count"] == 150
    assert len(body["results"]) == 100  # the maximum page size


def test_a_manager_adds_a_sample_which_gets_a_stable_split(manager_api, manager, flowers):
    response = manager_api.post("/api/v1/flowers/", NEW)
    assert response.status_code == 201, response.json()
    sample = FlowerSample.objects.get(id=response.json()["id"])
    assert sample.source == Source.MANAGER
    assert sample.added_by == manager
    assert sample.split == "train"  # the 51st setosa: k = 50
    split = sample.split
    manager_api.patch(f"/api/v1/flowers/{sample.id}/", {"petal_width": 0.3})
    sample.refresh_from_db()
    assert sample.petal_width == 0.3 and sample.split == split


def test_split_and_source_sent_by_a_client_are_ignored(manager_api, flowers):
    response = manager_api.post("/api/v1/flowers/", {**NEW, "split": "test", "source": "x"})
    assert response.status_code == 201
    sample = FlowerSample.objects.get(id=response.json()["id"])
    assert (sample.split, sample.source) == ("train", "manager")


def test_unknown_fields_are_refused(manager_api, flowers):
    response = manager_api.post("/api/v1/flowers/", {**NEW, "colour": "blue"})
    assert response.status_code == 400
    assert "colour" in response.json()["error"]["fields"]
    assert FlowerSample.objects.count() == 150


@pytest.mark.parametrize(
    "bad",
    [
        {"sepal_length": 0},
        {"sepal_length": -1},
        {"sepal_length": 31},
        {"sepal_length": "long"},
        {"species": "rose"},
        {"petal_width": None},
    ],
)
def test_bad_samples_are_refused_with_a_named_field(manager_api, flowers, bad):
    response = manager_api.post("/api/v1/flowers/", {**NEW, **bad})
    assert response.status_code == 400
    assert set(bad) <= set(response.json()["error"]["fields"])
    assert FlowerSample.objects.count() == 150


def test_a_manager_deletes_a_sample(manager_api, flowers):
    sample = FlowerSample.objects.first()
    assert manager_api.delete(f"/api/v1/flowers/{sample.id}/").status_code == 204
    assert not FlowerSample.objects.filter(id=sample.id).exists()


def test_anyone_logged_in_gets_a_random_training_flower_in_the_prototype_shape(
    trainee_api, flowers
):
    body = trainee_api.get("/api/v1/flowers/random/").json()
    assert set(body) == {"id", "name", "url", "photo_attribution", "data"}
    assert body["data"]["keys"] == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert len(body["data"]["values"]) == 4
    assert FlowerSample.objects.get(id=body["id"]).split == Split.TRAIN
    assert body["url"] is None and body["photo_attribution"] is None  # no photo uploaded yet


def test_random_flowers_never_come_from_the_test_split(trainee_api, flowers):
    test_ids = set(FlowerSample.objects.filter(split=Split.TEST).values_list("id", flat=True))
    seen = {trainee_api.get("/api/v1/flowers/random/").json()["id"] for _ in range(60)}
    assert not seen & test_ids


def test_a_random_flower_can_be_of_one_species(trainee_api, flowers):
    body = trainee_api.get("/api/v1/flowers/random/?species=virginica").json()
    assert body["name"] == "virginica"
    assert trainee_api.get("/api/v1/flowers/random/?species=rose").status_code == 400


def test_anonymous_gets_no_random_flower(anon, flowers):
    assert anon.get("/api/v1/flowers/random/").status_code == 401


def test_species_ranges_cover_the_training_split(trainee_api, flowers):
    body = trainee_api.get("/api/v1/flowers/ranges/").json()
    assert [row["species"] for row in body] == ["setosa", "versicolor", "virginica"]
    setosa = body[0]
    assert setosa["count"] == 40
    assert setosa["ranges"]["petal_length"]["max"] < 2.0


def test_species_ranges_give_the_mean_of_each_measurement_to_2_decimals(trainee_api, flowers):
    body = trainee_api.get("/api/v1/flowers/ranges/").json()
    for row in body:
        for name, stats in row["ranges"].items():
            values = list(FlowerSample.objects.filter(
                species=row["species"], split=Split.TRAIN).values_list(name, flat=True))
            assert stats["mean"] == round(sum(values) / len(values), 2)
            assert stats["min"] <= stats["mean"] <= stats["max"]


def test_the_legacy_random_flower_route_needs_auth_and_answers(anon, trainee_api, flowers):
    assert anon.get("/get_random_flower").status_code == 401
    assert set(trainee_api.get("/get_random_flower").json()) == {
        "id", "name", "url", "photo_attribution", "data"}


def test_a_deleted_samples_ordinal_is_never_reused(manager_api, flowers):
    last = FlowerSample.objects.filter(species="setosa").order_by("-ordinal").first()
    assert last.ordinal == 49
    last.delete()
    created = manager_api.post("/api/v1/flowers/", NEW).json()
    assert FlowerSample.objects.get(id=created["id"]).ordinal == 49
    # Only the highest ordinal can be taken again, so splits keep their 80/20 pattern.
    created = manager_api.post("/api/v1/flowers/", NEW).json()
    assert FlowerSample.objects.get(id=created["id"]).ordinal == 50


def test_relabelling_a_sample_keeps_its_split(manager_api, flowers):
    sample = FlowerSample.objects.filter(species="setosa", split="test").first()
    response = manager_api.patch(f"/api/v1/flowers/{sample.id}/", {"species": "virginica"})
    assert response.status_code == 200
    sample.refresh_from_db()
    assert (sample.species, sample.split, sample.ordinal) == ("virginica", "test", 50)


@pytest.mark.django_db(transaction=True)
def test_concurrent_additions_get_distinct_ordinals(manager):

    from django.db import connection

    from ml.services import flower_sample_create

    errors = []

    def add():
        try:
            flower_sample_create(
                measurements={k: v for k, v in NEW.items() if k != "species"},
                species="setosa", added_by=manager,
            )
        except Exception as exc:  # a 409 "busy" after three tries is acceptable
            errors.append(exc)
        finally:
            connection.close()

    in_threads(add, times=8)
    assert all(getattr(e, "status_code", None) == 409 for e in errors), errors
    ordinals = list(FlowerSample.objects.values_list("ordinal", flat=True))
    assert len(ordinals) == len(set(ordinals)) == 8 - len(errors)
