"""Results against the AI, per trainee: the scoreboard and a trainee's own stats.

A fixed number of queries, whatever the number of trainees (no N+1), aggregated by the
database. The rules (README, "Challenges"): a round counts once answered, and every round of
a session walked away from (given up, abandoned, or idle past the timeout) counts too, as a
wrong answer for the trainee and on its stored guess for the AI; such a session is a loss.
Trainees are ranked from settings.SCOREBOARD_MIN_ROUNDS counted rounds on, by the Wilson lower
bound of their accuracy (a cautious accuracy that grows with the rounds played), then wins.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from challenges.models import ChallengeRound, ChallengeSession, PracticeAttempt
from challenges.selectors.sessions import walked_away
from ml.dataset import SPECIES
from ml.models import Level

# Each period's window (None: all time) and name. (The page's scripts name them in their own
# catalogue, djangojs.)
PERIODS = {
    "7d": (timedelta(days=7), gettext_lazy("Last 7 days")),
    "30d": (timedelta(days=30), gettext_lazy("Last 30 days")),
    "all": (None, gettext_lazy("All time")),
}
OUTCOME_COUNTS = ("wins", "draws", "losses")
# What is counted per AI level, and in all.
SESSION_COUNTS = ("sessions", *OUTCOME_COUNTS)
# 95% confidence for the Wilson lower bound.
WILSON_Z = 1.96


def period_start(period: str):
    delta = PERIODS[period][0]
    return None if delta is None else timezone.now() - delta


def wilson_lower_bound(correct: int, rounds: int) -> float | None:
    """The lower end of the 95% Wilson interval of correct / rounds: 1/1 ranks below 8/10."""
    if rounds == 0:
        return None
    p, z2 = correct / rounds, WILSON_Z * WILSON_Z
    centre = p + z2 / (2 * rounds)
    margin = WILSON_Z * math.sqrt(p * (1 - p) / rounds + z2 / (4 * rounds * rounds))
    return round((centre - margin) / (1 + z2 / rounds), 4)


def _longest_streaks(since, user_ids: list[int] | None = None) -> dict[int, int]:
    """Longest run of correct challenge answers per trainee (gaps-and-islands in SQL)."""
    rounds = ChallengeRound._meta.db_table
    sessions = ChallengeSession._meta.db_table
    where = ["r.answered_at IS NOT NULL"]
    params: list = []
    if since is not None:
        where.append("r.answered_at >= %s")
        params.append(since)
    if user_ids is not None:
        where.append("s.user_id IN (" + ",".join(["%s"] * len(user_ids)) + ")")
        params.extend(user_ids)
    sql = f"""
        SELECT user_id, MAX(run) FROM (
            SELECT user_id, grp, COUNT(*) AS run FROM (
                SELECT s.user_id AS user_id, r.correct AS correct,
                    ROW_NUMBER() OVER (PARTITION BY s.user_id ORDER BY r.answered_at, r.id)
                    - ROW_NUMBER() OVER (
                        PARTITION BY s.user_id, r.correct ORDER BY r.answered_at, r.id
                    ) AS grp
                FROM {rounds} r JOIN {sessions} s ON s.id = r.session_id
                WHERE {" AND ".join(where)}
            ) numbered
            WHERE correct
            GROUP BY user_id, grp
        ) runs
        GROUP BY user_id
    """  # noqa: S608 - table names from our models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _results(users, since, *, one_user: int | None = None) -> dict[int, dict]:
    """Per user id: rounds, correct, AI correct, sessions and outcomes overall and per level."""
    r, s = "challenge_sessions__rounds__", "challenge_sessions__"
    answered = Q(**{f"{r}answered_at__isnull": False})
    left = walked_away(s) & Q(**{f"{r}answered_at__isnull": True})
    if since is not None:
        answered &= Q(**{f"{r}answered_at__gte": since})
        left &= Q(**{f"{s}created_at__gte": since})
    counted = answered | left
    rounds = "challenge_sessions__rounds"
    rows = {
        row["id"]: {**row, "sessions": 0, "levels": {
            level: dict.fromkeys(SESSION_COUNTS, 0) for level in Level.values
        }, **dict.fromkeys(OUTCOME_COUNTS, 0)}
        for row in users.annotate(
            rounds=Count(rounds, filter=counted),
            correct=Count(rounds, filter=counted & Q(**{f"{r}correct": True})),
            ai_correct=Count(rounds, filter=counted & Q(**{f"{r}ai_guess": F(f"{r}species")})),
            last_activity=Max(f"{r}answered_at", filter=answered),
        ).values("id", "username", "display_name", "store", "rounds", "correct", "ai_correct",
                 "last_activity")
    }
    sessions = ChallengeSession.objects.filter(user__in=users)
    if since is not None:
        sessions = sessions.filter(created_at__gte=since)
    finished = Q(status=ChallengeSession.Status.FINISHED)
    for row in (
        sessions.values("user_id", "level")
        .annotate(
            sessions=Count("id"),
            wins=Count("id", filter=finished & Q(trainee_score__gt=F("ai_score"))),
            draws=Count("id", filter=finished & Q(trainee_score=F("ai_score"))),
            losses=Count("id", filter=(finished & Q(trainee_score__lt=F("ai_score")))
                         | walked_away()),
        )
        .order_by()
    ):
        rows[row["user_id"]]["levels"][row["level"]] = {key: row[key] for key in SESSION_COUNTS}
    # The whole board's streaks in one pass (no IN list); one trainee's alone for their stats.
    streaks = _longest_streaks(since, None if one_user is None else [one_user])
    for row in rows.values():
        for key in SESSION_COUNTS:
            row[key] = sum(level[key] for level in row["levels"].values())
        n = row["rounds"]
        row["accuracy"] = round(row["correct"] / n, 4) if n else None
        row["ai_accuracy"] = round(row["ai_correct"] / n, 4) if n else None
        row["longest_streak"] = streaks.get(row["id"], 0)
    return rows


def _ranked(rows: list[dict]) -> list[dict]:
    """Rank rows with enough rounds (ties share a rank); the others follow, unranked."""
    minimum = settings.SCOREBOARD_MIN_ROUNDS
    for row in rows:
        row["score"] = wilson_lower_bound(row["correct"], row["rounds"])
        row["rounds_to_rank"] = max(0, minimum - row["rounds"])
        row["ranked"] = row["rounds_to_rank"] == 0
        row["rank"] = None
        row["unranked_reason"] = None if row["ranked"] else ngettext(
            "%(n)d more challenge round to be ranked",
            "%(n)d more challenge rounds to be ranked", row["rounds_to_rank"],
        ) % {"n": row["rounds_to_rank"]}
    ranked = sorted(
        (row for row in rows if row["ranked"]),
        key=lambda row: (-row["score"], -row["wins"], -row["rounds"], row["username"]),
    )
    previous = None
    for position, row in enumerate(ranked, start=1):
        key = (row["score"], row["wins"])
        row["rank"] = previous["rank"] if previous and key == previous["key"] else position
        previous = {"rank": row["rank"], "key": key}
    unranked = sorted(
        (row for row in rows if not row["ranked"]),
        key=lambda row: (-row["rounds"], row["username"]),
    )
    return ranked + unranked


def scoreboard(*, period: str = "all", store: str | None = None) -> dict:
    """Per-trainee results against the AI, ranked, plus the AI's overall accuracy."""
    users = get_user_model().objects.filter(is_active=True, is_staff=False, is_superuser=False)
    if store:
        users = users.filter(store=store)
    rows = []
    total_rounds = total_ai = 0
    for row in _results(users, period_start(period)).values():
        total_rounds += row["rounds"]
        total_ai += row.pop("ai_correct")
        row["user_id"] = row.pop("id")
        row["display_name"] = row["display_name"] or row["username"]
        rows.append(row)
    return {
        "period": period,
        "store": store or None,
        "min_rounds": settings.SCOREBOARD_MIN_ROUNDS,
        "ai": {
            "rounds": total_rounds,
            "accuracy": round(total_ai / total_rounds, 4) if total_rounds else None,
        },
        "trainees": _ranked(rows),
    }


