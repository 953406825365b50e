"""Reads for teaching: the species rules learnt from the training split, and species photos."""

import hashlib
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.urls import reverse

from ml.dataset import FEATURES, SPECIES
from ml.models import FlowerSample, SpeciesPhoto, Split
from ml.rules import decision_rules

RULES_DEPTH = 2
# The key names the exact training rows, so a stale entry is never read: it only expires.
RULES_CACHE_SECONDS = 24 * 3600


def _training_rows() -> list[tuple]:
    return list(
        FlowerSample.objects.filter(split=Split.TRAIN).order_by("id")
        .values_list("id", *FEATURES, "species")
    )


def _rules_key(rows: list[tuple]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(row).encode())
    return f"ml:species-rules:d{RULES_DEPTH}:{digest.hexdigest()}"


def species_rules_key() -> str:
    """The cache key of the rules for the training rows as they are now."""
    return _rules_key(_training_rows())


def species_rules() -> dict:
    """The decision rules of a depth-2 tree fitted on the training split (cached per data)."""
    rows = _training_rows()
    key = _rules_key(rows)
    cached = cache.get(key)
    if cached is not None:
        return cached
    x = np.array([row[1:5] for row in rows], dtype=np.float64).reshape(-1, len(FEATURES))
    y = np.array([SPECIES.index(row[5]) for row in rows], dtype=np.int64)
    result = {
        "train_count": len(rows),
        "depth": RULES_DEPTH,
        "rules": decision_rules(x, y, depth=RULES_DEPTH),
    }
    cache.set(key, result, timeout=RULES_CACHE_SECONDS)
    return result


# --- Photos: stored in the database by managers (ml/admin/photos.py), served by this app.

_PHOTO_FIELDS = ("id", "species", "attribution", "source_url", "updated_at")


def _photo_version(photo_id: int, updated_at) -> str:
    return hashlib.sha256(f"{photo_id}:{updated_at.isoformat()}".encode()).hexdigest()[:16]


def _photo_info(row: dict) -> dict:
    version = _photo_version(row["id"], row["updated_at"])
    # The version in the URL: a replaced photo is a new URL, never an hour-old cached one.
    url = reverse("flower-photo", kwargs={"species": row["species"]}) + f"?v={version}"
    return {"url": url, "attribution": row["attribution"], "source_url": row["source_url"]}


def species_photos() -> dict[str, dict | None]:
    """Each species' photo as {"url", "attribution", "source_url"}, or None when it has none."""
    photos = dict.fromkeys(SPECIES)
    for row in SpeciesPhoto.objects.values(*_PHOTO_FIELDS):
        photos[row["species"]] = _photo_info(row)
    return photos


def species_photo(species: str) -> dict | None:
    """One species' photo as {"url", "attribution", "source_url"}, or None."""
    row = SpeciesPhoto.objects.filter(species=species).values(*_PHOTO_FIELDS).first()
    return _photo_info(row) if row else None


@dataclass(frozen=True)
class PhotoFile:
    image: bytes
    content_type: str
    etag: str


def species_photo_etag(species: str) -> str | None:
    """The ETag of a species' photo (without reading its bytes), or None when it has none."""
    row = SpeciesPhoto.objects.filter(species=species).values("id", "updated_at").first()
    return f'"{_photo_version(row["id"], row["updated_at"])}"' if row else None


def species_photo_file(species: str) -> PhotoFile | None:
    """A species' photo bytes with their content type and ETag, or None when it has none."""
    row = (
        SpeciesPhoto.objects.filter(species=species)
        .values("id", "updated_at", "image", "content_type").first()
    )
    if row is None:
        return None
    return PhotoFile(
        image=bytes(row["image"]), content_type=row["content_type"],
        etag=f'"{_photo_version(row["id"], row["updated_at"])}"',
    )
