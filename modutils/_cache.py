"""The one eviction policy of modutils' bounded caches."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Hashable
    from typing import TypeVar

    _K = TypeVar("_K", bound=Hashable)
    _V = TypeVar("_V")

__all__ = ["remember"]


def remember(cache: dict[_K, _V], key: _K, value: _V, limit: int) -> None:
    """``cache[key] = value``, dropping the oldest entry first when *cache* holds *limit*.

    Insertion order, oldest out, which costs nothing on a hit (an LRU would reorder
    on every read). Call it with the cache's lock held when other threads may store
    at the same time.
    """
    if len(cache) >= limit and key not in cache:
        cache.pop(next(iter(cache)), None)
    cache[key] = value
