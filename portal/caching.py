"""Public, read-mostly values that many requests need: kept in the worker's own memory, then in
the shared cache, and built only when neither has them.

The worker's memory answers without a network round trip (a Redis GET costs a quarter of a
millisecond here, more than rendering a small page); the shared cache means each value is built
once per expiry for all workers, not once per worker. The shared cache keeps the value with the
moment it was built, and a worker keeps its copy only until then plus ``seconds``: a value is
never more than ``seconds`` old, wherever it is read. So only things where that much staleness
is acceptable belong here, and never anything about one person.
"""

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches

T = TypeVar("T")

LOCAL, SHARED = "local", "default"


def remembered(key: str, seconds: int, build: Callable[[], T]) -> T:
    local = caches[LOCAL]
    value = local.get(key)
    if value is not None:
        return value
    shared = caches[SHARED]
    kept = shared.get(key)  # (value, built at)
    if kept is None:
        kept = (build(), time.time())
        shared.set(key, kept, seconds)
    value, built_at = kept
    left = built_at + seconds - time.time()
    if left >= 1:  # cache timeouts are whole seconds; a value about to expire is not copied
        local.set(key, value, int(left))
    return value
