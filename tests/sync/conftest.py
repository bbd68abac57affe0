"""Fixtures of the sync tests: the test's own Redis server and the Celery app sending to it."""

from .brokers import broker, own_redis  # noqa: F401 (fixtures)
