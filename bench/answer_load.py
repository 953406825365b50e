"""Load generator for bench_scoreboard.py's answer throughput, run as its own process.

`python bench/answer_load.py SPEC.json` with {"base", "tokens", "mode", "seconds", "rounds"}:
one thread per token, each with its own keep-alive connection. Mode "answers": start a
challenge of `rounds` rounds, answer them in order, start the next; "ping": GET
/api/v1/auth/ping/ in a loop. Prints one JSON line: the measured requests (answers or
pings), their p50/p99, starts, non-2xx and transport errors.
"""

import json
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from common import percentile
from http_client import JsonClient, TransportError

SPECIES = ("setosa", "versicolor", "virginica")


def _answers(client: JsonClient, rounds: int, deadline: float, out: dict) -> None:
    rng = random.Random()  # noqa: S311 - random guesses, not secrets
    while time.perf_counter() < deadline:
        reply = client.request("POST", "/api/v1/challenges/", {"rounds": rounds})
        out["statuses"][f"start {reply.status}"] += 1
        if reply.status == 409:
            # One open challenge per trainee: the one an earlier phase left open is given up.
            open_session = client.request("GET", "/api/v1/challenges/options/").json()[
                "open_session"
            ]
            if open_session is not None:
                client.request("POST", f"/api/v1/challenges/{open_session}/give-up/")
            continue
        if reply.status != 201:
            time.sleep(0.05)
            continue
        out["starts"] += 1
        session = reply.json()["id"]
        for index in range(1, rounds + 1):
            if time.perf_counter() >= deadline:
                return
            reply = client.request(
                "POST", f"/api/v1/challenges/{session}/rounds/{index}/answer/",
                {"guess": rng.choice(SPECIES)},
            )
            out["statuses"][str(reply.status)] += 1
            out["latencies"].append(reply.seconds)


def _pings(client: JsonClient, deadline: float, out: dict) -> None:
    while time.perf_counter() < deadline:
        reply = client.request("GET", "/api/v1/auth/ping/")
        out["statuses"][str(reply.status)] += 1
        out["latencies"].append(reply.seconds)


def run(spec: dict) -> dict:
    deadline = time.perf_counter() + spec["seconds"]
    outs = []

    def work(token: str) -> None:
        out = {"latencies": [], "statuses": Counter(), "starts": 0, "errors": 0}
        outs.append(out)
        client = JsonClient(spec["base"], token)
        while time.perf_counter() < deadline:
            try:
                if spec["mode"] == "answers":
                    _answers(client, spec["rounds"], deadline, out)
                else:
                    _pings(client, deadline, out)
            except TransportError:
                out["errors"] += 1
        client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(token,)) for token in spec["tokens"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies = sorted(x for out in outs for x in out["latencies"])
    statuses = sum((out["statuses"] for out in outs), Counter())
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "p50_ms": percentile(latencies, 0.5) * 1e3,
        "p99_ms": percentile(latencies, 0.99) * 1e3,
        "starts": sum(out["starts"] for out in outs),
        "non_2xx": sum(n for status, n in statuses.items() if not status[-3:].startswith("2")),
        "errors": sum(out["errors"] for out in outs),
        "statuses": dict(statuses),
    }


if __name__ == "__main__":
    print(json.dumps(run(json.loads(Path(sys.argv[1]).read_text()))))
