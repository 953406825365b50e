from django.db import transaction

from ml.dataset import FEATURES, load_shipped_rows, split_for_index
from ml.models import FlowerSample, Source


def _next_split(species: str) -> str:
    # The k-th sample of a species (counting every sample ever stored) lands in the split
    # split_for_index(k) says: stratified 80/20, and a sample never changes split.
    k = FlowerSample.objects.filter(species=species).count()
    return split_for_index(k)


@transaction.atomic
def flower_sample_create(
    *, measurements: dict[str, float], species: str, source: str = Source.MANAGER, added_by=None
) -> FlowerSample:
    """Store a new labelled flower, assigning it a stable train/test split."""
    sample = FlowerSample(
        **{name: measurements[name] for name in FEATURES},
        species=species, source=source, added_by=added_by, split=_next_split(species),
    )
    sample.full_clean()
    sample.save()
    return sample


@transaction.atomic
def flower_sample_update(*, sample: FlowerSample, data: dict) -> FlowerSample:
    """Change a sample's measurements or species; its split stays as it was."""
    for name in (*FEATURES, "species"):
        if name in data:
            setattr(sample, name, data[name])
    sample.full_clean()
    sample.save()
    return sample


@transaction.atomic
def flowers_load_shipped() -> int:
    """Load Fisher's iris data into the samples table; loading twice adds nothing."""
    rows = load_shipped_rows()
    seen: dict[str, int] = {}
    samples = []
    for index, row in enumerate(rows):
        k = seen.get(row["species"], 0)
        seen[row["species"]] = k + 1
        samples.append(
            FlowerSample(
                **{name: row[name] for name in FEATURES},
                species=row["species"], split=split_for_index(k), source=Source.SHIPPED,
                shipped_row=index,
            )
        )
    before = FlowerSample.objects.filter(source=Source.SHIPPED).count()
    FlowerSample.objects.bulk_create(samples, ignore_conflicts=True)
    return FlowerSample.objects.filter(source=Source.SHIPPED).count() - before
