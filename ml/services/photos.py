from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ml.models import SpeciesPhoto

# What the first bytes of a file must be, whatever its name or declared type says.
_SIGNATURES = (
    ("image/jpeg", lambda data: data[:3] == b"\xff\xd8\xff"),
    ("image/png", lambda data: data[:8] == b"\x89PNG\r\n\x1a\n"),
    ("image/webp", lambda data: data[:4] == b"RIFF" and data[8:12] == b"WEBP"),
)


def image_content_type(data: bytes) -> str | None:
    """The content type a JPEG, PNG or WebP file's magic bytes announce, else None."""
    for content_type, matches in _SIGNATURES:
        if matches(data):
            return content_type
    return None


def species_photo_check_size(size: int) -> None:
    """Refuse a photo larger than SPECIES_PHOTO_MAX_BYTES, before reading it."""
    limit = settings.SPECIES_PHOTO_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("The photo is %(size)s; it may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )


def species_photo_check(data: bytes) -> str:
    """Return the photo's content type, or refuse it (too large, or not JPEG/PNG/WebP)."""
    species_photo_check_size(len(data))
    content_type = image_content_type(data)
    if content_type is None:
        raise ValidationError(
            _("This file is not a JPEG, PNG or WebP image (whatever its name says)."),
            code="not_an_image",
        )
    return content_type


@transaction.atomic
def species_photo_store(
    *,
    species: str,
    attribution: str,
    source_url: str = "",
    image: bytes | None = None,
    uploaded_by=None,
    photo: SpeciesPhoto | None = None,
) -> SpeciesPhoto:
    """Create or change a species' photo; `image` None keeps the stored one (a change only)."""
    if photo is None:
        photo = SpeciesPhoto()
    if image is None and photo.pk is None:
        raise ValidationError({"image": _("Choose a photo to upload.")})
    photo.species = species
    photo.attribution = attribution
    photo.source_url = source_url
    if image is not None:
        photo.content_type = species_photo_check(image)
        photo.image = image
        photo.uploaded_by = uploaded_by
    photo.full_clean(exclude=["image", "content_type"] if image is None else None)
    photo.save()
    return photo
