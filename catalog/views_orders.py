"""Catalog views that act for a client: add to cart, the price list download, reviews."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Action, client_action_required
from base.params import clean_text, parse_decimal, parse_id, parse_int
from orders.selectors import cart_line_count
from orders.services import cart_add_line

from . import selectors
from .access import access_product_for_user
from .models import Category
from .pricelist import pricelist_stream
from .services import review_submit

#: The most one cart line may take at once, in the chosen unit (the quantity columns hold 13 digits).
MAX_CART_QUANTITY = Decimal(1_000_000_000)
MAX_REVIEW_LENGTH = 5000


@require_POST
@client_action_required(Action.USE_CART)
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add a product to the cart: htmx gets a status fragment and the header counter; a plain POST redirects back."""
    product_id = parse_id(request.POST.get("product"))
    quantity = parse_decimal(request.POST.get("quantity"), maximum=MAX_CART_QUANTITY, places=3)
    error = None
    try:
        if product_id is None:
            raise ValidationError(_("Choose a product."))
        if quantity is None:
            raise ValidationError(_("Enter the quantity as a number up to %(max)s with at most 3 decimals.")
                                  % {"max": number_format(MAX_CART_QUANTITY, force_grouping=True)})
        cart_add_line(user=request.user, product_id=product_id, quantity=quantity,
                      unit_id=parse_id(request.POST.get("unit")))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return render(request, "catalog/partials/_cart_added.html",
                      {"error": error, "cart_count": cart_line_count(user=request.user)},
                      status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Added to the cart."))
    target = request.POST.get("next", "")
    # A path only: `redirect` would take "catalog:index"-like text for a URL name and fail on others.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "catalog:index"
    return redirect(target)


@require_GET
@client_action_required(Action.VIEW_PRICES)
def pricelist(request: HttpRequest) -> StreamingHttpResponse:
    """The client's price list (.xlsx), of the whole assortment or of `?category=<slug>`."""
    viewer = selectors.catalog_viewer(user=request.user)
    slug = request.GET.get("category")
    category = Category.objects.filter(slug=slug, is_active=True).first() if slug else None
    blocks, name = pricelist_stream(viewer=viewer, category=category)
    response = StreamingHttpResponse(
        blocks, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
def product_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    """Published reviews of a product (loaded by htmx on the product page) and the form for a client's user."""
    product = access_product_for_user(request.user, pk)
    error = sent = None
    if request.method == "POST":
        try:
            review_submit(user=request.user, product=product, rating=parse_int(request.POST.get("rating"), default=0),
                          text=clean_text(request.POST.get("text"), max_length=MAX_REVIEW_LENGTH))
            sent = True
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except PermissionDenied:
            error = _("Sign in as a client's user to write a review.")
        if not request.htmx and not error:
            messages.success(request, _("Thank you! Your review will appear after moderation."))
            return redirect(product)
    reviews = list(selectors.published_reviews(product=product)[:50])
    rating = round(sum(r.rating for r in reviews) / len(reviews), 1) if reviews else None
    return render(request, "catalog/partials/_reviews.html", {
        "product": product, "reviews": reviews, "rating": rating, "error": error, "sent": sent,
        "can_review": request.user.is_authenticated and bool(request.user.client_id),
    })
