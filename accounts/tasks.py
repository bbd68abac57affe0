"""Celery tasks of the accounts app: thin wrappers around the e-mail services."""

from smtplib import SMTPException

from celery import shared_task

from .emails import send_notification_emails, send_templated

#: Mail servers go away for a while; retry with backoff instead of losing the e-mail.
RETRY = {"autoretry_for": (SMTPException, OSError), "retry_backoff": 30, "retry_backoff_max": 1800,
         "max_retries": 8}


@shared_task(ignore_result=True, **RETRY)
def email_notifications(notification_ids: list[int]) -> int:
    return send_notification_emails(notification_ids=notification_ids)


@shared_task(ignore_result=True, **RETRY)
def send_templated_email(*, template: str, to: str, language: str, context: dict) -> None:
    send_templated(template=template, to=to, language=language, context=context)
