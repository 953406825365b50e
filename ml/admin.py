import base64
import csv
import io
import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Length
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from flower_power.errors import ApplicationError
from ml.dataset import FEATURES, SPECIES
from ml.inputs import number_from_text
from ml.models import FlowerSample, ModelVersion, Source
from ml.plots import PLOT_KINDS, plot_png
from ml.services import (
    flower_sample_create,
    flower_sample_update,
    flower_samples_create_many,
    model_version_activate,
    model_version_request,
)

CSV_HEADER = (*FEATURES, "species")
EXPORT_HEADER = ("id", *CSV_HEADER, "split", "source")
CSV_MAX_BYTES = 1024 * 1024
# One bulk insert: 10,000 rows take well under a second.
CSV_MAX_ROWS = 10_000
# A file with thousands of bad rows would make an unreadable page; the first ones are enough.
CSV_MAX_ERRORS_SHOWN = 100

Problem = tuple[int | None, str]  # (line of the file or None for the whole file, message)


def flower_csv_parse(data: bytes) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Read an uploaded samples CSV into (line, row) pairs, or say what is wrong with it."""
    if len(data) > CSV_MAX_BYTES:
        return [], [(None, _("The file is larger than %(size)s.") % {
            "size": filesizeformat(CSV_MAX_BYTES)})]
    try:
        # utf-8-sig: spreadsheets often save UTF-8 with a byte-order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [(None, _("The file is not UTF-8 text (bad byte at position %(at)d).")
                     % {"at": exc.start})]
    if not text.strip():
        return [], [(None, _("The file is empty."))]
    expected = ",".join(CSV_HEADER)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, dict]] = []
    problems: list[Problem] = []
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        if header != list(CSV_HEADER):
            return [], [(1, _("The header must be exactly %(expected)s, not %(found)s.") % {
                "expected": expected, "found": ",".join(header)})]
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, e.g. at the end of the file
            if len(rows) + len(problems) >= CSV_MAX_ROWS:
                return [], [(None, _("The file has more than %(n)d rows.") % {
                    "n": CSV_MAX_ROWS})]
            line = reader.line_num
            row, row_problems = _csv_row(cells)
            if row_problems:
                problems.append((line, " ".join(row_problems)))
            else:
                rows.append((line, row))
    except csv.Error as exc:
        return [], [(reader.line_num, _("The file is not valid CSV: %(error)s.") % {
            "error": exc})]
    if not rows and not problems:
        return [], [(None, _("The file has a header but no rows."))]
    return rows, problems


def _csv_row(cells: list[str]) -> tuple[dict, list[str]]:
    if len(cells) != len(CSV_HEADER):
        return {}, [_("Expected %(expected)d values, found %(found)d.") % {
            "expected": len(CSV_HEADER), "found": len(cells)}]
    row: dict = {}
    problems = []
    for name, cell in zip(CSV_HEADER, cells, strict=True):
        if name == "species":
            species = cell.strip().lower()
            if species in SPECIES:
                row[name] = species
            else:
                problems.append(_("Unknown species %(value)r; use one of %(known)s.") % {
                    "value": cell, "known": ", ".join(SPECIES)})
            continue
        try:
            row[name] = number_from_text(cell, name)
        except ApplicationError as exc:
            problems.append(exc.message)
    return row, problems


def flower_csv_import(*, rows: list[tuple[int, dict]], added_by) -> list[Problem]:
    """Store every parsed row as an imported sample, or none of them; return the problems."""
    try:
        flower_samples_create_many(
            rows=[row for _line, row in rows], source=Source.IMPORT, added_by=added_by
        )
    except ValidationError as exc:
        return [(None, " ".join(exc.messages))]
    except ApplicationError as exc:
        return [(None, exc.message)]
    return []


def flower_csv_response(queryset, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_HEADER)
    for values in queryset.values_list(*EXPORT_HEADER).iterator(chunk_size=2000):
        writer.writerow(values)
    return response


class FlowerCsvImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))


@admin.register(FlowerSample)
class FlowerSampleAdmin(admin.ModelAdmin):
    list_display = ("id", *FEATURES, "species", "split", "source", "added_by", "created_at")
    list_filter = ("species", "split", "source")
    list_select_related = ("added_by",)
    actions = ("export_csv",)
    readonly_fields = (
        "split", "source", "shipped_row_display", "added_by", "created_at", "updated_at",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return (*FEATURES, "species")
        return (*FEATURES, "species", *self.readonly_fields)

    @admin.display(description=gettext_lazy("row of the shipped data"))
    def shipped_row_display(self, sample):
        if sample.shipped_row is None:
            return self.get_empty_value_display()
        return sample.shipped_row

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in CSV_HEADER if name in form.cleaned_data}
        if change:
            flower_sample_update(sample=obj, data=data)
            return
        # The service picks the split and records who added it; the admin then needs the
        # stored row in `obj` to log the addition and redirect.
        created = flower_sample_create(
            measurements=data, species=data["species"], added_by=request.user
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import-csv/", self.admin_site.admin_view(self.import_csv_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "export-csv/", self.admin_site.admin_view(self.export_csv_view),
                name="{}_{}_export".format(*info),
            ),
            *super().get_urls(),
        ]

    def _csv_filename(self) -> str:
        return f"flower-samples-{timezone.localdate():%Y%m%d}.csv"

    @admin.action(description=gettext_lazy("Export selected samples as CSV"),
                  permissions=["view"])
    def export_csv(self, request, queryset):
        return flower_csv_response(queryset.order_by("id"), self._csv_filename())

    def export_csv_view(self, request):
        """Every sample the changelist shows with its current filters, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            queryset = self.get_changelist_instance(request).queryset
        except IncorrectLookupParameters:
            queryset = self.get_queryset(request)
        return flower_csv_response(queryset, self._csv_filename())

    def import_csv_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        problems: list[Problem] = []
        if request.method == "POST":
            form = FlowerCsvImportForm(request.POST, request.FILES)
        else:
            form = FlowerCsvImportForm()
        if form.is_bound and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > CSV_MAX_BYTES:
                problems = [(None, _("The file is larger than %(size)s.") % {
                    "size": filesizeformat(CSV_MAX_BYTES)})]
            else:
                rows, problems = flower_csv_parse(upload.read())
                if not problems:
                    problems = flower_csv_import(rows=rows, added_by=request.user)
                if not problems:
                    self.message_user(request, ngettext(
                        "Imported %(n)d flower sample.", "Imported %(n)d flower samples.",
                        len(rows),
                    ) % {"n": len(rows)}, messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import flower samples from CSV"),
            "form": form,
            "header": ",".join(CSV_HEADER),
            "max_size": filesizeformat(CSV_MAX_BYTES),
            "max_rows": CSV_MAX_ROWS,
            "problems": problems[:CSV_MAX_ERRORS_SHOWN],
            "problems_hidden": max(len(problems) - CSV_MAX_ERRORS_SHOWN, 0),
        }
        return TemplateResponse(request, "admin/ml/flowersample/import_csv.html", context)


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = (
        "number", "status", "is_active", "accuracy_display", "trigger", "triggered_by",
        "created", "duration",
    )
    list_filter = ("status", "trigger", "is_active")
    list_select_related = ("triggered_by",)
    actions = ("activate",)
    fieldsets = (
        (None, {"fields": (
            "number", "status", "is_active", "progress_display", "trigger", "triggered_by",
        )}),
        (gettext_lazy("Training"), {"fields": (
            "hyperparameters_display", "counts", "data_fingerprint", "gate_decision",
            "accuracy_display", "artifacts", "error",
        )}),
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

    @admin.display(description=gettext_lazy("progress"))
    def progress_display(self, version):
        return format_html("{}% {}", round(version.progress * 100), version.progress_message)

    @admin.display(description=gettext_lazy("hyper-parameters"))
    def hyperparameters_display(self, version):
        return format_html(
            "<pre>{}</pre>", json.dumps(version.hyperparameters, indent=2, sort_keys=True)
        )

    @admin.display(description=gettext_lazy("samples"))
    def counts(self, version):
        return _("%(train)d for training, %(test)d for testing") % {
            "train": version.train_count, "test": version.test_count}

    @admin.display(description=gettext_lazy("promotion gate"))
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
        if version is not None and version.metrics:
            extra_context.update(self._metrics_context(version))
        return super().change_view(request, object_id, form_url, extra_context)

    def _metrics_context(self, version) -> dict:
        metrics = version.metrics
        per_class = metrics.get("per_class", {})
        matrix = metrics.get("confusion_matrix") or []
        return {
            "per_class": [
                {"species": species, **per_class[species]}
                for species in SPECIES if species in per_class
            ],
            "confusion": [
                {"species": species, "counts": row}
                for species, row in zip(SPECIES, matrix, strict=False)
            ],
            "species": SPECIES,
            "plots": [
                {
                    "kind": kind,
                    "uri": "data:image/png;base64,"
                    + base64.b64encode(plot_png(version, kind)).decode("ascii"),
                }
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
                "<path:object_id>/activate/", self.admin_site.admin_view(self.activate_view),
                name="{}_{}_activate".format(*info),
            ),
            *super().get_urls(),
        ]

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
