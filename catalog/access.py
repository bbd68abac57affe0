"""Access helpers: 404 both for "does not exist" and "not yours"."""

from django.shortcuts import get_object_or_404

from .models import Category, Product
from .selectors import visible_products


def access_product_for_user(user, pk: int) -> Product:
    queryset = visible_products(user=user).select_related("base_unit", "category")
    return get_object_or_404(queryset.prefetch_related("units__unit", "property_values__property", "media"), pk=pk)


def access_category(slug: str) -> Category:
    return get_object_or_404(Category, slug=slug, is_active=True)
