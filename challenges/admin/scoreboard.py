"""The managers' scoreboard in the admin: a sortable, filterable table with a CSV export (the
page per trainee is scoreboard_trainee's)."""

import csv

from django import forms
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from challenges import selectors
from challenges.admin import display
from challenges.admin.scoreboard_trainee import TraineeScoreboardView

# All time first, then the others as the selectors list them.
PERIOD_CHOICES = [
    (code, name) for code, (_window, name) in sorted(
        selectors.PERIODS.items(), key=lambda item: item[1][0] is not None
    )
]

# Column key (a field of a scoreboard row, also the `o` parameter) and its header.
COLUMNS = (
    ("rank", gettext_lazy("Rank")),
    ("display_name", gettext_lazy("Trainee")),
    ("username", gettext_lazy("Username")),
    ("store", gettext_lazy("Store / team")),
    ("sessions", gettext_lazy("Sessions")),
    ("rounds", gettext_lazy("Rounds")),
    ("correct", gettext_lazy("Correct")),
    ("accuracy", gettext_lazy("Accuracy")),
    ("score", gettext_lazy("Score")),
    ("ai_accuracy", gettext_lazy("AI accuracy (same rounds)")),
    ("wins", gettext_lazy("Wins")),
    ("draws", gettext_lazy("Draws")),
    ("losses", gettext_lazy("Losses")),
    ("longest_streak", gettext_lazy("Longest streak")),
    ("last_activity", gettext_lazy("Last activity")),
)
# Not in the page's table, to fit a laptop screen (accuracy says it); in the CSV, sortable.
HTML_HIDDEN_COLUMNS = ("correct",)
SORT_CHOICES = [("", "")] + [
    (f"{sign}{key}", f"{sign}{key}") for key, _label in COLUMNS for sign in ("", "-")
]
# The CSV is read by programs: stable English names, as in the API.
CSV_HEADER = (
    "rank", "user_id", "username", "display_name", "store", "sessions", "rounds", "correct",
    "accuracy", "score", "ai_accuracy", "wins", "draws", "losses", "longest_streak",
    "last_activity",
)
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def trainee_stores() -> list[str]:
    """The stores of the trainees the scoreboard can show."""
    return list(
        get_user_model().objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .exclude(store="").order_by("store").values_list("store", flat=True).distinct()
    )


class ScoreboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIOD_CHOICES,
                               required=False)
    store = forms.ChoiceField(label=gettext_lazy("Store / team"), required=False)
    o = forms.ChoiceField(label=gettext_lazy("Sort by"), choices=SORT_CHOICES, required=False)
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=(("", "HTML"), ("csv", "CSV")), required=False
    )

    def __init__(self, *args, stores: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("All stores"))] + [(s, s) for s in stores]
        self.fields["store"].error_messages["invalid_choice"] = _(
            "There is no trainee in the store %(value)s."
        )
        self.fields["o"].error_messages["invalid_choice"] = _(
            "%(value)s is not a column the scoreboard can be sorted by."
        )


def rows_sorted(rows: list[dict], order: str) -> list[dict]:
    """Sort by one column, ties by username; a missing value (no rounds yet) always goes last."""
    if not order:
        return rows
    key = order.removeprefix("-")
    present = sorted((r for r in rows if r[key] is not None), key=lambda r: r["username"])
    missing = sorted((r for r in rows if r[key] is None), key=lambda r: r["username"])

    def value(row):
        return row[key].casefold() if isinstance(row[key], str) else row[key]

    # sorted() is stable with reverse=True too: equal values keep the username order.
    return sorted(present, key=value, reverse=order.startswith("-")) + missing


def csv_cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class ScoreboardViews(TraineeScoreboardView):
    """Mixed into the challenge sessions' ModelAdmin, whose view permission it requires."""

    def get_urls(self):
        return [
            path(
                "scoreboard/", self.admin_site.admin_view(self.scoreboard_view),
                name="challenges_scoreboard",
            ),
            path(
                "scoreboard/<int:user_id>/",
                self.admin_site.admin_view(self.scoreboard_trainee_view),
                name="challenges_scoreboard_trainee",
            ),
            *super().get_urls(),
        ]

    def scoreboard_view(self, request):
        self._check_scoreboard_permission(request)
        form = ScoreboardFilterForm(request.GET or None, stores=trainee_stores())
        context = self._context(request, _("Scoreboard"))
        context["form"] = form
        if form.is_bound and not form.is_valid():
            context["errors"] = [error for errors in form.errors.values() for error in errors]
            return TemplateResponse(
                request, "admin/challenges/scoreboard.html", context, status=400
            )
        filters = form.cleaned_data if form.is_bound else {}
        period = filters.get("period") or "all"
        store = filters.get("store") or None
        order = filters.get("o") or ""
        board = selectors.scoreboard(period=period, store=store)
        rows = rows_sorted(board["trainees"], order)
        if filters.get("format") == "csv":
            return self._scoreboard_csv(rows, period, store)

        kept = {"period": period, **({"store": store} if store else {})}
        context.update({
            "board": board,
            "period_label": dict(PERIOD_CHOICES)[period],
            "ai_accuracy": display.percent(board["ai"]["accuracy"]),
            "headers": [
                self._header(key, label, order, kept) for key, label in COLUMNS
                if key not in HTML_HIDDEN_COLUMNS
            ],
            "rows": [
                {**row, "accuracy_display": display.percent(row["accuracy"]),
                 "score_display": display.percent(row["score"]),
                 "ai_accuracy_display": display.percent(row["ai_accuracy"])}
                for row in rows
            ],
            "csv_query": urlencode({**kept, **({"o": order} if order else {}), "format": "csv"}),
        })
        return TemplateResponse(request, "admin/challenges/scoreboard.html", context)

    @staticmethod
    def _header(key: str, label, order: str, kept: dict) -> dict:
        sorted_here = order.removeprefix("-") == key
        descending = order.startswith("-")
        # A first click sorts numbers high to low (what a manager looks for), names and
        # ranks from the top.
        first = key if key in ("rank", "display_name", "username", "store") else f"-{key}"
        if not sorted_here:
            following = first
        elif descending:
            following = key
        else:
            following = f"-{key}"
        return {
            "key": key,
            "label": label,
            "query": urlencode({**kept, "o": following}),
            "sorted": ("descending" if descending else "ascending") if sorted_here else "",
        }

    @staticmethod
    def _scoreboard_csv(rows: list[dict], period: str, store: str | None) -> HttpResponse:
        parts = ["scoreboard", period]
        if store:
            parts.append(slugify(store) or "store")
        filename = f"{'-'.join(parts)}-{timezone.localdate():%Y%m%d}.csv"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv.writer(response)
        writer.writerow(CSV_HEADER)
        for row in rows:
            writer.writerow([csv_cell(row[name]) for name in CSV_HEADER])
        return response
