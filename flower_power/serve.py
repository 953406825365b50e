"""The production web server, one command: `python -m flower_power.serve`.

nginx (Debian's package) faces the clients; granian runs the WSGI app behind it on a Unix
socket in a private directory. nginx reads every request, body included, before a Python
thread sees it: slow clients hold an nginx connection (a few KB, no thread) and are cut off
by WEB_HEADER_TIMEOUT and WEB_BODY_TIMEOUT. granian alone hands wsgi.input to a Python
thread that waits for the body with no timeout at all (README, "Serving").

SIGTERM/SIGINT stop nginx gracefully (requests in flight finish), then granian; SIGHUP
reloads both (granian respawns workers one by one). If either dies, the other is stopped and
the command exits non-zero, so the container restarts.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flower_power.serve_logs import NGINX_ACCESS_LOG, Relay


class ConfigError(SystemExit):
    pass


def _env(env, name: str) -> str:
    return env.get(name, "").strip()


def _int(env, name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = _env(env, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ConfigError(f"{name} must be at least {minimum}{upper}, not {value}")
    return value


def _bool(env, name: str, default: bool) -> bool:
    raw = _env(env, name).lower()
    if not raw:
        return default
    if raw not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        raise ConfigError(f"{name} must be true or false, not {raw!r}")
    return raw in {"1", "true", "yes", "on"}


def _bind(env) -> tuple[str, int]:
    raw = _env(env, "WEB_BIND") or "0.0.0.0:8000"
    host, _, port = raw.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"WEB_BIND must be HOST:PORT, e.g. 0.0.0.0:8000, not {raw!r}")
    return host, int(port)


@dataclass(frozen=True)
class Config:
    host: str
    port: int
    workers: int  # granian worker processes
    threads: int  # granian blocking threads per worker (Python request threads)
    proxy_workers: int  # nginx worker processes
    header_timeout: int  # seconds for a whole request head
    body_timeout: int  # seconds a request body may pause between two reads
    keepalive_timeout: int  # seconds an idle client connection stays open
    upstream_timeout: int  # seconds the app may take to answer
    graceful_timeout: int  # seconds in-flight requests get on stop or reload
    worker_lifetime: int  # seconds before a granian worker is replaced (0: never)
    worker_max_rss: int  # MiB of memory before a granian worker is replaced (0: no limit)
    body_max_bytes: int
    access_log: bool
    log_level: str

    @classmethod
    def from_env(cls, env=os.environ) -> "Config":
        host, port = _bind(env)
        log_level = _env(env, "WEB_LOG_LEVEL").lower() or "info"
        if log_level not in {"debug", "info", "warning", "error"}:
            raise ConfigError(f"WEB_LOG_LEVEL must be debug, info, warning or error, not "
                              f"{log_level!r}")
        return cls(
            host=host, port=port,
            workers=_int(env, "WEB_CONCURRENCY", os.cpu_count() or 1, minimum=1),
            threads=_int(env, "WEB_THREADS", 8, minimum=1),
            proxy_workers=_int(env, "WEB_PROXY_WORKERS", 1, minimum=1),
            header_timeout=_int(env, "WEB_HEADER_TIMEOUT", 10, minimum=1, maximum=60),
            body_timeout=_int(env, "WEB_BODY_TIMEOUT", 10, minimum=1),
            keepalive_timeout=_int(env, "WEB_KEEPALIVE_TIMEOUT", 75, minimum=0),
            upstream_timeout=_int(env, "WEB_TIMEOUT", 30, minimum=1),
            graceful_timeout=_int(env, "WEB_GRACEFUL_TIMEOUT", 20, minimum=1),
            worker_lifetime=_int(env, "WEB_WORKER_LIFETIME", 6 * 3600, minimum=0),
            worker_max_rss=_int(env, "WEB_WORKER_MAX_RSS_MB", 1024, minimum=0),
            body_max_bytes=_int(env, "REQUEST_BODY_MAX_BYTES", 2_621_440, minimum=1),
            access_log=_bool(env, "WEB_ACCESS_LOG", False),
            log_level=log_level,
        )


# The API's error envelope (flower_power/api/errors.py) for what nginx answers itself.
_JSON_ERRORS = {
    413: ("too_large", "The request body is too large."),
    502: ("unavailable", "The application is not answering; try again shortly."),
    504: ("timeout", "The application took too long to answer."),
}


def nginx_conf(config: Config, directory: Path, socket: Path) -> str:
    """nginx's configuration: buffer every request and response, cut slow clients off."""
    errors = "\n".join(
        f"        location = /.fp-error-{status} {{ internal; default_type application/json;"
        f" return {status} '{{\"error\": {{\"code\": \"{code}\", \"message\": \"{message}\","
        f" \"fields\": {{}}}}}}'; }}\n        error_page {status} /.fp-error-{status};"
        for status, (code, message) in _JSON_ERRORS.items()
    )
    access = NGINX_ACCESS_LOG if config.access_log else "access_log off;"
    temp = "\n".join(f"    {kind}_temp_path {directory / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # Run as root (a test machine), nginx's workers would switch to `nobody`, which cannot
    # reach the private socket: keep them as the user who started us.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    return f"""\
{user}worker_processes {config.proxy_workers};
pid {directory / 'nginx.pid'};
error_log stderr {'warn' if config.log_level in ('info', 'warning') else config.log_level};
events {{ worker_connections 4096; }}
http {{
    {access}
{temp}
    server_tokens off;
    # The whole head within this time (one timer, not reset by each byte).
    client_header_timeout {config.header_timeout}s;
    # A body may not pause longer than this between two reads.
    client_body_timeout {config.body_timeout}s;
    send_timeout {config.body_timeout}s;
    keepalive_timeout {config.keepalive_timeout}s;
    reset_timedout_connection on;
    # Twice the app's limit: up to there the app answers the 413 in its own envelope (the v2
    # protocol's under /v2); past it nginx stops reading and answers the API's envelope.
    client_max_body_size {2 * config.body_max_bytes};
    client_body_buffer_size 64k;
    upstream app {{
        server unix:{socket};
        keepalive 64;
    }}
    server {{
        listen {config.host}:{config.port} backlog=1024;
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            # The TCP peer, for flower_power/wsgi.py: the app then sees the same REMOTE_ADDR
            # and X-Forwarded-* headers as if clients reached it directly (TRUSTED_PROXIES).
            proxy_set_header X-Real-IP $remote_addr;
            proxy_request_buffering on;
            proxy_buffering on;
            proxy_read_timeout {config.upstream_timeout}s;
            proxy_redirect off;
            proxy_intercept_errors off;
        }}
{errors}
    }}
}}
"""


def granian_argv(config: Config, socket: Path, log_args: tuple[str, ...] = ()) -> list[str]:
    argv = [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--uds", str(socket),
        "--uds-permissions", "0o600", "--http", "1", "--no-ws",
        "--workers", str(config.workers), "--blocking-threads", str(config.threads),
        # Requests beyond the threads wait in granian's queue, first come first served; at
        # backpressure = threads, some nginx connections starved 30 s (504s in make loadtest).
        "--backpressure", str(config.threads * 16),
        "--http1-header-read-timeout", str(config.header_timeout * 1000),
        "--respawn-failed-workers", "--workers-kill-timeout", str(config.graceful_timeout),
    ]
    if config.worker_lifetime:
        argv += ["--workers-lifetime", str(max(60, config.worker_lifetime))]
    if config.worker_max_rss:
        argv += ["--workers-max-rss", str(config.worker_max_rss)]
    return [*argv, *log_args, "flower_power.wsgi:application"]


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)
    if not found:
        raise ConfigError("nginx is not installed (apt-get install nginx-light; the image has it)")
    return found


class Supervisor:
    """granian and nginx as children: signals passed on, one dying stops the other."""

    def __init__(self, config: Config, relay: Relay) -> None:
        self.config, self.relay = config, relay
        self.directory = Path(tempfile.mkdtemp(prefix="flower-power-web-"))  # mode 0700
        self.socket = self.directory / "app.sock"
        self.granian: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self.stopping = self.reload = False

    def start(self) -> None:
        conf = self.directory / "nginx.conf"
        conf.write_text(nginx_conf(self.config, self.directory, self.socket))
        nginx = nginx_binary()
        check = subprocess.run([nginx, "-t", "-q", "-e", "stderr", "-c", str(conf),
                                "-p", str(self.directory)], capture_output=True, text=True)
        if check.returncode:
            raise ConfigError(f"nginx refused its configuration:\n{check.stderr}")
        # Prometheus counters start from zero with the server; granian's workers inherit where
        # to write them (flower_power/metrics).
        from flower_power.metrics import prepare_multiprocess_dir

        prepare_multiprocess_dir()
        log_args = self.relay.granian_log_args(self.directory, self.config.log_level)
        argv = granian_argv(self.config, self.socket, log_args)
        self.granian = self.relay.spawn(argv, "granian", log_fd=True)
        # nginx starts once granian accepts connections: no 502s while the app loads.
        deadline = time.monotonic() + 120
        while not self._granian_accepts():
            if self.granian.poll() is not None or time.monotonic() > deadline:
                raise ConfigError("granian did not start accepting connections")
            time.sleep(0.1)
        self.nginx = self.relay.spawn([nginx, "-e", "stderr", "-c", str(conf), "-p",
                                       str(self.directory), "-g", "daemon off;"], "nginx")

    def _granian_accepts(self) -> bool:
        with socket.socket(socket.AF_UNIX) as probe:
            try:
                probe.connect(str(self.socket))
            except OSError:
                return False
        return True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_reload)
        try:
            self.start()
            while not self.stopping:
                if self.reload:
                    self.reload = False
                    self.nginx.send_signal(signal.SIGHUP)
                    self.granian.send_signal(signal.SIGHUP)
                for name, child in (("nginx", self.nginx), ("granian", self.granian)):
                    if child.poll() is not None:
                        self.relay.error(f"{name} exited with {child.returncode}; stopping")
                        return child.returncode or 1
                time.sleep(0.2)
            return 0
        finally:
            self.stop()

    def _on_stop(self, *_) -> None:
        self.stopping = True

    def _on_reload(self, *_) -> None:
        self.reload = True

    def stop(self) -> None:
        # nginx first (SIGQUIT: finish what is in flight), so no request meets a gone app.
        for child, sig in ((self.nginx, signal.SIGQUIT), (self.granian, signal.SIGTERM)):
            if child is None or child.poll() is not None:
                continue
            child.send_signal(sig)
            try:
                child.wait(timeout=self.config.graceful_timeout + 5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.relay.drain(timeout=5)
        shutil.rmtree(self.directory, ignore_errors=True)


def main() -> None:
    relay = Relay(_env(os.environ, "LOG_FORMAT").lower() or "json")
    try:
        raise SystemExit(Supervisor(Config.from_env(), relay).run())
    except ConfigError as error:
        relay.error(str(error.code))
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
