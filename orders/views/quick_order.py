"""Ordering by lists: the quick order by SKUs (/cart/quick/) and order lists from Excel or CSV (/cart/upload/)."""

import io
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from accounts.roles import Action, client_action_required
from orders.line_input import RawLine, parse_lines, upload_max_lines
from orders.order_lists import (
    apply_fixes,
    fixes_from,
    order_list_preview,
    preview_rows,
    printable,
    remaining_text,
    upload_result_for_user,
    upload_result_keep,
)
from orders.services import cart_add_order_list
from orders.spreadsheets import (
    XLSX_CONTENT_TYPE,
    annotated_write,
    read_upload,
    template_name,
    template_write,
    upload_max_bytes,
)

QUICK_ORDER = "orders/quick_order.html"
UPLOAD = "orders/upload.html"
UPLOAD_RESULT = "orders/upload_result.html"
#: Rows of each list (added, not added) shown on the result page; all of them are in the annotated file.
RESULT_ROWS_SHOWN = 500


# --- Quick order ----------------------------------------------------------------------------------------


def _posted_lines(request: HttpRequest) -> tuple[str, list[RawLine], str]:
    """The posted quick-order text with the buyer's line fixes applied, its lines, and an error if any."""
    text = printable(request.POST.get("text") or "")
    try:
        lines = parse_lines(text)
        fixes = fixes_from(request.POST)
        if fixes and (fixed := apply_fixes(text, fixes, lines)) != text:
            text, lines = fixed, parse_lines(fixed)
    except ValidationError as exc:
        return text, [], " ".join(exc.messages)
    if not lines:
        return text, [], _("Enter at least one line: SKU and quantity.")
    return text, lines, ""


def _quick_order_page(request: HttpRequest, context: dict) -> HttpResponse:
    context = {"text": "", "rows": [], "error": "", "added": None, "max_lines": upload_max_lines(), **context}
    rows = context["rows"]
    context["ready"] = sum(row.line.ok for row in rows)
    context["problems"] = len(rows) - context["ready"]
    context["total"] = sum((row.amount for row in rows if row.amount is not None), start=0) if rows else None
    context["currency"] = next((row.currency for row in rows if row.currency), "")
    template = f"{QUICK_ORDER}#quick" if request.htmx else QUICK_ORDER
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@client_action_required(Action.USE_CART)
def quick_order(request: HttpRequest) -> HttpResponse:
    """The quick-order form; a POST checks the lines and shows the preview (nothing is stored)."""
    if request.method == "GET":
        return _quick_order_page(request, {})
    text, lines, error = _posted_lines(request)
    rows = order_list_preview(user=request.user, lines=lines) if lines else []
    return _quick_order_page(request, {"text": text, "rows": rows, "error": error})


@require_POST
@client_action_required(Action.USE_CART)
def quick_order_add(request: HttpRequest) -> HttpResponse:
    """Add the recognised lines of the posted text to the cart (checked again here); the others stay to be fixed."""
    text, lines, error = _posted_lines(request)
    if error:
        return _quick_order_page(request, {"text": text, "error": error})
    checked = cart_add_order_list(user=request.user, lines=lines)
    rest_text, rest = remaining_text(checked)
    added = len(checked) - len(rest)
    return _quick_order_page(request, {"text": rest_text, "rows": preview_rows(rest), "added": added})


# --- Upload -------------------------------------------------------------------------------------------


def _upload_page(request: HttpRequest, error: str = "") -> HttpResponse:
    template = f"{UPLOAD}#upload" if request.htmx else UPLOAD
    context = {"error": error, "max_lines": upload_max_lines(), "max_mb": upload_max_bytes() // (1024 * 1024)}
    return render(request, template, context, status=422 if error and not request.htmx else 200)


@require_http_methods(["GET", "POST"])
@client_action_required(Action.USE_CART)
def upload(request: HttpRequest) -> HttpResponse:
    """The upload form; a POST reads the file, adds its recognised lines to the cart and shows the result.

    A file refused as a whole (not a spreadsheet, damaged, too large, a zip bomb, too many lines)
    changes nothing. The result is kept for a while under a token (its page and annotated file).
    """
    if request.method == "GET":
        return _upload_page(request)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return _upload_page(request, _("Choose a file to upload."))
    try:
        lines = read_upload(uploaded)
    except ValidationError as exc:
        return _upload_page(request, " ".join(exc.messages))
    checked = cart_add_order_list(user=request.user, lines=lines)
    result = upload_result_keep(user=request.user, name=PurePath(uploaded.name or "").name, lines=checked)
    url = reverse("cart:upload_result", args=[result.token])
    if not request.htmx:
        return redirect(url)
    return push_url(render(request, f"{UPLOAD_RESULT}#result", _result_context(result)), url)


def _result_context(result) -> dict:
    added, rejected = result.added, result.rejected
    return {
        "result": result, "added": added[:RESULT_ROWS_SHOWN], "rejected": rejected[:RESULT_ROWS_SHOWN],
        "added_count": len(added), "rejected_count": len(rejected), "rows_shown": RESULT_ROWS_SHOWN,
    }


@require_GET
@client_action_required(Action.USE_CART)
def upload_result(request: HttpRequest, token: str) -> HttpResponse:
    """What an upload added to the cart and what not, with the reasons; 404 for another user's or an expired one."""
    result = upload_result_for_user(user=request.user, token=token)
    return render(request, UPLOAD_RESULT, _result_context(result))


@require_GET
@client_action_required(Action.USE_CART)
def upload_annotated(request: HttpRequest, token: str) -> FileResponse:
    """The uploaded lines back as .xlsx, rejected rows highlighted with the reason (`?only=rejected`: just those)."""
    result = upload_result_for_user(user=request.user, token=token)
    only_rejected = request.GET.get("only") == "rejected"
    target = io.BytesIO()
    annotated_write(target, [line.checked() for line in result.lines], only_rejected=only_rejected)
    target.seek(0)
    values = {"name": PurePath(result.name).stem or "order"}
    name = _("%(name)s-not-added.xlsx") % values if only_rejected else _("%(name)s-checked.xlsx") % values
    return FileResponse(target, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


@require_GET
@client_action_required(Action.USE_CART)
def upload_template(request: HttpRequest) -> FileResponse:
    """The .xlsx template of an order list: SKU, quantity, unit, comment."""
    target = io.BytesIO()
    template_write(target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=template_name(), content_type=XLSX_CONTENT_TYPE)
