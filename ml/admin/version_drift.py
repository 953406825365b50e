"""The model version admin's input drift columns: the drift check's latest verdict."""

from django.contrib import admin
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ml.models import FEATURE_LABELS, DriftReport, InputSource
from ml.selectors import drift_latest


class DriftColumns:
    """For ModelVersionAdmin (ml/admin/versions.py)."""

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
