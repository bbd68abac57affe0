"""Commercial reference data every app shares: currencies, price types, regions and their warehouses.

This app sits below all others and points at none of them; the links of supplier staff to regions
(regional managers, the head of a region) are declared on the accounts side.
"""

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

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["region", "position", "name"]

    def __str__(self) -> str:
        return self.name
