from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from flower_power.errors import Conflict
from ml.dataset import FEATURES, SPECIES, load_shipped_rows, split_for_index
from ml.models import FlowerSample, Source


def flower_samples_create_many(
    *, rows: list[dict], source: str = Source.MANAGER, added_by=None
) -> list[FlowerSample]:
    """Store labelled flowers, all or none, each with a stable stratified train/test split.

    Each row has the four measurements and `species` (and may have `shipped_row`).
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _create_many(rows, source, added_by)
        except IntegrityError:
            # Another writer took the same ordinals of a species at the same moment.
            continue
    raise Conflict(_("Samples are being added concurrently; try again."), code="busy")


def _create_many(rows: list[dict], source: str, added_by) -> list[FlowerSample]:
    taken = dict(
        FlowerSample.objects.values_list("species").annotate(m=Max("ordinal")).order_by()
    )
    next_ordinal = {species: taken.get(species, -1) + 1 for species in SPECIES}
    samples = []
    for row in rows:
        sample = FlowerSample(
            **{name: row[name] for name in FEATURES}, species=row["species"], source=source,
            added_by=added_by, shipped_row=row.get("shipped_row"),
        )
        # Field validation only: the database checks uniqueness and its constraints itself,
        # instead of a query per row.
        sample.clean_fields(exclude=["split", "ordinal"])
        sample.ordinal = next_ordinal[sample.species]
        next_ordinal[sample.species] += 1
        # The k-th sample of a species lands in split_for_index(k): stratified 80/20, and
        # the ordinal is never reused, so a sample never changes split.
        sample.split = split_for_index(sample.ordinal)
        samples.append(sample)
    return FlowerSample.objects.bulk_create(samples)


def flower_sample_create(
    *, measurements: dict[str, float], species: str, source: str = Source.MANAGER, added_by=None
) -> FlowerSample:
    """Store a new labelled flower, assigning it a stable train/test split."""
    row = {**{name: measurements[name] for name in FEATURES}, "species": species}
    return flower_samples_create_many(rows=[row], source=source, added_by=added_by)[0]


@transaction.atomic
def flower_sample_update(*, sample: FlowerSample, data: dict) -> FlowerSample:
    """Change a sample's measurements or species; its split stays as it was."""
    for name in FEATURES:
        if name in data:
            setattr(sample, name, data[name])
    if "species" in data and data["species"] != sample.species:
        # A relabelled sample takes the next ordinal of its new species but keeps its split:
        # the model must never have trained on a flower that is now in the test split.
        sample.species = data["species"]
        taken = FlowerSample.objects.filter(species=sample.species).aggregate(m=Max("ordinal"))
        sample.ordinal = (taken["m"] if taken["m"] is not None else -1) + 1
    sample.full_clean()
    sample.save()
    return sample


def flowers_load_shipped() -> int:
    """Load Fisher's iris data into the samples table; loading twice adds nothing."""
    loaded = set(
        FlowerSample.objects.filter(shipped_row__isnull=False).values_list("shipped_row", flat=True)
    )
    rows = [
        {**row, "shipped_row": index}
        for index, row in enumerate(load_shipped_rows())
        if index not in loaded
    ]
    if rows:
        flower_samples_create_many(rows=rows, source=Source.SHIPPED)
    return len(rows)
