"""The portal's Redis cache backend (portal.cache): Django's, with one redis-py client per connection pool."""

import os
import socket

import pytest
from django.core.cache import cache

from portal.cache import RedisCache

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Redis not reachable")


def test_one_client_serves_every_call_and_the_cache_reads_back_what_it_wrote():
    client = cache._cache.get_client("one key")
    assert cache._cache.get_client("another key", write=True) is client
    cache.set("portal-cache-test", {"quantity": 3}, 5)
    assert cache.get_many(["portal-cache-test", "portal-cache-missing"]) == {"portal-cache-test": {"quantity": 3}}
    cache.delete("portal-cache-test")
    assert cache.get("portal-cache-test") is None


def test_a_redis_that_does_not_answer_is_an_empty_cache(caplog):
    """Reads miss, writes are dropped, `add` fails open, `incr` says the key is missing; logged once."""
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = RedisCache(f"redis://127.0.0.1:{port}/0", {"OPTIONS": {"socket_connect_timeout": 1}})

    assert dead.get("k", "fallback") == "fallback"
    dead.set("k", 1)
    assert dead.add("k", 1) is True
    assert dead.get_many(["k", "j"]) == {}
    assert dead.delete("k") is False
    with pytest.raises(ValueError):
        dead.incr("k")
    assert dead.get_or_set("k", 5) == 5
    assert [r.message for r in caplog.records if "Redis unreachable" in r.message][:1], "the outage is logged"
    assert len([r for r in caplog.records if "Redis unreachable" in r.message]) == 1, "once, not per call"
