"""Challenge sessions: start, answer, give up, abandon."""

import random

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.models import (
    DEFAULT_LEVEL,
    DEFAULT_ROUNDS,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    MAX_ROUNDS,
    ChallengeRound,
    ChallengeSession,
)
from challenges.selectors import challenge_idle_cutoff, challenge_session_open_id
from challenges.services.common import ai_guesses, check_guess, scoreboard_changed, snapshot
from challenges.services.fair_play import suspicion_flags
from flower_power import metrics
from flower_power.errors import ApplicationError, Conflict, NotFound, ServiceUnavailable
from ml.models import FlowerSample, InputSource, Level, Split
from ml.monitoring import inputs_record
from ml.selectors import model_version_active
from ml.serving import model_version_served
from trainees.services import user_auth_changed


def _draw(*, user, rounds: int) -> list[FlowerSample]:
    """Test flowers this trainee has been shown least often, at random among equals.

    Every test flower is shown once before any is shown twice (managers' new samples, shown
    zero times, come first).
    """
    pool = list(FlowerSample.objects.filter(split=Split.TEST).values_list("id", flat=True))
    if len(pool) < rounds:
        # The request is well formed; the data set is too small for it right now.
        raise Conflict(
            _("Only %(n)d test flowers exist; ask for fewer rounds.") % {"n": len(pool)},
            code="not_enough_flowers", fields={"rounds": [_("More rounds than test flowers.")]},
        )
    shown = dict(
        ChallengeRound.objects.filter(session__user=user, sample_id__in=pool)
        .values("sample_id").annotate(n=Count("id")).values_list("sample_id", "n").order_by()
    )
    random.shuffle(pool)
    pool.sort(key=lambda sample_id: shown.get(sample_id, 0))  # stable: random among equals
    chosen = pool[:rounds]
    by_id = FlowerSample.objects.in_bulk(chosen)
    return [by_id[sample_id] for sample_id in chosen]


def _challenge_closed(*, session_ids: list[int], user_id: int | None = None) -> None:
    """Clear the user rows' mark of these sessions, in the transaction that closes them."""
    users = get_user_model().objects.filter(open_challenge_id__in=session_ids)
    if user_id is not None:
        users = users.filter(id=user_id)
    # Cached users (flower_power.api.authentication) must see the change on the next request.
    user_auth_changed([user_id] if user_id is not None else users.values_list("id", flat=True))
    users.update(open_challenge_id=None)


def _open_conflict(user) -> Conflict:
    session_id = challenge_session_open_id(user=user)
    return Conflict(
        _("Challenge #%(id)s is still open: finish it or give it up first.") % {"id": session_id},
        code="challenge_in_progress",
    )


@transaction.atomic
def challenge_session_start(
    *, user, rounds: int = DEFAULT_ROUNDS, level: str = DEFAULT_LEVEL
) -> ChallengeSession:
    """Start a challenge of N test flowers against an AI level, with its guesses stored."""
    if isinstance(rounds, bool) or not isinstance(rounds, int) or not 1 <= rounds <= MAX_ROUNDS:
        raise ApplicationError(
            _("rounds must be a whole number from 1 to %(max)d.") % {"max": MAX_ROUNDS},
            fields={"rounds": [_("Out of range.")]},
        )
    if level not in Level.values:
        raise ApplicationError(
            _("level must be one of %(levels)s.") % {"levels": ", ".join(Level.values)},
            fields={"level": [_("Not a level.")]},
        )
    version = model_version_active()
    if version is None:
        raise ServiceUnavailable(
            _("The AI has no active model yet; ask a manager to train one."), code="no_model"
        )
    model = model_version_served(version.number, level)
    if model is None:
        raise Conflict(
            _("The active model (version %(n)s) has no %(level)s level; choose another.")
            % {"n": version.number, "level": Level(level).label},
            code="level_unavailable", fields={"level": [_("Not available.")]},
        )
    challenge_sessions_abandon(user=user)  # an open session idle too long is over
    if challenge_session_open_id(user=user) is not None:
        raise _open_conflict(user)
    samples = _draw(user=user, rounds=rounds)
    try:
        with transaction.atomic():
            session = ChallengeSession.objects.create(
                user=user, rounds_count=rounds, model_version=version, level=level
            )
    except IntegrityError:
        # A concurrent start won the one open slot (challengesession_one_active_per_user).
        raise _open_conflict(user) from None
    get_user_model().objects.filter(id=user.id).update(open_challenge_id=session.id)
    user_auth_changed([user.id])
    ChallengeRound.objects.bulk_create(
        ChallengeRound(
            session=session, index=index, ai_guess=ai_guess, ai_confidence=confidence,
            **snapshot(sample),
        )
        for index, (sample, (ai_guess, confidence)) in enumerate(
            zip(samples, ai_guesses(model, samples), strict=True), start=1
        )
    )
    scoreboard_changed()
    metrics.challenge_started(level)
    return session


