"""Public, read-mostly values that many requests need: kept in the worker's own memory, then in
the shared cache, and built only when neither has them.

The worker's memory answers without a network round trip (a Redis GET costs a quarter of a
millisecond here, more than rendering a small page); the shared cache means each value is built
once per expiry for all workers, not once per worker. The shared cache keeps the value with the
moment it was built, and a worker keeps its copy only until then plus ``seconds``: a value is
never more than ``seconds`` old, wherever it is read. So only things where that much staleness
is acceptable belong here, and never anything about one person.

A value that is costly to rebuild and changes rarely can instead follow a ``Generation``: the
shared cache keeps it for as long as ``seconds`` (a day), the saves that change what it shows
replace the generation's token, and a value kept under another token is built again. A worker
cannot see the token change without a round trip, so it keeps its own copy ``LOCAL_SECONDS`` at
most: a change shows everywhere within that. Without a shared cache (no ``CACHE_URL``) such a
value lasts ``LOCAL_SECONDS`` too.
"""

import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

T = TypeVar("T")

LOCAL, SHARED = "local", "default"

# How long a worker keeps its copy of a value that follows a generation.
LOCAL_SECONDS = 60

# The shape of what the shared cache keeps, (value, built at, generation token), as a Django
# cache version: values of an earlier shape, left in Redis by the previous release, are not
# read. Raise it whenever the tuple or the class of a kept value changes or moves.
KEPT_FORMAT = 2


class Generation:
    """A token in the shared cache that stands for the current state of some tables."""

    def __init__(self, name: str):
        self.key = f"generation:{name}"

    def token(self, found: dict) -> str:
        """The current token from a get_many() that asked for it; a new one if the cache has
        none (flushed or evicted), so that nothing kept before counts as current."""
        current = found.get(self.key)
        if current is None:
            shared, new = caches[SHARED], uuid.uuid4().hex
            # Another worker may have put one there since: then its token is the current one.
            current = new if shared.add(self.key, new, None, version=KEPT_FORMAT) else shared.get(
                self.key, version=KEPT_FORMAT)
        return current

    def advance(self) -> None:
        """Call after the change has committed: a value built from the old rows before the
        commit must not be kept under the new token."""
        caches[SHARED].set(self.key, uuid.uuid4().hex, None, version=KEPT_FORMAT)


def remembered(key: str, seconds: int, build: Callable[[], T], generation: Generation | None = None) -> T:
    local = caches[LOCAL]
    value = local.get(key)
    if value is not None:
        return value
    shared = caches[SHARED]
    if generation is not None and isinstance(shared, LocMemCache):
        # Without CACHE_URL the "shared" cache is each worker's own: a save advances the token in
        # the worker that made it only, so the others must not keep the value longer than a copy.
        seconds = min(seconds, LOCAL_SECONDS)
    if generation is None:
        kept, current = shared.get(key, version=KEPT_FORMAT), None
    else:  # the value and the current token in one round trip
        found = shared.get_many([key, generation.key], version=KEPT_FORMAT)
        kept, current = found.get(key), generation.token(found)
    if kept is None or kept[2] != current:
        kept = (build(), time.time(), current)
        shared.set(key, kept, seconds, version=KEPT_FORMAT)
    value, built_at, _ = kept
    left = built_at + seconds - time.time()
    if generation is not None:
        left = min(left, LOCAL_SECONDS)
    if left >= 1:  # cache timeouts are whole seconds; a value about to expire is not copied
        local.set(key, value, int(left))
    return value
