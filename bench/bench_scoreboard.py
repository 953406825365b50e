"""The scoreboard as trainees accumulate history (bench/README.md): the selector and the view
at 10, 50, 100 trainees, and their queries. Database flower_power_bench_scoreboard, Redis 5."""

import argparse
import statistics
import time

import common

SIZES = (10, 50, 100)
# Sessions start at random moments of the last 60 days, rounds 7 s apart; the last may still
# be open, 8% are walked away from. A trainee is right 45-95% of the time, the AI 95%. The
# sessions' counts, scores and times are then computed from their rounds, as the app does.
SEED_SQL = """
SELECT setseed(0.7);
CREATE TEMP TABLE new_sessions AS
  SELECT nextval(pg_get_serial_sequence('challenges_challengesession', 'id')) AS id, u AS user_id,
    CASE WHEN random() < 0.92 THEN 'finished' WHEN n < %(sessions)s OR random() < 0.6
         THEN 'abandoned' ELSE 'active' END AS status,
    now() - interval '1 hour' - random() * interval '60 days' AS started,
    0.45 + random() * 0.5 AS skill
  FROM unnest(%(users)s::bigint[]) u, generate_series(1, %(sessions)s) n;
INSERT INTO challenges_challengesession (id, user_id, status, rounds_count, model_version_id,
  level, flags, ai_requests_refused, answered_count, trainee_score, ai_score, created_at,
  last_activity_at)
  SELECT id, user_id, status, %(rounds)s, %(version)s, 'botanist', '[]', 0, 0, 0, 0, started,
         started FROM new_sessions;
INSERT INTO challenges_challengeround (session_id, index, sample_id, sepal_length, sepal_width,
  petal_length, petal_width, species, ai_guess, ai_confidence, guess, correct, answered_at,
  time_taken_ms, idempotency_key)
  SELECT s.id, i, f.id, f.sepal_length, f.sepal_width, f.petal_length, f.petal_width, f.species,
    CASE WHEN random() < 0.95 THEN f.species ELSE a.other END, 0.4 + random() * 0.6, g.guess,
    CASE WHEN a.answered THEN g.guess = f.species END,
    CASE WHEN a.answered THEN s.started + i * interval '7 s' END,
    CASE WHEN a.answered THEN 7000 END, ''
  FROM new_sessions s CROSS JOIN generate_series(1, %(rounds)s) i
  JOIN ml_flowersample f ON f.id = (%(samples)s::bigint[])[1 + (s.id * 7 + i) %% %(n_samples)s]
  CROSS JOIN LATERAL (SELECT s.status = 'finished' OR i <= 1 + s.id %% (%(rounds)s - 1)
    AS answered, (ARRAY['setosa', 'versicolor', 'virginica'])[1 + (array_position(ARRAY[
    'setosa', 'versicolor', 'virginica'], f.species::text) + (random() < 0.5)::int) %% 3]
    AS other) a
  CROSS JOIN LATERAL (SELECT CASE WHEN NOT a.answered THEN '' WHEN random() < s.skill
    THEN f.species ELSE a.other END AS guess) g;
UPDATE challenges_challengesession c SET answered_count = r.answered,
  trainee_score = r.correct, ai_score = r.ai, last_activity_at = r.last,
  finished_at = CASE WHEN c.status <> 'active' THEN r.last END
  FROM (SELECT session_id, count(*) AS answered, count(*) FILTER (WHERE correct) AS correct,
               count(*) FILTER (WHERE ai_guess = species) AS ai, max(answered_at) AS last
        FROM challenges_challengeround WHERE session_id IN (SELECT id FROM new_sessions)
        AND answered_at IS NOT NULL GROUP BY session_id) r
  WHERE c.id = r.session_id;
DROP TABLE new_sessions;
ANALYZE;
"""


def seed(first: int, count: int, sessions: int, rounds: int) -> None:
    """Trainees first..first+count-1 with their history."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from ml.models import FlowerSample, ModelVersion, Split

    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"trainee-{n:03d}", display_name=f"Trainee {n}",
                         store=f"store-{n % 4}", password="!") for n in range(first, first + count))
    samples = list(FlowerSample.objects.filter(split=Split.TEST).values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL, {
            "users": [u.id for u in users], "sessions": sessions, "rounds": rounds,
            "samples": samples, "n_samples": len(samples),
            "version": ModelVersion.objects.get(is_active=True).id})


def timed(call, repeat: int, before=lambda: None) -> tuple[float, int]:
    """Median seconds of `repeat` calls (each after an untimed `before`), queries per call
    (an execute wrapper: the test client's request_started signal resets the query log)."""
    from django.db import connection

    queries, times = [], []
    before()
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        call()
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries)


