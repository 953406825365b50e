"""Practice and challenges: every score is computed here, by the server, from stored rounds."""

from challenges.services.common import (
    SCOREBOARD_VERSION_KEY,
    scoreboard_changed,
    scoreboard_version_seed,
)
from challenges.services.practice import (
    practice_attempt_answer,
    practice_attempt_start,
    practice_streak,
)
from challenges.services.sessions import (
    DEFAULT_LEVEL,
    DEFAULT_ROUNDS,
    MAX_ROUNDS,
    challenge_round_answer,
    challenge_session_give_up,
    challenge_session_start,
    challenge_sessions_abandon,
    no_ai_during_a_challenge,
    refuse_during_a_challenge,
)

__all__ = [
    "DEFAULT_LEVEL",
    "DEFAULT_ROUNDS",
    "MAX_ROUNDS",
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
    "scoreboard_version_seed",
]
