"""The cheap change signal of a chat and who is typing, kept in the cache only.

Every write to a chat bumps its revision, so a stream that polls the cache every ~100 ms learns
of a change without a query. The cache may be per process (the default local-memory cache):
streams re-read the database every few seconds anyway, so a change made in another process
still arrives, only later. Typing marks live a few seconds and never touch the database.
"""

from typing import Final

from django.core.cache import cache

TYPING_SECONDS: Final = 5
_REVISION_TTL: Final = 24 * 3600


def _revision_key(session_id: int) -> str:
    return f"chat:rev:{session_id}"


def revision_bump(session_id: int) -> None:
    key = _revision_key(session_id)
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or expired): start it
        cache.set(key, 1, _REVISION_TTL)


def revision_get(session_id: int) -> int:
    return int(cache.get(_revision_key(session_id), 0))


def typing_set(session_id: int, side: str) -> None:
    cache.set(f"chat:typing:{session_id}:{side}", 1, TYPING_SECONDS)


def typing_clear(session_id: int, side: str) -> None:
    cache.delete(f"chat:typing:{session_id}:{side}")


def typing_get(session_id: int, side: str) -> bool:
    return bool(cache.get(f"chat:typing:{session_id}:{side}"))