def trainee_stats(*, user) -> dict:
    """A trainee's own totals (counted as on the scoreboard) and which species they confuse."""
    row = _results(get_user_model().objects.filter(id=user.id), None, one_user=user.id)[user.id]
    practice = PracticeAttempt.objects.filter(user=user, answered_at__isnull=False).aggregate(
        practice=Count("id"), practice_correct=Count("id", filter=Q(correct=True))
    )
    return {
        **{key: row[key] for key in (
            "sessions", "rounds", "correct", "accuracy", "ai_accuracy", *OUTCOME_COUNTS,
            "longest_streak", "last_activity",
        )},
        "practice_answers": practice["practice"],
        "practice_correct": practice["practice_correct"],
        "confusion": trainee_confusion(user=user),
    }


def trainee_confusion(*, user) -> dict:
    """Counts of (true species → guessed species) over challenge rounds and practice."""
    matrix = {true: dict.fromkeys(SPECIES, 0) for true in SPECIES}
    for model in (ChallengeRound, PracticeAttempt):
        owner = {"session__user": user} if model is ChallengeRound else {"user": user}
        for true, guess, count in (
            model.objects.filter(answered_at__isnull=False, **owner)
            .values_list("species", "guess")
            .annotate(n=Count("id"))
            .values_list("species", "guess", "n")
            .order_by()
        ):
            matrix[true][guess] += count
    return {"species": list(SPECIES), "matrix": matrix}
