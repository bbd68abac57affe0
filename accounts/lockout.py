"""The sign-in lockout policy on top of django-axes: whose attempts count, until when, what is shown.

An account is locked after AXES_FAILURE_LIMIT failed logins within AXES_COOLOFF_TIME, from any
address, on any door: the site's form (allauth, field `login`), the admin form (`username`), the
1C exchange (Basic auth, passed to `authenticate(username=...)`). A lock never covers an address
alone, so colleagues behind one office NAT are not locked out by one person's typos.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from axes.conf import settings as axes_settings
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials, get_failure_limit
from axes.models import AccessAttempt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

#: Where each door puts the login: allauth's backend call (`email`), the admin form and the 1C view
#: (`username`), allauth's form and axes' own credentials (`login`, AXES_USERNAME_FORM_FIELD).
CREDENTIAL_KEYS = ("login", "username", "email")
USERNAME_MAX_LENGTH = 255  # AccessAttempt.username


def normalise_login(value: object) -> str | None:
    """The login as one account sees it: e-mails are case-insensitive, so `A@x` and `a@x` share a count."""
    text = str(value or "").replace("\x00", "").strip().lower()[:USERNAME_MAX_LENGTH]
    return text or None


def login_username(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the login of an attempt, whichever door it came through."""
    sources = [credentials or {}]
    if request is not None and request.method == "POST" and not credentials:
        sources.append(request.POST)
    for source in sources:
        for key in CREDENTIAL_KEYS:
            if source.get(key):
                return normalise_login(source[key])
    return None


def login_locked_until(request: HttpRequest, username: str | None) -> datetime | None:
    """When the lock of this login ends, or None if it is not locked.

    Attempts are kept per (login, address, browser) with the time of their last failure; the lock
    lasts while the failures of the last AXES_COOLOFF_TIME reach the limit, so it ends when the
    newest records that still reach the limit start to expire.
    """
    username = normalise_login(username)
    cool_off = get_cool_off(request)
    if not username or cool_off is None:
        return None
    now = timezone.now()
    limit = get_failure_limit(request, get_credentials(username))
    recent = (AccessAttempt.objects.filter(username=username, attempt_time__gte=now - cool_off)
              .order_by("-attempt_time").values_list("attempt_time", "failures_since_start"))
    total = 0
    for attempt_time, failures in recent:
        total += failures
        if total >= limit:
            return attempt_time + cool_off
    return None


def login_is_locked(request: HttpRequest, username: str) -> bool:
    """Whether axes refuses this login now (for sign-ins that do not go through `authenticate`)."""
    if not axes_settings.AXES_ENABLED:
        return False
    return not AxesProxyHandler.is_allowed(request, get_credentials(normalise_login(username)))


def answers_lockout(view: Callable) -> Callable:
    """Mark a view that answers a lockout itself, in its own protocol (the 1C exchange's `failure`).

    AxesMiddleware would otherwise replace its answer with the HTML lockout page.
    """
    view.answers_lockout = True
    return view


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page saying the account is locked and until when (429)."""
    match = getattr(request, "resolver_match", None)
    if original_response is not None and match is not None and getattr(match.func, "answers_lockout", False):
        return original_response
    locked_until = login_locked_until(request, login_username(request, credentials))
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_timedelta": get_cool_off(request),
        "locked_until": locked_until,
        "minutes_left": minutes_left(locked_until) if locked_until else None,
    }
    return render(request, "account/lockout.html", context, status=axes_settings.AXES_HTTP_RESPONSE_CODE)


def minutes_left(until: datetime) -> int:
    """Whole minutes until `until`, rounded up: a lock ending in 30 seconds is "1 minute"."""
    return max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
