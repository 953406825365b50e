"""Faults in the services the web server depends on: Redis stopped, PostgreSQL restarted under
load.

Each test runs the composed web command (nginx + granian, production settings) against
servers of its own (tests/faults/services.py) and checks that every answer is a clean one —
a success or a 503 JSON error, never a 500, never a hung request — that no challenge answer is
lost or stored twice, and that the service recovers by itself, without restarting the web
server.
(A worker killed mid-training is tests/ml/test_worker.py's subject.)
"""

import threading
import time
from collections import Counter

import pytest

from tests.faults.services import (
    PrivatePostgres,
    Reply,
    Web,
    call,
    free_port,
    manage,
    private_postgres,
    private_redis,
    production_env,
)
from tests.production import web_server

pytestmark = pytest.mark.slow

DB_NAME = "flower_power_faults"
FLOWER = {"sepal_length": 6.7, "sepal_width": 3.3, "petal_length": 5.7, "petal_width": 2.5}
SPECIES = ("setosa", "versicolor", "virginica")


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """A private cluster holding a migrated database with the flowers, a model and accounts."""
    with private_postgres() as server:
        with server.connect() as connection:
            connection.execute(f"CREATE DATABASE {DB_NAME}")
        var_dir = tmp_path_factory.mktemp("setup-var")
        env = production_env(database_url=server.url(DB_NAME), redis_url=None, port=0,
                             var_dir=var_dir)
        # What the compose file's one-shot migrate service runs, then the demo accounts.
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_flowers")
        manage(env, "train_model", "--if-levels-missing")
        manage(env, "seed_demo")
        yield server


@pytest.fixture
def redis(tmp_path):
    with private_redis(tmp_path) as server:
        yield server


@pytest.fixture
def web(postgres, redis, tmp_path):
    port = free_port()
    env = production_env(database_url=postgres.url(DB_NAME),
                         redis_url=f"redis://127.0.0.1:{redis.port}/0", port=port,
                         var_dir=tmp_path / "var")
    log = tmp_path / "web.log"
    with web_server(env, log=log) as server:
        yield Web(server.base, log)
    assert "Internal Server Error" not in log.read_text(), log.read_text()[-6000:]


def assert_clean(reply: Reply, *, allowed=(200,)) -> None:
    """A success, or a 503 that says in our JSON error envelope what is unavailable."""
    assert reply.status != 500, reply
    if reply.status in allowed:
        return
    assert reply.status == 503, reply
    assert "json" in reply.content_type, reply
    error = reply.body["error"]
    assert error["code"] and error["message"], reply


def stored_rounds(postgres: PrivatePostgres, session_id: int) -> dict[int, tuple]:
    with postgres.connect(DB_NAME) as connection:
        rows = connection.execute(
            "SELECT index, guess, answered_at, answer_response FROM challenges_challengeround"
            " WHERE session_id = %s", (session_id,),
        ).fetchall()
        answered = connection.execute(
            "SELECT answered_count FROM challenges_challengesession WHERE id = %s",
            (session_id,),
        ).fetchone()[0]
    rounds = {index: (guess, answer_response) for index, guess, at, answer_response in rows
              if at is not None}
    assert answered == len(rounds), "the session's count disagrees with its stored rounds"
    return rounds


def assert_answers_stored_once(postgres, session_id: int, answers: dict[int, tuple]) -> None:
    """`answers` maps a round to (guess, status, body) of its one answer request."""
    rounds = stored_rounds(postgres, session_id)
    for index, (guess, status, body) in answers.items():
        if status == 200:
            assert index in rounds, f"round {index} answered with 200 but not stored"
            assert rounds[index] == (guess, body), f"round {index} stored differently"
        else:
            assert index not in rounds, f"round {index} refused with {status} but stored"
    assert set(rounds) <= set(answers), "a round nobody answered is stored"


