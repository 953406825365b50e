"""A web worker gives back what a large request used (flower_power/memory.py): malloc_trim
once the last large request in flight is done, and granian started with the memory settings."""

import threading

import pytest

from flower_power.memory import (
    LARGE_BODY_BYTES,
    MALLOC_ENV,
    MALLOC_TRIM,
    MemoryReleaseWSGIMiddleware,
)
from tests.production import composed_stack, granian_environs


class Trims:
    """Stands in for glibc's malloc_trim: counts the calls (the C library is not ours)."""

    def __init__(self) -> None:
        self.calls = []

    def __call__(self, pad: int) -> int:
        self.calls.append(pad)
        return 1


def request(length: int | str) -> dict:
    return {"CONTENT_LENGTH": str(length), "REQUEST_METHOD": "POST"}


def answer(environ, start_response):
    return [b"{}"]


def test_glibc_has_malloc_trim_here():
    assert MALLOC_TRIM is not None


@pytest.mark.parametrize("length", ["", "0", "12", LARGE_BODY_BYTES - 1, "not a number"])
def test_a_small_or_unsized_request_is_not_followed_by_a_trim(length):
    trims = Trims()
    MemoryReleaseWSGIMiddleware(answer, trim=trims)(request(length), None)
    assert trims.calls == []


def test_a_large_request_is_followed_by_one_trim_even_when_it_fails():
    trims = Trims()

    def failing(environ, start_response):
        raise RuntimeError("boom")

    assert MemoryReleaseWSGIMiddleware(answer, trim=trims)(request(LARGE_BODY_BYTES), None) \
        == [b"{}"]
    middleware = MemoryReleaseWSGIMiddleware(failing, trim=trims)
    with pytest.raises(RuntimeError):
        middleware(request(LARGE_BODY_BYTES), None)
    assert trims.calls == [0, 0]
    assert middleware.in_flight == 0


def test_overlapping_large_requests_trim_once_when_the_last_one_ends():
    trims = Trims()
    first_inside, release_first = threading.Event(), threading.Event()

    def slow(environ, start_response):
        if environ.get("first"):
            first_inside.set()
            release_first.wait(5)
        return [b"{}"]

    middleware = MemoryReleaseWSGIMiddleware(slow, trim=trims)
    first = threading.Thread(target=middleware, args=({**request(10**6), "first": 1}, None))
    first.start()
    assert first_inside.wait(5)
    middleware(request(10**6), None)  # ends while the first is still in flight
    assert trims.calls == []
    release_first.set()
    first.join(5)
    assert trims.calls == [0]


@pytest.mark.slow
def test_granians_workers_run_with_the_memory_settings(tmp_path):
    with composed_stack(tmp_path, db_name="test_fp_memory_deploy", redis_db=11,
                        services=("web",)) as stack:
        environs = list(granian_environs(stack.processes["web"].pid).values())
    assert environs
    for environ in environs:
        assert {name: environ.get(name) for name in MALLOC_ENV} == MALLOC_ENV
