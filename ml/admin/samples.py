
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ml.admin.base import ModelAdmin
from ml.dataset import FEATURES
from ml.flower_csv import (
    CSV_HEADER,
    CSV_MAX_BYTES,
    CSV_MAX_ERRORS_SHOWN,
    CSV_MAX_ROWS,
    Problem,
    flower_csv_import,
    flower_csv_parse,
    flower_csv_response,
)
from ml.inputs import is_decimal_text
from ml.models import FlowerSample
from ml.services import (
    flower_sample_create,
    flower_sample_update,
)


class DecimalTextFloatField(forms.FloatField):
    """A float in ASCII digits: Django's FloatField also takes Arabic-Indic or fullwidth ones."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not is_decimal_text(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class FlowerCsvImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))


@admin.register(FlowerSample)
class FlowerSampleAdmin(ModelAdmin):
    # Fits 1280 px: the measurements and what they are; who added a sample and when are on
    # its page (and "source" is a filter).
    list_display = ("id", *FEATURES, "species", "split")
    list_filter = ("species", "split", "source")
    list_select_related = ("added_by",)
    actions = ("export_csv",)
    extra_views = (
        ("import-csv/", "import_csv_view", "import"),
        ("export-csv/", "export_csv_view", "export"),
    )
    formfield_overrides = {models.FloatField: {"form_class": DecimalTextFloatField}}
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
                        reverse(self.url_name("changelist"))
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


