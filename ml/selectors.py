import random

from django.db.models import Avg, Count, Max, Min, Prefetch
from django.utils.translation import gettext_lazy as _

from ml.dataset import FEATURES, SPECIES
from ml.models import (
    LEVEL_FEATURES,
    DriftReport,
    FlowerSample,
    Level,
    ModelVersion,
    OpponentModel,
    Split,
    model_version_blobs,
)


def flower_sample_random_train(*, species: str | None = None) -> FlowerSample | None:
    """A random training-split sample (of one species if given); None when there is none."""
    samples = FlowerSample.objects.filter(split=Split.TRAIN)
    if species:
        samples = samples.filter(species=species)
    ids = list(samples.values_list("id", flat=True))
    if not ids:
        return None
    return FlowerSample.objects.get(id=random.choice(ids))  # noqa: S311 - not security


def flower_samples_listed():
    """The samples as the API lists them, with who added each."""
    return FlowerSample.objects.select_related("added_by").order_by("id")


def flower_species_ranges() -> list[dict]:
    """Per species, its training flowers' count and each measurement's min, max and mean."""
    aggregates = {"count": Count("id")}
    for name in FEATURES:
        aggregates[f"{name}_min"] = Min(name)
        aggregates[f"{name}_max"] = Max(name)
        aggregates[f"{name}_mean"] = Avg(name)
    rows = {
        row["species"]: row
        for row in FlowerSample.objects.filter(split=Split.TRAIN)
        .values("species")
        .annotate(**aggregates)
        .order_by()
    }
    return [
        {
            "species": species,
            "count": rows[species]["count"] if species in rows else 0,
            "ranges": {
                name: {
                    "min": rows[species][f"{name}_min"],
                    "max": rows[species][f"{name}_max"],
                    "mean": round(rows[species][f"{name}_mean"], 2),
                }
                if species in rows else None
                for name in FEATURES
            },
        }
        for species in SPECIES
    ]


def model_version_active() -> ModelVersion | None:
    """The active model version without its artifacts, or None."""
    return ModelVersion.objects.without_blobs().active().first()


def model_versions_listed():
    """Versions as the API shows them: levels in one query, never the model blobs."""
    return (
        ModelVersion.objects.select_related("triggered_by").without_blobs()
        .prefetch_related(opponents_prefetch())
    )


def drift_latest(*, version: ModelVersion | None = None) -> DriftReport | None:
    """The latest input drift report of a version (default: the active one), or None.

    One query; what the admin and the metrics show.
    """
    reports = DriftReport.objects.select_related("version").defer(
        *model_version_blobs("version"), "version__history"
    )
    if version is None:
        reports = reports.filter(version__is_active=True)
    else:
        reports = reports.filter(version=version)
    return reports.order_by("-computed_at", "-id").first()


LEVEL_DESCRIPTIONS = {
    Level.APPRENTICE: _("Looks only at the sepals."),
    Level.FLORIST: _("Looks only at the petals."),
    Level.BOTANIST: _("Looks at all four measurements: the full model."),
}


# The versions list reads every listed version's levels in one query, never the blobs.
LEVEL_FIELDS = ("version_id", "level", "features", "accuracy")


def opponents_prefetch() -> Prefetch:
    """Prefetch for a ModelVersion queryset, read by `model_version_levels`."""
    return Prefetch(
        "opponents", queryset=OpponentModel.objects.only(*LEVEL_FIELDS), to_attr="opponent_rows"
    )


def _trained_levels(version: ModelVersion) -> dict[str, dict]:
    rows = getattr(version, "opponent_rows", None)
    if rows is None:
        rows = version.opponents.only(*LEVEL_FIELDS)
    trained = {
        row.level: {"features": list(row.features), "accuracy": row.accuracy} for row in rows
    }
    # The Botanist is the version's own model: there once the version is trained.
    if version.accuracy is not None or version.status == ModelVersion.Status.READY:
        trained[Level.BOTANIST] = {
            "features": list(LEVEL_FEATURES[Level.BOTANIST]), "accuracy": version.accuracy,
        }
    return trained


def model_version_levels(*, version: ModelVersion) -> list[dict]:
    """The levels a version has trained models for, weakest first, with their test accuracy."""
    trained = _trained_levels(version)
    return [
        {"level": level.value, "name": str(level.label), **trained[level]}
        for level in Level
        if level in trained
    ]


def opponent_levels(*, version: ModelVersion | None) -> list[dict]:
    """Every AI level of a version, weakest first, each saying whether it can be played.

    A level is available when its model can be served: the version is ready and has it (a
    version trained before levels existed has only the Botanist, its own model).
    """
    ready = version is not None and version.status == ModelVersion.Status.READY
    trained = _trained_levels(version) if version is not None else {}
    return [
        {
            "level": level.value,
            "name": str(level.label),
            "description": str(LEVEL_DESCRIPTIONS[level]),
            "features": trained.get(level, {}).get("features", list(LEVEL_FEATURES[level])),
            "accuracy": trained.get(level, {}).get("accuracy"),
            "available": ready and level in trained,
        }
        for level in Level
    ]
