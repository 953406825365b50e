import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Length
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flower_power.api.errors import error_body
from flower_power.errors import ApplicationError
from flower_power.lists import join_words
from ml.dataset import SPECIES
from ml.models import FEATURE_LABELS, DriftReport, FlowerSample, InputSource, ModelVersion
from ml.plots import PLOT_KINDS, plot, plot_title, species_names
from ml.selectors import drift_latest, model_version_levels
from ml.services import (
    model_version_activate,
    model_version_request,
)


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
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
        return super().get_queryset(request).defer("tflite", "keras", "history").annotate(
            tflite_size=Length("tflite"), keras_size=Length("keras")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_operate_permission(self, request):
        """Whether the user may start a training or activate a version."""
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @admin.display(description=gettext_lazy("accuracy"), ordering="metrics__accuracy")
    def accuracy_display(self, version):
        if version.accuracy is None:
            return self.get_empty_value_display()
        return f"{version.accuracy:.1%}"

    def _when(self, value):
        if value is None:
            return self.get_empty_value_display()
        return formats.localize(timezone.template_localtime(value))

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
        running = version.status in (ModelVersion.Status.QUEUED, ModelVersion.Status.TRAINING)
        percent = round(version.progress * 100)
        return format_html(
            '<div class="training-status" data-progress-url="{}" data-running="{}">'
            '<span class="training-status-text">{}</span>'
            '<progress class="training-progress" max="100" value="{}"{} aria-label="{}">{}%'
            "</progress>"
            '<span class="training-progress-message" aria-live="polite">{}</span></div>',
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_progress",
                    args=[version.pk]),
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

    # The drift check's latest verdict (ml/services/drift.py), with the admin's own icons.
    DRIFT_ICONS = {
        DriftReport.State.OK: "admin/img/icon-yes.svg",
        DriftReport.State.DRIFTED: "admin/img/icon-no.svg",
        DriftReport.State.INSUFFICIENT: "admin/img/icon-alert.svg",
    }

    def _drift_report(self, version):
        # Read once per version and request: the list and the page both show it.
        if not hasattr(version, "_drift_report"):
            version._drift_report = drift_latest(version=version)
        return version._drift_report

    @admin.display(description=gettext_lazy("inputs"))
    def input_drift(self, version):
        """For the active version: do the inputs it is sent look like its training data?
        (One query on the list: only the active row asks.)"""
        if not version.is_active:
            return self.get_empty_value_display()
        report = self._drift_report(version)
        if report is None:
            return _("Not checked yet")
        return self._drift_label(report)

    def _drift_label(self, report):
        return format_html(
            '<span class="input-drift input-drift-{}" title="{}">'
            '<img src="{}" alt="{}"> {}</span>',
            report.state, self._when(report.computed_at), static(self.DRIFT_ICONS[report.state]),
            report.get_state_display(), report.summary,
        )

    @admin.display(description=gettext_lazy("recent inputs against the training split"))
    def drift_figures(self, version):
        report = self._drift_report(version)
        if report is None:
            return self.get_empty_value_display()
        sources = ", ".join(
            f"{count} {label}" for value, label in InputSource.choices
            if (count := report.sources.get(value))
        )
        heading = _(
            "%(n)d inputs of the last %(hours)g hours (%(sources)s) against %(m)d training "
            "samples, checked %(when)s. A measurement has drifted when its PSI is above "
            "%(psi)g and its KS statistic above the critical value."
        ) % {
            "n": report.sample_size, "hours": report.window_hours, "sources": sources or "-",
            "m": report.reference_size, "when": self._when(report.computed_at),
            "psi": report.psi_threshold,
        }
        if not version.is_active:  # its last report, from when it was active
            heading = format_html("{}<br>{}", self._drift_label(report), heading)
        if not report.features:
            return heading
        rows = format_html_join(
            "", '<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td>'
            '<td class="num">{}</td><td>{}</td></tr>',
            (
                (FEATURE_LABELS[name], f"{figures['psi']:.3f}", f"{figures['ks']:.3f}",
                 f"{figures['ks_critical']:.3f}", _("drifted") if figures["drifted"] else _("ok"))
                for name, figures in report.features.items() if name in FEATURE_LABELS
            ),
        )
        return format_html(
            '<p>{}</p><table class="metrics-table drift-table"><thead><tr><th>{}</th>'
            '<th class="num">{}</th><th class="num">{}</th><th class="num">{}</th><th>{}</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            heading, _("measurement"), _("PSI"), _("KS"), _("KS critical value"), _("state"),
            rows,
        )

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

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "retrain/", self.admin_site.admin_view(self.retrain_view),
                name="{}_{}_retrain".format(*info),
            ),
            path(
                "<path:object_id>/progress/", self.admin_site.admin_view(self.progress_view),
                name="{}_{}_progress".format(*info),
            ),
            path(
                "<path:object_id>/activate/", self.admin_site.admin_view(self.activate_view),
                name="{}_{}_activate".format(*info),
            ),
            *super().get_urls(),
        ]

    def progress_view(self, request, object_id):
        """A version's status and progress as JSON, polled by the list and the detail page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        version = self.get_object(request, object_id)
        if version is None:
            return JsonResponse(error_body("not_found", _("Not found.")), status=404)
        running = version.status in (ModelVersion.Status.QUEUED, ModelVersion.Status.TRAINING)
        return JsonResponse({
            "number": version.number,
            "status": version.status,
            "status_display": version.get_status_display(),
            "running": running,
            "progress": version.progress,
            "progress_text": self._progress_text(version),
            "gate": self.gate_decision(version),
            "gate_short": self.gate_short(version),
            "accuracy": self.accuracy_display(version),
            "is_active": version.is_active,
        })

    def retrain_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_operate_permission(request):
            raise PermissionDenied
        try:
            version = model_version_request(
                trigger=ModelVersion.Trigger.MANAGER, triggered_by=request.user
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.log_addition(request, version, _("Requested a training."))
            self.message_user(
                request,
                _("Version %(n)d is queued for training.") % {"n": version.number},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )

    def activate_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_operate_permission(request):
            raise PermissionDenied
        version = self.get_object(request, object_id)
        if version is None:
            raise Http404
        self._activate(request, version.number)
        return HttpResponseRedirect(reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[version.pk]
        ))

    @admin.action(description=gettext_lazy("Activate the selected version"),
                  permissions=["operate"])
    def activate(self, request, queryset):
        numbers = list(queryset.values_list("number", flat=True)[:2])
        if len(numbers) != 1:
            self.message_user(
                request, _("Select exactly one version to activate."), messages.ERROR
            )
            return
        self._activate(request, numbers[0])

    def _activate(self, request, number: int) -> None:
        try:
            version = model_version_activate(number=number, by=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.log_change(request, version, _("Activated."))
            self.message_user(
                request, _("Version %(n)d is now the active model.") % {"n": number},
                messages.SUCCESS,
            )

