"""The trained model versions and their weaker AI opponents."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from ml.dataset import FEATURES


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


# A version's artifacts: megabytes a row, read only to serve or export its model.
MODEL_VERSION_BLOBS = ("tflite", "keras")


def model_version_blobs(relation: str = "") -> list[str]:
    """The artifact fields to defer(), on a version or across `relation` (a ForeignKey)."""
    return [f"{relation}__{name}" if relation else name for name in MODEL_VERSION_BLOBS]


class ModelVersionQuerySet(models.QuerySet):
    def active(self):
        """The version serving predictions (a constraint allows one at most)."""
        return self.filter(is_active=True)

    def without_blobs(self):
        return self.defer(*MODEL_VERSION_BLOBS)

    def with_blob_sizes(self):
        """Without the artifacts, but with their sizes: `tflite_size` and `keras_size`."""
        return self.without_blobs().annotate(
            tflite_size=Length("tflite"), keras_size=Length("keras")
        )


class ModelVersion(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        TRAINING = "training", _("training")
        READY = "ready", _("ready")
        REJECTED = "rejected", _("rejected by the promotion gate")
        FAILED = "failed", _("failed")

    IN_PROGRESS = (Status.QUEUED, Status.TRAINING)

    class Trigger(models.TextChoices):
        MANAGER = "manager", _("a manager")
        SCHEDULE = "schedule", _("the nightly schedule")
        BOOTSTRAP = "bootstrap", _("bootstrap")

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

    objects = ModelVersionQuerySet.as_manager()

    class Meta:
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
        ordering = ["-number"]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")

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
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="opponentmodel_unique"),
            # The Botanist is the version's own model, never a separate row.
            models.CheckConstraint(
                condition=Q(level__in=[Level.APPRENTICE, Level.FLORIST]),
                name="opponentmodel_level_below_botanist",
            ),
        ]
        ordering = ["version", "level"]
        verbose_name = _("AI opponent")
        verbose_name_plural = _("AI opponents")

    def __str__(self) -> str:
        return _("%(level)s of version id %(id)s") % {
            "level": self.get_level_display(), "id": self.version_id,
        }
