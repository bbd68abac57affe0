"""Notifications, reusable by every app: in-portal rows plus e-mail through Celery after commit.

    from accounts.notifications import notify, ops_recipients
    notify(recipients=ops_recipients(), event="sync_failed", title="...", body="...", url="/admin/...")

A user chooses per event whether it also comes by e-mail (`NotificationPreference`); the events
and their defaults are declared with `accounts.events.register_event`.
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from .models import Notification
from .tasks import email_notifications


def notify(
    *, recipients: Iterable, event: str, title: str, body: str = "", url: str = "", include_inactive: bool = False
) -> list[Notification]:
    """Create one in-portal notification per distinct active recipient; e-mail them after commit.

    `include_inactive` reaches users who cannot sign in yet (an applicant told of a rejection).
    """
    return notify_each(messages=((user, title, body) for user in recipients), event=event, url=url,
                       include_inactive=include_inactive)


def notify_each(
    *, messages: Iterable[tuple], event: str, url: str = "", include_inactive: bool = False
) -> list[Notification]:
    """Like `notify`, with a title and body of its own for each recipient: `messages` gives
    (recipient, title, body). One insert and one e-mail task for all of them, however many."""
    seen: set[int] = set()
    rows = []
    for user, title, body in messages:
        if user is None or user.pk in seen or not (user.is_active or include_inactive):
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, event=event, title=str(title)[:300], body=str(body), url=url))
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    transaction.on_commit(lambda: _queue_email(ids))
    return created


def notify_localized(
    *, recipients: Iterable, event: str, message: Callable[[], tuple[str, str]], url: str = "",
    include_inactive: bool = False,
) -> list[Notification]:
    """Like `notify`, but `message()` (returning title and body) is evaluated in each recipient's language."""
    by_language: dict[str, list] = {}
    for user in recipients:
        by_language.setdefault(getattr(user, "language", "") or settings.LANGUAGE_CODE, []).append(user)
    created = []
    for language, users in by_language.items():
        with translation.override(language):
            title, body = message()
            created += notify(recipients=users, event=event, title=str(title), body=str(body), url=url,
                              include_inactive=include_inactive)
    return created


def _queue_email(ids: list[int]) -> None:
    email_notifications.delay(ids)


def ops_recipients():
    """Active supplier staff who get operational alerts: superusers and members of the group "ops"."""
    user_model = get_user_model()
    return (
        user_model.objects.filter(is_active=True, client__isnull=True)
        .filter(Q(is_superuser=True) | Q(groups__name="ops"))
        .distinct()
        .order_by("email")
    )
