"""Input drift monitoring: recording inputs, the drift check, the admin and the worker."""

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from ml.dataset import FEATURES
from ml.models import FlowerSample, InputSample
from tests.factories import ModelVersionFactory

VERSIONS = reverse("admin:ml_modelversion_changelist")
PETAL_LENGTH = FEATURES.index("petal_length")
PETAL_WIDTH = FEATURES.index("petal_width")


@pytest.fixture
def version(flowers):
    """An active version: the drift check needs its row, not its model."""
    return ModelVersionFactory(number=1, is_active=True, trigger="bootstrap")


def split(name: str) -> np.ndarray:
    rows = FlowerSample.objects.filter(split=name).order_by("id").values_list(*FEATURES)
    return np.asarray(list(rows), dtype=np.float64)


def store(rows, *, source="predict", when=None) -> None:
    when = when or timezone.now()
    InputSample.objects.bulk_create(
        InputSample(created_at=when, source=source, **dict(zip(FEATURES, row, strict=True)))
        for row in np.asarray(rows).tolist()
    )


def shifted_petals(rows: np.ndarray, cm: float = 2.0) -> np.ndarray:
    rows = rows.copy()
    rows[:, PETAL_LENGTH] += cm
    rows[:, PETAL_WIDTH] += cm
    return rows
