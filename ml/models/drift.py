"""What recent traffic looks like, against the training data (ml/services/drift.py)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ml.dataset import FEATURES
from ml.models.samples import FEATURE_LABELS
from ml.models.versions import ModelVersion


class DriftReport(models.Model):
    """How recent inputs compare with a version's training split, per measurement."""

    class State(models.TextChoices):
        OK = "ok", _("inputs look like training data")
        DRIFTED = "drifted", _("inputs have drifted")
        INSUFFICIENT = "insufficient", _("not enough recent inputs")

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE,
                                related_name="drift_reports", verbose_name=_("model version"))
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
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["ok", "drifted", "insufficient"]),
                name="driftreport_state_known",
            ),
        ]
        indexes = [models.Index(fields=["version", "-computed_at"])]
        ordering = ["-computed_at", "-id"]
        verbose_name = _("input drift report")
        verbose_name_plural = _("input drift reports")

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
