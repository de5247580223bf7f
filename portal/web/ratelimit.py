"""Fixed-window rate limits kept in the shared cache, so that every gunicorn worker counts the
same tries (DESIGN.md section 10: the public lookup).

A window is a stretch of clock time ``[start, start + seconds)`` aligned to multiples of its
length; its counter lives in the cache under a key that names the window, so it needs no reset
and the time to wait is simply the end of the window. Counting uses the cache's ``add``, which
only one worker wins, then ``incr``, so two workers never both see "first try".

The counters live in the ``ratelimit`` cache (Redis in production). While it is down, each
worker counts in its own memory (``ratelimit-local``): a limit still holds, at most the number
of workers times the limit for the minutes of the outage, and never unlimited. A Redis restart
empties the counters of the current window (the README's operations section).
"""

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from portal.web.addresses import client_address
from portal.web.cache import with_shared_cache


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

    def hit(self, key: str) -> Verdict:
        """Count one try for ``key`` and say whether it is within the limit."""
        moment = now()
        start = int(moment // self.seconds) * self.seconds
        count = _count(self.cache_key(key, start), timeout=self.seconds + 5)
        return Verdict(allowed=count <= self.limit, count=count, limit=self.limit,
                       retry_after=max(1, math.ceil(start + self.seconds - moment)), window_end=start + self.seconds)

    def cache_key(self, key: str, window_start: int) -> str:
        # Keys are hashed: client addresses and ID digests never appear in the cache as such,
        # and any key text fits the character rules of every cache backend.
        hashed = hashlib.sha256(f"{self.scope}\0{key}".encode()).hexdigest()[:32]
        return f"ratelimit:{self.scope}:{hashed}:{window_start}"


def hit_all(limits: list[tuple[RateLimit, str]]) -> Verdict | None:
    """Count one try against each (limit, key); the verdict that refuses it longest, or None."""
    refused = [verdict for verdict in (limit.hit(key) for limit, key in limits) if not verdict.allowed]
    return max(refused, key=lambda verdict: verdict.retry_after, default=None)


def _count(key: str, *, timeout: int) -> int:
    """The window's count after this try, in the shared counters or, while they are down, in
    this worker's."""
    return with_shared_cache(lambda: _count_in(caches["ratelimit"], key, timeout),
                             lambda: _count_in(caches["ratelimit-local"], key, timeout))


def _count_in(cache, key: str, timeout: int) -> int:
    """Most counters see one try (people look themselves up once), so making the counter comes
    first. It outlives its window by a little (timeout), so that it cannot expire while it
    still counts."""
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # evicted between the two calls: this try starts the count again
        cache.add(key, 1, timeout=timeout)
        return 1


def too_many_requests(request, verdict: Verdict, *, action: str, period: str = "每分钟"):
    """The 429 page: in Chinese, saying when to try again; ``action`` names what was refused and
    ``period`` the limit's window ("每小时" for the sign-in to 我的医保)."""
    response = render(
        request, "429.html",
        {"action": action, "retry_after": verdict.retry_after, "retry_at": verdict.retry_at, "limit": verdict.limit,
         "period": period},
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    add_never_cache_headers(response)
    return response


def api_rate_limited(setting: str, *, scope: str):
    """A JSON API view allowed ``settings.<setting>`` requests a minute from each client address
    (the apps that call it have their own servers: one address is one app, or one person). Over
    the limit: 429 with ``Retry-After`` and the API's error body, saying when to try again."""

    def decorate(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            verdict = RateLimit(scope, limit=getattr(settings, setting), seconds=60).hit(client_address(request))
            if verdict.allowed:
                return view(request, *args, **kwargs)
            message = (f"请求过于频繁：每个地址每分钟最多 {verdict.limit} 次，请 {verdict.retry_after} 秒后再试。"
                       f" / Too many requests: at most {verdict.limit} a minute from one address; "
                       f"retry after {verdict.retry_after} s.")
            response = JsonResponse({"errors": {"__all__": [message]}}, status=429,
                                    json_dumps_params={"ensure_ascii": False})
            response["Retry-After"] = str(verdict.retry_after)
            add_never_cache_headers(response)
            return response

        return limited

    return decorate
