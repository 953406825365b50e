"""Reads about a trainee's challenges: the open one, what a new one may be, how practice draws."""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.models import (
    DEFAULT_LEVEL,
    DEFAULT_ROUNDS,
    MAX_ROUNDS,
    ChallengeSession,
    PracticeAttempt,
)
from flower_power.errors import NotFound
from ml.dataset import SPECIES
from ml.models import FlowerSample, Split, model_version_blobs
from ml.selectors import model_version_active, opponent_levels

# The adaptive practice draw looks at this many of a trainee's latest practice answers.
PRACTICE_MEMORY = 20


def challenge_idle_cutoff():
    """An open session whose last activity is older than this is over (walked away from)."""
    return timezone.now() - timedelta(minutes=settings.CHALLENGE_ABANDON_AFTER_MINUTES)


def walked_away(prefix: str = "") -> Q:
    """Sessions given up, abandoned, or left open past the idle timeout."""
    return Q(**{f"{prefix}status": ChallengeSession.Status.ABANDONED}) | Q(**{
        f"{prefix}status": ChallengeSession.Status.ACTIVE,
        f"{prefix}last_activity_at__lt": challenge_idle_cutoff(),
    })


def challenge_session_open_id(*, user) -> int | None:
    """The trainee's open challenge (one at most, by constraint), unless idle past the timeout."""
    return (
        ChallengeSession.objects.filter(
            user=user, status=ChallengeSession.Status.ACTIVE,
            last_activity_at__gte=challenge_idle_cutoff(),
        )
        .values_list("id", flat=True)
        .first()
    )


def challenge_sessions_listed(*, user):
    """A trainee's challenges, newest first, with their model versions' numbers (no blobs)."""
    return ChallengeSession.objects.filter(user=user).select_related("model_version").defer(
        *model_version_blobs("model_version")
    )


def challenge_session_detail(*, user, session_id: int) -> ChallengeSession:
    """One of the trainee's challenges with its rounds; 404 for anyone else's."""
    session = challenge_sessions_listed(user=user).prefetch_related("rounds").filter(
        id=session_id
    ).first()
    if session is None:
        raise NotFound(_("No such challenge."))
    return session


def challenge_options(*, user) -> dict:
    """What the page needs before a challenge: the levels, the round limits, the open session."""
    version = model_version_active()
    # Never more rounds than there are test flowers.
    limit = min(MAX_ROUNDS, FlowerSample.objects.filter(split=Split.TEST).count())
    return {
        "levels": opponent_levels(version=version),
        "default_level": DEFAULT_LEVEL,
        "model_version": version.number if version else None,
        "max_rounds": limit,
        "default_rounds": min(DEFAULT_ROUNDS, limit),
        "open_session": challenge_session_open_id(user=user),
    }


def practice_species_weights(*, user) -> dict[str, int]:
    """How often each species is drawn for this trainee: 1, plus 2 per recent mistake on it.

    A trainee who keeps mistaking versicolor sees more versicolor until they get it right.
    """
    recent = (
        PracticeAttempt.objects.filter(user=user, answered_at__isnull=False)
        .order_by("-answered_at")
        .values_list("species", "correct")[:PRACTICE_MEMORY]
    )
    mistakes = Counter(species for species, correct in recent if not correct)
    return {species: 1 + 2 * mistakes[species] for species in SPECIES}
