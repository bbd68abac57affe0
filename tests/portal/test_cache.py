"""The portal's Redis cache backend (portal.cache): Django's, with one redis-py client per connection pool."""

import os

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Redis not reachable")


def test_one_client_serves_every_call_and_the_cache_reads_back_what_it_wrote():
    client = cache._cache.get_client("one key")
    assert cache._cache.get_client("another key", write=True) is client
    cache.set("portal-cache-test", {"quantity": 3}, 5)
    assert cache.get_many(["portal-cache-test", "portal-cache-missing"]) == {"portal-cache-test": {"quantity": 3}}
    cache.delete("portal-cache-test")
    assert cache.get("portal-cache-test") is None
