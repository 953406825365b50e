"""The load test's checks: what the clients saw against the database, after the servers
stopped. Each returns (passed, lines)."""

from collections import Counter, defaultdict

from clients import ANSWER

Check = tuple[bool, list[str]]


def no_server_errors(records: list[dict]) -> Check:
    """(a) No 5xx, and every request got an HTTP response."""
    errors = Counter(r["ep"] for r in records if r["status"] >= 500)
    lost = Counter(r["ep"] for r in records if r["status"] == 0)
    return not errors and not lost, [
        f"{errors.total()} 5xx and {lost.total()} requests without a response among"
        f" {len(records):,}", *(f"  5xx: {n} x {ep}" for ep, n in errors.items()),
        *(f"  no response: {n} x {ep}" for ep, n in lost.items())]


def accepted_answers(records: list[dict]) -> dict[tuple[int, int], dict[str, dict]]:
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

    accepted = accepted_answers(records)
    stored = {(s, i): (guess, key) for s, i, guess, key in ChallengeRound.objects.filter(
        answered_at__isnull=False).values_list("session_id", "index", "guess", "idempotency_key")}
    failures = {
        "accepted twice": [k for k, by_key in accepted.items() if len(by_key) > 1],
        "2xx but not stored": sorted(set(accepted) - set(stored)),
        "stored but never a 2xx": sorted(set(stored) - set(accepted)),
        "stored guess or key differs": [
            k for k, by_key in accepted.items() if k in stored and len(by_key) == 1
            and (next(iter(by_key.values()))["guess"], next(iter(by_key))) != stored[k]],
    }
    started = {r["session"] for r in records if r.get("session") and r["status"] == 201}
    return not any(failures.values()), [
        f"{len(accepted):,} rounds answered with a 2xx, {len(stored):,} answered in the"
        " database; " + ", ".join(f"{name} {len(keys)}" for name, keys in failures.items()),
        f"sessions started with a 201: {len(started):,}; in the database:"
        f" {ChallengeSession.objects.count():,} (a start whose response was lost would show)",
        *(f"  {name}, first few (session, round): {keys[:5]}"
          for name, keys in failures.items() if keys)]


def replays_and_conflicts(records: list[dict]) -> Check:
    """Replays with the same key return the first body; second answers get 409; of two
    racing answers exactly one wins."""
    accepted = accepted_answers(records)
    by_kind: dict[str, Counter] = defaultdict(Counter)
    races: dict[tuple[int, int], set[int]] = defaultdict(set)
    bad_replays = 0
    for r in (r for r in records if r["ep"] == ANSWER):
        by_kind[r["kind"]][r["status"]] += 1
        if r["kind"] == "replay":
            first = accepted.get((r["session"], r["round"]), {}).get(r["key"])
            bad_replays += r["status"] != 200 or first is None or r["body"] != first["body"]
        if r["kind"] == "race" and r["status"]:
            races[(r["session"], r["round"])].add(r["status"])
    split_races = sum(statuses != {200, 409} for statuses in races.values())
    bad_duplicates = sum(n for s, n in by_kind["duplicate"].items() if s != 409)
    return not (bad_replays or bad_duplicates or split_races), [
        ", ".join(f"{kind} {dict(sorted(c.items()))}" for kind, c in sorted(by_kind.items())),
        f"replays not equal to the first response {bad_replays}, second answers not 409"
        f" {bad_duplicates}, races without exactly one 200 and one 409 {split_races} of"
        f" {len(races)}"]


