"""A record of every ERP exchange run."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stream(models.TextChoices):
    """What an exchange run moves."""

    CATALOG = "catalog", _("Catalog")
    STOCK = "stock", _("Stock")
    PRICES = "prices", _("Prices")
    COUNTERPARTIES = "counterparties", _("Counterparties")
    CONTRACTS = "contracts", _("Contracts")
    BALANCES = "balances", _("Balances")
    ORDER_EXPORT = "order_export", _("Order export")
    ORDER_STATUS = "order_status", _("Order statuses from ERP")
    ESCALATION = "escalation", _("Escalation check")


class SyncRun(models.Model):
    """One run of one stream: where it read from, what it counted, how it ended."""

    class Source(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        FOLDER = "folder", _("Drop folder")
        HTTP = "http", _("1C HTTP exchange")
        COMMAND = "command", _("Management command")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCESS = "success", _("Success")
        FAILED = "failed", _("Failed")
        NOT_CONFIGURED = "not_configured", _("Not configured")
        NOTHING_TO_DO = "nothing_to_do", _("Nothing to do")

    stream = models.CharField(_("stream"), max_length=30, choices=Stream.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RUNNING)
    file_name = models.CharField(_("file"), max_length=500, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    started_at = models.DateTimeField(_("started"), db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True,
                              help_text=_("Per entity: created, updated, unchanged, rejected."))
    error = models.TextField(_("error"), blank=True)
    error_location = models.CharField(_("where"), max_length=300, blank=True,
                                      help_text=_("Line or element the error was found at."))
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"),
                                     on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    worker = models.CharField(_("worker"), max_length=200, blank=True,
                              help_text=_("Host and process that ran it, to detect crashed runs."))

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["stream", "status", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_stream_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None
