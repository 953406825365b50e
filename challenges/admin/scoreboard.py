"""The managers' scoreboard in the admin: a sortable, filterable table with a CSV export, and a
page per trainee with every session, round by round."""

import csv

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import TruncDate
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from challenges import selectors
from challenges.admin import display
from challenges.models import ChallengeRound, ChallengeSession
from challenges.plots import accuracy_over_time
from flower_power.lists import join_clauses
from ml.dataset import SPECIES
from ml.plots import species_names

PERMISSION = "challenges.view_challengesession"
SESSIONS_PER_PAGE = 10

PERIOD_CHOICES = (
    ("all", gettext_lazy("All time")),
    ("7d", gettext_lazy("Last 7 days")),
    ("30d", gettext_lazy("Last 30 days")),
)
assert {key for key, _label in PERIOD_CHOICES} == set(selectors.PERIODS)

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


def daily_accuracy(user) -> list[tuple]:
    """Per day: answered challenge rounds, the trainee's and the AI's correct answers."""
    return list(
        ChallengeRound.objects.filter(session__user=user, answered_at__isnull=False)
        .annotate(day=TruncDate("answered_at"))
        .values("day")
        .annotate(
            n=Count("id"),
            correct=Count("id", filter=Q(correct=True)),
            ai_correct=Count("id", filter=Q(ai_guess=F("species"))),
        )
        .order_by("day")
        .values_list("day", "n", "correct", "ai_correct")
    )


class ScoreboardViews:
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

    def _check_scoreboard_permission(self, request) -> None:
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied

    def _context(self, request, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "empty": self.get_empty_value_display(),
        }

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

    def scoreboard_trainee_view(self, request, user_id: int):
        self._check_scoreboard_permission(request)
        trainee = get_object_or_404(get_user_model(), pk=user_id)
        stats = selectors.trainee_stats(user=trainee)
        sessions = (
            ChallengeSession.objects.filter(user=trainee)
            .select_related("model_version")
            .defer(*display.heavy_version_fields("model_version"))
            .prefetch_related(Prefetch(
                "rounds",
                queryset=ChallengeRound.objects.defer("answer_response").order_by("index"),
            ))
            .order_by("-created_at", "-id")
        )
        page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
        days = daily_accuracy(trainee)
        chart = None
        if days:
            # Inline SVG from matplotlib, whose writer escapes every text (the trainee's name).
            chart = mark_safe(accuracy_over_time(  # noqa: S308
                days, title=_("%(name)s vs the AI, per day") % {"name": trainee.shown_name}
            ).decode("utf-8"))
        matrix = stats["confusion"]["matrix"]
        names = species_names()
        context = self._context(request, _("Scoreboard: %(name)s") % {"name": trainee.shown_name})
        context.update({
            "trainee": trainee,
            "stats": stats,
            "accuracy": display.percent(stats["accuracy"]),
            "ai_accuracy": display.percent(stats["ai_accuracy"]),
            "species": [names[species] for species in SPECIES],
            "confusion": [
                {"species": names[true], "counts": [
                    {"n": matrix[true][guess], "diagonal": true == guess} for guess in SPECIES
                ]}
                for true in SPECIES
            ],
            "chart": chart,
            "page_obj": page,
            "sessions": [self._session_context(session) for session in page.object_list],
        })
        return TemplateResponse(request, "admin/challenges/scoreboard_trainee.html", context)

    def _session_context(self, session) -> dict:
        empty = self.get_empty_value_display()
        return {
            "session": session,
            "score": display.score(session.trainee_score, session.ai_score),
            "outcome": display.outcome(session, empty),
            "flags": join_clauses(display.flags(session)),
            "rounds": [
                {
                    "round": round_,
                    "ai_confidence": display.percent(round_.ai_confidence, empty),
                    "time_taken": display.seconds(round_.time_taken_ms, empty),
                }
                for round_ in session.rounds.all()
            ],
        }