def scores_match_rounds(records: list[dict]) -> Check:
    """(c) Every session's counts, scores and status equal those recomputed from its rounds,
    and the last answer response the clients saw shows the stored score."""
    from challenges.models import ChallengeRound, ChallengeSession

    rounds = defaultdict(list)
    for session, *row in ChallengeRound.objects.values_list(
            "session_id", "species", "guess", "correct", "ai_guess", "answered_at"):
        rounds[session].append(row)
    last_seen: dict[int, dict] = {}
    for r in records:
        if r["ep"] == ANSWER and r["status"] == 200 and r["body"]["answered"] > last_seen.get(
                r["session"], {"answered": -1})["answered"]:
            last_seen[r["session"]] = r["body"]
    bad, stale, sessions = [], [], ChallengeSession.objects.all()
    for s in sessions:
        done = [x for x in rounds[s.id] if x[4] is not None]
        expected = (s.rounds_count, len(done), sum(bool(x[2]) for x in done),
                    sum(x[3] == x[0] for x in done))
        if ((len(rounds[s.id]), s.answered_count, s.trainee_score, s.ai_score) != expected
                or any(x[2] != (x[1] == x[0]) for x in done)
                or (s.status == ChallengeSession.Status.FINISHED) != (len(done) == s.rounds_count)
                or (s.status == ChallengeSession.Status.ACTIVE) == bool(s.finished_at)):
            bad.append(s.id)
        body = last_seen.get(s.id)
        if body and (body["answered"], body["score"]) != (
                s.answered_count, {"trainee": s.trainee_score, "ai": s.ai_score}):
            stale.append(s.id)
    return not (bad or stale), [
        f"{len(sessions):,} sessions, {sum(map(len, rounds.values())):,} rounds: {len(bad)} whose"
        f" stored counts, scores or status differ from their rounds; {len(stale)} whose last"
        " answer response the clients saw differs from the stored score",
        *([f"  first few: {bad[:5]} {stale[:5]}"] if bad or stale else [])]


def versions_served(records: list[dict], start_at: float, seconds: float,
                    first: int | None, retrained: bool) -> Check:
    """(d) Every prediction and session names a version active during the run, and (when a
    retrain was asked for) a new version was promoted during it."""
    from challenges.models import ChallengeSession
    from ml.models import ModelVersion

    activated = {n: at.timestamp() - start_at for n, at in ModelVersion.objects.filter(
        activated_at__isnull=False).values_list("number", "activated_at")}
    promoted = sorted(n for n, at in activated.items() if n != first and 0 <= at <= seconds)
    allowed = {first, *promoted}
    predictions = [r for r in records if r.get("version") is not None]
    seen = Counter(r["version"] for r in predictions)
    sessions = list(ChallengeSession.objects.values_list("created_at", "model_version__number"))
    by_session = Counter(number for _, number in sessions)
    outside = sum(n for v, n in (seen + by_session).items() if v not in allowed)
    lines = [
        f"active at the start v{first}; promoted during the run: "
        + (", ".join(f"v{n} at {activated[n]:.1f} s" for n in promoted) or "none"),
        "predictions by version: " + ", ".join(f"v{v} {n:,}" for v, n in sorted(seen.items()))
        + "; sessions by version: " + ", ".join(f"v{v} {n:,}" for v, n in sorted(
            by_session.items())) + f"; {outside} naming a version not active during the run"]
    if promoted:
        new, at = promoted[-1], activated[promoted[-1]]
        late = sum(c.timestamp() - start_at > at and n != new for c, n in sessions)
        old = [r["t"] - at for r in predictions if r["version"] != new and r["t"] > at]
        back = [r["t_end"] - at for r in predictions if r["version"] == new]
        lines += [f"  sessions started after the promotion on an older version: {late}",
                  "  after the promotion: " + (
                      f"{len(old)} predictions sent later still named an older version, the"
                      f" last sent {max(old):.2f} s after it (a web process re-reads the active"
                      " version every ML_ACTIVE_CHECK_SECONDS)" if old else
                      "no prediction sent later named an older version")
                  + (f"; the first from v{new} came back {min(back):.2f} s after it" if back
                     else f"; none came back from v{new}")]
    return (bool(promoted) or not retrained) and not outside and bool(predictions), lines
