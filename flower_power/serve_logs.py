"""The web command's output as JSON lines, whatever its children print (README, "Logs").

Log shippers read one JSON object a line from the web container. The app writes them
(flower_power/logs.py), but nginx has no JSON format for its error log, and granian's
processes print plain text too: a Python warning, a traceback before logging is set up, a
panic of its Rust core. So the supervisor (flower_power/serve.py) reads each child's output
through a pipe, one thread per child, and writes every line to its own stderr: a JSON object
unchanged, one of nginx's error lines parsed into fields, anything else whole as the message.
The thread only reads, converts and writes, so a child never waits on it longer than on
writing to stderr itself; once the children are gone, their pipes are read to the end. The
app's own lines, one a request, skip it: granian's workers write them to LOG_FD (spawn).
"""

import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson

from flower_power.conf.logs import logging_config
from flower_power.logs import JsonFormatter
from flower_power.memory import MALLOC_ENV

Parsed = tuple[int, str, dict]  # level, message, the line's fields

_NGINX_LEVELS = {
    "debug": logging.DEBUG, "info": logging.INFO, "notice": logging.INFO,
    "warn": logging.WARNING, "error": logging.ERROR, "crit": logging.CRITICAL,
    "alert": logging.CRITICAL, "emerg": logging.CRITICAL,
}
# `2026/12/01 19:45:00 [error] 123#123: *5 message`, or `nginx: [emerg] message` when nginx
# fails before its error log is open.
_NGINX_LINE = re.compile(r"(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d|nginx:) \[(?P<level>[a-z]+)\] "
                         r"(?:(?P<pid>\d+)#\d+: )?(?:\*(?P<connection>\d+) )?(?P<message>.*)")
# What nginx appends about the request: `, client: 10.0.0.1, server: , request: "GET / ..."`.
_NGINX_TAIL = re.compile(r', (client|server|request|subrequest|upstream|host|referrer): '
                         r'("[^"]*"|[^,]*)')
# A level some libraries print their lines with: `INFO: Created TensorFlow Lite...`, `[ERROR] x`.
_PLAIN_LEVEL = re.compile(r"\[?(DEBUG|INFO|WARNING|ERROR|CRITICAL)\]?:? ")
# The app never logs a query string (README, "No secrets"): nor do nginx's lines.
_QUERY = re.compile(r"\?[^\s\"]*")

# nginx's access log (WEB_ACCESS_LOG) in the app's fields: UTC time in milliseconds (nginx
# runs with TZ=UTC), the request line without its query string, the id the app answered with.
NGINX_ACCESS_LOG = r"""map $time_iso8601 $fp_log_second { "~^(.{19})" $1; }
    map $msec $fp_log_millis { "~\.(\d+)$" $1; }
    map $request $fp_log_request { "~^([^?]*)\?\S*( .*)$" $1$2; default $request; }
    map $status $fp_log_level { "~^5" ERROR; default INFO; }
    log_format fp_json escape=json '{"time":"$fp_log_second.${fp_log_millis}Z",'
        '"level":"$fp_log_level","logger":"nginx.access","message":"$fp_log_request $status",'
        '"remote_addr":"$remote_addr","request":"$fp_log_request","status":$status,'
        '"bytes":$body_bytes_sent,"request_time":$request_time,'
        '"request_id":"$sent_http_x_request_id"}';
    access_log /dev/stdout fp_json;"""


def parse_nginx_line(line: str) -> Parsed:
    """An nginx error-log line as level, message and fields (pid, connection, client, server,
    request, upstream, host...); a line of another shape is all message."""
    match = _NGINX_LINE.fullmatch(line)
    if not match:
        return plain_line(line)
    fields = {"pid": int(match["pid"])} if match["pid"] else {}
    if match["connection"]:
        fields["connection"] = int(match["connection"])
    message = match["message"]
    tail = message.find(", client: ")
    if tail >= 0:
        for key, value in _NGINX_TAIL.findall(message, tail):
            fields[key] = _QUERY.sub("", value.strip('"'))
        message = message[:tail]
    return _NGINX_LEVELS.get(match["level"], logging.WARNING), message, fields


def plain_line(line: str) -> Parsed:
    """Text a child printed outside any log format, whole: at the level it starts with, else
    a warning (a Python warning, a traceback, a panic)."""
    match = _PLAIN_LEVEL.match(line)
    return (logging.getLevelNamesMapping()[match[1]] if match else logging.WARNING), line, {}


