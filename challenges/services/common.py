"""What practice and challenges share: the scoreboard's version and the AI's guesses."""

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from challenges.selectors.cached import SCOREBOARD_VERSION_KEY, scoreboard_version_new
from flower_power.errors import ApplicationError
from ml.dataset import SPECIES
from ml.models import FlowerSample
from ml.serving import ServedModel


def scoreboard_changed() -> None:
    """Give the scoreboard a new version once the change is committed: its cache expires."""
    transaction.on_commit(
        lambda: cache.set(SCOREBOARD_VERSION_KEY, scoreboard_version_new(), timeout=None)
    )


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
