"""The labelled flowers the models learn from, and the species' photos."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ml.dataset import FEATURES, SPECIES

MEASUREMENT_MAX_CM = 30.0
# The smallest measurement accepted anywhere (0.1 mm, below any real sepal or petal): smaller
# positive numbers such as 5e-324 are typos or probes, and become 0.0 in the model's float32.
MEASUREMENT_MIN_CM = 0.01


class Species(models.TextChoices):
    SETOSA = "setosa", _("Iris setosa")
    VERSICOLOR = "versicolor", _("Iris versicolor")
    VIRGINICA = "virginica", _("Iris virginica")


assert tuple(Species.values) == SPECIES  # the model's output order is the choices' order


class Split(models.TextChoices):
    TRAIN = "train", _("train")
    TEST = "test", _("test")


# The measurements by name, without their unit (the drift labels add a figure after them).
FEATURE_LABELS = {
    "sepal_length": _("sepal length"),
    "sepal_width": _("sepal width"),
    "petal_length": _("petal length"),
    "petal_width": _("petal width"),
}
assert tuple(FEATURE_LABELS) == FEATURES


class Source(models.TextChoices):
    SHIPPED = "shipped", _("Fisher's iris data (shipped)")
    MANAGER = "manager", _("added by a manager")
    IMPORT = "import", _("imported from CSV")


def validate_above_zero(value: float) -> None:
    # Named for what migrations reference (as ml.models.validate_above_zero); checks the
    # documented minimum, MEASUREMENT_MIN_CM.
    if not value >= MEASUREMENT_MIN_CM:
        raise ValidationError(
            _("Must be at least %(min)s cm.") % {"min": MEASUREMENT_MIN_CM}, code="min_value"
        )


def _measurement(label):
    return models.FloatField(
        label, validators=[validate_above_zero, MaxValueValidator(MEASUREMENT_MAX_CM)]
    )


class FlowerSample(models.Model):
    sepal_length = _measurement(_("sepal length (cm)"))
    sepal_width = _measurement(_("sepal width (cm)"))
    petal_length = _measurement(_("petal length (cm)"))
    petal_width = _measurement(_("petal width (cm)"))
    species = models.CharField(_("species"), max_length=16, choices=Species.choices)
    split = models.CharField(_("split"), max_length=8, choices=Split.choices, editable=False)
    # This is the ordinal-th sample of its species ever stored (never reused): its split is
    # split_for_index(ordinal), fixed for good.
    ordinal = models.PositiveIntegerField(_("ordinal within species"), editable=False)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # The row of the shipped CSV this sample came from: loading the data twice is a no-op.
    shipped_row = models.PositiveIntegerField(null=True, blank=True, unique=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("added by"), editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gt": 0, f"{name}__lte": MEASUREMENT_MAX_CM}),
                    name=f"flowersample_{name}_in_range",
                    violation_error_message=_("Measurements must be above 0 and at most 30 cm."),
                )
                for name in FEATURES
            ),
            models.CheckConstraint(
                condition=Q(species__in=SPECIES), name="flowersample_species_known"
            ),
            models.UniqueConstraint(
                fields=["species", "ordinal"], name="flowersample_unique_ordinal"
            ),
        ]
        indexes = [models.Index(fields=["split", "species"])]
        ordering = ["id"]
        verbose_name = _("flower sample")
        verbose_name_plural = _("flower samples")

    def __str__(self) -> str:
        # Shown in the admin (links, deletion pages): in the reader's language.
        return _("#%(id)s %(species)s (%(split)s)") % {
            "id": self.pk, "species": self.get_species_display(), "split": self.get_split_display(),
        }

    @property
    def measurements(self) -> list[float]:
        return [getattr(self, name) for name in FEATURES]


class SpeciesPhoto(models.Model):
    """A manager's photo of a species, kept in the database like the model artifacts."""

    species = models.CharField(_("species"), max_length=16, choices=Species.choices, unique=True)
    image = models.BinaryField(_("image"), editable=False)
    content_type = models.CharField(_("content type"), max_length=32, editable=False)
    attribution = models.CharField(
        _("attribution"), max_length=300,
        help_text=_("Who took the photo and under which licence, shown under it."),
    )
    source_url = models.URLField(_("source"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("uploaded by"), editable=False,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png", "image/webp"]),
                name="speciesphoto_known_type",
            ),
        ]
        ordering = ["species"]
        verbose_name = _("species photo")
        verbose_name_plural = _("species photos")

    def __str__(self) -> str:
        return _("photo of %(species)s") % {"species": self.get_species_display()}
