"""Reads behind the scoreboard and personal stats: a fixed number of queries, whatever the
number of trainees (no N+1), aggregated by the database."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from challenges.models import ChallengeRound, ChallengeSession, PracticeAttempt
from ml.dataset import SPECIES

PERIODS = {"7d": timedelta(days=7), "30d": timedelta(days=30), "all": None}


def period_start(period: str):
    delta = PERIODS[period]
    return None if delta is None else timezone.now() - delta


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


def scoreboard(*, period: str = "all", store: str | None = None) -> dict:
    """Per-trainee results against the AI, plus the AI's overall accuracy."""
    since = period_start(period)
    users = get_user_model().objects.filter(is_active=True, is_staff=False, is_superuser=False)
    if store:
        users = users.filter(store=store)

    answered = Q(challenge_sessions__rounds__answered_at__isnull=False)
    session_filter = Q()
    if since is not None:
        answered &= Q(challenge_sessions__rounds__answered_at__gte=since)
        session_filter = Q(challenge_sessions__created_at__gte=since)

    round_stats = users.annotate(
        rounds=Count("challenge_sessions__rounds", filter=answered),
        correct=Count(
            "challenge_sessions__rounds",
            filter=answered & Q(challenge_sessions__rounds__correct=True),
        ),
        ai_correct=Count(
            "challenge_sessions__rounds",
            filter=answered & Q(
                challenge_sessions__rounds__ai_guess=F("challenge_sessions__rounds__species")
            ),
        ),
        last_activity=Max("challenge_sessions__rounds__answered_at", filter=answered),
    ).values("id", "username", "display_name", "store", "rounds", "correct", "ai_correct",
             "last_activity")

    finished = session_filter & Q(challenge_sessions__status=ChallengeSession.Status.FINISHED)
    session_stats = {
        row["id"]: row
        for row in users.annotate(
            sessions=Count("challenge_sessions", filter=session_filter),
            wins=Count(
                "challenge_sessions",
                filter=finished
                & Q(challenge_sessions__trainee_score__gt=F("challenge_sessions__ai_score")),
            ),
            draws=Count(
                "challenge_sessions",
                filter=finished
                & Q(challenge_sessions__trainee_score=F("challenge_sessions__ai_score")),
            ),
            losses=Count(
                "challenge_sessions",
                filter=finished
                & Q(challenge_sessions__trainee_score__lt=F("challenge_sessions__ai_score")),
            ),
        ).values("id", "sessions", "wins", "draws", "losses")
    }
    streaks = _longest_streaks(since)

    rows = []
    total_rounds = total_ai = 0
    for row in round_stats:
        stats = session_stats[row["id"]]
        total_rounds += row["rounds"]
        total_ai += row["ai_correct"]
        rows.append({
            "user_id": row["id"],
            "username": row["username"],
            "display_name": row["display_name"] or row["username"],
            "store": row["store"],
            "sessions": stats["sessions"],
            "rounds": row["rounds"],
            "correct": row["correct"],
            "accuracy": round(row["correct"] / row["rounds"], 4) if row["rounds"] else None,
            "ai_accuracy": round(row["ai_correct"] / row["rounds"], 4) if row["rounds"] else None,
            "wins": stats["wins"],
            "draws": stats["draws"],
            "losses": stats["losses"],
            "longest_streak": streaks.get(row["id"], 0),
            "last_activity": row["last_activity"],
        })
    rows.sort(key=lambda r: (-(r["accuracy"] or -1), -r["rounds"], r["username"]))
    return {
        "period": period,
        "store": store or None,
        "ai": {
            "rounds": total_rounds,
            "accuracy": round(total_ai / total_rounds, 4) if total_rounds else None,
        },
        "trainees": rows,
    }


def trainee_stats(*, user) -> dict:
    """A trainee's own totals (as on the scoreboard) and which species they confuse."""
    rounds = ChallengeRound.objects.filter(session__user=user, answered_at__isnull=False)
    totals = rounds.aggregate(
        rounds=Count("id"),
        correct=Count("id", filter=Q(correct=True)),
        ai_correct=Count("id", filter=Q(ai_guess=F("species"))),
        last_activity=Max("answered_at"),
    )
    sessions = ChallengeSession.objects.filter(user=user).aggregate(
        sessions=Count("id"),
        wins=Count("id", filter=Q(status="finished", trainee_score__gt=F("ai_score"))),
        draws=Count("id", filter=Q(status="finished", trainee_score=F("ai_score"))),
        losses=Count("id", filter=Q(status="finished", trainee_score__lt=F("ai_score"))),
    )
    practice = PracticeAttempt.objects.filter(user=user, answered_at__isnull=False).aggregate(
        practice=Count("id"), practice_correct=Count("id", filter=Q(correct=True))
    )
    n = totals["rounds"]
    return {
        **sessions,
        "rounds": n,
        "correct": totals["correct"],
        "accuracy": round(totals["correct"] / n, 4) if n else None,
        "ai_accuracy": round(totals["ai_correct"] / n, 4) if n else None,
        "longest_streak": _longest_streaks(None, [user.id]).get(user.id, 0),
        "last_activity": totals["last_activity"],
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
