"""The one Python load client (wrk does plain HTTP): a keep-alive JSON client, and the load
test's simulated trainees and prediction clients (bench/README.md), a thread each."""

import contextlib
import http.client
import json
import multiprocessing
import random
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

SPECIES = ("setosa", "versicolor", "virginica")
ANSWER = "POST /api/v1/challenges/{id}/rounds/{i}/answer/"
REPLAY, DUPLICATE, RACE = 0.05, 0.05, 0.03  # per answered round
# A reused keep-alive connection the server closed (an idle timeout, a recycled worker): the
# request never reached the application, so sending it again is safe, as urllib3 does.
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class TransportError(Exception):
    """No HTTP response: the request may or may not have reached the application."""


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]
    seconds: float

    def json(self) -> object:
        return json.loads(self.body) if self.body else None


class JsonClient:
    """One keep-alive connection, used by one thread (http.client is not thread-safe)."""

    def __init__(self, base: str, token: str | None = None, timeout: float = 30) -> None:
        url = urlsplit(base)
        self.host, self.port, self.timeout = url.hostname, url.port, timeout
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        self.connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method: str, path: str, payload: object = None,
                headers: dict[str, str] | None = None) -> Reply:
        """Send one request; raises TransportError when no response came back."""
        body = None if payload is None else json.dumps(payload).encode()
        while True:
            # Connections open lazily: one that exists has carried a request already.
            reused, started = self.connection is not None, time.perf_counter()
            if not reused:
                self.connection = http.client.HTTPConnection(self.host, self.port,
                                                             timeout=self.timeout)
            try:
                self.connection.request(method, path, body=body,
                                        headers={**self.headers, **(headers or {})})
                response = self.connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.close()  # the next attempt opens a fresh connection: reused is False
                if isinstance(exc, STALE_CONNECTION) and reused:
                    continue
                raise TransportError(f"{type(exc).__name__}: {exc}") from None
            if response.will_close:
                self.close()
            return Reply(response.status, data, dict(response.getheaders()),
                         time.perf_counter() - started)


class Recorder:
    """Every request of a process's clients (list.append is atomic under the GIL)."""

    def __init__(self, start_at: float) -> None:
        self.start_at, self.records = start_at, []

    def call(self, client: JsonClient, label: str, payload=None, headers=None, path=None,
             **extra) -> tuple[int, object, dict]:
        """Send and record one request ("METHOD /path/ [note]", or `path` where the label has
        placeholders): (status or 0 for no response, JSON body, record)."""
        record = {"ep": label, "t": time.time() - self.start_at, **extra}
        self.records.append(record)
        method, default_path = label.split()[:2]
        try:
            reply = client.request(method, path or default_path, payload, headers)
        except TransportError as exc:
            record.update(status=0, ms=None, error=str(exc))
            return 0, None, record
        body = None
        with contextlib.suppress(ValueError):
            body = reply.json()
        record.update(status=reply.status, ms=reply.seconds * 1e3,
                      t_end=time.time() - self.start_at, etag=reply.headers.get("ETag"))
        if label == ANSWER:
            record["body"] = body
        return reply.status, body, record


def answer(rec: Recorder, client: JsonClient, session: int, index: int, guess: str, key: str,
           kind: str) -> int:
    """Answer a round, retrying a lost response with the same key; the last status."""
    for attempt in range(3):
        status, _, _ = rec.call(
            client, ANSWER, {"guess": guess}, {"Idempotency-Key": key},
            f"/api/v1/challenges/{session}/rounds/{index}/answer/", session=session,
            round=index, guess=guess, key=key, kind=kind if attempt == 0 else "transport retry")
        if status:
            return status
        time.sleep(0.2)
    return 0


def give_up(rec: Recorder, client: JsonClient, session: int) -> None:
    rec.call(client, "POST /api/v1/challenges/{id}/give-up/",
             path=f"/api/v1/challenges/{session}/give-up/", session=session)


