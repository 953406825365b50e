import json

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flower_power.lists import join_words
from ml.admin.base import ModelAdmin
from ml.admin.version_drift import DriftColumns
from ml.admin.version_operations import VersionOperations
from ml.dataset import SPECIES
from ml.models import FlowerSample, ModelVersion
from ml.plots import PLOT_KINDS, plot, plot_title, species_names
from ml.selectors import model_version_levels


@admin.register(ModelVersion)
class ModelVersionAdmin(VersionOperations, DriftColumns, ModelAdmin):
    # What a manager looks for first, within a 1280 px screen; who and why it was trained
    # are on the version's page.
    list_display = (
        "number", "status_display", "is_active", "accuracy_display", "gate_short", "input_drift",
        "created", "duration",
    )
    list_filter = ("status", "trigger", "is_active")
    list_select_related = ("triggered_by",)
    actions = ("activate",)
    fieldsets = (
        (None, {"fields": (
            "number", "status_display", "is_active", "trigger", "triggered_by",
        )}),
        (gettext_lazy("Training"), {"fields": (
            "hyperparameters_display", "counts", "data_fingerprint", "gate_decision",
            "accuracy_display", "artifacts", "error",
        )}),
        (gettext_lazy("Input monitoring"), {"fields": ("input_drift", "drift_figures")}),
        (gettext_lazy("Timeline"), {"fields": (
            "created", "started", "finished", "duration", "activated", "attempts", "worker",
        )}),
    )
    # Nothing here is edited by hand: versions change only through training and activation.
    readonly_fields = tuple(
        name for _title, options in fieldsets for name in options["fields"]
    )

    def get_queryset(self, request):
        # The artifacts are only ever shown as sizes; never load the bytes for a page.
        return super().get_queryset(request).with_blob_sizes().defer("history")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("accuracy"), ordering="metrics__accuracy")
    def accuracy_display(self, version):
        if version.accuracy is None:
            return self.get_empty_value_display()
        return f"{version.accuracy:.1%}"

    @admin.display(description=gettext_lazy("created"), ordering="created_at")
    def created(self, version):
        return self._when(version.created_at)

    @admin.display(description=gettext_lazy("started"))
    def started(self, version):
        return self._when(version.started_at)

    @admin.display(description=gettext_lazy("finished"))
    def finished(self, version):
        return self._when(version.finished_at)

    @admin.display(description=gettext_lazy("activated"))
    def activated(self, version):
        return self._when(version.activated_at)

    @admin.display(description=gettext_lazy("duration"), ordering="duration_seconds")
    def duration(self, version):
        if version.duration_seconds is None:
            return self.get_empty_value_display()
        return _("%(s).1f s") % {"s": version.duration_seconds}

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_display(self, version):
        """The status, and while it trains a progress bar that static/app/admin_progress.js
        keeps up to date from the progress view below, with no reload."""
        running = version.status in ModelVersion.IN_PROGRESS
        percent = round(version.progress * 100)
        return format_html(
            '<div class="training-status" data-progress-url="{}" data-running="{}">'
            '<span class="training-status-text">{}</span>'
            '<progress class="training-progress" max="100" value="{}"{} aria-label="{}">{}%'
            "</progress>"
            '<span class="training-progress-message" aria-live="polite">{}</span></div>',
            reverse(self.url_name("progress"), args=[version.pk]),
            "true" if running else "false",
            version.get_status_display(),
            percent, "" if running else mark_safe(" hidden"),
            _("training progress of version %(n)d") % {"n": version.number}, percent,
            self._progress_text(version) if running else "",
        )

    @staticmethod
    def _progress_text(version) -> str:
        percent = round(version.progress * 100)
        if version.progress_message:
            return _("%(percent)d%%: %(message)s") % {
                "percent": percent, "message": version.progress_message}
        return _("%(percent)d%%") % {"percent": percent}

    @admin.display(description=gettext_lazy("promotion gate"))
    def gate_short(self, version):
        gate = version.gate or {}
        if "passed" not in gate:
            return self.get_empty_value_display()
        return _("passed") if gate["passed"] else _("refused")


    @admin.display(description=gettext_lazy("hyper-parameters"))
    def hyperparameters_display(self, version):
        return format_html(
            "<pre>{}</pre>", json.dumps(version.hyperparameters, indent=2, sort_keys=True)
        )

    @admin.display(description=gettext_lazy("samples"))
    def counts(self, version):
        return _("%(train)d for training, %(test)d for testing") % {
            "train": version.train_count, "test": version.test_count}

    @admin.display(description=gettext_lazy("promotion gate decision"))
    def gate_decision(self, version):
        gate = version.gate or {}
        if "passed" not in gate:
            return self.get_empty_value_display()
        limits = {"floor": gate.get("min_accuracy"), "tolerance": gate.get("tolerance")}
        if gate["passed"]:
            return _("passed (floor %(floor)s, tolerance %(tolerance)s)") % limits
        return _("refused: %(reason)s (floor %(floor)s, tolerance %(tolerance)s)") % {
            **limits, "reason": version.gate_reason}

    @admin.display(description=gettext_lazy("artifacts"))
    def artifacts(self, version):
        if not version.tflite_size and not version.keras_size:
            return self.get_empty_value_display()
        return _("LiteRT %(tflite)s, Keras %(keras)s") % {
            "tflite": filesizeformat(version.tflite_size or 0),
            "keras": filesizeformat(version.keras_size or 0),
        }

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_operate": self.has_operate_permission(
            request)}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "may_operate": self.has_operate_permission(
            request)}
        version = self.get_object(request, object_id)
        if version is not None:
            extra_context["levels"] = [
                {**level, "measurements": join_words(
                    FlowerSample._meta.get_field(name).verbose_name
                    for name in level["features"]
                )}
                for level in model_version_levels(version=version)
            ]
        if version is not None and version.metrics:
            extra_context.update(self._metrics_context(version))
        return super().change_view(request, object_id, form_url, extra_context)

    def _metrics_context(self, version) -> dict:
        metrics = version.metrics
        per_class = metrics.get("per_class", {})
        matrix = metrics.get("confusion_matrix") or []
        names = species_names()
        return {
            "per_class": [
                {"species": names[species], **per_class[species]}
                for species in SPECIES if species in per_class
            ],
            "confusion": [
                {"species": names[species], "counts": row}
                for species, row in zip(SPECIES, matrix, strict=False)
            ],
            "species": [names[species] for species in SPECIES],
            # Inline SVG from matplotlib, whose writer escapes every text.
            "plots": [
                {"kind": kind, "title": plot_title(version, kind),
                 "svg": mark_safe(plot(version, kind).decode("utf-8"))}  # noqa: S308
                for kind in PLOT_KINDS
            ],
        }

