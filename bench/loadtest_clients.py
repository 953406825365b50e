"""The load test's simulated clients, run as one process per share of them.

`python bench/loadtest_clients.py SPEC.json` with {"base", "start_at" (epoch seconds),
"seconds", "trainees": [token, ...], "predictors": [token, ...], "seed", "out"}: a thread
per trainee and per prediction client, all starting at `start_at`. Writes every request
they made to `out` as JSON: {"records": [...], "reconnects": n}.

A trainee starts a challenge of 3-10 rounds, answers each round with a random guess after
0-200 ms, then polls the scoreboard with If-None-Match, and starts the next. Every answer
carries an Idempotency-Key; a transport failure is retried with the same key. Now and then
it replays an answered round with the same key (expect the same 200 body), answers it again
with a new key (expect 409), or races two answers with different keys (expect one winner).
A prediction client posts one flower or a small batch every 0-50 ms.
"""

import json
import random
import sys
import threading
import time
import uuid
from pathlib import Path

from http_client import JsonClient, TransportError

SPECIES = ("setosa", "versicolor", "virginica")
ANSWER = "POST /api/v1/challenges/{id}/rounds/{i}/answer/"
# Per answered round: how often the client also replays it, answers it again, or races.
REPLAY, DUPLICATE, RACE = 0.05, 0.05, 0.03
TRANSPORT_RETRIES = 3


class Recorder:
    def __init__(self, start_at: float) -> None:
        self.start_at = start_at
        self.records: list[dict] = []  # list.append is atomic under the GIL
        self.reconnects: list[int] = []

    def call(self, client: JsonClient, label: str, method: str, path: str, payload=None,
             headers=None, **extra) -> tuple[int, object, dict]:
        """Send and record one request: (status or 0 for no response, JSON body, record)."""
        record = {"ep": label, "t": time.time() - self.start_at, **extra}
        self.records.append(record)
        try:
            reply = client.request(method, path, payload, headers)
        except TransportError as exc:
            record.update(status=0, ms=None, error=str(exc))
            return 0, None, record
        try:
            body = reply.json()
        except ValueError:
            body = None
        record.update(status=reply.status, ms=reply.seconds * 1e3,
                      t_end=time.time() - self.start_at, etag=reply.headers.get("ETag"))
        if label == ANSWER:
            record["body"] = body
        return reply.status, body, record

    def close(self, *clients: JsonClient) -> None:
        for client in clients:
            self.reconnects.append(client.reconnects)
            client.close()


def _answer(rec: Recorder, client: JsonClient, session: int, index: int, guess: str,
            key: str, kind: str) -> int:
    path = f"/api/v1/challenges/{session}/rounds/{index}/answer/"
    for attempt in range(TRANSPORT_RETRIES):
        status, _, _ = rec.call(
            client, ANSWER, "POST", path, {"guess": guess}, {"Idempotency-Key": key},
            session=session, round=index, guess=guess, key=key,
            kind=kind if attempt == 0 else "transport retry",
        )
        if status:
            return status
        time.sleep(0.2)
    return 0


def _race(rec: Recorder, clients: list[JsonClient], session: int, index: int,
          rng: random.Random) -> None:
    barrier = threading.Barrier(2)
    guesses = rng.sample(SPECIES, 2)

    def one(client: JsonClient, guess: str) -> None:
        barrier.wait()
        _answer(rec, client, session, index, guess, uuid.uuid4().hex, "race")

    helper = threading.Thread(target=one, args=(clients[1], guesses[1]))
    helper.start()
    one(clients[0], guesses[0])
    helper.join()


def trainee(rec: Recorder, base: str, token: str, deadline: float, rng: random.Random) -> None:
    clients = [JsonClient(base, token), JsonClient(base, token)]
    client = clients[0]
    etag = ""
    while time.time() < deadline:
        rounds = rng.randint(3, 10)
        status, body, record = rec.call(
            client, "POST /api/v1/challenges/", "POST", "/api/v1/challenges/",
            {"rounds": rounds}, rounds=rounds,
        )
        if status != 201:
            time.sleep(0.5)
            continue
        session = record["session"] = body["id"]
        complete = True
        for index in range(1, rounds + 1):
            time.sleep(rng.uniform(0, 0.2))
            if time.time() >= deadline:
                break  # left unfinished, as a trainee who walks away
            roll = rng.random()
            if roll < RACE:
                _race(rec, clients, session, index, rng)
                continue
            guess, key = rng.choice(SPECIES), uuid.uuid4().hex
            status = _answer(rec, client, session, index, guess, key, "first")
            if status != 200:
                complete = False
                continue
            if roll < RACE + REPLAY:
                _answer(rec, client, session, index, guess, key, "replay")
            elif roll < RACE + REPLAY + DUPLICATE:
                other = rng.choice([s for s in SPECIES if s != guess])
                _answer(rec, client, session, index, other, uuid.uuid4().hex, "duplicate")
        else:
            if not complete:
                # One open challenge per trainee: close one with a refused answer (a race
                # always has a winner) before starting the next, as the page's "Give up".
                rec.call(client, "POST /api/v1/challenges/{id}/give-up/", "POST",
                         f"/api/v1/challenges/{session}/give-up/", session=session)
            status, _, record = rec.call(
                client, "GET /api/v1/scoreboard/?period=7d", "GET",
                "/api/v1/scoreboard/?period=7d", headers={"If-None-Match": etag},
            )
            if status == 200:
                etag = record["etag"] or ""
    rec.close(*clients)


def predictor(rec: Recorder, base: str, token: str, deadline: float, rng: random.Random) -> None:
    client = JsonClient(base, token)
    low, high = (4.3, 2.0, 1.0, 0.1), (7.9, 4.4, 6.9, 2.5)

    def flower() -> list[float]:
        return [round(rng.uniform(a, b), 1) for a, b in zip(low, high, strict=True)]

    while time.time() < deadline:
        if rng.random() < 0.6:
            label = "POST /api/v1/predict/ 1 flower"
            names = ("sepal_length", "sepal_width", "petal_length", "petal_width")
            payload: dict = dict(zip(names, flower(), strict=True))
        else:
            label = "POST /api/v1/predict/ 2-16 rows"
            payload = {"instances": [flower() for _ in range(rng.randint(2, 16))]}
        status, body, record = rec.call(client, label, "POST", "/api/v1/predict/", payload)
        if status == 200:
            record["version"] = body["model_version"]
        time.sleep(rng.uniform(0, 0.05))
    rec.close(client)


def main(spec: dict) -> None:
    rec = Recorder(spec["start_at"])
    deadline = spec["start_at"] + spec["seconds"]
    rng = random.Random(spec["seed"])  # noqa: S311 - simulated behaviour, not secrets
    jobs = [(trainee, token) for token in spec["trainees"]]
    jobs += [(predictor, token) for token in spec["predictors"]]
    threads = [
        threading.Thread(target=job, args=(rec, spec["base"], token, deadline,
                                           random.Random(rng.random())))  # noqa: S311
        for job, token in jobs
    ]
    time.sleep(max(0.0, spec["start_at"] - time.time()))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    Path(spec["out"]).write_text(
        json.dumps({"records": rec.records, "reconnects": sum(rec.reconnects)})
    )


if __name__ == "__main__":
    main(json.loads(Path(sys.argv[1]).read_text()))
