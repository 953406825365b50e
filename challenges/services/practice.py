"""Practice: an unlabelled training flower, guessed, then explained."""

import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.models import PracticeAttempt
from challenges.selectors import practice_species_weights
from challenges.services.common import ai_guesses, check_guess, snapshot
from challenges.services.fair_play import refuse_during_a_challenge
from flower_power.errors import Conflict, NotFound, ServiceUnavailable
from ml.selectors import flower_sample_random_train, model_version_active
from ml.serving import model_version_served
from ml.teaching import species_photo


def practice_attempt_start(*, user) -> PracticeAttempt:
    """Draw an unlabelled training flower for a trainee to guess."""
    # Practice reveals the AI's guesses: not while a challenge is open.
    refuse_during_a_challenge(user=user, count_it=False)
    weights = practice_species_weights(user=user)
    species = random.choices(list(weights), weights=list(weights.values()))[0]  # noqa: S311
    sample = flower_sample_random_train(species=species) or flower_sample_random_train()
    if sample is None:
        raise ServiceUnavailable(_("There are no training flowers yet."), code="no_flowers")
    # The active row itself, not the per-process cache: the attempt records exactly the
    # version whose guess it stores.
    version = model_version_active()
    model = model_version_served(version.number) if version else None
    ai = {}
    if model is not None:
        ai_guess, confidence = ai_guesses(model, [sample])[0]
        ai = {"ai_guess": ai_guess, "ai_confidence": confidence, "model_version": version}
    return PracticeAttempt.objects.create(user=user, **snapshot(sample), **ai)


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
    guess = check_guess(guess)
    attempt = PracticeAttempt.objects.select_for_update().filter(id=attempt_id, user=user).first()
    if attempt is None:
        raise NotFound(_("No such practice flower."))
    if attempt.answered_at is not None:
        raise Conflict(_("This practice flower was already answered."), code="already_answered")
    attempt.guess = guess
    attempt.correct = guess == attempt.species
    attempt.answered_at = timezone.now()
    attempt.save(update_fields=["guess", "correct", "answered_at"])
    photo = species_photo(attempt.species)
    return {
        "correct_species": attempt.species,
        "guess": guess,
        "correct": attempt.correct,
        "ai_guess": attempt.ai_guess or None,
        "ai_confidence": attempt.ai_confidence,
        "ai_correct": attempt.ai_correct,
        "streak": practice_streak(user=user),
        "photo_url": photo["url"] if photo else None,
        "photo_attribution": photo["attribution"] if photo else None,
    }
