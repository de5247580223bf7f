"""Public, read-mostly values that many requests need: kept in the worker's own memory, then in
the shared cache, and built only when neither has them.

The worker's memory answers without a network round trip (a Redis GET costs a quarter of a
millisecond here, more than rendering a small page); the shared cache means each value is built
once per expiry for all workers, not once per worker. Values may be up to ``seconds`` stale in
either place, so only things where a few minutes of staleness is acceptable belong here, and
never anything about one person.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches

T = TypeVar("T")

LOCAL, SHARED = "local", "default"


def remembered(key: str, seconds: int, build: Callable[[], T]) -> T:
    local = caches[LOCAL]
    value = local.get(key)
    if value is None:
        shared = caches[SHARED]
        value = shared.get(key)
        if value is None:
            value = build()
            shared.set(key, value, seconds)
        local.set(key, value, seconds)
    return value
