"""The challenges API's shapes: what a trainee plays with (play) and the results (results)."""

from challenges.serializers.play import (
    CHALLENGE_STATUSES,
    OUTCOMES,
    AnswerOutputSerializer,
    ChallengeOptionsSerializer,
    ChallengeStartInputSerializer,
    GuessInputSerializer,
    PracticeAnswerOutputSerializer,
    PracticeOutputSerializer,
    SessionDetailSerializer,
    SessionSerializer,
)
from challenges.serializers.results import (
    PERIOD_CHOICES,
    MeStatsSerializer,
    ProgressSerializer,
    ScoreboardQuerySerializer,
    ScoreboardSerializer,
)

__all__ = [
    "CHALLENGE_STATUSES",
    "OUTCOMES",
    "PERIOD_CHOICES",
    "AnswerOutputSerializer",
    "ChallengeOptionsSerializer",
    "ChallengeStartInputSerializer",
    "GuessInputSerializer",
    "MeStatsSerializer",
    "PracticeAnswerOutputSerializer",
    "PracticeOutputSerializer",
    "ProgressSerializer",
    "ScoreboardQuerySerializer",
    "ScoreboardSerializer",
    "SessionDetailSerializer",
    "SessionSerializer",
]