def trainee(rec: Recorder, base: str, token: str, deadline: float, rng: random.Random,
            plan: dict) -> None:
    client, second = JsonClient(base, token), JsonClient(base, token)
    etag = ""
    while time.time() < deadline:
        rounds = rng.randint(*plan["rounds"])
        status, body, record = rec.call(client, "POST /api/v1/challenges/", {"rounds": rounds},
                                        rounds=rounds)
        if status == 409:  # one open challenge per trainee: give up the one left open
            _, options, _ = rec.call(client, "GET /api/v1/challenges/options/")
            if options and options.get("open_session") is not None:
                give_up(rec, client, options["open_session"])
                continue
        if status != 201:
            time.sleep(0.5)
            continue
        session = record["session"] = body["id"]
        complete = True
        for index in range(1, rounds + 1):
            time.sleep(rng.uniform(0, plan["think"]))
            if time.time() >= deadline:
                break  # left unfinished, as a trainee who walks away
            roll = rng.random()
            if roll < RACE:
                barrier, guesses = threading.Barrier(2), rng.sample(SPECIES, 2)

                def race(c: JsonClient, guess: str, s=session, i=index, b=barrier) -> None:
                    b.wait()
                    answer(rec, c, s, i, guess, uuid.uuid4().hex, "race")

                helper = threading.Thread(target=race, args=(second, guesses[1]))
                helper.start()
                race(client, guesses[0])
                helper.join()
                continue
            guess, key = rng.choice(SPECIES), uuid.uuid4().hex
            if answer(rec, client, session, index, guess, key, "first") != 200:
                complete = False
            elif roll < RACE + REPLAY:
                answer(rec, client, session, index, guess, key, "replay")
            elif roll < RACE + REPLAY + DUPLICATE:
                other = rng.choice([s for s in SPECIES if s != guess])
                answer(rec, client, session, index, other, uuid.uuid4().hex, "duplicate")
        else:
            if not complete:  # a refused answer: give up before the next, as the page does
                give_up(rec, client, session)
            status, _, record = rec.call(client, "GET /api/v1/scoreboard/?period=7d",
                                         headers={"If-None-Match": etag})
            if status == 200:
                etag = record["etag"] or ""


def predictor(rec: Recorder, base: str, token: str, deadline: float, rng: random.Random,
              plan: dict) -> None:
    client = JsonClient(base, token)

    def flower() -> list[float]:
        return [round(rng.uniform(a, b), 1)
                for a, b in zip((4.3, 2.0, 1.0, 0.1), (7.9, 4.4, 6.9, 2.5), strict=True)]

    while time.time() < deadline:
        if rng.random() < 0.6:
            label = "POST /api/v1/predict/ 1 flower"
            payload: dict = dict(zip(("sepal_length", "sepal_width", "petal_length",
                                      "petal_width"), flower(), strict=True))
        else:
            label = "POST /api/v1/predict/ 2-16 rows"
            payload = {"instances": [flower() for _ in range(rng.randint(2, 16))]}
        status, body, record = rec.call(client, label, payload)
        if status == 200:
            record["version"] = body["model_version"]
        time.sleep(rng.uniform(0, 0.05))


def run_jobs(base: str, jobs: list[tuple[str, str]], plan: dict, start_at: float,
             seconds: float, seed: int) -> list[dict]:
    """One client process: a thread per job; every request made."""
    rec = Recorder(start_at)
    rng = random.Random(seed)  # noqa: S311 - simulated behaviour, not secrets
    kinds = {"trainee": trainee, "predictor": predictor}
    threads = [threading.Thread(target=kinds[kind], args=(
        rec, base, token, start_at + seconds, random.Random(rng.random()), plan))  # noqa: S311
        for kind, token in jobs]
    time.sleep(max(0.0, start_at - time.time()))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return rec.records


def run_processes(base: str, jobs: list[tuple[str, str]], plan: dict, *, start_at: float,
                  seconds: float, processes: int) -> list[dict]:
    """Run `jobs` in `processes` fresh processes (spawned: this one has threads and Django)
    from `start_at` for `seconds`; every request they made."""
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = [pool.submit(run_jobs, base, jobs[i::processes], plan, start_at, seconds, i)
                for i in range(processes)]
        return [r for future in done
                for r in future.result(timeout=start_at - time.time() + seconds + 120)]
