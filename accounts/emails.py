"""E-mail rendering: Russian or English templates by the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .events import email_wanted
from .models import Notification, NotificationPreference


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def render_email(*, template: str, language: str, context: dict) -> tuple[str, str, str]:
    """Render emails/<template>_subject.txt, _body.txt and _body.html in the given language."""
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    context = {"portal_name": settings.PORTAL_NAME, "support_email": settings.PORTAL_SUPPORT_EMAIL, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{language}/{template}_subject.txt", context).strip()
        text = render_to_string(f"emails/{language}/{template}_body.txt", context)
        html = render_to_string(f"emails/{language}/{template}_body.html", context)
    return " ".join(subject.split()), text, html


def send_templated(*, template: str, to: str, language: str, context: dict) -> None:
    subject, text, html = render_email(template=template, language=language, context=context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_notification_emails(*, notification_ids: list[int]) -> int:
    """E-mail the notifications whose recipients chose e-mail for the event; mark them e-mailed."""
    rows = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("recipient")
    )
    choices: dict[tuple[int, str], bool] = {
        (user_id, event): by_email
        for user_id, event, by_email in NotificationPreference.objects.filter(
            user_id__in={row.recipient_id for row in rows}
        ).values_list("user_id", "event", "by_email")
    }
    sent = 0
    for row in rows:
        user_choices = {row.event: choices[(row.recipient_id, row.event)]} if (
            (row.recipient_id, row.event) in choices) else {}
        if not email_wanted(row.recipient, row.event, user_choices):
            continue
        context = {"notification": row, "link": absolute_url(row.url), "user": row.recipient}
        send_templated(template="notification", to=row.recipient.email, language=row.recipient.language,
                       context=context)
        # Marked one by one, so a retry after a failed send does not e-mail the earlier ones again.
        Notification.objects.filter(pk=row.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
