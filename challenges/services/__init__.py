"""Practice and challenges: every score is computed here, by the server, from stored rounds."""

from challenges.selectors.cached import SCOREBOARD_VERSION_KEY
from challenges.services.common import scoreboard_changed
from challenges.services.fair_play import no_ai_during_a_challenge, refuse_during_a_challenge
from challenges.services.practice import (
    practice_attempt_answer,
    practice_attempt_start,
    practice_streak,
)
from challenges.services.sessions import (
    challenge_round_answer,
    challenge_session_give_up,
    challenge_session_start,
    challenge_sessions_abandon,
)

__all__ = [
    "SCOREBOARD_VERSION_KEY",
    "challenge_round_answer",
    "challenge_session_give_up",
    "challenge_session_start",
    "challenge_sessions_abandon",
    "no_ai_during_a_challenge",
    "practice_attempt_answer",
    "practice_attempt_start",
    "practice_streak",
    "refuse_during_a_challenge",
    "scoreboard_changed",
]
