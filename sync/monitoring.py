"""Stale-stock alert: ops get one notification per stale period (not one every 5 minutes)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import register_event
from accounts.notifications import notify_localized, ops_recipients

from .selectors import stock_age, stock_stale

ALERT_KEY = "sync:stock-stale-alerted"
register_event("stock_stale", gettext_lazy("Stock data from the ERP is stale"), audience="staff")


def stock_staleness_check() -> bool:
    """Notify ops when stock is older than PORTAL_STOCK_STALE_MINUTES; returns whether it is stale."""
    if not stock_stale():
        cache.delete(ALERT_KEY)
        return False
    if cache.add(ALERT_KEY, 1, timeout=None):
        age = stock_age()
        minutes = int(age.total_seconds() // 60) if age else None

        def message():
            body = (_("The last successful stock import finished %(minutes)s minutes ago.") % {"minutes": minutes}
                    if minutes is not None else _("Stock has never been imported successfully."))
            return _("Stock data is stale"), body

        notify_localized(recipients=ops_recipients(), event="stock_stale", message=message, url="/staff/sync/")
    return True
