import random

from ml.models import FlowerSample, Split


def flower_sample_random_train(*, species: str | None = None) -> FlowerSample | None:
    """A random training-split sample (of one species if given); None when there is none."""
    samples = FlowerSample.objects.filter(split=Split.TRAIN)
    if species:
        samples = samples.filter(species=species)
    ids = list(samples.values_list("id", flat=True))
    if not ids:
        return None
    return FlowerSample.objects.get(id=random.choice(ids))  # noqa: S311 - not security
