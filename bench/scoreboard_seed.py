"""Data for bench_scoreboard.py, in-process: trainees with challenge history (bulk inserts),
players for the load generator, and enough test flowers for long challenges.

Each trainee gets `sessions` challenges of `rounds` distinct test flowers, started at random
moments over the last 60 days, answered a few seconds apart with the trainee's own accuracy;
the AI is right about 95% of the time. Most sessions are finished, some abandoned or still
in progress half-answered. Session scores are computed from the rounds, as the app does.
"""

import contextlib
import random
from collections.abc import Iterator
from datetime import timedelta

HISTORY_DAYS = 60
SPECIES = ("setosa", "versicolor", "virginica")


@contextlib.contextmanager
def explicit_timestamps(*models) -> Iterator[None]:
    """Let bulk_create store the given created_at values instead of auto_now_add's now()."""
    fields = [
        field for model in models for field in model._meta.concrete_fields
        if getattr(field, "auto_now_add", False)
    ]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


def _other(species: str, rng: random.Random) -> str:
    return rng.choice([s for s in SPECIES if s != species])


def seed_trainees(
    *, first: int, count: int, sessions: int, rounds: int, rng: random.Random
) -> tuple[int, int]:
    """Create trainees first..first+count-1 with their history; return (sessions, rounds)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from challenges.models import ChallengeRound, ChallengeSession
    from ml.models import FlowerSample, ModelVersion, Split

    User = get_user_model()
    version = ModelVersion.objects.get(is_active=True)
    samples = list(FlowerSample.objects.filter(split=Split.TEST))
    now = timezone.now()
    with transaction.atomic(), explicit_timestamps(ChallengeSession):
        users = User.objects.bulk_create(
            User(
                username=f"trainee-{n:03d}", display_name=f"Trainee {n}",
                store=f"store-{n % 4}", password="!",  # an unusable password
            )
            for n in range(first, first + count)
        )
        session_rows, round_rows = [], []
        for user in users:
            skill = rng.uniform(0.45, 0.95)
            for number in range(sessions):
                session, its_rounds = _session(
                    user, version, samples, rounds, skill, now, rng, ChallengeSession,
                    ChallengeRound, may_be_open=number == sessions - 1,
                )
                session_rows.append(session)
                round_rows.append(its_rounds)
        ChallengeSession.objects.bulk_create(session_rows, batch_size=2000)
        for session, its_rounds in zip(session_rows, round_rows, strict=True):
            for round_ in its_rounds:
                round_.session_id = session.id
        ChallengeRound.objects.bulk_create(
            [r for its_rounds in round_rows for r in its_rounds], batch_size=5000
        )
    return len(session_rows), sum(len(r) for r in round_rows)


def _session(user, version, samples, rounds, skill, now, rng, session_model, round_model,
             *, may_be_open: bool):
    started = now - timedelta(seconds=rng.uniform(60, HISTORY_DAYS * 86400))
    roll = rng.random()
    status = "finished" if roll < 0.92 else "abandoned" if roll < 0.97 else "active"
    if status == "active" and not may_be_open:  # one open challenge per trainee
        status = "abandoned"
    answered = rounds if status == "finished" else rng.randint(1, rounds - 1)
    moment = started
    its_rounds = []
    for index, sample in enumerate(rng.sample(samples, rounds), start=1):
        ai_guess = sample.species if rng.random() < 0.95 else _other(sample.species, rng)
        round_ = round_model(
            index=index, sample=sample, species=sample.species,
            sepal_length=sample.sepal_length, sepal_width=sample.sepal_width,
            petal_length=sample.petal_length, petal_width=sample.petal_width,
            ai_guess=ai_guess, ai_confidence=round(rng.uniform(0.4, 1.0), 6),
        )
        if index <= answered:
            taken = rng.uniform(2, 12)
            moment += timedelta(seconds=taken)
            round_.guess = sample.species if rng.random() < skill else _other(sample.species, rng)
            round_.correct = round_.guess == sample.species
            round_.answered_at = moment
            round_.time_taken_ms = int(taken * 1000)
        its_rounds.append(round_)
    done = its_rounds[:answered]
    session = session_model(
        user=user, status=status, rounds_count=rounds, model_version=version,
        answered_count=answered,
        trainee_score=sum(r.correct for r in done),
        ai_score=sum(r.ai_guess == r.species for r in done),
        created_at=started, last_activity_at=moment,
        finished_at=None if status == "active" else moment,
    )
    return session, its_rounds


def player_tokens(count: int) -> list[str]:
    """Trainees without history, for the load generator: one token each."""
    from django.contrib.auth import get_user_model

    from trainees.services import token_issue

    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"player-{n:02d}", password="!") for n in range(count)
    )
    return [token_issue(user=u, name="bench")[1] for u in users]


def enough_test_flowers(rounds: int) -> int:
    """Add jittered copies of shipped flowers until a challenge of `rounds` fits; return how
    many were added. The shipped 150 irises have 30 test flowers: 50 rounds need 50."""
    from ml.dataset import FEATURES, SPECIES, load_shipped_rows
    from ml.models import FlowerSample, Source, Split
    from ml.services import flower_samples_create_many

    rng = random.Random(3)  # noqa: S311 - repeatable data, not secrets
    shipped = load_shipped_rows()
    counts = {s: FlowerSample.objects.filter(species=s).count() for s in SPECIES}
    rows = []
    # Every fifth flower of a species is a test flower (ml/dataset.py).
    while sum(n // 5 for n in counts.values()) < rounds:
        species = min(counts, key=counts.get)
        model = rng.choice([r for r in shipped if r["species"] == species])
        rows.append({
            **{f: max(0.1, round(model[f] + rng.uniform(-0.2, 0.2), 1)) for f in FEATURES},
            "species": species,
        })
        counts[species] += 1
    if rows:
        flower_samples_create_many(rows=rows, source=Source.IMPORT)
    if FlowerSample.objects.filter(split=Split.TEST).count() < rounds:
        raise RuntimeError(f"still fewer than {rounds} test flowers")
    return len(rows)
