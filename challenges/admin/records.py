"""Practice attempts, challenge sessions and rounds in the admin: audit records, never edited.

Scores are computed by the server from stored rounds; a hand edit would make them lie, so
these admins are read-only for everyone, superusers included.
"""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from challenges.admin import display
from challenges.admin.scoreboard import ScoreboardViews
from challenges.models import ChallengeRound, ChallengeSession, PracticeAttempt
from flower_power.lists import join_clauses

SNAPSHOT_FIELDS = ("sepal_length", "sepal_width", "petal_length", "petal_width")


class ReadOnlyAdminMixin:
    """Viewable with the view permission; nobody adds, changes or deletes through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SnapshotDisplayMixin:
    @admin.display(description=_("AI's confidence"), ordering="ai_confidence")
    def ai_confidence_display(self, snapshot):
        return display.percent(snapshot.ai_confidence, self.get_empty_value_display())

    @admin.display(description=_("AI correct"), boolean=True)
    def ai_correct_display(self, snapshot):
        return snapshot.ai_correct


def trainee_link(user):
    """The trainee's name, linking to their scoreboard page."""
    return format_html(
        '<a href="{}">{}</a> <span class="quiet">({})</span>',
        reverse("admin:challenges_scoreboard_trainee", args=[user.pk]),
        user.shown_name, user.username,
    )


class ChallengeRoundInline(ReadOnlyAdminMixin, SnapshotDisplayMixin, admin.TabularInline):
    model = ChallengeRound
    extra = 0
    can_delete = False
    show_change_link = True
    fields = (
        "index", *SNAPSHOT_FIELDS, "guess", "species", "correct", "ai_guess",
        "ai_confidence_display", "time_taken_display", "answered_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("answer_response").order_by("index")

    @admin.display(description=_("time taken"))
    def time_taken_display(self, round_):
        return display.seconds(round_.time_taken_ms, self.get_empty_value_display())


class TraineeRecordMixin:
    """A record of a trainee's play: who (linked to their scoreboard page), on which model."""

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .select_related("user", "model_version")
            .defer(*display.heavy_version_fields("model_version"))
        )

    @admin.display(description=_("trainee"), ordering="user__username")
    def trainee(self, record):
        return trainee_link(record.user)

    @admin.display(description=_("AI model version"), ordering="model_version__number")
    def model_version_number(self, record):
        if record.model_version is None:  # practice while no model was active
            return self.get_empty_value_display()
        return _("v%(n)d") % {"n": record.model_version.number}


class FlaggedFilter(admin.SimpleListFilter):
    """Sessions whose play a manager may want to look at (never blocked, only shown)."""

    title = _("flagged")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        flagged = ~Q(flags=[]) | Q(ai_requests_refused__gt=0)
        if self.value() == "yes":
            return queryset.filter(flagged)
        if self.value() == "no":
            return queryset.exclude(flagged)
        return queryset


@admin.register(ChallengeSession)
class ChallengeSessionAdmin(
    ScoreboardViews, TraineeRecordMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    # Fits 1280 px; how many rounds were answered is on the session's page.
    list_display = (
        "id", "trainee", "status", "level", "score", "outcome_display", "flags_short",
        "model_version_number", "started",
    )
    list_filter = ("status", "level", FlaggedFilter, "user__store", "created_at")
    list_select_related = ("user", "model_version")
    search_fields = ("user__username", "user__display_name")
    search_help_text = _("Search by the trainee's username or display name.")
    fields = (
        "user", "trainee_page", "status", "level", "rounds", "score", "outcome_display",
        "flags_display", "model_version", "created_at", "last_activity_at", "finished_at",
    )
    readonly_fields = fields
    inlines = (ChallengeRoundInline,)

    @admin.display(description=_("scoreboard page"))
    def trainee_page(self, session):
        return trainee_link(session.user)

    @admin.display(description=_("rounds answered"), ordering="answered_count")
    def rounds(self, session):
        return f"{session.answered_count}/{session.rounds_count}"

    @admin.display(description=_("score (trainee vs AI)"), ordering="trainee_score")
    def score(self, session):
        return display.score(session.trainee_score, session.ai_score)

    @admin.display(description=_("outcome"))
    def outcome_display(self, session):
        return display.outcome(session, self.get_empty_value_display())

    @admin.display(description=_("flags"))
    def flags_short(self, session):
        """How many reasons to look; the reasons themselves are on the session's page."""
        reasons = display.flags(session)
        if not reasons:
            return self.get_empty_value_display()
        return format_html(
            '<span title="{}">{}</span>', join_clauses(reasons),
            ngettext("%(n)d flag", "%(n)d flags", len(reasons)) % {"n": len(reasons)},
        )

    @admin.display(description=_("started"), ordering="created_at")
    def started(self, session):
        return date_format(localtime(session.created_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("flags"))
    def flags_display(self, session):
        return join_clauses(display.flags(session)) or self.get_empty_value_display()



@admin.register(ChallengeRound)
class ChallengeRoundAdmin(ReadOnlyAdminMixin, SnapshotDisplayMixin, admin.ModelAdmin):
    list_display = (
        "__str__", "trainee", "species", "guess", "correct", "ai_guess", "ai_confidence_display",
        "time_taken_display", "answered_at",
    )
    list_filter = (
        "correct", "species", "guess", "ai_guess", "session__user__store", "answered_at",
    )
    list_select_related = ("session__user",)
    ordering = ("-session_id", "index")  # newest sessions first, rounds in play order
    search_fields = ("session__user__username",)
    search_help_text = _("Search by the trainee's username.")
    fields = (
        "session", "index", "sample", *SNAPSHOT_FIELDS, "species", "guess", "correct",
        "ai_guess", "ai_confidence_display", "ai_correct_display", "time_taken_display",
        "answered_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session__user").defer(
            "answer_response"
        )

    @admin.display(description=_("trainee"), ordering="session__user__username")
    def trainee(self, round_):
        return trainee_link(round_.session.user)

    @admin.display(description=_("time taken"), ordering="time_taken_ms")
    def time_taken_display(self, round_):
        return display.seconds(round_.time_taken_ms, self.get_empty_value_display())


@admin.register(PracticeAttempt)
class PracticeAttemptAdmin(
    TraineeRecordMixin, ReadOnlyAdminMixin, SnapshotDisplayMixin, admin.ModelAdmin
):
    list_display = (
        "id", "trainee", "species", "guess", "correct", "ai_guess", "ai_confidence_display",
        "model_version_number", "created_at", "answered_at",
    )
    list_filter = ("correct", "species", "guess", "ai_guess", "user__store", "answered_at")
    list_select_related = ("user", "model_version")
    search_fields = ("user__username",)
    search_help_text = _("Search by the trainee's username.")
    fields = (
        "user", "sample", *SNAPSHOT_FIELDS, "species", "guess", "correct", "ai_guess",
        "ai_confidence_display", "ai_correct_display", "model_version", "created_at",
        "answered_at",
    )
    readonly_fields = fields


