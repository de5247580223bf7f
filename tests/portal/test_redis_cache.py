"""portal/redis_cache.py: Django's Redis cache, keeping one redis-py client per pool."""

import pytest
from django.conf import settings
from django.core.cache import caches

from portal.redis_cache import ReusingRedisCache


def test_the_client_is_made_once_per_pool_not_once_per_operation():
    backend = ReusingRedisCache("redis://127.0.0.1:6379/9", {})  # making clients opens no connection
    writer = backend._cache.get_client(write=True)
    assert backend._cache.get_client(write=True) is writer
    assert writer.connection_pool is backend._cache._get_connection_pool(True)


def test_each_server_has_its_own_client():
    backend = ReusingRedisCache("redis://127.0.0.1:6379/9,redis://127.0.0.1:6379/10", {})
    writer, reader = backend._cache.get_client(write=True), backend._cache.get_client(write=False)
    assert writer is not reader
    assert writer.connection_pool.connection_kwargs["db"] == 9
    assert reader.connection_pool.connection_kwargs["db"] == 10


@pytest.mark.skipif("redis" not in settings.CACHES["default"]["BACKEND"].lower(), reason="needs CACHE_URL=redis://")
def test_the_shared_client_reads_and_writes_like_djangos():
    cache = caches["default"]
    cache.set("n", 1, 30)
    assert cache.incr("n") == 2
    assert cache.get_many(["n", "missing"]) == {"n": 2}
    cache.delete("n")
    assert cache.get("n") is None
