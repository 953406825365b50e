"""A web worker gives back the memory a large request used (goal: under 150 MB each).

A 10,000-row prediction allocates ~6 MB for a few milliseconds: the body, the parsed rows,
the answer. Freed, that memory stayed with the process: glibc keeps it in the malloc arena
of the request thread that freed it (one arena per thread, up to 8 per core), and granian's
Rust side (jemalloc) keeps freed pages for ten seconds. After the 10,000-row batches of
bench_serving.py a worker held 160-190 MB instead of ~130. Three changes, measured there:

- `MALLOC_ENV`, which serve.py gives granian: at most two glibc arenas (Python threads take
  turns on the GIL, so more arenas bought memory, not speed) and jemalloc returning freed
  pages at once;
- MemoryReleaseWSGIMiddleware: after a large request, once no other large one is in
  flight, malloc_trim(0) returns glibc's free pages;
- ml/litert.py runs large batches through tensors of at most MAX_TENSOR_ROWS rows.
"""

import ctypes
import ctypes.util
import threading

# Environment defaults for granian's processes (serve.py; an operator's own values win).
MALLOC_ENV = {
    "MALLOC_ARENA_MAX": "2",
    "_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0",  # granian's jemalloc
}
# Bodies from this size up (about 2,500 rows of JSON) are worth a trim afterwards.
LARGE_BODY_BYTES = 64 * 1024


def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


MALLOC_TRIM = _malloc_trim()


class MemoryReleaseWSGIMiddleware:
    """Returns malloc's free pages to the OS after large requests, once none is in flight
    (a trim while another is running would leave that one's memory behind)."""

    def __init__(self, application, trim=MALLOC_TRIM) -> None:
        self.application = application
        self.trim = trim
        self.in_flight = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if self.trim is None or _length(environ) < LARGE_BODY_BYTES:
            return self.application(environ, start_response)
        with self.lock:
            self.in_flight += 1
        try:
            return self.application(environ, start_response)
        finally:
            with self.lock:
                self.in_flight -= 1
                last = self.in_flight == 0
            if last:
                self.trim(0)  # a foreign call: ctypes lets other threads run meanwhile


def _length(environ) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
