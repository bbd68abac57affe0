"""The Redis cache backend of the portal: Django's, keeping one redis-py client per connection pool,
and treating a Redis that does not answer as an empty cache.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call, and
redis-py fills a table of some 170 response callbacks in each: about 60 µs, as much as the GET
itself, three or four times on every page (session, catalog version, cached fragments). A redis-py
client holds no connection of its own (it takes one from the pool for each command) and is safe
to share between threads, so one per pool is kept.

Nothing the portal keeps in the cache is the only copy (sessions are `cached_db`: written through to
the database), so while Redis is down every read is a miss and every write is dropped, and pages
keep serving from the database; the outage is logged (once a minute per process), and `/healthz`
answers 503 until Redis is back. `add` says "stored" so that counters and once-flags fail open.
"""

import functools
import logging
import time

from django.core.cache.backends import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: Errors of a Redis that is down or unreachable (refused, reset, timed out, still loading).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 60



def _tolerant(answer):
    """Run the cache call; when Redis does not answer, log and give `answer(args)` instead."""

    def wrap(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self.unreachable(method.__name__, exc)
                return answer(*args, **kwargs)

        return call

    return wrap


def _missing_key(key, delta):
    raise ValueError(f"Key '{key}' not found (Redis unreachable)")


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # connection pool -> its client
        self._logged_at = 0.0

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def unreachable(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._logged_at >= LOG_EVERY_SECONDS:
            self._logged_at = now
            logger.error("cache: Redis unreachable (%s: %s: %s); serving without the cache",
                         operation, type(exc).__name__, exc)

    add = _tolerant(lambda key, value, timeout: True)(redis.RedisCacheClient.add)
    get = _tolerant(lambda key, default: default)(redis.RedisCacheClient.get)
    set = _tolerant(lambda key, value, timeout: None)(redis.RedisCacheClient.set)
    touch = _tolerant(lambda key, timeout: False)(redis.RedisCacheClient.touch)
    delete = _tolerant(lambda key: False)(redis.RedisCacheClient.delete)
    get_many = _tolerant(lambda keys: {})(redis.RedisCacheClient.get_many)
    has_key = _tolerant(lambda key: False)(redis.RedisCacheClient.has_key)
    incr = _tolerant(_missing_key)(redis.RedisCacheClient.incr)
    set_many = _tolerant(lambda data, timeout: [])(redis.RedisCacheClient.set_many)
    delete_many = _tolerant(lambda keys: None)(redis.RedisCacheClient.delete_many)
    clear = _tolerant(lambda: False)(redis.RedisCacheClient.clear)


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
