"""The load test's verdicts: what the clients saw, checked against the database afterwards.

Each check returns (passed, lines). Runs in the load test's process with Django set up
against its database, after gunicorn and the worker have stopped.
"""

from collections import Counter, defaultdict

from loadtest_clients import ANSWER

Check = tuple[bool, list[str]]


def no_server_errors(records: list[dict]) -> Check:
    """(a) No 5xx, and every request got an HTTP response."""
    errors = Counter(r["ep"] for r in records if r["status"] >= 500)
    lost = Counter(r["ep"] for r in records if r["status"] == 0)
    lines = [f"{sum(errors.values())} 5xx and {sum(lost.values())} requests without a response"
             f" among {len(records):,}"]
    lines += [f"  5xx: {n} x {ep}" for ep, n in errors.items()]
    lines += [f"  no response: {n} x {ep}" for ep, n in lost.items()]
    return not errors and not lost, lines


def _accepted(records: list[dict]) -> dict[tuple[int, int], dict[str, dict]]:
    """(session, round) -> {Idempotency-Key: the first 2xx answer record with that key}."""
    accepted: dict[tuple[int, int], dict[str, dict]] = defaultdict(dict)
    for r in records:
        if r["ep"] == ANSWER and 200 <= r["status"] < 300:
            accepted[(r["session"], r["round"])].setdefault(r["key"], r)
    return accepted


def answers_stored_once(records: list[dict]) -> Check:
    """(b) The rounds answered in the database are exactly those the clients saw a 2xx for,
    each once, with the guess and key the client sent."""
    from challenges.models import ChallengeRound, ChallengeSession

    accepted = _accepted(records)
    stored = {
        (s, i): (guess, key) for s, i, guess, key in ChallengeRound.objects.filter(
            answered_at__isnull=False
        ).values_list("session_id", "index", "guess", "idempotency_key")
    }
    twice = [k for k, by_key in accepted.items() if len(by_key) > 1]
    missing = sorted(set(accepted) - set(stored))
    unseen = sorted(set(stored) - set(accepted))
    wrong = [
        k for k, by_key in accepted.items()
        if k in stored and len(by_key) == 1
        and (next(iter(by_key.values()))["guess"], next(iter(by_key))) != stored[k]
    ]
    lines = [
        f"{len(accepted):,} rounds answered with a 2xx, {len(stored):,} answered in the database;"
        f" accepted twice {len(twice)}, 2xx but not stored {len(missing)}, stored but never"
        f" a 2xx {len(unseen)}, stored guess or key differs {len(wrong)}"
    ]
    started = {r["session"] for r in records if r.get("session") and r["status"] == 201}
    lines.append(
        f"sessions started with a 201: {len(started):,}; in the database:"
        f" {ChallengeSession.objects.count():,} (a start whose response was lost would"
        " show here)"
    )
    for name, items in (("twice", twice), ("missing", missing), ("unseen", unseen),
                        ("wrong", wrong)):
        if items:
            lines.append(f"  {name}, first few (session, round): {items[:5]}")
    return not (twice or missing or unseen or wrong), lines


def replays_and_conflicts(records: list[dict]) -> Check:
    """Replays with the same key return the first body; second answers get 409; of two
    racing answers exactly one wins."""
    accepted = _accepted(records)
    by_kind: dict[str, Counter] = defaultdict(Counter)
    bad_replays = 0
    races: dict[tuple[int, int], set[int]] = defaultdict(set)
    for r in records:
        if r["ep"] != ANSWER:
            continue
        by_kind[r["kind"]][r["status"]] += 1
        if r["kind"] == "replay":
            first = accepted.get((r["session"], r["round"]), {}).get(r["key"])
            bad_replays += r["status"] != 200 or first is None or r["body"] != first["body"]
        if r["kind"] == "race" and r["status"]:
            races[(r["session"], r["round"])].add(r["status"])
    split_races = sum(statuses != {200, 409} for statuses in races.values())
    bad_duplicates = sum(n for s, n in by_kind["duplicate"].items() if s != 409)
    lines = [
        ", ".join(f"{kind} {dict(sorted(c.items()))}" for kind, c in sorted(by_kind.items())),
        f"replays not equal to the first response {bad_replays}, second answers not 409"
        f" {bad_duplicates}, races without exactly one 200 and one 409"
        f" {split_races} of {len(races)}",
    ]
    return not (bad_replays or bad_duplicates or split_races), lines


