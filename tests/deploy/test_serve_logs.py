"""The web command's own output (flower_power/serve_logs.py): nginx's error lines parsed into
fields, anything its children print relayed as one JSON line, none lost when they exit."""

import json
import logging
import os
import subprocess
import sys

import pytest

from flower_power.serve_logs import Relay, parse_nginx_line, plain_line

SOCKET = "/run/flower-power-web-x1y2/app.sock"


@pytest.mark.parametrize(
    ("line", "level", "message", "fields"),
    [
        (
            f"2026/12/01 19:45:00 [error] 31#31: *12 connect() to unix:{SOCKET} failed (111: "
            "Connection refused) while connecting to upstream, client: 10.0.0.7, server: , "
            'request: "GET /api/v1/predict/?sepal_length=6.7 HTTP/1.1", upstream: '
            f'"http://unix:{SOCKET}:/api/v1/predict/?sepal_length=6.7", host: "example.com"',
            logging.ERROR,
            f"connect() to unix:{SOCKET} failed (111: Connection refused) while connecting to "
            "upstream",
            {"pid": 31, "connection": 12, "client": "10.0.0.7", "server": "",
             "request": "GET /api/v1/predict/ HTTP/1.1",
             "upstream": f"http://unix:{SOCKET}:/api/v1/predict/", "host": "example.com"},
        ),
        (
            "2026/12/01 19:45:00 [error] 31#31: *40 upstream timed out (110: Connection timed "
            "out) while reading response header from upstream, client: 10.0.0.7, server: , "
            f'request: "POST /api/v1/models/ HTTP/1.1", upstream: "http://unix:{SOCKET}:/api/'
            'v1/models/", host: "127.0.0.1:8000", referrer: "https://example.com/?next=/x"',
            logging.ERROR,
            "upstream timed out (110: Connection timed out) while reading response header from "
            "upstream",
            {"pid": 31, "connection": 40, "client": "10.0.0.7", "server": "",
             "request": "POST /api/v1/models/ HTTP/1.1",
             "upstream": f"http://unix:{SOCKET}:/api/v1/models/", "host": "127.0.0.1:8000",
             "referrer": "https://example.com/"},
        ),
        (
            "2026/12/01 19:45:03 [info] 32#32: *7 client timed out (110: Connection timed out) "
            "while reading client request headers, client: 127.0.0.1, server: ",
            logging.INFO,
            "client timed out (110: Connection timed out) while reading client request headers",
            {"pid": 32, "connection": 7, "client": "127.0.0.1", "server": ""},
        ),
        (
            "2026/12/01 19:45:00 [error] 123#123: *5 client intended to send too large body: "
            '5300000 bytes, client: 127.0.0.1, server: , request: "POST /api/v1/predict/ '
            'HTTP/1.1", host: "127.0.0.1:8000"',
            logging.ERROR,
            "client intended to send too large body: 5300000 bytes",
            {"pid": 123, "connection": 5, "client": "127.0.0.1", "server": "",
             "request": "POST /api/v1/predict/ HTTP/1.1", "host": "127.0.0.1:8000"},
        ),
        (
            '2026/12/01 19:44:58 [notice] 1#1: using the "epoll" event method',
            logging.INFO, 'using the "epoll" event method', {"pid": 1},
        ),
        (
            "2026/12/01 19:50:00 [alert] 1#1: worker process 33 exited on signal 9",
            logging.CRITICAL, "worker process 33 exited on signal 9", {"pid": 1},
        ),
        (
            "nginx: [emerg] bind() to 127.0.0.1:8000 failed (98: Address already in use)",
            logging.CRITICAL, "bind() to 127.0.0.1:8000 failed (98: Address already in use)", {},
        ),
        (
            "  something, client: odd [error] happened",
            logging.WARNING, "  something, client: odd [error] happened", {},
        ),
    ],
)
def test_an_nginx_error_line_becomes_level_message_and_fields(line, level, message, fields):
    assert parse_nginx_line(line) == (level, message, fields)


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("INFO: Created TensorFlow Lite XNNPACK delegate for CPU.", logging.INFO),
        ("[ERROR] worker-1 crashed", logging.ERROR),
        ("thread '<unnamed>' panicked at src/workers.rs:12:5", logging.WARNING),
        ("/app/x.py:3: UserWarning: INFO: not a level here", logging.WARNING),
    ],
)
def test_a_plain_line_keeps_its_text_at_the_level_it_starts_with(line, level):
    assert plain_line(line) == (level, line, {})


def relayed(capfd, log_format: str, logger: str, script: str) -> list[str]:
    """What the relay writes of a real child's output, once the child has exited."""
    relay = Relay(log_format)
    child = relay.spawn([sys.executable, "-c", script], logger)
    assert child.wait(timeout=30) == 0
    relay.drain(timeout=10)
    return capfd.readouterr().err.splitlines()


# Output on both streams, a blank line, and a last line just before the child exits.
SCRIPT = r"""
import sys, time
print('{"time": "t", "level": "INFO", "logger": "app", "message": "m", "request_id": "r"}',
      flush=True)
print("Traceback (most recent call last):", file=sys.stderr, flush=True)
print("", flush=True)
time.sleep(0.2)
print("2026/12/01 19:45:00 [warn] 9#9: *3 a client request body is buffered to a temporary "
      "file, client: 127.0.0.1, server: ", file=sys.stderr)
"""


def test_every_line_a_child_prints_comes_out_as_one_json_line(capfd):
    lines = [json.loads(line) for line in relayed(capfd, "json", "nginx", SCRIPT)]

    assert lines[0] == {"time": "t", "level": "INFO", "logger": "app", "message": "m",
                        "request_id": "r"}  # a JSON line already: unchanged
    assert [(line["logger"], line["level"], line["message"]) for line in lines[1:]] == [
        ("nginx", "WARNING", "Traceback (most recent call last):"),
        ("nginx", "WARNING", "a client request body is buffered to a temporary file"),
    ]
    assert lines[2]["client"] == "127.0.0.1" and lines[2]["request_id"] is None
    assert lines[2]["time"].endswith("Z")


def test_with_log_format_text_the_lines_pass_unchanged(capfd):
    lines = relayed(capfd, "text", "granian", "print('[INFO] Starting granian')")

    assert lines == ["[INFO] Starting granian"]


def test_a_refused_setting_is_one_json_line_from_the_command():
    env = {**os.environ, "WEB_BIND": "nowhere", "LOG_FORMAT": "json"}
    done = subprocess.run([sys.executable, "-m", "flower_power.serve"], env=env,
                          capture_output=True, text=True, timeout=60)

    assert done.returncode == 2
    [line] = [json.loads(text) for text in done.stderr.splitlines()]
    assert (line["logger"], line["level"]) == ("serve", "ERROR")
    assert line["message"].startswith("WEB_BIND must be HOST:PORT")
