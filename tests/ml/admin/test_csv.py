"""Flower samples in and out of the admin as CSV."""

import pytest

from ml.models import FlowerSample
from tests.ml.admin.conftest import EXPORT, HEADER, IMPORT, ROW, SAMPLES, csv_rows, imported, upload

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
