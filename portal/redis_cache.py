"""Django's Redis cache backend, with one redis-py client per connection pool.

Django's backend makes a new ``redis.Redis`` for every cache operation. Its pools are kept, so
no connection is opened, but making the client costs about 160 µs here (redis-py builds its
table of response callbacks each time): more than the round trip to Redis, on every rate-limit
count and every cached page. Django keeps a cache object per thread, so this is one client per
pool per thread: one per worker under gunicorn's sync workers.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # id of a pool in self._pools -> the client made with it

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