def _is_json_object(line: bytes) -> bool:
    if not line.startswith(b"{"):
        return False
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


class Relay:
    """The supervisor's stderr: its own lines, and its children's, one record a line.

    With LOG_FORMAT=text (as the app then writes) the children's lines pass unchanged.
    """

    def __init__(self, log_format: str) -> None:
        self.json = log_format != "text"
        text = logging_config(log_format="text", level="INFO")["formatters"]["text"]["format"]
        self.formatter = JsonFormatter() if self.json else logging.Formatter(text)
        self.lock = threading.Lock()  # one whole line at a time, whichever thread writes
        self.threads: list[threading.Thread] = []

    def granian_log_args(self, directory: Path, level: str) -> tuple[str, ...]:
        """granian's options: its own records (logger `_granian`) as the app's JSON lines
        through a --log-config file (with LOG_FORMAT=text, its own text), and no access log:
        the app's request line is one, nginx's is WEB_ACCESS_LOG."""
        args = ("--log-level", level, "--no-access-log")
        if not self.json:
            return args
        app = logging_config(log_format="json", level="INFO")
        logger = {"handlers": ["console"], "propagate": False}
        path = directory / "granian-logging.json"
        path.write_text(json.dumps({
            "version": 1, "disable_existing_loggers": False,
            "filters": {"context": app["filters"]["context"]},
            "formatters": {"json": app["formatters"]["json"]},
            "handlers": {"console": app["handlers"]["console"]},
            "loggers": {"_granian": logger, "granian.access": logger},
        }))
        return (*args, "--log-config", str(path))

    def error(self, message: str) -> None:
        """The supervisor's own word: a child gone, a setting refused."""
        self.log("serve", logging.ERROR, message)

    def log(self, logger: str, level: int, message: str, **fields) -> None:
        record = logging.makeLogRecord({
            "name": logger, "levelno": level, "levelname": logging.getLevelName(level),
            "msg": message, "request_id": None, **fields,
        })
        self._write(self.formatter.format(record))

    def _write(self, line: str) -> None:
        self._write_bytes((line + "\n").encode(errors="backslashreplace"))

    def _write_bytes(self, line: bytes) -> None:
        with self.lock:
            sys.stderr.flush()
            sys.stderr.buffer.write(line)
            sys.stderr.buffer.flush()

    def spawn(self, argv: list[str], logger: str, *, log_fd: bool = False) -> subprocess.Popen:
        """Start a child whose stdout and stderr come through the relay (nginx's access log
        on its stdout, whatever granian prints). Its clock in UTC, as the app's lines: nginx
        writes its access log's times in it; the memory settings of flower_power/memory.py
        unless the environment sets its own.

        With `log_fd`, the app's log lines (JSON already) skip the relay: the child gets our
        stderr as LOG_FD (settings.LOGGING writes there; granian forks its workers, so they
        inherit it). Relayed, each line cost this process ~20 us of CPU: ~6% of a core at
        3,000 requests a second."""
        env, fds = {**MALLOC_ENV, **os.environ, "TZ": "UTC"}, ()
        if log_fd:
            fds = (os.dup(sys.stderr.fileno()),)
            env["LOG_FD"] = str(fds[0])
        try:
            child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=env, pass_fds=fds)
        finally:
            for fd in fds:
                os.close(fd)
        parse = parse_nginx_line if logger == "nginx" else plain_line
        thread = threading.Thread(target=self._relay, args=(child.stdout, logger, parse),
                                  name=f"log-{logger}", daemon=True)
        thread.start()
        self.threads.append(thread)
        return child

    def _relay(self, pipe, logger: str, parse) -> None:
        with pipe:
            for raw in pipe:
                raw = raw.rstrip(b"\r\n")
                if not raw.strip():
                    continue
                if not self.json or _is_json_object(raw):  # passed on as it came: no decoding
                    self._write_bytes(raw + b"\n")
                else:
                    line = raw.decode(errors="replace")
                    level, message, fields = parse(line)
                    self.log(logger, level, message, **fields)

    def drain(self, timeout: float) -> None:
        """Wait for the children's last lines: a pipe ends once every process holding it has
        exited (granian's workers and nginx's too); a stray one costs `timeout` at most."""
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
