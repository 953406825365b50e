"""The managers' page per trainee in the admin: stats, confusions, a chart per day, and every
session round by round."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from challenges import selectors
from challenges.admin import display
from challenges.models import ChallengeRound, ChallengeSession
from challenges.plots import accuracy_over_time
from flower_power.lists import join_clauses
from ml.dataset import SPECIES
from ml.plots import species_names

PERMISSION = "challenges.view_challengesession"
SESSIONS_PER_PAGE = 10


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


class TraineeScoreboardView:
    """The page per trainee, and what the scoreboard's pages share (permission, context)."""

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
