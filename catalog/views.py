from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors
from .access import access_category, access_product_for_user

PAGE_SIZE = 24


def product_list(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    category = access_category(slug) if slug else None
    query = request.GET.get("q", "").strip()[:200]
    products = selectors.product_list(user=request.user, category=category, query=query)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "category": category,
        "ancestors": selectors.category_ancestors(category=category) if category else [],
        "subcategories": selectors.category_children(category=category) if category else selectors.category_roots(),
        "page": page,
        "query": query,
    }
    return render(request, "catalog/product_list.html", context)


def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = access_product_for_user(request.user, pk)
    return render(request, "catalog/product_detail.html", {"product": product})
