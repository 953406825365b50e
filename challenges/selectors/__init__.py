"""Reads behind challenges, the scoreboard and a trainee's progress."""

from challenges.selectors.cached import scoreboard_cached
from challenges.selectors.progress import trainee_progress
from challenges.selectors.results import (
    PERIODS,
    period_start,
    scoreboard,
    trainee_confusion,
    trainee_stats,
    wilson_lower_bound,
)
from challenges.selectors.sessions import (
    PRACTICE_MEMORY,
    challenge_idle_cutoff,
    challenge_options,
    challenge_session_detail,
    challenge_session_open_id,
    challenge_sessions_listed,
    practice_species_weights,
    walked_away,
)

__all__ = [
    "PERIODS",
    "PRACTICE_MEMORY",
    "challenge_idle_cutoff",
    "challenge_options",
    "challenge_session_detail",
    "challenge_session_open_id",
    "challenge_sessions_listed",
    "period_start",
    "practice_species_weights",
    "scoreboard",
    "scoreboard_cached",
    "trainee_confusion",
    "trainee_progress",
    "trainee_stats",
    "walked_away",
    "wilson_lower_bound",
]
