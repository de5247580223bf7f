"""The fixed-window limiter, on whatever cache the run uses (local memory, or Redis with CACHE_URL)."""

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from portal.web import ratelimit
from portal.web.addresses import client_address
from portal.web.ratelimit import RateLimit, hit_all

WINDOW_START = 1_700_000_040.0  # a multiple of 60


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves by hand: clock.at(seconds after the start of a window)."""

    class Clock:
        value = WINDOW_START

        def at(self, offset: float) -> None:
            self.value = WINDOW_START + offset

    fake = Clock()
    monkeypatch.setattr(ratelimit, "now", lambda: fake.value)
    return fake


def test_five_tries_a_minute_pass_and_the_sixth_is_refused(clock):
    limit = RateLimit("test", limit=5, seconds=60)
    verdicts = [limit.hit("203.0.113.7") for _ in range(6)]
    assert [v.allowed for v in verdicts] == [True] * 5 + [False]
    assert [v.count for v in verdicts] == [1, 2, 3, 4, 5, 6]


def test_the_refusal_says_how_long_until_the_window_ends(clock):
    limit = RateLimit("test", limit=1, seconds=60)
    clock.at(15.2)
    limit.hit("a")
    refused = limit.hit("a")
    assert not refused.allowed
    assert refused.retry_after == 45  # 44.8 s rounded up: never "try again now" too early
    assert refused.retry_at.timestamp() == WINDOW_START + 60


def test_the_next_window_starts_counting_again(clock):
    limit = RateLimit("test", limit=2, seconds=60)
    for _ in range(3):
        limit.hit("a")
    assert not limit.hit("a").allowed
    clock.at(60)
    assert limit.hit("a").allowed


def test_keys_and_scopes_are_counted_apart(clock):
    by_address = RateLimit("address", limit=1, seconds=60)
    by_person = RateLimit("person", limit=1, seconds=60)
    assert by_address.hit("same-key").allowed
    assert by_person.hit("same-key").allowed  # another scope
    assert by_address.hit("other-key").allowed  # another key
    assert not by_address.hit("same-key").allowed


def test_the_key_itself_never_appears_in_the_cache_key():
    limit = RateLimit("lookup-address", limit=5)
    key = limit.cache_key("198.51.100.23", 0)
    assert "198.51.100.23" not in key and key.startswith("ratelimit:lookup-address:")


def test_every_worker_counts_on_the_same_counter(clock):
    """Another process's cache connection (another gunicorn worker) sees the same count."""
    limit = RateLimit("test", limit=2, seconds=60)
    limit.hit("a")
    other_worker = caches.create_connection("ratelimit")
    key = limit.cache_key("a", int(WINDOW_START))
    assert other_worker.get(key) == 1
    other_worker.incr(key)
    assert limit.hit("a").count == 3 and not limit.hit("a").allowed


def test_a_counter_another_worker_makes_first_is_counted_on(clock, monkeypatch):
    limit = RateLimit("test", limit=5, seconds=60)
    counters = caches["ratelimit"]
    make = counters.add

    def another_worker_first(key, value, timeout):
        make(key, value, timeout)  # the other worker's first try, just before ours
        return make(key, value, timeout)

    monkeypatch.setattr(counters, "add", another_worker_first)
    assert limit.hit("a").count == 2


def test_hit_all_counts_every_limit_and_returns_the_longest_refusal(clock):
    short = RateLimit("short", limit=1, seconds=10)
    long = RateLimit("long", limit=1, seconds=60)
    assert hit_all([(short, "k"), (long, "k")]) is None
    refused = hit_all([(short, "k"), (long, "k")])
    assert refused is not None and refused.retry_after == 60
    assert short.hit("k").count == 3 and long.hit("k").count == 3


def test_the_client_address_is_the_peer_unless_the_peer_is_a_trusted_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_address(request) == "198.51.100.1"  # a forged header changes nothing
    settings.TRUSTED_PROXIES = ["198.51.100.1"]
    assert client_address(request) == "203.0.113.9"
    request = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 198.51.100.1"
    )
    assert client_address(request) == "203.0.113.9"  # the client may prepend anything it likes
