"""The LOGGING setting: one JSON object a line on stderr, or plain text for a terminal."""


def _stream(fd: int | None) -> dict:
    """Where the console handlers write: stderr, or the file descriptor the web command gave
    its workers for their lines (LOG_FD, flower_power/serve_logs.py)."""
    if fd is None:
        return {"class": "flower_power.logs.LineHandler"}
    return {"()": "flower_power.logs.LineHandler.on_fd", "fd": fd}


def logging_config(*, log_format: str, level: str, fd: int | None = None) -> dict:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "flower_power.logs.ContextFilter"},
            "client_ip": {"()": "flower_power.client_ip.ClientIpLogFilter"},
            "quiet_client_errors": {"()": "flower_power.client_ip.QuietClientErrorsFilter"},
        },
        "formatters": {
            "json": {"()": "flower_power.logs.JsonFormatter"},
            "text": {
                "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
            },
            # Request records name the client (TRUSTED_PROXIES decides who that is).
            "request": {
                "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s "
                "client=%(client_ip)s"
            },
        },
        "handlers": {
            "console": {
                **_stream(fd), "formatter": log_format,
                "filters": ["context"],
            },
            "request_console": {
                **_stream(fd),
                "formatter": "json" if log_format == "json" else "request",
                "filters": ["context", "client_ip", "quiet_client_errors"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # A refused login is expected traffic, not news.
            "axes": {"level": "WARNING"},
            # 4xx as one warning line (no traceback for a 403), with the client's address.
            "django.request": {"handlers": ["request_console"], "propagate": False},
        },
    }
