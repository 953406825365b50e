"""The ml admin: flower samples (with CSV import/export) and the model registry."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ml.models import FlowerSample, ModelVersion, Source
from tests.factories import ModelVersionFactory

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
    return ModelVersionFactory(number=number, status=status, artifacts=active_version)


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))
