"""The shared cache (Redis in production) is a speed-up, never a condition of a right answer.

With Redis down or frozen every page still works: a read is a miss and the value is computed
afresh, a write is skipped, and the rate limits count in this worker's memory instead
(``portal.web.ratelimit``). Every Redis call has a short socket timeout (``CACHE_SOCKET_TIMEOUT``)
and, after one fails, this worker leaves Redis alone for ``CACHE_RETRY_SECONDS``, so that a
frozen Redis costs a worker one timeout per few seconds, not one per call.

Settings use ``ForgivingRedisCache`` for the ``default`` cache, and Django's own ``RedisCache``
for the ``ratelimit`` one, whose failures the rate limiter must see to count elsewhere.
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a cache that is down, unreachable or too slow raises.
CACHE_ERRORS = (RedisError, OSError)


class _Outage:
    """When this worker may try the shared cache again after a failure (monotonic time)."""

    def __init__(self) -> None:
        self.retry_at = 0.0

    def ongoing(self) -> bool:
        return time.monotonic() < self.retry_at

    def began(self, error: Exception) -> None:
        if not self.ongoing():
            logger.warning("shared cache unavailable, working without it for %ss: %r",
                           settings.CACHE_RETRY_SECONDS, error)
        self.retry_at = time.monotonic() + settings.CACHE_RETRY_SECONDS

    def ended(self) -> None:
        self.retry_at = 0.0


outage = _Outage()


def with_shared_cache(call, fallback):
    """``call()`` against the shared cache, or ``fallback()`` while it is down or when it fails."""
    if outage.ongoing():
        return fallback()
    try:
        return call()
    except CACHE_ERRORS as error:
        outage.began(error)
        return fallback()


def shared_cache_state() -> str:
    """"ok", or "down" when the shared cache does not answer (for /healthz)."""
    try:
        caches["ratelimit"].get("healthz")
    except CACHE_ERRORS as error:
        outage.began(error)
        return "down"
    outage.ended()
    return "ok"


class ForgivingRedisCache(RedisCache):
    """Django's RedisCache where a failure is a miss (reads) or a no-op (writes), never an error.

    ``get_or_set`` needs no override: Django builds it from ``get`` and ``add``, so with Redis
    down it computes the value and returns it."""

    def get(self, key, default=None, version=None):
        parent = super()
        return with_shared_cache(lambda: parent.get(key, default, version), lambda: default)

    def get_many(self, keys, version=None):
        parent = super()
        return with_shared_cache(lambda: parent.get_many(keys, version), dict)

    def has_key(self, key, version=None):
        parent = super()
        return with_shared_cache(lambda: parent.has_key(key, version), lambda: False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super()
        return with_shared_cache(lambda: parent.add(key, value, timeout, version), lambda: False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super()
        with_shared_cache(lambda: parent.set(key, value, timeout, version), lambda: None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super()
        return with_shared_cache(lambda: parent.set_many(data, timeout, version), lambda: list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super()
        return with_shared_cache(lambda: parent.touch(key, timeout, version), lambda: False)

    def delete(self, key, version=None):
        parent = super()
        return with_shared_cache(lambda: parent.delete(key, version), lambda: False)

    def delete_many(self, keys, version=None):
        parent = super()
        with_shared_cache(lambda: parent.delete_many(keys, version), lambda: None)

    def incr(self, key, delta=1, version=None):
        parent = super()

        def missing():
            raise ValueError(f"Key '{key}' not found (the shared cache is unavailable)")

        return with_shared_cache(lambda: parent.incr(key, delta, version), missing)

    def clear(self):
        parent = super()
        with_shared_cache(parent.clear, lambda: None)
