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


class Level(models.TextChoices):
    """The AI opponents a trainee can play: weaker models that see fewer measurements."""

    APPRENTICE = "apprentice", _("Apprentice")
    FLORIST = "florist", _("Florist")
    BOTANIST = "botanist", _("Botanist")


# What each level looks at. The Botanist is the model version itself (all four measurements);
# the others are trained in the same run on only some of them (ml/services/training.py).
LEVEL_FEATURES: dict[str, tuple[str, ...]] = {
    Level.APPRENTICE: ("sepal_length", "sepal_width"),
    Level.FLORIST: ("petal_length", "petal_width"),
    Level.BOTANIST: FEATURES,
}


class Split(models.TextChoices):
    TRAIN = "train", _("train")
    TEST = "test", _("test")


class Source(models.TextChoices):
    SHIPPED = "shipped", _("Fisher's iris data (shipped)")
    MANAGER = "manager", _("added by a manager")
    IMPORT = "import", _("imported from CSV")


def gate_reason(gate: dict, *, translate: bool = True) -> str:
    """Why the promotion gate passed or rejected a version, in words."""
    if not gate:
        return ""
    say = _ if translate else (lambda text: text)
    values = {
        "accuracy": gate.get("accuracy") or 0, "floor": gate.get("min_accuracy") or 0,
        "tolerance": gate.get("tolerance") or 0, "active": gate.get("active_version"),
        "active_accuracy": gate.get("active_accuracy") or 0,
    }
    code = gate.get("code")
    if code == "below_floor":
        return str(say("test accuracy %(accuracy).3f is below %(floor).3f")) % values
    if code == "worse_than_active":
        return str(say(
            "test accuracy %(accuracy).3f is worse than the active version v%(active)s's "
            "%(active_accuracy).3f by more than %(tolerance).3f"
        )) % values
    if code == "passed":
        return str(say("passed the promotion gate"))
    return gate.get("reason", "")


def validate_above_zero(value: float) -> None:
    # Named for what migrations reference; checks the documented minimum, MEASUREMENT_MIN_CM.
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
        ordering = ["id"]
        verbose_name = _("flower sample")
        verbose_name_plural = _("flower samples")
        indexes = [models.Index(fields=["split", "species"])]
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

    def __str__(self) -> str:
        # Shown in the admin (links, deletion pages): in the reader's language.
        return _("#%(id)s %(species)s (%(split)s)") % {
            "id": self.pk, "species": self.get_species_display(), "split": self.get_split_display(),
        }

    @property
    def measurements(self) -> list[float]:
        return [getattr(self, name) for name in FEATURES]


class ModelVersion(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        TRAINING = "training", _("training")
        READY = "ready", _("ready")
        REJECTED = "rejected", _("rejected by the promotion gate")
        FAILED = "failed", _("failed")

    class Trigger(models.TextChoices):
        MANAGER = "manager", _("a manager")
        SCHEDULE = "schedule", _("the nightly schedule")
        BOOTSTRAP = "bootstrap", _("bootstrap")

    IN_PROGRESS = (Status.QUEUED, Status.TRAINING)

    number = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    is_active = models.BooleanField(_("active"), default=False)
    progress = models.FloatField(_("progress"), default=0.0)
    progress_message = models.CharField(_("progress message"), max_length=200, blank=True)
    hyperparameters = models.JSONField(_("hyper-parameters"), default=dict)
    train_count = models.PositiveIntegerField(_("training samples"), default=0)
    test_count = models.PositiveIntegerField(_("test samples"), default=0)
    data_fingerprint = models.CharField(_("data fingerprint"), max_length=64, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    history = models.JSONField(_("history"), default=dict, blank=True)
    gate = models.JSONField(_("promotion gate"), default=dict, blank=True)
    tflite = models.BinaryField(_("LiteRT flatbuffer"), null=True, editable=False)
    keras = models.BinaryField(_("Keras model"), null=True, editable=False)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("triggered by"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True),
                name="modelversion_at_most_one_active",
                violation_error_message=_("Only one model version can be active."),
            ),
            # One queued-or-training version at a time: a second retrain request is refused.
            models.UniqueConstraint(
                models.Value(True), condition=Q(status__in=["queued", "training"]),
                name="modelversion_one_training_at_a_time",
            ),
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(status="ready"),
                name="modelversion_only_ready_is_active",
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=1), name="modelversion_progress_0_1"
            ),
        ]

    def __str__(self) -> str:
        # Shown in the admin (a session's model, deletion pages): in the reader's language.
        values = {"n": self.number, "status": self.get_status_display()}
        if self.is_active:
            return _("v%(n)s (%(status)s, active)") % values
        return _("v%(n)s (%(status)s)") % values

    @property
    def accuracy(self) -> float | None:
        return self.metrics.get("accuracy")

    @property
    def gate_reason(self) -> str:
        return gate_reason(self.gate)


