"""Reads behind challenges, the scoreboard and a trainee's progress."""

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
    challenge_max_rounds,
    challenge_options,
    challenge_session_open_id,
    practice_species_weights,
    walked_away,
)

__all__ = [
    "PERIODS",
    "PRACTICE_MEMORY",
    "challenge_idle_cutoff",
    "challenge_max_rounds",
    "challenge_options",
    "challenge_session_open_id",
    "period_start",
    "practice_species_weights",
    "scoreboard",
    "trainee_confusion",
    "trainee_progress",
    "trainee_stats",
    "walked_away",
    "wilson_lower_bound",
]