def query_breakdown(repeat: int) -> str:
    """Median milliseconds of each of the selector's queries (period all)."""
    from django.db import connection

    from challenges import selectors

    times: dict[str, list[float]] = {}

    def timer(execute, sql, *args):
        started, result = time.perf_counter(), execute(sql, *args)
        times.setdefault("streaks (window functions)" if "ROW_NUMBER" in sql else
                         "rounds per trainee" if "challengeround" in sql else
                         "sessions per trainee", []).append(time.perf_counter() - started)
        return result

    with connection.execute_wrapper(timer):
        for _ in range(repeat):
            selectors.scoreboard(period="all")
    return ", ".join(f"{n} {statistics.median(t) * 1e3:.0f} ms" for n, t in times.items())


def measure(client, period: str, trainees: int, repeat: int) -> dict[str, tuple[float, int]]:
    from django.test import override_settings

    from challenges import selectors, services

    url = f"/api/v1/scoreboard/?period={period}"
    if len(selectors.scoreboard(period=period)["trainees"]) != trainees:
        raise RuntimeError(f"the scoreboard does not have {trainees} rows")

    def get(expected: int, headers: dict | None = None):
        response = client.get(url, headers=headers)
        if response.status_code != expected:
            raise RuntimeError(f"GET {url} answered {response.status_code}, not {expected}")
        return response

    results = {"selector": timed(lambda: selectors.scoreboard(period=period), repeat)}
    # A recompute after every change, without the staleness the view allows under answers.
    with override_settings(SCOREBOARD_MAX_STALENESS_SECONDS=0):
        results["view cold"] = timed(lambda: get(200), repeat, before=services.scoreboard_changed)
    results["view cached"] = timed(lambda: get(200), repeat * 10)
    etag = get(200)["ETag"]
    results["view 304"] = timed(lambda: get(304, {"If-None-Match": etag}), repeat * 10)
    return results


def main() -> None:
    common.stop_on_signals()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tiny history (CI)")
    parser.add_argument("--sessions", type=int, default=100, help="per trainee")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per cell")
    args = parser.parse_args()
    sessions, rounds, repeat = (2, 3, 1) if args.quick else (args.sessions, 10, args.repeat)
    env = common.bench_env(db_name="flower_power_bench_scoreboard", ALLOWED_HOSTS="testserver",
                           redis_url="redis://127.0.0.1:6379/5")
    with common.bench_django(env):
        from django.contrib.auth import get_user_model
        from django.test import Client

        from trainees.services import token_issue

        # Staff may read the scoreboard but are not on it.
        viewer = get_user_model().objects.create(username="bench-viewer", is_staff=True)
        client = Client(HTTP_AUTHORIZATION=f"Token {token_issue(user=viewer, name='b')[1]}")
        for _ in range(2):  # a process trusts its cached token from the third request on
            client.get("/api/v1/auth/ping/")
        columns = ("selector", "view cold", "view cached", "view 304")
        print(f"Scoreboard: {sessions} sessions x {rounds} rounds per trainee; median of"
              f" {repeat} calls ({repeat * 10} cached and 304), queries per call\n  "
              f"{'trainees':>8} {'rounds':>8} {'period':>6}" + "".join(f"{c:>18}" for c in columns))
        queries: dict[str, set[int]] = {c: set() for c in columns}
        for previous, size in zip((0, *SIZES), SIZES, strict=False):
            seed(previous + 1, size - previous, sessions, rounds)
            for period in ("all", "30d", "7d"):
                results = measure(client, period, size, repeat)
                for column, (_, count) in results.items():
                    queries[column].add(count)
                print(f"  {size:8d} {size * sessions * rounds:8,d} {period:>6}"
                      + "".join(f"{s * 1e3:10.2f} ms {q:2d} q" for s, q in results.values()))
        print("  -> queries per call: "
              + ", ".join(f"{c} {'/'.join(map(str, sorted(q)))}" for c, q in queries.items())
              + (": the same at every size (no N+1)" if all(len(q) == 1 for q in queries.values())
                 else "  !! GROWS with trainees"))
        print(f"  -> the selector's queries at {SIZES[-1]} trainees:", query_breakdown(repeat))


if __name__ == "__main__":
    main()
