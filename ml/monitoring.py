"""Recording the measurements the model is sent, for the input drift check (ml/drift.py).

The prediction path pays a few microseconds: `inputs_record` keeps at most
ROWS_PER_REQUEST rows of a request in a per-process buffer of BUFFER_ROWS rows, and every
ML_DRIFT_FLUSH_SECONDS the request that finds the buffer due writes it with one bulk INSERT.
A full buffer does not flush early (the write rate would grow with traffic); it keeps a
uniform sample of everything recorded since the last flush (reservoir sampling), so each web
process writes at most BUFFER_ROWS rows per interval. The drift task keeps the table bounded.
Monitoring never fails a request: bad rows are skipped and errors are logged.
"""

import atexit
import logging
import math
import random
import threading
import time

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from ml.dataset import FEATURES
from ml.models import MEASUREMENT_MAX_CM, InputSample, InputSource

logger = logging.getLogger(__name__)

# At most this many rows of one request (a 10,000-row batch is one client's data set, not
# 10,000 clients): chosen at random.
ROWS_PER_REQUEST = 10
BUFFER_ROWS = 200


class _Buffer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: list[tuple] = []
        self._seen = 0
        self._started = time.monotonic()

    def add(self, rows: list[list[float]], source: str) -> bool:
        """Keep the rows (a uniform sample once full); whether a flush is due."""
        with self._lock:
            for row in rows:
                self._seen += 1
                if len(self._rows) < BUFFER_ROWS:
                    self._rows.append((*row, source))
                else:
                    slot = random.randrange(self._seen)  # noqa: S311 - sampling, not security
                    if slot < BUFFER_ROWS:
                        self._rows[slot] = (*row, source)
            return time.monotonic() - self._started >= settings.ML_DRIFT_FLUSH_SECONDS

    def take(self) -> list[tuple]:
        with self._lock:
            rows, self._rows = self._rows, []
            self._seen = 0
            self._started = time.monotonic()
            return rows

    def __len__(self) -> int:
        return len(self._rows)


_buffer = _Buffer()


def _in_range(row: list[float]) -> bool:
    # A NaN or an infinity makes the sum non-finite.
    return min(row) > 0 and max(row) <= MEASUREMENT_MAX_CM and math.isfinite(sum(row))


def _valid(row) -> bool:
    return (
        isinstance(row, list | tuple) and len(row) == len(FEATURES)
        and all(type(value) in (float, int) for value in row)  # not booleans, not strings
        and _in_range(row)
    )


def _picked(rows) -> list[list[float]]:
    """At most ROWS_PER_REQUEST valid rows, drawn at random (with replacement) from a batch."""
    if isinstance(rows, np.ndarray):  # the prediction routes' parsed float32 rows
        if rows.ndim != 2 or rows.shape[1] != len(FEATURES) or rows.dtype.kind != "f":
            return []
        if len(rows) > ROWS_PER_REQUEST:
            rows = rows[random.choices(range(len(rows)), k=ROWS_PER_REQUEST)]  # noqa: S311
        return [row for row in rows.tolist() if _in_range(row)]
    if len(rows) > ROWS_PER_REQUEST:
        rows = random.sample(list(rows), ROWS_PER_REQUEST)
    return [list(row) for row in rows if _valid(row)]


def inputs_record(rows, *, source: str = InputSource.PREDICT) -> None:
    """Keep a bounded sample of these (n, 4) measurements for the drift check; never raises."""
    try:
        picked = _picked(rows)
        # Not inside a transaction: a rollback would take the sample with it.
        if picked and _buffer.add(picked, str(source)) and not connection.in_atomic_block:
            inputs_flush()
    except Exception:
        logger.warning("recording inputs for drift monitoring failed", exc_info=True)


def inputs_flush(*, quiet: bool = False) -> int:
    """Write the buffered inputs in one INSERT; how many rows were written."""
    rows = _buffer.take()
    if not rows:
        return 0
    now = timezone.now()
    try:
        InputSample.objects.bulk_create(
            InputSample(
                created_at=now, **dict(zip(FEATURES, row[:4], strict=True)), source=row[4]
            )
            for row in rows
        )
    except Exception:
        logger.warning("writing %d input samples failed; they are dropped", len(rows),
                       exc_info=not quiet)
        return 0
    return len(rows)


def inputs_discard() -> None:
    """Forget the buffered inputs (tests)."""
    _buffer.take()


@atexit.register
def _flush_at_exit() -> None:
    # Best effort: a process that stops (a deploy, a worker recycled) keeps its last sample.
    # One line, no traceback, if the database is gone by now (a bench or test dropped it).
    if len(_buffer):
        try:
            inputs_flush(quiet=True)
        except Exception:
            logger.debug("flushing input samples at exit failed", exc_info=True)