class OpponentModel(models.Model):
    """A weaker AI opponent (a level below the Botanist), trained in its version's run."""

    version = models.ForeignKey(
        ModelVersion, on_delete=models.CASCADE, related_name="opponents",
        verbose_name=_("model version"),
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    features = models.JSONField(_("measurements it sees"), default=list)
    # Measured on the version's test split when it was trained.
    accuracy = models.FloatField(_("test accuracy"))
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    tflite = models.BinaryField(_("LiteRT flatbuffer"), editable=False)

    class Meta:
        ordering = ["version", "level"]
        verbose_name = _("AI opponent")
        verbose_name_plural = _("AI opponents")
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="opponentmodel_unique"),
            # The Botanist is the version's own model, never a separate row.
            models.CheckConstraint(
                condition=Q(level__in=[Level.APPRENTICE, Level.FLORIST]),
                name="opponentmodel_level_below_botanist",
            ),
        ]

    def __str__(self) -> str:
        return _("%(level)s of version id %(id)s") % {
            "level": self.get_level_display(), "id": self.version_id,
        }


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
        ordering = ["species"]
        verbose_name = _("species photo")
        verbose_name_plural = _("species photos")
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png", "image/webp"]),
                name="speciesphoto_known_type",
            ),
        ]

    def __str__(self) -> str:
        return _("photo of %(species)s") % {"species": self.get_species_display()}


# The measurements by name, without their unit (the drift labels add a figure after them).
FEATURE_LABELS = {
    "sepal_length": _("sepal length"),
    "sepal_width": _("sepal width"),
    "petal_length": _("petal length"),
    "petal_width": _("petal width"),
}
assert tuple(FEATURE_LABELS) == FEATURES


class InputSource(models.TextChoices):
    PREDICT = "predict", _("prediction requests")
    CHALLENGE = "challenge", _("challenge rounds")


class InputSample(models.Model):
    """One flower's measurements seen in recent traffic: a bounded sample (ml/monitoring.py)
    that the drift check compares with the training split."""

    created_at = models.DateTimeField(_("seen"), db_index=True)
    sepal_length = models.FloatField(_("sepal length (cm)"))
    sepal_width = models.FloatField(_("sepal width (cm)"))
    petal_length = models.FloatField(_("petal length (cm)"))
    petal_width = models.FloatField(_("petal width (cm)"))
    source = models.CharField(_("source"), max_length=16, choices=InputSource.choices)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("input sample")
        verbose_name_plural = _("input samples")

    def __str__(self) -> str:
        return f"input #{self.pk} ({self.source})"


class DriftReport(models.Model):
    """How recent inputs compare with a version's training split, per measurement."""

    class State(models.TextChoices):
        OK = "ok", _("inputs look like training data")
        DRIFTED = "drifted", _("inputs have drifted")
        INSUFFICIENT = "insufficient", _("not enough recent inputs")

    version = models.ForeignKey(
        ModelVersion, on_delete=models.CASCADE, related_name="drift_reports",
        verbose_name=_("model version"),
    )
    computed_at = models.DateTimeField(_("computed"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    sample_size = models.PositiveIntegerField(_("recent inputs"))
    # What the state was judged against, so an old report reads as it was computed.
    min_sample_size = models.PositiveIntegerField(_("inputs needed"))
    reference_size = models.PositiveIntegerField(_("training samples"))
    window_hours = models.FloatField(_("window (hours)"))
    # {"predict": n, "challenge": m}
    sources = models.JSONField(_("inputs by source"), default=dict)
    # {feature: {"psi", "ks", "ks_critical", "drifted"}}; empty when there were too few inputs.
    features = models.JSONField(_("per measurement"), default=dict)
    psi_threshold = models.FloatField(_("PSI threshold"))

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("input drift report")
        verbose_name_plural = _("input drift reports")
        indexes = [models.Index(fields=["version", "-computed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["ok", "drifted", "insufficient"]),
                name="driftreport_state_known",
            ),
        ]

    def __str__(self) -> str:
        return f"drift of version id {self.version_id} at {self.computed_at:%Y-%m-%d %H:%M}"

    @property
    def drifted_features(self) -> list[str]:
        """The drifted measurements, most drifted (by PSI) first."""
        drifted = [name for name in FEATURES if self.features.get(name, {}).get("drifted")]
        return sorted(drifted, key=lambda name: -self.features[name]["psi"])

    @property
    def summary(self) -> str:
        """The state in a manager's words, naming the drifted measurements."""
        if self.state == self.State.INSUFFICIENT:
            return _("Not enough recent inputs (%(n)d/%(needed)d)") % {
                "n": self.sample_size, "needed": self.min_sample_size}
        if self.state == self.State.OK:
            return str(_("Inputs look like training data"))
        return _("Inputs have drifted: %(features)s") % {"features": ", ".join(
            _("%(feature)s (PSI %(psi).2f)") % {
                "feature": FEATURE_LABELS[name], "psi": self.features[name]["psi"]}
            for name in self.drifted_features
        )}