def test_predictions_and_answers_survive_redis_stopping_and_recover_when_it_is_back(
    postgres, redis, web
):
    base = web.base
    alice, bob, manager = web.token("alice"), web.token("bob"), web.token("manager")
    start = call(base, "POST", "/api/v1/challenges/", {"rounds": 30}, token=alice)
    assert start.status == 201, start
    session_id = start.body["id"]
    answers: dict[int, tuple] = {}
    rounds = iter(range(1, 31))

    def answer(*, allowed=(200,)) -> Reply:
        index = next(rounds)
        guess = SPECIES[index % 3]
        reply = call(base, "POST", f"/api/v1/challenges/{session_id}/rounds/{index}/answer/",
                     {"guess": guess}, token=alice)
        assert_clean(reply, allowed=allowed)
        answers[index] = (guess, reply.status, reply.body)
        return reply

    def predict() -> Reply:
        # Bob: the AI does not answer Alice while her challenge is open.
        reply = call(base, "POST", "/api/v1/predict/", FLOWER, token=bob)
        assert_clean(reply)
        return reply

    # Redis up: everything works.
    assert predict().status == 200
    assert answer().status == 200
    assert call(base, "GET", "/api/v1/scoreboard/", token=alice).status == 200

    redis.stop()
    replies = [predict() for _ in range(5)] + [answer() for _ in range(5)]
    # The cache degrades to "no cache" (throttles, scoreboard ETags): nothing needs Redis.
    assert [r.status for r in replies] == [200] * 10, replies
    # Refused connections fail fast: no request waits out a socket timeout per cache call.
    assert max(r.seconds for r in replies) < 15, replies
    scoreboard = call(base, "GET", "/api/v1/scoreboard/", token=alice)
    assert scoreboard.status == 200 and scoreboard.body["trainees"], scoreboard
    started = call(base, "POST", "/api/v1/challenges/", {"rounds": 2}, token=bob)
    assert started.status == 201, started
    # Bob gives it up at once (so the AI answers him again): no Redis needed for that either.
    gave_up = call(base, "POST", f"/api/v1/challenges/{started.body['id']}/give-up/", token=bob)
    assert gave_up.status == 200, gave_up
    ready = call(base, "GET", "/readyz")
    assert ready.status == 503, ready
    assert ready.body["checks"]["cache"]["ok"] is False, ready
    assert ready.body["checks"]["database"]["ok"] is True, ready
    # Retraining needs the broker: refused plainly, and the refused version blocks nothing.
    retrain = call(base, "POST", "/api/v1/models/", {}, token=manager)
    assert retrain.status == 503, retrain
    assert_clean(retrain)
    assert retrain.body["error"]["code"] == "broker_unavailable", retrain

    # Redis back on the same port: the web server reconnects by itself.
    redis.start()
    for _ in range(50):
        if call(base, "GET", "/readyz").status == 200:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("/readyz did not recover:\n" + web.log())
    assert predict().status == 200
    assert answer().status == 200
    retrain = call(base, "POST", "/api/v1/models/", {}, token=manager)
    assert retrain.status == 202, retrain
    with postgres.connect(DB_NAME) as connection:
        statuses = dict(connection.execute(
            "SELECT status, count(*) FROM ml_modelversion GROUP BY status").fetchall())
    assert statuses.get("queued") == 1, statuses
    assert statuses.get("failed") == 1, statuses

    assert_answers_stored_once(postgres, session_id, answers)
    # A stored answer is final: a second one is refused, and stores nothing.
    again = call(base, "POST", f"/api/v1/challenges/{session_id}/rounds/1/answer/",
                 {"guess": "setosa"}, token=alice)
    assert again.status == 409, again
    assert_answers_stored_once(postgres, session_id, answers)
    give_up_open_challenge(base, alice)


def give_up_open_challenge(base: str, token: str) -> None:
    """One open challenge per trainee: close the one a previous test left, if any."""
    open_session = call(base, "GET", "/api/v1/challenges/options/", token=token).body[
        "open_session"
    ]
    if open_session is not None:
        reply = call(base, "POST", f"/api/v1/challenges/{open_session}/give-up/", token=token)
        assert reply.status == 200, reply


