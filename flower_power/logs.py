"""Log lines as JSON, one object a line, each naming the request (and task) it belongs to.

Used by settings.LOGGING for every logger, in web processes and Celery alike (README, "Logs").
"""

import json
import logging
import os
import select
from datetime import UTC, datetime

import orjson
from celery._state import get_current_task

from flower_power.request_id import current_request_id

# Attributes every LogRecord has; anything else on a record came from `extra=` or a filter.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime",
}
_SCALARS = (str, int, float, bool, type(None))


class ContextFilter(logging.Filter):
    """Put the current request id, and in a worker the task's name and id, on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        # Celery's own TaskFormatter reads the running task the same way; None outside one.
        task = get_current_task()
        if task is not None and task.request.id is not None:
            record.task_name, record.task_id = task.name, task.request.id
        return True


class JsonFormatter(logging.Formatter):
    """time (ISO 8601, UTC), level, logger, message, then the record's plain extra fields.

    Only str/number/bool/None extras are written: objects such as the HttpRequest that
    django.request attaches (whose repr carries the query string) or Celery's task arguments
    never reach the line.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and isinstance(value, _SCALARS):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        try:
            return orjson.dumps(entry).decode()
        except orjson.JSONEncodeError:  # an integer beyond 64 bits, a lone surrogate
            return json.dumps(entry, default=str)


class LineHandler(logging.StreamHandler):
    """A StreamHandler that writes each line with one write(2) and, for a line that fits a
    pipe's atomic write (PIPE_BUF), without taking the handler's lock.

    Every request writes a line. Behind the standard handler's lock, request threads queued
    for it while its holder waited in the write: at 8 threads a worker spent 15% of its
    request threads' time on that lock, and v2 predictions fell from ~3,900 to ~2,300 req/s
    with the request log on. A write of up to PIPE_BUF bytes to a pipe is atomic, and so
    is an append to a file in practice, so lines never interleave; longer ones (tracebacks)
    take the lock. A stream without a file descriptor (a test's capture) is written as usual.
    """

    @classmethod
    def on_fd(cls, fd: int) -> "LineHandler":
        """A handler writing to an inherited file descriptor (left open: it is not ours), or
        to stderr if this process did not inherit it (a worker started by spawn, not fork)."""
        try:
            os.fstat(fd)
        except OSError:
            return cls()
        return cls(os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace",
                             closefd=False))

    def handle(self, record: logging.LogRecord) -> bool:
        passed = self.filter(record)
        if isinstance(passed, logging.LogRecord):  # a filter may return a changed record
            record = passed
        if passed:
            self.emit(record)
        return bool(passed)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
            with self.lock:
                super().emit(record)
            return
        try:
            line = (self.format(record) + self.terminator).encode(errors="backslashreplace")
            if len(line) <= select.PIPE_BUF:
                os.write(fd, line)
                return
            with self.lock:
                self.flush()
                view = memoryview(line)
                while view:
                    view = view[os.write(fd, view):]
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)
