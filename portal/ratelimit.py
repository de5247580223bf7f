"""Fixed-window rate limits kept in the shared cache, so that every gunicorn worker counts the
same tries (DESIGN.md section 10: the public lookup).

A window is a stretch of clock time ``[start, start + seconds)`` aligned to multiples of its
length; its counter lives in the cache under a key that names the window, so it needs no reset
and the time to wait is simply the end of the window. Counting is atomic, so two workers never
both see "first try": on Redis, one script does INCR and EXPIRE for every counter of a request
in one round trip (the lookup counts two, per address and per person); on other caches
``cache.add`` creates a counter and ``cache.incr`` counts on it.
"""

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from redis.commands.core import Script


def now() -> float:
    """The clock the limiter reads; tests replace it to step into the next window."""
    return time.time()


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # whole seconds until the current window ends
    window_end: float  # UNIX time

    @property
    def retry_at(self) -> datetime:
        """When the next window opens, as an aware datetime in the portal's time zone."""
        return datetime.fromtimestamp(math.ceil(self.window_end), tz=timezone.get_current_timezone())


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` tries per ``seconds`` for each key of one ``scope`` ("lookup-address")."""

    scope: str
    limit: int
    seconds: int = 60
    cache_alias: str = "default"

    def _cache_key(self, key: str, window_start: int) -> str:
        # Keys are hashed: client addresses and ID digests never appear in the cache as such,
        # and any key text fits the character rules of every cache backend.
        hashed = hashlib.sha256(f"{self.scope}\0{key}".encode()).hexdigest()[:32]
        return f"ratelimit:{self.scope}:{hashed}:{window_start}"

    def hit(self, key: str) -> Verdict:
        """Count one try for ``key`` and say whether it is within the limit."""
        return _hit([(self, key)])[0]

    def _timeout(self) -> int:
        # A little longer than the window, so the counter cannot expire while it still counts.
        return self.seconds + 5


def hit_all(limits: list[tuple[RateLimit, str]]) -> Verdict | None:
    """Count one try against each (limit, key); the verdict that refuses it longest, or None."""
    refused = [verdict for verdict in _hit(limits) if not verdict.allowed]
    return max(refused, key=lambda verdict: verdict.retry_after, default=None)


def _hit(limits: list[tuple[RateLimit, str]]) -> list[Verdict]:
    moment = now()
    aliases = {limit.cache_alias for limit, _ in limits}
    if len(aliases) != 1:
        raise ValueError("limits counted together must share one cache")
    cache = caches[aliases.pop()]
    windows = [int(moment // limit.seconds) * limit.seconds for limit, _ in limits]
    counters = [(limit._cache_key(key, start), limit._timeout()) for (limit, key), start in zip(limits, windows)]
    counts = _count_on_redis(cache, counters) if isinstance(cache, RedisCache) else [_count(cache, *c) for c in counters]
    return [
        Verdict(allowed=count <= limit.limit, count=count, limit=limit.limit,
                retry_after=max(1, math.ceil(start + limit.seconds - moment)), window_end=start + limit.seconds)
        for (limit, _), start, count in zip(limits, windows, counts)
    ]


# One command for all the counters of a request: INCR creates a missing counter at 1; EXPIRE
# after it also renews the expiry, which only keeps a finished window's counter a little longer
# (its key names the window). Stored as plain integers, the counters read back through
# ``cache.get`` like those of ``cache.incr``. redis-py sends it by its SHA1 (EVALSHA) and loads
# it into a server that does not know it yet; as bytes it needs no client to be made.
_COUNT_SCRIPT = Script(None, b"""
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[i])
end
return counts
""")


def _count_on_redis(cache: RedisCache, counters: list[tuple[str, int]]) -> list[int]:
    """Django's Redis backend writes every key to its first server, so one script reaches all.
    One command rather than a pipeline of INCR and EXPIRE: a third less time in the client."""
    keys = [cache.make_and_validate_key(key) for key, _ in counters]
    return _COUNT_SCRIPT(keys=keys, args=[timeout for _, timeout in counters],
                         client=cache._cache.get_client(write=True))


def _count(cache, key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr: this try opens the counter again
        cache.add(key, 1, timeout=timeout)
        return 1


def client_address(request) -> str:
    """The address of the client. Behind a reverse proxy listed in settings.TRUSTED_PROXIES the
    peer is the proxy, so the nearest address in X-Forwarded-For that is not a trusted proxy is
    the client; otherwise the peer address is, whatever the headers say (they can be forged)."""
    peer = request.META.get("REMOTE_ADDR", "")
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()))
    if peer not in trusted:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address
    return peer


def too_many_requests(request, verdict: Verdict, *, action: str):
    """The 429 page: in Chinese, saying when to try again; ``action`` names what was refused."""
    response = render(
        request, "429.html",
        {"action": action, "retry_after": verdict.retry_after, "retry_at": verdict.retry_at, "limit": verdict.limit},
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    add_never_cache_headers(response)
    return response
