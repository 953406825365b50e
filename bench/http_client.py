"""A keep-alive JSON client over http.client, for the load generators of the benches and of
the load test. Each thread owns its connections (http.client is not thread-safe)."""

import http.client
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

# A reused keep-alive connection the server closed before reading our request (a worker
# recycled by max_requests, an idle timeout): the request never reached the application,
# so sending it again on a fresh connection is safe, as urllib3 does.
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
    def __init__(self, base: str, token: str | None = None, timeout: float = 30) -> None:
        url = urlsplit(base)
        self.host, self.port, self.timeout = url.hostname, url.port, timeout
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        self.connection: http.client.HTTPConnection | None = None
        self.used = 0  # requests sent on the current connection
        self.reconnects = 0  # stale keep-alive connections replaced (see STALE_CONNECTION)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(
        self, method: str, path: str, payload: object = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """Send one request; raises TransportError when no response came back."""
        body = None if payload is None else json.dumps(payload).encode()
        all_headers = {**self.headers, **(headers or {})}
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
                self.used = 0
            reused = self.used > 0
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=all_headers)
                self.used += 1
                response = self.connection.getresponse()
                data = response.read()
            except STALE_CONNECTION as exc:
                self.close()
                if reused and attempt == 1:
                    self.reconnects += 1
                    continue
                raise TransportError(f"{type(exc).__name__}: {exc}") from None
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise TransportError(f"{type(exc).__name__}: {exc}") from None
            seconds = time.perf_counter() - started
            if response.will_close:
                self.close()
            return Reply(response.status, data, dict(response.getheaders()), seconds)
        raise AssertionError("unreachable")
