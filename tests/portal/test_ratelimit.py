"""The fixed-window limiter, on whatever cache the run uses (local memory, or Redis with CACHE_URL)."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.test import RequestFactory

from portal import ratelimit
from portal.ratelimit import RateLimit, client_address, hit_all

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
    key = limit._cache_key("198.51.100.23", 0)
    assert "198.51.100.23" not in key and key.startswith("ratelimit:lookup-address:")


@pytest.fixture
def local_memory():
    """The worker's local-memory cache beside the default, which may be Redis: the add-and-incr path."""
    return caches["local"]


def test_a_counter_evicted_between_add_and_incr_starts_again(clock, monkeypatch, local_memory):
    limit = RateLimit("test", limit=5, seconds=60, cache_alias="local")
    limit.hit("a")

    def evicted(*args, **kwargs):
        local_memory.clear()
        raise ValueError("key evicted")

    monkeypatch.setattr(local_memory, "incr", evicted)
    assert limit.hit("a").count == 1


def test_limits_counted_together_must_share_a_cache(local_memory):
    with pytest.raises(ValueError):
        hit_all([(RateLimit("a", limit=1), "k"), (RateLimit("b", limit=1, cache_alias="local"), "k")])


@pytest.mark.skipif("redis" not in settings.CACHES["default"]["BACKEND"].lower(), reason="needs CACHE_URL=redis://")
def test_on_redis_the_counters_of_a_request_go_in_one_round_trip_and_expire(clock, monkeypatch):
    from redis import Redis

    executed = []
    original = Redis.execute_command
    monkeypatch.setattr(Redis, "execute_command",
                        lambda self, *a, **k: executed.append(a[0]) or original(self, *a, **k))
    short, long = RateLimit("short", limit=5, seconds=10), RateLimit("long", limit=5, seconds=60)
    hit_all([(short, "k"), (long, "k")])
    hit_all([(short, "k"), (long, "k")])
    # One command per request (a first SCRIPT LOAD when the server did not know the script).
    assert [command for command in executed if command != "SCRIPT LOAD"] == ["EVALSHA", "EVALSHA"]
    key = long._cache_key("k", int(WINDOW_START))
    assert cache.get(key) == 2  # the counter reads back like one made by cache.incr
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_and_validate_key(key)) <= 65


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