class Load:
    """Trainees predicting and answering rounds from a few threads, recording every reply."""

    def __init__(self, base: str, tokens: list[str], predict_token: str) -> None:
        # Trainees are not answered by the AI during a challenge: another account predicts.
        self.base, self.tokens, self.predict_token = base, tokens, predict_token
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.replies: list[tuple[float, str, Reply]] = []
        self.errors: list[BaseException] = []
        # (token, session id) -> {round: (guess, idempotency key, [statuses], last body)}
        self.answers: dict[tuple[str, int], dict[int, list]] = {}

    def record(self, kind: str, reply: Reply) -> None:
        with self.lock:
            self.replies.append((time.monotonic(), kind, reply))

    def start_session(self, token: str) -> int | None:
        reply = call(self.base, "POST", "/api/v1/challenges/", {"rounds": 30}, token=token)
        self.record("start", reply)
        return reply.body["id"] if reply.status == 201 else None

    def trainee(self, number: int, token: str) -> None:
        try:
            session_id, index = None, 1
            while not self.stop.is_set():
                self.record("predict", call(self.base, "POST", "/api/v1/predict/",
                                            FLOWER, token=self.predict_token))
                if session_id is None or index > 30:
                    session_id, index = self.start_session(token), 1
                    if session_id is None:
                        continue
                    self.answers[token, session_id] = {}
                attempts = self.answers[token, session_id].setdefault(
                    index, [SPECIES[(index + number) % 3], f"t{number}-{session_id}-{index}",
                            [], None])
                guess, key, statuses, _body = attempts
                # A client retries a refused answer with the same Idempotency-Key, which
                # makes the retry safe whether or not the first attempt was stored.
                reply = call(self.base, "POST",
                             f"/api/v1/challenges/{session_id}/rounds/{index}/answer/",
                             {"guess": guess}, token=token, headers={"Idempotency-Key": key})
                self.record("answer", reply)
                statuses.append(reply.status)
                attempts[3] = reply.body
                if reply.status == 200:
                    index += 1
        except BaseException as exc:  # a hung (timed out) or dropped request ends the thread
            self.errors.append(exc)

    def run(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.trainee, args=(number, token), daemon=True)
                   for number, token in enumerate(self.tokens)]
        for thread in threads:
            thread.start()
        return threads


def test_a_postgres_restart_under_load_gives_clean_errors_and_loses_no_answer(postgres, web):
    base = web.base
    # One open challenge per trainee: one thread each.
    tokens = [web.token("alice"), web.token("bob")]
    for token in tokens:
        give_up_open_challenge(base, token)
    load = Load(base, tokens, predict_token=web.token("manager"))
    threads = load.run()
    time.sleep(3)
    restart_began = time.monotonic()
    postgres.stop()  # pg_ctl's fast shutdown: open connections are cut
    postgres.start()
    restart_ended = time.monotonic()
    time.sleep(4)
    load.stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert not load.errors, load.errors

    counts = Counter((kind, reply.status) for _, kind, reply in load.replies)
    for _, _kind, reply in load.replies:
        assert_clean(reply, allowed=(200, 201))
    assert counts["predict", 200] and counts["answer", 200], counts
    before = [r for at, _, r in load.replies if at < restart_began]
    assert before and all(r.status in (200, 201) for r in before), counts
    # Back without restarting the web server: every request that started a second after the
    # restart finished succeeded.
    after = [r for at, _, r in load.replies if at - r.seconds > restart_ended + 1]
    assert len(after) > 10, counts
    assert all(r.status in (200, 201) for r in after), Counter(r.status for r in after)

    # Every answer the clients saw accepted is stored exactly once, as they saw it; a round
    # whose answer was refused (503) and then retried with its key is stored once too.
    for (_token, session_id), rounds in load.answers.items():
        stored = stored_rounds(postgres, session_id)
        for index, (guess, _key, statuses, body) in rounds.items():
            if 200 in statuses:
                assert stored.get(index) == (guess, body), (session_id, index, statuses)
            else:
                # The last attempt of a thread that stopped: refused, maybe after storing.
                assert statuses and set(statuses) == {503}, statuses
                assert index not in stored or stored[index][0] == guess
        assert set(stored) <= set(rounds), "a round nobody answered is stored"
    ready = call(base, "GET", "/readyz")
    assert ready.status == 200, ready
    print("replies:", dict(counts))
