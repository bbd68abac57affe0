"""Wiring's own records."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeferredTask(models.Model):
    """A Celery task that could not be queued (the broker, Redis, was down), kept to be queued again.

    Created instead of failing the request that asked for it (an e-mail, an ERP import); the beat job
    `portal.tasks.deferred_tasks_send` queues these every minute once the broker answers.
    """

    name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts to queue"), default=1)

    class Meta:
        verbose_name = _("deferred task")
        verbose_name_plural = _("deferred tasks")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.created_at:%Y-%m-%d %H:%M})"
