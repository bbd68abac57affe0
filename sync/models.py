"""A record of every ERP exchange run."""

from django.conf import settings
from django.db import models
from django.utils import timezone
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
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCESS = "success", _("Success")
        FAILED = "failed", _("Failed")
        NOT_CONFIGURED = "not_configured", _("Not configured")
        NOTHING_TO_DO = "nothing_to_do", _("Nothing to do")

    stream = models.CharField(_("stream"), max_length=30, choices=Stream.choices)
    also_streams = models.CharField(_("also"), max_length=100, blank=True,
                                    help_text=_("Other streams whose data the file wrote, comma-separated."))
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
    db_session = models.CharField(_("database session"), max_length=60, blank=True,
                                  help_text=_("PostgreSQL backend of the importing process (pid and start), "
                                              "to detect a dead worker on any host."))

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["stream", "status", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_stream_display()} {timezone.localtime(self.started_at):%d.%m.%Y %H:%M}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class StreamLock(models.Model):
    """One row per stream, locked (SELECT ... FOR UPDATE NOWAIT) for the length of a run: runs never overlap."""

    stream = models.CharField(_("stream"), max_length=30, primary_key=True)

    class Meta:
        verbose_name = _("stream lock")
        verbose_name_plural = _("stream locks")

    def __str__(self) -> str:
        return str(Stream(self.stream).label) if self.stream in Stream.values else self.stream


class ExchangeSession(models.Model):
    """A 1C site-exchange session opened by `checkauth`: the cookie, the upload folder, the state."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ERP account"), on_delete=models.CASCADE,
                             related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last request"), auto_now=True)
    pending_zip = models.CharField(_("archive to unpack"), max_length=300, blank=True)
    uploaded_bytes = models.BigIntegerField(_("uploaded bytes"), default=0)
    version = models.CharField(_("CommerceML version"), max_length=10, blank=True)
    exported_orders = models.JSONField(_("orders in the last query"), default=list, blank=True)

    class Meta:
        verbose_name = _("1C exchange session")
        verbose_name_plural = _("1C exchange sessions")
        permissions = [("erp_exchange", _("Can exchange data with the site as the ERP (1C)"))]

    def __str__(self) -> str:
        return f"{self.user} {timezone.localtime(self.created_at):%d.%m.%Y %H:%M}"


class ExchangeImport(models.Model):
    """An `import` of one uploaded file in a 1C session: runs in the background, answered with `progress`."""

    session = models.ForeignKey(ExchangeSession, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="imports")
    file_name = models.CharField(_("file"), max_length=300)
    run = models.ForeignKey(SyncRun, verbose_name=_("run"), on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("1C exchange import")
        verbose_name_plural = _("1C exchange imports")
        constraints = [models.UniqueConstraint(fields=["session", "file_name"], name="exchange_import_unique")]

    def __str__(self) -> str:
        return self.file_name


class ExchangeCycleKey(models.Model):
    """A row a full package or a full catalog of a 1C exchange cycle listed: what the cycle did not list
    is zeroed or deactivated once, at the end of the cycle (`sync.cycle`), not after each of its files."""

    class Kind(models.TextChoices):
        STOCK = "stock", _("Stock row")
        PRODUCT = "product", _("Product of a full catalog")
        OFFERED = "offered", _("Product of an offer")

    session = models.ForeignKey(ExchangeSession, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    product_id = models.IntegerField(_("product"))
    warehouse_id = models.IntegerField(_("warehouse"), null=True, blank=True)

    class Meta:
        verbose_name = _("row listed in an exchange cycle")
        verbose_name_plural = _("rows listed in an exchange cycle")
        indexes = [models.Index(fields=["session", "kind", "product_id", "warehouse_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.product_id}/{self.warehouse_id or ''}"


class OfferDigest(models.Model):
    """What a product's last imported offer said, so that the same offer again need not be read: the digest of
    the offer's bytes in the file (keyed by the price types, warehouses and currency rules it was read
    with) and of the stock and prices it stood for. An offer with those bytes is counted unchanged without
    walking its elements while the product's stored rows still hash to the same; anything else is read."""

    product = models.OneToOneField("catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                   primary_key=True, related_name="+")
    offer = models.BinaryField(_("offer digest"), max_length=16)
    stock = models.BinaryField(_("stock digest"), max_length=16, null=True)
    prices = models.BinaryField(_("prices digest"), max_length=16, null=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("digest of an imported offer")
        verbose_name_plural = _("digests of imported offers")

    def __str__(self) -> str:
        return str(self.product_id)
