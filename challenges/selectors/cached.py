"""The scoreboard as the API serves it: cached until the next change, with a hash as ETag."""

import hashlib
import time
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.translation import get_language

from challenges.selectors.results import scoreboard

# A random token that services.scoreboard_changed replaces after every committed change.
SCOREBOARD_VERSION_KEY = "scoreboard:version"


def scoreboard_version_new() -> str:
    # Random, not a counter: after a flush or a Redis restart no old version comes back.
    return uuid.uuid4().hex


def scoreboard_cached(*, period: str, store: str | None) -> tuple[str, dict]:
    """The board's ETag and the board, recomputed after a change (at most every
    SCOREBOARD_MAX_STALENESS_SECONDS while answers keep coming in)."""
    # Only a store some account belongs to is cached: a random store= per request would
    # otherwise add a cache key each time. An unknown one has an empty board, cheap to compute.
    if store is not None and not get_user_model().objects.filter(store=store).exists():
        board = scoreboard(period=period, store=store)
        return _etag(board), board
    version = cache.get_or_set(SCOREBOARD_VERSION_KEY, scoreboard_version_new, timeout=None)
    # A period's window slides with time: such boards also change every minute.
    bucket = "" if period == "all" else int(time.time() // 60)
    key = f"scoreboard:latest:{period}|{store}|{get_language()}|{bucket}"
    entry = cache.get(key)  # (computed at, version, etag, board)
    # Serving a board computed in the last few seconds keeps a room full of pollers from
    # recomputing it for each answer; pages still see a change within ~5 s (3 s polls).
    if entry is None or (
        entry[1] != version
        and time.time() - entry[0] >= settings.SCOREBOARD_MAX_STALENESS_SECONDS
    ):
        board = scoreboard(period=period, store=store)
        entry = (time.time(), version, _etag(board), board)
        cache.set(key, entry, timeout=300)
    return entry[2], entry[3]


def _etag(board: dict) -> str:
    # Of the board itself: equal boards match, whatever the cache went through.
    return hashlib.sha256(repr(board).encode()).hexdigest()[:32]