def scores_match_rounds(records: list[dict]) -> Check:
    """(c) Every session's counts and scores equal those recomputed from its rounds."""
    from challenges.models import ChallengeRound, ChallengeSession

    rounds = defaultdict(list)
    for row in ChallengeRound.objects.values_list(
        "session_id", "species", "guess", "correct", "ai_guess", "answered_at"
    ):
        rounds[row[0]].append(row[1:])
    last_seen: dict[int, dict] = {}
    for r in records:
        if r["ep"] == ANSWER and r["status"] == 200:
            seen = last_seen.get(r["session"])
            if seen is None or r["body"]["answered"] > seen["answered"]:
                last_seen[r["session"]] = r["body"]
    bad, stale, sessions = [], [], 0
    for s in ChallengeSession.objects.all():
        sessions += 1
        done = [x for x in rounds[s.id] if x[4] is not None]
        expected = (
            s.rounds_count, len(done), sum(bool(x[2]) for x in done),
            sum(x[3] == x[0] for x in done),
        )
        actual = (len(rounds[s.id]), s.answered_count, s.trainee_score, s.ai_score)
        finished = s.status == ChallengeSession.Status.FINISHED
        if (
            expected != actual or any(x[2] != (x[1] == x[0]) for x in done)
            or finished != (len(done) == s.rounds_count)
            or (s.status == ChallengeSession.Status.ACTIVE) == bool(s.finished_at)
        ):
            bad.append(s.id)
        body = last_seen.get(s.id)
        if body and (body["answered"], body["score"]) != (
            s.answered_count, {"trainee": s.trainee_score, "ai": s.ai_score}
        ):
            stale.append(s.id)
    lines = [
        f"{sessions:,} sessions, {sum(map(len, rounds.values())):,} rounds: {len(bad)} whose"
        f" stored counts, scores or status differ from their rounds; {len(stale)} whose last"
        " answer response the clients saw differs from the stored score"
    ]
    if bad or stale:
        lines.append(f"  first few: {bad[:5]} {stale[:5]}")
    return not (bad or stale), lines


def _version_times(start_at: float) -> dict[int, dict]:
    from ml.models import ModelVersion

    def rel(moment) -> float | None:
        return None if moment is None else moment.timestamp() - start_at

    return {
        v.number: {
            "status": v.status, "active": v.is_active, "accuracy": v.accuracy,
            "queued": rel(v.created_at), "started": rel(v.started_at),
            "finished": rel(v.finished_at), "activated": rel(v.activated_at),
        }
        for v in ModelVersion.objects.defer("tflite", "keras")
    }


def versions_served(records: list[dict], start_at: float, seconds: float,
                    first: int | None) -> Check:
    """(d) Every prediction and session names a version active during the run, and a new
    version was promoted during it."""
    from challenges.models import ChallengeSession

    versions = _version_times(start_at)
    promoted = sorted(
        n for n, v in versions.items()
        if n != first and v["activated"] is not None and 0 <= v["activated"] <= seconds
    )
    allowed = {first, *promoted}
    predictions = [r for r in records if r.get("version") is not None]
    seen = Counter(r["version"] for r in predictions)
    outside = sum(n for v, n in seen.items() if v not in allowed)
    sessions = Counter(
        ChallengeSession.objects.values_list("model_version__number", flat=True)
    )
    outside += sum(n for v, n in sessions.items() if v not in allowed)
    lines = [
        f"active at the start v{first}; promoted during the run: "
        + (", ".join(f"v{n} at {versions[n]['activated']:.1f} s" for n in promoted) or "none"),
        "predictions by version: " + ", ".join(f"v{v} {n:,}" for v, n in sorted(seen.items()))
        + "; sessions by version: "
        + ", ".join(f"v{v} {n:,}" for v, n in sorted(sessions.items())),
    ]
    for number, v in sorted(versions.items()):
        moments = ("queued", "started", "finished", "activated")
        lines.append(
            f"  v{number}: {v['status']}, test accuracy {v['accuracy']}, "
            + ", ".join(f"{k} at {v[k]:.1f} s" for k in moments if v[k] is not None)
        )
    if promoted:
        at = versions[promoted[-1]]["activated"]
        late = sum(
            created.timestamp() - start_at > at and number != promoted[-1]
            for created, number in ChallengeSession.objects.values_list(
                "created_at", "model_version__number"
            )
        )
        lines.append(f"  sessions started after the promotion on an older version: {late}")
        old = [r["t"] - at for r in predictions if r["version"] != promoted[-1] and r["t"] > at]
        new = [r["t_end"] - at for r in predictions if r["version"] == promoted[-1]]
        lines.append(
            "  after the promotion: "
            + (f"{len(old)} predictions sent later still named an older version, the last"
               f" sent {max(old):.2f} s after it (a web process re-reads the active version"
               " every ML_ACTIVE_CHECK_SECONDS)" if old
               else "no prediction sent later named an older version")
            + (f"; the first from v{promoted[-1]} came back {min(new):.2f} s after it"
               if new else f"; none came back from v{promoted[-1]}")
        )
    return bool(promoted) and not outside and bool(predictions), lines
