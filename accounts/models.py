"""Client companies, their legal entities, contracts and balances, users and their regions."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from base.models import Currency, PriceType, Region

from . import validators
from .events import EVENTS

MONEY = {"max_digits": 16, "decimal_places": 2}


class Client(models.Model):
    """A buying company (B2B client); its users order on behalf of its legal entities."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        BLOCKED = "blocked", _("Blocked")

    name = models.CharField(_("name"), max_length=300)
    erp_id = models.CharField(_("ERP id"), max_length=100, unique=True, null=True, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="clients")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personal manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_clients",
        limit_choices_to={"client__isnull": True, "is_staff": True},
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    price_type = models.ForeignKey(
        PriceType,
        verbose_name=_("price type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        help_text=_("The client's own price type; empty means the region's base price type."),
    )
    discount_percent = models.DecimalField(
        _("discount, %"),
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text=_("Applied to the region's base price; negative means a markup."),
    )
    price_coefficient = models.DecimalField(
        _("dealer coefficient"),
        max_digits=6,
        decimal_places=4,
        default=1,
        help_text=_("Multiplies the region's base price (1 = no change)."),
    )
    buyers_see_all_orders = models.BooleanField(
        _("buyers see colleagues' orders"),
        default=False,
        db_default=False,  # bulk writers (seed_demo's COPY, ERP importers) may leave the column out
        help_text=_("When set, buyers see every order of the company, not only their own."),
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]
        indexes = [models.Index(fields=["region", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discount_percent__gt=-100, discount_percent__lt=100),
                name="client_discount_range",
            ),
            models.CheckConstraint(condition=models.Q(price_coefficient__gt=0), name="client_coefficient_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class LegalEntity(models.Model):
    """Legal entity (контрагент) of a client: requisites under which orders are placed."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        SOLE_TRADER = "sole_trader", _("Sole trader")

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="legal_entities"
    )
    erp_id = models.CharField(_("ERP id"), max_length=100, unique=True, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(_("short name"), max_length=300)
    full_name = models.CharField(_("full name"), max_length=500, blank=True)
    inn = models.CharField(_("INN"), max_length=12, validators=[validators.validate_inn])
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, validators=[validators.validate_kpp])
    ogrn = models.CharField(_("OGRN"), max_length=15, blank=True, validators=[validators.validate_ogrn])
    legal_address = models.TextField(_("legal address"), blank=True)
    actual_address = models.TextField(_("actual address"), blank=True)
    is_confirmed = models.BooleanField(
        _("confirmed"), default=False, help_text=_("Usable for orders once the supplier or the ERP confirms it.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["inn", "kpp"], name="legal_entity_inn_kpp_unique"),
            models.CheckConstraint(
                condition=models.Q(kind="sole_trader", kpp="") | models.Q(kind="company") & ~models.Q(kpp=""),
                name="legal_entity_kpp_by_kind",
                violation_error_message=_("A company has a KPP; a sole trader has none."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.inn})"


class BankAccount(models.Model):
    """A settlement account (расчётный счёт) of a legal entity."""

    legal_entity = models.ForeignKey(
        LegalEntity, verbose_name=_("legal entity"), on_delete=models.CASCADE, related_name="bank_accounts"
    )
    bik = models.CharField(_("BIK"), max_length=9, validators=[validators.validate_bik])
    bank_name = models.CharField(_("bank"), max_length=300)
    account = models.CharField(_("settlement account"), max_length=20, validators=[validators.validate_account_number])
    correspondent_account = models.CharField(
        _("correspondent account"), max_length=20, blank=True, validators=[validators.validate_account_number]
    )
    is_primary = models.BooleanField(_("primary"), default=True)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "bik", "account"], name="bank_account_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.account} ({self.bank_name})"

    def clean(self) -> None:
        if self.bik and self.account and not validators.is_valid_settlement_account(self.bik, self.account):
            raise ValidationError({"account": _("Settlement account: control key does not match the BIK.")})


class Contract(models.Model):
    """Contract (договор) of a legal entity: currency, payment deferral, credit limit."""

    legal_entity = models.ForeignKey(
        LegalEntity, verbose_name=_("legal entity"), on_delete=models.CASCADE, related_name="contracts"
    )
    erp_id = models.CharField(_("ERP id"), max_length=100, unique=True, null=True, blank=True)
    number = models.CharField(_("number"), max_length=100)
    signed_on = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    currency = models.ForeignKey(
        Currency, verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+"
    )
    payment_deferral_days = models.PositiveIntegerField(_("payment deferral, days"), default=0)
    credit_limit = models.DecimalField(_("credit limit"), **MONEY, default=0)
    price_type = models.ForeignKey(
        PriceType,
        verbose_name=_("price type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        help_text=_("Set when prices under this contract differ from the client's."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "number"], name="contract_number_unique"),
            models.CheckConstraint(condition=models.Q(credit_limit__gte=0), name="contract_credit_limit_gte_0"),
        ]

    def __str__(self) -> str:
        return _("No. %(number)s of %(date)s") % {"number": self.number, "date": self.signed_on.strftime("%d.%m.%Y")}


class Balance(models.Model):
    """Mutual settlements of a legal entity from the ERP (сальдо, overdue debt, shipment block).

    `amount` is the client's debt to the supplier (positive) or prepayment (negative).
    """

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="balances")
    legal_entity = models.OneToOneField(
        LegalEntity, verbose_name=_("legal entity"), on_delete=models.CASCADE, related_name="balance"
    )
    currency = models.ForeignKey(
        Currency, verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("balance"), **MONEY, default=0)
    overdue_debt = models.DecimalField(_("overdue debt"), **MONEY, default=0)
    credit_limit = models.DecimalField(_("credit limit"), **MONEY, default=0)
    shipment_blocked = models.BooleanField(_("shipment blocked"), default=False)
    block_reason = models.TextField(_("block reason"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by ERP at"), null=True, blank=True)

    class Meta:
        verbose_name = _("balance")
        verbose_name_plural = _("balances")
        constraints = [
            models.CheckConstraint(condition=models.Q(overdue_debt__gte=0), name="balance_overdue_gte_0"),
            models.CheckConstraint(condition=models.Q(credit_limit__gte=0), name="balance_credit_limit_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.legal_entity}: {self.amount} {self.currency_id}"

    def clean(self) -> None:
        if self.legal_entity_id and self.client_id and self.legal_entity.client_id != self.client_id:
            raise ValidationError({"legal_entity": _("The legal entity belongs to another client.")})


class UserManager(BaseUserManager):
    """Users are identified by e-mail, stored lower-case."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person: a client's user with a role, or supplier staff (no client)."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        MANAGER = "manager", _("Buyer")
        ACCOUNTANT = "accountant", _("Accountant")

    username = None
    email = models.EmailField(_("e-mail"), unique=True)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, null=True, blank=True, related_name="users"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="ru")
    managed_regions = models.ManyToManyField(
        Region,
        verbose_name=_("managed regions"),
        blank=True,
        related_name="managers",
        db_table="accounts_region_managers",
        help_text=_("Regions whose clients this supplier manager sees and approves."),
    )
    headed_regions = models.ManyToManyField(
        Region, verbose_name=_("headed regions"), through="RegionHead", blank=True, related_name="head_managers"
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(client__isnull=True, role="") | models.Q(client__isnull=False) & ~models.Q(role=""),
                name="user_role_iff_client",
                violation_error_message=_("A client's user has a role; supplier staff have none."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_absolute_url(self) -> str:
        return reverse("home")

    @property
    def is_supplier_staff(self) -> bool:
        return self.client_id is None and self.is_staff


class RegionManagerLink(User.managed_regions.through):
    """A regional manager's link to his region (the `managed_regions` table), shown by both names in admin."""

    class Meta:
        proxy = True
        verbose_name = _("regional manager")
        verbose_name_plural = _("regional managers")

    def __str__(self) -> str:
        return f"{self.region}: {self.user}"


class RegionHead(models.Model):
    """The head of a region: receives escalations the personal manager did not answer; one per region."""

    region = models.OneToOneField(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, primary_key=True, related_name="head"
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("head of the region"),
        on_delete=models.CASCADE,
        related_name="region_headships",
        limit_choices_to={"client__isnull": True, "is_staff": True},
        help_text=_("Receives escalations the personal manager did not answer."),
    )

    class Meta:
        verbose_name = _("head of the region")
        verbose_name_plural = _("heads of regions")

    def __str__(self) -> str:
        return f"{self.region}: {self.user}"


class Notification(models.Model):
    """An in-portal notification to one user; e-mailed too when the user asked for that event."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=50, help_text=_("Event code, e.g. order_submitted."))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A user's choice whether an event also comes by e-mail; no row means the event's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event = models.CharField(_("event"), max_length=50)
    by_email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notification_preference_unique")]

    def __str__(self) -> str:
        event = EVENTS.get(self.event)
        choice = _("by e-mail") if self.by_email else _("in the portal only")
        return f"{self.user}: {event.label if event else self.event} ({choice})"


class ContractRequest(models.Model):
    """A client's request to conclude a contract (договор) for a legal entity."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contract_requests"
    )
    legal_entity = models.ForeignKey(
        LegalEntity, verbose_name=_("legal entity"), on_delete=models.CASCADE, related_name="contract_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("contract request")
        verbose_name_plural = _("contract requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return _("Contract request of %(entity)s") % {"entity": self.legal_entity.name}
