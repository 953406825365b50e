"""Fair play: the AI does not help a trainee while a challenge is open, and play a manager
may want to look at is flagged (never blocked)."""

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _

from challenges.models import ChallengeSession
from challenges.selectors import challenge_session_open_id
from flower_power.errors import Conflict

# Flags a manager sees in the admin; they never block the trainee.
FAST_ANSWERS_TO_FLAG = 3
FAST_STREAK_TO_FLAG = 5


def refuse_during_a_challenge(*, user, count_it: bool) -> None:
    """Refuse (409) a trainee who has an open challenge round; count the attempt if asked."""
    # The user row's open_challenge_id spares a query to everyone not playing right now.
    if not user.is_authenticated or user.is_staff or user.open_challenge_id is None:
        return
    session_id = challenge_session_open_id(user=user)
    if session_id is None:
        return
    if count_it:
        ChallengeSession.objects.filter(id=session_id).update(
            ai_requests_refused=F("ai_requests_refused") + 1
        )
    raise Conflict(
        _("The AI does not help during a challenge: finish or give up challenge #%(id)d first.")
        % {"id": session_id},
        code="challenge_in_progress",
    )


def no_ai_during_a_challenge(*, user) -> None:
    """Prediction guard (settings.ML_PREDICTION_GUARDS): no AI answers during a challenge."""
    refuse_during_a_challenge(user=user, count_it=True)


def suspicion_flags(answers: list[tuple[bool, int]]) -> list[str]:
    """Codes for play a manager may want to look at, from (correct, ms) in answer order."""
    fast = settings.CHALLENGE_FAST_ANSWER_MS
    flags = []
    if sum(1 for _correct, ms in answers if ms < fast) >= FAST_ANSWERS_TO_FLAG:
        flags.append("fast_answers")
    run = longest = 0
    for correct, ms in answers:
        run = run + 1 if correct and ms < 2 * fast else 0
        longest = max(longest, run)
    if longest >= FAST_STREAK_TO_FLAG:
        flags.append("fast_perfect_streak")
    return flags
