"""Catalog views that act for a client: the price list download, reviews."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import Action, client_action_required
from base.params import clean_text, parse_int

from . import selectors
from .access import access_product_for_user
from .models import Category
from .pricelist import pricelist_stream
from .purchase import purchase_strategy
from .services import review_submit

MAX_REVIEW_LENGTH = 5000


@require_GET
@client_action_required(Action.VIEW_PRICES)
def pricelist(request: HttpRequest) -> StreamingHttpResponse:
    """The client's price list (.xlsx), of the whole assortment or of `?category=<slug>`."""
    viewer = purchase_strategy(user=request.user)
    slug = request.GET.get("category")
    category = Category.objects.filter(slug=slug, is_active=True).first() if slug else None
    blocks, name = pricelist_stream(viewer=viewer, category=category)
    response = StreamingHttpResponse(
        blocks, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, name)
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
