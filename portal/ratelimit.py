"""Fixed-window rate limits kept in the shared cache, so that every gunicorn worker counts the
same tries (DESIGN.md section 10: the public lookup; later the login lockout).

A window is a stretch of clock time ``[start, start + seconds)`` aligned to multiples of its
length; its counter lives in the cache under a key that names the window, so it needs no reset
and the time to wait is simply the end of the window. ``cache.add`` creates the counter (atomic
on Redis and in local memory) and ``cache.incr`` counts on it (atomic on both), so two workers
never both see "first try".
"""

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers


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
        moment = now()
        window_start = int(moment // self.seconds) * self.seconds
        cache = caches[self.cache_alias]
        cache_key = self._cache_key(key, window_start)
        # A little longer than the window, so the counter cannot expire while it still counts.
        timeout = self.seconds + 5
        if cache.add(cache_key, 1, timeout=timeout):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # evicted between add and incr: this try opens the counter again
                cache.add(cache_key, 1, timeout=timeout)
                count = 1
        window_end = window_start + self.seconds
        return Verdict(
            allowed=count <= self.limit, count=count, limit=self.limit,
            retry_after=max(1, math.ceil(window_end - moment)), window_end=window_end,
        )


def hit_all(limits: list[tuple[RateLimit, str]]) -> Verdict | None:
    """Count one try against each (limit, key); the verdict that refuses it longest, or None."""
    refused = [verdict for limit, key in limits if not (verdict := limit.hit(key)).allowed]
    return max(refused, key=lambda verdict: verdict.retry_after, default=None)


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
