"""Commercial reference data every app shares: currencies, price types, regions with
their warehouses and order cut-off, and the delivery calendar.

This app sits below all others and points at none of them; the links of supplier staff to regions
(regional managers, the head of a region) are declared on the accounts side.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Currency(models.Model):
    """A currency with the supplier's own rate to the base currency (RUB).

    An "internal" currency (условная единица) has no ISO code of its own; its rate is the
    supplier's, set in admin or by the ERP.
    """

    code = models.CharField(
        _("code"),
        max_length=3,
        primary_key=True,
        help_text=_("ISO 4217 letter code; an internal currency takes a code of its own, e.g. XXU."),
    )
    name = models.CharField(_("name"), max_length=100)
    symbol = models.CharField(_("symbol"), max_length=10, blank=True)
    rate = models.DecimalField(
        _("rate"), max_digits=18, decimal_places=6, default=1, help_text=_("Units of the base currency for one unit.")
    )
    rate_date = models.DateField(_("rate date"), null=True, blank=True)
    is_internal = models.BooleanField(_("internal currency"), default=False)

    class Meta:
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=models.Q(rate__gt=0), name="currency_rate_positive")]

    def __str__(self) -> str:
        return self.code


class PriceType(models.Model):
    """A price type (тип цен) of the ERP: wholesale, dealer, regional base, ..."""

    erp_id = models.CharField(_("ERP id"), max_length=100, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    currency = models.ForeignKey(Currency, verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+")
    vat_included = models.BooleanField(_("VAT included"), default=True)

    class Meta:
        verbose_name = _("price type")
        verbose_name_plural = _("price types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """Region (филиал, branch): warehouses, a base price type, an assortment, managers.

    Regional managers and the head of a region are linked from accounts (`managers`, `head_managers`).
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    erp_id = models.CharField(_("ERP id"), max_length=100, unique=True, null=True, blank=True)
    base_price_type = models.ForeignKey(
        PriceType,
        verbose_name=_("base price type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regions",
    )
    assortment_restricted = models.BooleanField(
        _("restricted assortment"),
        default=False,
        help_text=_("When set, clients of the region see only products listed in its assortment."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order_cutoff = models.TimeField(
        _("order cut-off time"),
        default=datetime.time(14, 0), db_default=datetime.time(14, 0),
        help_text=_("Orders submitted after this time (portal time zone) are handled from the next working day."),
    )
    delivery_lead_days = models.PositiveSmallIntegerField(
        _("delivery lead time, working days"), default=1, db_default=1,
        help_text=_("The earliest delivery date is this many working days after the order is handled."),
    )
    pickup_lead_days = models.PositiveSmallIntegerField(
        _("pickup lead time, working days"), default=0, db_default=0,
        help_text=_("The earliest pickup date is this many working days after the order is handled."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Warehouse(models.Model):
    """A warehouse of a region; stock is kept per product and warehouse."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="warehouses")
    erp_id = models.CharField(_("ERP id"), max_length=100, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    is_pickup_point = models.BooleanField(_("pickup point"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    stock_confirmed_at = models.DateTimeField(
        _("stock confirmed by ERP at"), null=True, blank=True,
        help_text=_("Last stock package of the ERP that listed this warehouse: its rows the package did not change "
                    "are confirmed as of then."),
    )

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["region", "position", "name"]

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """An exception to the working week (Monday to Friday) for deliveries and pickups.

    A holiday on a weekday, or a working Saturday moved by the government's calendar. A day
    without a region applies to every region; a region's own entry for the same date wins.
    """

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE, null=True, blank=True,
                               related_name="calendar_days", help_text=_("Empty: every region."))
    date = models.DateField(_("date"))
    is_working = models.BooleanField(_("working day"), default=False,
                                     help_text=_("Off: a holiday. On: a working weekend day."))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("delivery calendar")
        ordering = ["date", "region"]
        constraints = [
            models.UniqueConstraint(fields=["region", "date"], name="calendar_day_region_date_unique"),
            models.UniqueConstraint(fields=["date"], condition=models.Q(region__isnull=True),
                                    name="calendar_day_all_regions_date_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.note}".strip()
