"""What practice and challenges share: the scoreboard's change counter and the AI's guesses."""

import time

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from flower_power.errors import ApplicationError
from ml.dataset import SPECIES
from ml.models import FlowerSample
from ml.serving import ServedModel

SCOREBOARD_VERSION_KEY = "scoreboard:version"


def scoreboard_version_seed() -> int:
    """A start value no earlier counter had: after a cache flush or a Redis restart, an ETag
    a page still holds must never match again."""
    return time.time_ns()


def scoreboard_changed() -> None:
    """Invalidate scoreboard ETags and caches, once the change is committed."""

    def bump() -> None:
        if cache.add(SCOREBOARD_VERSION_KEY, scoreboard_version_seed(), timeout=None):
            return
        try:
            cache.incr(SCOREBOARD_VERSION_KEY)
        except ValueError:  # evicted between add and incr
            cache.add(SCOREBOARD_VERSION_KEY, scoreboard_version_seed(), timeout=None)

    transaction.on_commit(bump)


def snapshot(sample: FlowerSample) -> dict:
    return {
        "sample": sample, "species": sample.species,
        "sepal_length": sample.sepal_length, "sepal_width": sample.sepal_width,
        "petal_length": sample.petal_length, "petal_width": sample.petal_width,
    }


def ai_guesses(model: ServedModel, samples: list[FlowerSample]) -> list[tuple[str, float]]:
    import numpy as np

    # The classifier itself: the AI's own guesses are not predictions served to a client.
    probabilities = model.classifier.predict_proba(
        np.asarray([sample.measurements for sample in samples], dtype=np.float32)
    )
    best = probabilities.argmax(axis=1)
    return [
        (SPECIES[b], round(float(row[b]), 6))
        for b, row in zip(best.tolist(), probabilities, strict=True)
    ]


def check_guess(guess) -> str:
    if guess not in SPECIES:
        raise ApplicationError(
            _("guess must be one of %(species)s.") % {"species": ", ".join(SPECIES)},
            fields={"guess": [_("Not a species.")]},
        )
    return guess
