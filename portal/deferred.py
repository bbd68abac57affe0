"""Tasks the broker could not take: recorded in the database, queued again when it answers."""

from __future__ import annotations

import logging

from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .models import DeferredTask

logger = logging.getLogger(__name__)

#: What publishing to a broker that is down raises (kombu wraps most of them in OperationalError).
BROKER_DOWN = (OperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


def deferred_task_record(*, name: str, args, kwargs: dict, error: Exception) -> DeferredTask:
    """Keep a task the broker refused, to be queued again by `deferred_tasks_send`."""
    task = DeferredTask.objects.create(name=name, args=list(args or ()), kwargs=dict(kwargs or {}),
                                       error=f"{type(error).__name__}: {error}"[:2000])
    logger.error("celery: broker unreachable, task %s recorded for retry as deferred task %s (%s)",
                 name, task.pk, task.error)
    return task


def deferred_tasks_send(*, app, limit: int = 500) -> int:
    """Queue the recorded tasks again, oldest first; stops at the first refusal. Returns how many were queued."""
    sent = 0
    for task in DeferredTask.objects.order_by("pk")[:limit]:
        try:
            app.send_task(task.name, args=task.args, kwargs=task.kwargs)
        except BROKER_DOWN as exc:
            DeferredTask.objects.filter(pk=task.pk).update(attempts=task.attempts + 1,
                                                           error=f"{type(exc).__name__}: {exc}"[:2000])
            break
        with transaction.atomic():
            DeferredTask.objects.filter(pk=task.pk).delete()
        sent += 1
    return sent
