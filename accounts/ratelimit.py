"""A fixed-window request counter in the cache (Redis in production), keyed by action and client IP."""

from django.core.cache import cache


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(request, *, action: str, limit: int, period: int) -> bool:
    """Count this request; True when the IP has made more than `limit` of them within `period` seconds."""
    key = f"ratelimit:{action}:{client_ip(request)}"
    if cache.add(key, 1, timeout=period):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period)
        return False
    return count > limit