def challenge_round_answer(
    *, user, session_id: int, index: int, guess: str, idempotency_key: str = ""
) -> tuple[dict, bool]:
    """Answer one round exactly once; (the response, whether it is a replay of the first).

    A retry with the first answer's Idempotency-Key and the same body replays that answer's
    response. The same key with another body is a client bug, refused with 422 (IETF
    draft-ietf-httpapi-idempotency-key-header): the body's one field, the guess, is stored
    with the round, so it is the request's fingerprint.
    """
    guess = check_guess(guess)
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
                if guess != round_.guess:
                    raise ApplicationError(
                        _("This Idempotency-Key was used for a different answer (%(first)s); "
                          "use a new key for a new request.") % {"first": round_.guess},
                        code="idempotency_key_reused", status=422,
                        fields={"Idempotency-Key": [_("Already used with another body.")]},
                    )
                return round_.answer_response, True
            raise Conflict(_("This round was already answered."), code="already_answered")
        if session.status != ChallengeSession.Status.ACTIVE:
            raise Conflict(
                _("This challenge is %(status)s; it takes no more answers.")
                % {"status": session.get_status_display()},
                code="session_closed",
            )
        now = timezone.now()
        correct = guess == round_.species
        # Only answers move last_activity_at, so it is when the previous round was answered
        # (or when the session started).
        time_taken_ms = max(0, int((now - session.last_activity_at).total_seconds() * 1000))
        # The other answered rounds plus this one: the scores come from the stored rounds.
        answered = list(
            session.rounds.filter(answered_at__isnull=False)
            .order_by("answered_at", "id")
            .values_list("correct", "time_taken_ms", "ai_guess", "species")
        )
        session.answered_count = len(answered) + 1
        session.trainee_score = sum(1 for row in answered if row[0]) + int(correct)
        session.ai_score = sum(1 for row in answered if row[2] == row[3]) + int(
            bool(round_.ai_correct)
        )
        session.flags = suspicion_flags(
            [(ok, ms or 0) for ok, ms, _ai, _species in answered] + [(correct, time_taken_ms)]
        )
        finished = session.answered_count == session.rounds_count
        if finished:
            session.status = ChallengeSession.Status.FINISHED
            session.finished_at = now
            _challenge_closed(user_id=session.user_id, session_ids=[session.id])
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
            "level": session.level,
            "finished": finished,
            "outcome": session.outcome,
        }
        claimed = ChallengeRound.objects.filter(id=round_.id, answered_at__isnull=True).update(
            guess=guess, correct=correct, answered_at=now, time_taken_ms=time_taken_ms,
            idempotency_key=idempotency_key[:IDEMPOTENCY_KEY_MAX_LENGTH], answer_response=response,
        )
        if claimed != 1:  # unreachable under the lock; the database has the last word
            raise Conflict(_("This round was already answered."), code="already_answered")
        session.save(update_fields=[
            "answered_count", "trainee_score", "ai_score", "flags", "last_activity_at",
            "status", "finished_at",
        ])
        scoreboard_changed()
    # The flower this trainee was shown, for the input drift check (after the commit).
    inputs_record([round_.measurements], source=InputSource.CHALLENGE)
    metrics.challenge_answered(session.level, correct=correct, outcome=response["outcome"])
    return response, False


@transaction.atomic
def challenge_session_give_up(*, user, session_id: int) -> ChallengeSession:
    """End an open challenge now: the rounds left count as wrong answers, and as a loss."""
    session = ChallengeSession.objects.select_for_update().filter(id=session_id, user=user).first()
    if session is None:
        raise NotFound(_("No such challenge."))
    if session.status != ChallengeSession.Status.ACTIVE:
        raise Conflict(
            _("This challenge is %(status)s already.") % {"status": session.get_status_display()},
            code="session_closed",
        )
    session.status = ChallengeSession.Status.ABANDONED
    session.finished_at = timezone.now()
    session.save(update_fields=["status", "finished_at"])
    _challenge_closed(user_id=session.user_id, session_ids=[session.id])
    scoreboard_changed()
    metrics.challenge_ended(session.level, session.outcome)
    return session


def challenge_sessions_abandon(*, user=None) -> int:
    """Mark sessions left unanswered for too long as abandoned (all, or one trainee's)."""
    with transaction.atomic():
        stale = ChallengeSession.objects.filter(
            status=ChallengeSession.Status.ACTIVE, last_activity_at__lt=challenge_idle_cutoff()
        )
        if user is not None:
            stale = stale.filter(user=user)
        # Locked, so an answer arriving now waits and then finds the session closed.
        ids = list(stale.select_for_update(skip_locked=True).values_list("id", flat=True))
        count = ChallengeSession.objects.filter(id__in=ids).update(
            status=ChallengeSession.Status.ABANDONED, finished_at=timezone.now()
        )
        if count:
            _challenge_closed(session_ids=ids)
            scoreboard_changed()
            levels = ChallengeSession.objects.filter(id__in=ids).values_list("level", flat=True)
            for level in levels:
                metrics.challenge_ended(level, "loss")
    return count
