"""Practice and challenges: every score is computed here, by the server, from stored rounds."""

import random
import time
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.models import ChallengeRound, ChallengeSession, PracticeAttempt
from flower_power.errors import ApplicationError, Conflict, NotFound, ServiceUnavailable
from ml.dataset import SPECIES
from ml.models import FlowerSample, ModelVersion, Split
from ml.selectors import flower_sample_random_train
from ml.serving import ServedModel, model_version_served

MAX_ROUNDS = 50
SCOREBOARD_VERSION_KEY = "scoreboard:version"
# The adaptive practice draw looks at this many of a trainee's latest practice answers.
PRACTICE_MEMORY = 20


def scoreboard_version_seed() -> int:
    """A start value no earlier counter had: after a cache flush or a Redis restart, an ETag
    a page still holds must never match again."""
    return time.time_ns()


def scoreboard_changed() -> None:
    """Invalidate scoreboard ETags and caches, once the change is committed."""

    def bump() -> None:
        if cache.add(SCOREBOARD_VERSION_KEY, scoreboard_version_seed(), timeout=None):
            return
        try:
            cache.incr(SCOREBOARD_VERSION_KEY)
        except ValueError:  # evicted between add and incr
            cache.add(SCOREBOARD_VERSION_KEY, scoreboard_version_seed(), timeout=None)

    transaction.on_commit(bump)


def _active_served() -> tuple[ModelVersion | None, ServedModel | None]:
    # Read the active row itself, not the per-process cache: a session records exactly the
    # version that was active when it started.
    version = ModelVersion.objects.filter(is_active=True).only("id", "number").first()
    if version is None:
        return None, None
    return version, model_version_served(version.number)


def _snapshot(sample: FlowerSample) -> dict:
    return {
        "sample": sample, "species": sample.species,
        "sepal_length": sample.sepal_length, "sepal_width": sample.sepal_width,
        "petal_length": sample.petal_length, "petal_width": sample.petal_width,
    }


def _ai_guesses(model: ServedModel, samples: list[FlowerSample]) -> list[tuple[str, float]]:
    import numpy as np

    probabilities = model.predict_proba(
        np.asarray([sample.measurements for sample in samples], dtype=np.float32)
    )
    best = probabilities.argmax(axis=1)
    return [
        (SPECIES[b], round(float(row[b]), 6))
        for b, row in zip(best.tolist(), probabilities, strict=True)
    ]


def _check_guess(guess) -> str:
    if guess not in SPECIES:
        raise ApplicationError(
            _("guess must be one of %(species)s.") % {"species": ", ".join(SPECIES)},
            fields={"guess": [_("Not a species.")]},
        )
    return guess


# --- Practice ---------------------------------------------------------------------------


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


def practice_attempt_start(*, user) -> PracticeAttempt:
    """Draw an unlabelled training flower for a trainee to guess."""
    weights = practice_species_weights(user=user)
    species = random.choices(list(weights), weights=list(weights.values()))[0]  # noqa: S311
    sample = flower_sample_random_train(species=species) or flower_sample_random_train()
    if sample is None:
        raise ServiceUnavailable(_("There are no training flowers yet."), code="no_flowers")
    version, model = _active_served()
    ai = {}
    if model is not None:
        ai_guess, confidence = _ai_guesses(model, [sample])[0]
        ai = {"ai_guess": ai_guess, "ai_confidence": confidence, "model_version": version}
    return PracticeAttempt.objects.create(user=user, **_snapshot(sample), **ai)


def practice_streak(*, user) -> int:
    """Consecutive correct practice answers, latest first."""
    streak = 0
    for correct in (
        PracticeAttempt.objects.filter(user=user, answered_at__isnull=False)
        .order_by("-answered_at", "-id")
        .values_list("correct", flat=True)[:1000]
    ):
        if not correct:
            break
        streak += 1
    return streak


@transaction.atomic
def practice_attempt_answer(*, user, attempt_id: int, guess: str) -> dict:
    """Record a practice guess once and reveal the answer and the AI's guess."""
    guess = _check_guess(guess)
    attempt = PracticeAttempt.objects.select_for_update().filter(id=attempt_id, user=user).first()
    if attempt is None:
        raise NotFound(_("No such practice flower."))
    if attempt.answered_at is not None:
        raise Conflict(_("This practice flower was already answered."), code="already_answered")
    attempt.guess = guess
    attempt.correct = guess == attempt.species
    attempt.answered_at = timezone.now()
    attempt.save(update_fields=["guess", "correct", "answered_at"])
    return {
        "correct_species": attempt.species,
        "guess": guess,
        "correct": attempt.correct,
        "ai_guess": attempt.ai_guess or None,
        "ai_confidence": attempt.ai_confidence,
        "ai_correct": attempt.ai_correct,
        "streak": practice_streak(user=user),
        "photo_url": settings.ML_SPECIES_PHOTOS[attempt.species],
    }


# --- Challenges -------------------------------------------------------------------------


