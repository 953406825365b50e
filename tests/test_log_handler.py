"""flower_power.logs.LineHandler: one write(2) a line, whole lines from many threads at once."""

import io
import json
import logging
import os
import select
import sys
import threading

import pytest

from flower_power.logs import JsonFormatter, LineHandler


@pytest.fixture
def pipe_logger():
    """A logger writing through LineHandler into a pipe, and a reader of that pipe's lines."""
    read_fd, write_fd = os.pipe()
    chunks = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(read_fd, 65536),
                                                               b"")))
    reader.start()
    handler = LineHandler(os.fdopen(write_fd, "w"))
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.line_handler")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)

    def lines() -> list[str]:
        handler.stream.close()
        reader.join(10)
        os.close(read_fd)
        return b"".join(chunks).decode().splitlines()

    yield logger, lines
    logger.removeHandler(handler)


def test_lines_from_many_threads_never_interleave(pipe_logger):
    logger, lines = pipe_logger
    threads = [
        threading.Thread(target=lambda n=n: [
            logger.info("thread %d line %d", n, i, extra={"padding": "x" * (n * 300)})
            for i in range(300)])
        for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    written = [json.loads(line) for line in lines()]
    assert len(written) == 8 * 300
    assert sorted(w["message"] for w in written) == sorted(
        f"thread {n} line {i}" for n in range(8) for i in range(300))


def test_a_line_longer_than_an_atomic_pipe_write_arrives_whole(pipe_logger):
    logger, lines = pipe_logger
    logger.info("long", extra={"padding": "y" * (3 * select.PIPE_BUF)})
    logger.info("short")
    long, short = (json.loads(line) for line in lines())
    assert (long["message"], len(long["padding"]), short["message"]) == (
        "long", 3 * select.PIPE_BUF, "short")


def test_a_stream_without_a_file_descriptor_and_filters_work_as_in_a_stream_handler():
    stream = io.StringIO()
    handler = LineHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(lambda record: record.getMessage() != "dropped")
    record = logging.makeLogRecord({"name": "x", "levelno": logging.INFO, "msg": "kept"})
    assert handler.handle(record)
    assert not handler.handle(logging.makeLogRecord({"msg": "dropped"}))
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == ["kept"]


def test_a_handler_on_an_inherited_descriptor_writes_there_or_to_stderr_if_it_is_gone():
    read_fd, write_fd = os.pipe()
    handler = LineHandler.on_fd(write_fd)
    handler.setFormatter(JsonFormatter())
    handler.handle(logging.makeLogRecord({"name": "x", "levelno": logging.INFO, "msg": "there"}))
    os.close(write_fd)
    assert json.loads(os.read(read_fd, 4096))["message"] == "there"
    os.close(read_fd)
    assert LineHandler.on_fd(write_fd).stream is sys.stderr  # closed: not inherited
