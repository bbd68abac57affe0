"""Access helpers: 404 both for "does not exist" and "not yours"."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from .models import Category, Product, ProductUnit, PropertyValue
from .selectors import visible_products


def access_product_for_user(user, pk: int) -> Product:
    """A product of the user's assortment with units, properties and media loaded (three queries more)."""
    queryset = visible_products(user=user).select_related("base_unit", "category").prefetch_related(
        Prefetch("units", queryset=ProductUnit.objects.select_related("unit").order_by("coefficient")),
        Prefetch("property_values", queryset=PropertyValue.objects.select_related("property").order_by(
            "property__position", "property__name")),
        "media",
    )
    return get_object_or_404(queryset, pk=pk)


def access_category(slug: str) -> Category:
    return get_object_or_404(Category, slug=slug, is_active=True)
