"""`{{ value|quantity }}`: a quantity without trailing zeros, in the active language's decimal separator."""

from decimal import Decimal

from django import template

from orders.quantities import format_quantity

register = template.Library()


@register.filter
def quantity(value) -> str:
    if value in (None, ""):
        return ""
    return format_quantity(Decimal(value))
