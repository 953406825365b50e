"""Prometheus metrics: what the app counts, recorded with one call where each event happens.

prometheus-client runs in multiprocess mode: every web and worker process writes its own
counters to a file in PROMETHEUS_MULTIPROC_DIR, and /metrics (flower_power.metrics.views)
sums the files. A file is named by the process's role and pid (`counter_web-12.db`), so web and
worker containers sharing one volume never write the same file, and each role clears only its
own files when it starts (prepare_multiprocess_dir). Gauges are computed when /metrics is
scraped (flower_power.metrics.collectors), never kept in files: no dead process's gauge to
forget. With METRICS_ENABLED off every call below returns at once.
"""

import os
from pathlib import Path

from django.conf import settings

ENABLED: bool = settings.METRICS_ENABLED
DIRECTORY = Path(settings.PROMETHEUS_MULTIPROC_DIR)
# prometheus-client reads the directory from the environment when a process opens its files;
# child processes (the worker a test starts, granian's workers) inherit it.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(DIRECTORY)
ROLE_VARIABLE = "FLOWER_POWER_METRICS_ROLE"

from prometheus_client import Counter, Histogram, values  # noqa: E402

_role = os.environ.get(ROLE_VARIABLE, "proc")


def _process_identifier() -> str:
    # Called on every increment (prometheus-client notices a fork by a change of it).
    return f"{_role}-{os.getpid()}"


# Files per process, named by role and pid (set before any metric below is created).
values.ValueClass = values.MultiProcessValue(_process_identifier)


def prepare_multiprocess_dir(role: str = "web") -> None:
    """Start a role's processes with empty counters: delete that role's files and make every
    process started from here on write as `role`. The web server launcher calls it once before
    it starts its workers (role "web", which also clears one-off commands' files, "proc");
    a Celery worker calls it as it starts (role "celery", flower_power/celery.py)."""
    global _role
    DIRECTORY.mkdir(parents=True, exist_ok=True)
    for prefix in {role, "proc"} if role == "web" else {role}:
        for path in DIRECTORY.glob(f"*_{prefix}-*.db"):
            path.unlink(missing_ok=True)
    _role = os.environ[ROLE_VARIABLE] = role


if ENABLED:
    DIRECTORY.mkdir(parents=True, exist_ok=True)

# Seconds: a prediction takes ~0.3 ms, a page a few ms, a challenge start tens of ms.
LATENCY_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
)
ROW_BUCKETS = (1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10_000)
TRAINING_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 900)

# registry=None: nothing is registered in prometheus-client's global registry; /metrics reads
# the files (multiprocess mode), whichever process wrote them.
REQUEST_SECONDS = Histogram(
    "flower_power_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status; _count counts them.",
    ["route", "method", "status"], buckets=LATENCY_BUCKETS, registry=None,
)
PREDICTIONS = Counter(
    "flower_power_predictions",
    "Flowers classified for API clients (/api/v1/predict/, /predict_flower, v2 infer), by model "
    "version and predicted species.",
    ["model_version", "species"], registry=None,
)
PREDICTION_ROWS = Histogram(
    "flower_power_prediction_rows",
    "Flowers per prediction request, by model version.",
    ["model_version"], buckets=ROW_BUCKETS, registry=None,
)
CHALLENGE_STARTS = Counter(
    "flower_power_challenge_starts", "Challenge sessions started, by AI level.", ["level"],
    registry=None,
)
CHALLENGE_ANSWERS = Counter(
    "flower_power_challenge_answers",
    "Challenge rounds answered (replays not counted), by AI level and whether the trainee was "
    "right.", ["level", "correct"], registry=None,
)
CHALLENGE_OUTCOMES = Counter(
    "flower_power_challenge_outcomes",
    "Challenge sessions over, by AI level and outcome for the trainee (win, draw, loss; giving "
    "up or walking away is a loss).", ["level", "outcome"], registry=None,
)
TRAINING_RUNS = Counter(
    "flower_power_training_runs",
    "Model trainings ended, by outcome: ready (promoted or kept as a candidate), rejected (by "
    "the promotion gate), failed (an error), lost (its worker died; failed by the reaper).",
    ["outcome"], registry=None,
)
TRAINING_SECONDS = Histogram(
    "flower_power_training_duration_seconds",
    "Time a training took (data, all levels, evaluation, export), by outcome.",
    ["outcome"], buckets=TRAINING_BUCKETS, registry=None,
)
CELERY_TASKS = Counter(
    "flower_power_celery_tasks",
    "Celery tasks run by the workers, by task and outcome (success, failure, retry).",
    ["task", "outcome"], registry=None,
)

_SPECIES: tuple[str, ...] = ()
# Children by label values: .labels() takes a lock and builds a key; a dict lookup does not.
_children: dict[tuple, object] = {}


def _child(metric, *labels):
    key = (metric, *labels)
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*labels)
    return child


def request_observe(route: str, method: str, status: int, seconds: float) -> None:
    """One HTTP request (called by the middleware, which exists only when ENABLED)."""
    _child(REQUEST_SECONDS, route, method, status).observe(seconds)


def predictions_record(model_version: int, probabilities) -> None:
    """A prediction request's rows: count each row's species (its highest probability)."""
    if not ENABLED:
        return
    global _SPECIES
    if not _SPECIES:
        from ml.dataset import SPECIES

        _SPECIES = tuple(SPECIES)
    rows = len(probabilities)
    if rows == 1:
        _child(PREDICTIONS, model_version, _SPECIES[int(probabilities[0].argmax())]).inc()
    elif rows:
        import numpy as np

        counts = np.bincount(probabilities.argmax(axis=1), minlength=len(_SPECIES)).tolist()
        for species, count in zip(_SPECIES, counts, strict=True):
            if count:
                _child(PREDICTIONS, model_version, species).inc(count)
    _child(PREDICTION_ROWS, model_version).observe(rows)


def challenge_started(level: str) -> None:
    if ENABLED:
        _child(CHALLENGE_STARTS, level).inc()


def challenge_answered(level: str, *, correct: bool, outcome: str | None) -> None:
    """A round answered; `outcome` (win, draw, loss) when it was the session's last."""
    if not ENABLED:
        return
    _child(CHALLENGE_ANSWERS, level, "true" if correct else "false").inc()
    if outcome:
        _child(CHALLENGE_OUTCOMES, level, outcome).inc()


def challenge_ended(level: str, outcome: str) -> None:
    """A session over without its last answer (given up, abandoned)."""
    if ENABLED:
        _child(CHALLENGE_OUTCOMES, level, outcome).inc()


def training_finished(outcome: str, seconds: float | None = None, *, count: int = 1) -> None:
    """Trainings ended; `seconds` when the run itself measured them (not for lost ones)."""
    if not ENABLED or not count:
        return
    _child(TRAINING_RUNS, outcome).inc(count)
    if seconds is not None:
        _child(TRAINING_SECONDS, outcome).observe(seconds)


def celery_task_done(task: str, outcome: str) -> None:
    if ENABLED:
        _child(CELERY_TASKS, task, outcome).inc()
