"""What a cart add from a saved list (a template, a past order) did, kept for the page that shows it.

The add is a POST that redirects (a reload must not add the lines twice), so its report waits in
the session until the page it was made for is shown, once.
"""

from django.http import HttpRequest

from orders.selectors import cart_refusal_rows
from orders.services import CartAddResult

SESSION_KEY = "orders_cart_report"


def remember_cart_report(request: HttpRequest, *, result: CartAddResult, path: str) -> None:
    """Keep the report of `result` (lines added, lines refused with their reasons and choices) for `path`."""
    request.session[SESSION_KEY] = {
        "path": path,
        "added": len(result.added),
        "refused": cart_refusal_rows(refusals=result.refused),
    }


def pop_cart_report(request: HttpRequest) -> dict | None:
    """The report kept for this page, removed from the session; None when there is none for it."""
    report = request.session.get(SESSION_KEY)
    if not report or report.get("path") != request.path:
        return None
    del request.session[SESSION_KEY]
    return report
