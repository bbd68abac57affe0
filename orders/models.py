"""Carts, order templates, orders with line snapshots, and the order status history."""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User

from .status import OrderStatus

MONEY = {"max_digits": 16, "decimal_places": 2}
QUANTITY = {"max_digits": 16, "decimal_places": 3}


class Cart(models.Model):
    """A user's cart. Prices are never stored here: the pricing strategy prices it on read."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="cart")
    client = models.ForeignKey("accounts.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="carts")
    legal_entity = models.ForeignKey("accounts.LegalEntity", verbose_name=_("legal entity"),
                                     on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    contract = models.ForeignKey("accounts.Contract", verbose_name=_("contract"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    revision = models.PositiveIntegerField(
        _("revision"), default=0, db_default=0, editable=False,
        help_text=_("Grows with every change; a checkout of one revision makes one order."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return str(self.user)


class CartLine(models.Model):
    """A product in a cart; `quantity` is in base units, `unit` is how the buyer entered it."""

    cart = models.ForeignKey(Cart, verbose_name=_("cart"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.ForeignKey("catalog.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    comment = models.CharField(_("comment"), max_length=500, blank=True, db_default="")
    seen_price = models.DecimalField(
        _("price when added"), **MONEY, null=True, blank=True,
        help_text=_("Price per base unit the buyer saw; a different price now is flagged in the cart."))
    seen_stock_status = models.CharField(
        _("availability when added"), max_length=20, blank=True, db_default="",
        help_text=_("Availability status the buyer saw; a different one now is flagged in the cart."))
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity.normalize():f}"


class OrderTemplate(models.Model):
    """A named list of products a client orders again and again (шаблон заказа), shared by its buyers."""

    client = models.ForeignKey("accounts.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="order_templates")
    name = models.CharField(_("name"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order template")
        verbose_name_plural = _("order templates")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="order_template_client_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class OrderTemplateLine(models.Model):
    """A product of a template; `quantity` is in base units, `unit` is how the buyer entered it."""

    template = models.ForeignKey(OrderTemplate, verbose_name=_("template"), on_delete=models.CASCADE,
                                 related_name="lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.ForeignKey("catalog.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("template line")
        verbose_name_plural = _("template lines")
        ordering = ["template", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "product"], name="order_template_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_template_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity.normalize():f}"


class OrderSequence(models.Model):
    """The last order number given in a year; locked to give the next one (numbers like 2026-000123)."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("order number sequence")
        verbose_name_plural = _("order number sequences")

    def __str__(self) -> str:
        return _("%(year)s: last number %(last)s") % {"year": self.year, "last": self.last}


