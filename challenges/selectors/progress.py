"""A trainee's own progress: sessions over time, mastery per species, confusions, rank."""

from django.db.models import Count, F, Q

from challenges.models import ChallengeSession
from challenges.selectors.results import scoreboard, trainee_confusion
from challenges.selectors.sessions import (
    PRACTICE_MEMORY,
    practice_species_weights,
    walked_away,
)

HISTORY_LENGTH = 50


def _history(user) -> list[dict]:
    over = Q(status=ChallengeSession.Status.FINISHED) | walked_away()
    sessions = list(
        ChallengeSession.objects.filter(over, user=user)
        .annotate(ai_all=Count("rounds", filter=Q(rounds__ai_guess=F("rounds__species"))))
        .only("id", "status", "level", "rounds_count", "trainee_score", "ai_score",
              "finished_at", "last_activity_at")
        .order_by("-id")[:HISTORY_LENGTH]
    )
    history = []
    for session in reversed(sessions):
        n = session.rounds_count
        history.append({
            "session": session.id,
            "finished_at": session.finished_at or session.last_activity_at,
            "level": session.level,
            "level_name": session.get_level_display(),
            "rounds": n,
            # Rounds left unanswered count as wrong for the trainee, on its guess for the AI.
            "accuracy": round(session.trainee_score / n, 4),
            "ai_accuracy": round(session.ai_all / n, 4),
            # A session still open but idle past the timeout is walked away from: a loss.
            "outcome": session.outcome or "loss",
        })
    return history


def _mastery_and_confusions(user) -> tuple[list[dict], list[dict]]:
    confusion = trainee_confusion(user=user)
    matrix = confusion["matrix"]
    mastery = []
    for species in confusion["species"]:
        answered = sum(matrix[species].values())
        correct = matrix[species][species]
        mastery.append({
            "species": species, "answered": answered, "correct": correct,
            "accuracy": round(correct / answered, 4) if answered else None,
        })
    confusions = sorted(
        (
            {"species": true, "mistaken_for": guess, "count": count}
            for true, row in matrix.items()
            for guess, count in row.items()
            if guess != true and count
        ),
        key=lambda item: (-item["count"], item["species"], item["mistaken_for"]),
    )
    return mastery, confusions


def _rank(user) -> dict:
    board = scoreboard(period="all")
    rows = board["trainees"]
    ranked = [row for row in rows if row["ranked"]]
    mine = next((row for row in rows if row["user_id"] == user.id), None)
    result = {
        "rank": None, "ranked_count": len(ranked), "score": None, "rounds": 0,
        "min_rounds": board["min_rounds"], "rounds_to_rank": board["min_rounds"], "next": None,
    }
    if mine is None:
        return result
    result.update(
        rank=mine["rank"], score=mine["score"], rounds=mine["rounds"],
        rounds_to_rank=mine["rounds_to_rank"],
    )
    if mine["ranked"]:
        ahead = [row for row in ranked if row["rank"] < mine["rank"]]
        if ahead:
            nearest = ahead[-1]
            result["next"] = {
                "rank": nearest["rank"], "display_name": nearest["display_name"],
                "score": nearest["score"], "gap": round(nearest["score"] - mine["score"], 4),
            }
    return result


def trainee_progress(*, user) -> dict:
    """Everything the "My progress" section shows, from the trainee's stored answers."""
    mastery, confusions = _mastery_and_confusions(user)
    return {
        "history": _history(user),
        "mastery": mastery,
        "confusions": confusions,
        "rank": _rank(user),
        "practice": {"weights": practice_species_weights(user=user), "memory": PRACTICE_MEMORY},
    }