@transaction.atomic
def challenge_session_start(*, user, rounds: int = 10) -> ChallengeSession:
    """Start a challenge of N distinct test-split flowers, with the AI's guesses stored."""
    if isinstance(rounds, bool) or not isinstance(rounds, int) or not 1 <= rounds <= MAX_ROUNDS:
        raise ApplicationError(
            _("rounds must be a whole number from 1 to %(max)d.") % {"max": MAX_ROUNDS},
            fields={"rounds": [_("Out of range.")]},
        )
    version, model = _active_served()
    if model is None:
        raise ServiceUnavailable(
            _("The AI has no active model yet; ask a manager to train one."), code="no_model"
        )
    ids = list(FlowerSample.objects.filter(split=Split.TEST).values_list("id", flat=True))
    if len(ids) < rounds:
        # The request is well formed; the data set is too small for it right now.
        raise Conflict(
            _("Only %(n)d test flowers exist; ask for fewer rounds.") % {"n": len(ids)},
            code="not_enough_flowers", fields={"rounds": [_("More rounds than test flowers.")]},
        )
    chosen = random.sample(ids, rounds)
    samples = sorted(FlowerSample.objects.filter(id__in=chosen), key=lambda s: chosen.index(s.id))
    session = ChallengeSession.objects.create(
        user=user, rounds_count=rounds, model_version=version
    )
    ChallengeRound.objects.bulk_create(
        ChallengeRound(
            session=session, index=index, ai_guess=ai_guess, ai_confidence=confidence,
            **_snapshot(sample),
        )
        for index, (sample, (ai_guess, confidence)) in enumerate(
            zip(samples, _ai_guesses(model, samples), strict=True), start=1
        )
    )
    scoreboard_changed()
    return session


def challenge_round_answer(
    *, user, session_id: int, index: int, guess: str, idempotency_key: str = ""
) -> dict:
    """Answer one round exactly once; a retry with the same Idempotency-Key replays it."""
    guess = _check_guess(guess)
    with transaction.atomic():
        # The session's row lock serialises every answer of the session: the scores below
        # are recomputed from the rounds with no concurrent writer.
        session = (
            ChallengeSession.objects.select_for_update().filter(id=session_id, user=user).first()
        )
        if session is None:
            raise NotFound(_("No such challenge."))
        round_ = session.rounds.select_for_update().filter(index=index).first()
        if round_ is None:
            raise NotFound(_("This challenge has no round %(index)s.") % {"index": index})
        if round_.answered_at is not None:
            if idempotency_key and idempotency_key == round_.idempotency_key:
                return round_.answer_response
            raise Conflict(_("This round was already answered."), code="already_answered")
        if session.status != ChallengeSession.Status.ACTIVE:
            raise Conflict(
                _("This challenge is %(status)s; it takes no more answers.")
                % {"status": session.get_status_display()},
                code="session_closed",
            )
        now = timezone.now()
        correct = guess == round_.species
        # The other answered rounds plus this one: the scores come from the stored rounds.
        totals = session.rounds.filter(answered_at__isnull=False).aggregate(
            answered=Count("id"),
            trainee=Count("id", filter=Q(correct=True)),
            ai=Count("id", filter=Q(ai_guess=F("species"))),
        )
        session.answered_count = totals["answered"] + 1
        session.trainee_score = totals["trainee"] + int(correct)
        session.ai_score = totals["ai"] + int(bool(round_.ai_correct))
        finished = session.answered_count == session.rounds_count
        if finished:
            session.status = ChallengeSession.Status.FINISHED
            session.finished_at = now
        # Only answers move last_activity_at, so it is when the previous round was answered
        # (or when the session started).
        time_taken_ms = max(0, int((now - session.last_activity_at).total_seconds() * 1000))
        session.last_activity_at = now
        response = {
            "round": index,
            "correct_species": round_.species,
            "guess": guess,
            "correct": correct,
            "ai_guess": round_.ai_guess,
            "ai_confidence": round_.ai_confidence,
            "ai_correct": round_.ai_correct,
            "time_taken_ms": time_taken_ms,
            "score": {"trainee": session.trainee_score, "ai": session.ai_score},
            "answered": session.answered_count,
            "rounds": session.rounds_count,
            "finished": finished,
            "outcome": session.outcome,
        }
        claimed = ChallengeRound.objects.filter(id=round_.id, answered_at__isnull=True).update(
            guess=guess, correct=correct, answered_at=now, time_taken_ms=time_taken_ms,
            idempotency_key=idempotency_key[:128], answer_response=response,
        )
        if claimed != 1:  # unreachable under the lock; the database has the last word
            raise Conflict(_("This round was already answered."), code="already_answered")
        session.save(update_fields=[
            "answered_count", "trainee_score", "ai_score", "last_activity_at", "status",
            "finished_at",
        ])
        scoreboard_changed()
    return response


def challenge_sessions_abandon() -> int:
    """Mark sessions left unanswered for too long as abandoned."""
    cutoff = timezone.now() - timedelta(minutes=settings.CHALLENGE_ABANDON_AFTER_MINUTES)
    with transaction.atomic():
        count = ChallengeSession.objects.filter(
            status=ChallengeSession.Status.ACTIVE, last_activity_at__lt=cutoff
        ).update(status=ChallengeSession.Status.ABANDONED)
        if count:
            scoreboard_changed()
    return count