class Order(models.Model):
    """An order of a client on behalf of a legal entity and contract."""

    class Delivery(models.TextChoices):
        DELIVERY = "delivery", _("Delivery")
        PICKUP = "pickup", _("Pickup")

    number = models.CharField(_("number"), max_length=30, unique=True)
    client = models.ForeignKey("accounts.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="orders")
    legal_entity = models.ForeignKey("accounts.LegalEntity", verbose_name=_("legal entity"),
                                     on_delete=models.PROTECT, related_name="orders")
    contract = models.ForeignKey("accounts.Contract", verbose_name=_("contract"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="orders")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(_("status"), max_length=30, choices=OrderStatus.choices,
                              default=OrderStatus.DRAFT)
    status_changed_at = models.DateTimeField(_("status changed"))
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), default=0,
        help_text=_("0: none; 1: the responsible person was reminded; 2: their head was notified."))
    delivery_method = models.CharField(_("delivery method"), max_length=20, choices=Delivery.choices,
                                       default=Delivery.DELIVERY)
    delivery_address = models.TextField(_("delivery address"), blank=True)
    pickup_warehouse = models.ForeignKey("base.Warehouse", verbose_name=_("pickup warehouse"),
                                         on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    desired_date = models.DateField(_("desired date"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    po_number = models.CharField(_("buyer's PO number"), max_length=50, blank=True, db_default="")
    currency = models.ForeignKey("base.Currency", verbose_name=_("currency"), on_delete=models.PROTECT,
                                 related_name="+")
    total_amount = models.DecimalField(_("amount"), **MONEY, default=0)
    total_weight = models.DecimalField(_("weight, kg"), max_digits=14, decimal_places=3, default=0)
    total_volume = models.DecimalField(_("volume, m³"), max_digits=14, decimal_places=6, default=0)
    erp_id = models.CharField(_("ERP id"), max_length=100, unique=True, null=True, blank=True)
    erp_number = models.CharField(_("ERP number"), max_length=50, blank=True)
    erp_exported_at = models.DateTimeField(_("exported to ERP"), null=True, blank=True)
    erp_confirmed_at = models.DateTimeField(_("confirmed by ERP"), null=True, blank=True)
    erp_paid_at = models.DateTimeField(_("paid according to ERP"), null=True, blank=True,
                                       help_text=_("Дата оплаты по 1С, from the ERP's order documents."))
    erp_shipped_at = models.DateTimeField(_("shipped according to ERP"), null=True, blank=True,
                                          help_text=_("Дата отгрузки по 1С, from the ERP's order documents."))
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True, null=True, blank=True,
                                       editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
        help_text=_("Who approves the order while it awaits approval; empty: any administrator but the author."))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "-created_at"]),
            models.Index(fields=["status", "status_changed_at"]),
            models.Index(fields=["erp_exported_at"], condition=models.Q(status="submitted"),
                         name="order_export_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total_amount__gte=0), name="order_total_gte_0"),
            models.CheckConstraint(
                condition=models.Q(delivery_method="pickup", pickup_warehouse__isnull=False)
                | models.Q(delivery_method="delivery"),
                name="order_pickup_has_warehouse",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", kwargs={"pk": self.pk})


class ApprovalRule(models.Model):
    """A client's rule of which orders wait for approval; an order matching any active rule waits.

    A rule's conditions (the author's role, an amount, backordered goods) must all hold; empty ones
    are not checked. The approver is the named administrator, or any administrator when empty.
    """

    client = models.ForeignKey("accounts.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="approval_rules")
    author_role = models.CharField(_("author's role"), max_length=20, blank=True, db_default="",
                                   help_text=_("Empty: orders of any role."))
    amount_over = models.DecimalField(_("amount over"), **MONEY, null=True, blank=True,
                                      help_text=_("Orders with a total above this amount; empty: any amount."))
    with_backorder = models.BooleanField(_("with goods on order"), default=False, db_default=False,
                                         help_text=_("Only orders containing goods not in stock."))
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+",
                                 help_text=_("Empty: any administrator of the company."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        ordering = ["client", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_over__isnull=True) | models.Q(amount_over__gte=0),
                                   name="approval_rule_amount_gte_0"),
        ]

    def __str__(self) -> str:
        conditions = [str(User.Role(self.author_role).label)] if self.author_role in User.Role.values else []
        if self.amount_over is not None:
            conditions.append(_("over %(amount)s") % {"amount": self.amount_over})
        if self.with_backorder:
            conditions.append(str(_("with goods on order")))
        return f"{self.client}: {', '.join(conditions) or _('every order')}"


class OrderLine(models.Model):
    """A line of an order with snapshots of the product's SKU, name, unit and price.

    Quantity is in the product's base unit, so a product appears once per order whatever
    unit the buyer typed it in.
    """

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="order_lines")
    sku = models.CharField(_("SKU"), max_length=100)
    name = models.CharField(_("name"), max_length=500)
    unit_name = models.CharField(_("unit"), max_length=20)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    ordered_unit_name = models.CharField(
        _("ordered in"), max_length=20, blank=True, db_default="",
        help_text=_("The unit the buyer chose (pack, box); the quantity is kept in the base unit."))
    ordered_unit_coefficient = models.DecimalField(_("base units in the ordered unit"), **QUANTITY, default=1,
                                                   db_default=1)
    is_backorder = models.BooleanField(_("on order"), default=False, db_default=False,
                                       help_text=_("Not in stock when ordered (под заказ)."))
    expected_on = models.DateField(_("expected arrival"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True, db_default="")
    price = models.DecimalField(_("price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)
    vat_rate = models.DecimalField(_("VAT, %"), max_digits=5, decimal_places=2, default=22)
    price_source = models.CharField(_("price source"), max_length=30, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="order_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="order_line_price_gte_0"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="order_line_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"

    @property
    def ordered_quantity(self):
        """The quantity in the unit the buyer chose (`ordered_unit_name`)."""
        return self.quantity / self.ordered_unit_coefficient


class OrderStatusChange(models.Model):
    """One recorded move of an order's status: who, when, from, to, why."""

    class Source(models.TextChoices):
        USER = "user", _("Portal user")
        ERP = "erp", _("ERP")
        SYSTEM = "system", _("System")

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE,
                              related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=30, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=30, choices=OrderStatus.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"),
                                   on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.USER)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        ordering = ["order", "created_at", "pk"]

    def __str__(self) -> str:
        return _("%(order)s: %(from)s → %(to)s, %(when)s") % {
            "order": self.order, "from": self.get_from_status_display() or pgettext_lazy("order status", "new"),
            "to": self.get_to_status_display(), "when": timezone.localtime(self.created_at).strftime("%d.%m.%Y %H:%M")}


class EscalationRule(models.Model):
    """How long an order may stay in one status before the responsible person, then their head, hears of it."""

    status = models.CharField(_("status"), max_length=30, choices=OrderStatus.choices, unique=True)
    first_limit = models.DurationField(
        _("limit"), help_text=_("Time in the status after which the responsible person is notified (level 1)."))
    by_desired_date = models.BooleanField(
        _("at the desired date"), default=False,
        help_text=_("Level 1 fires at the end of the order's desired date when it has one (the limit above when "
                    "it has none)."))
    second_limit = models.DurationField(
        _("limit for the head"),
        help_text=_("Time after level 1 became due after which the region's head is notified (level 2)."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["status"]
        constraints = [
            models.CheckConstraint(condition=models.Q(first_limit__gt=datetime.timedelta(0))
                                   & models.Q(second_limit__gt=datetime.timedelta(0)),
                                   name="escalation_limits_positive"),
        ]

    def __str__(self) -> str:
        return str(self.get_status_display())


class OrderEscalation(models.Model):
    """One escalation that fired: the order held in `status` since `status_since`, the level, who was told."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="escalations")
    status = models.CharField(_("status"), max_length=30, choices=OrderStatus.choices)
    status_since = models.DateTimeField(_("in the status since"))
    level = models.PositiveSmallIntegerField(_("level"))
    recipients = models.TextField(_("notified"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["order", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "status_since", "level"], name="order_escalation_once"),
        ]

    def __str__(self) -> str:
        return _("%(order)s: %(status)s, level %(level)s") % {
            "order": self.order, "status": self.get_status_display(), "level": self.level}


class ReorderDigest(models.Model):
    """A weekly reorder digest sent to a user: at most one per user and week (the week's Monday)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    week = models.DateField(_("week"), help_text=_("The Monday of the week the digest was sent in."))
    products = models.PositiveIntegerField(_("products"), default=0)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("reorder digest")
        verbose_name_plural = _("reorder digests")
        ordering = ["-week", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="reorder_digest_once_a_week")]

    def __str__(self) -> str:
        return f"{self.user}: {self.week:%d.%m.%Y}"
