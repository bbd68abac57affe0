"""Celery tasks of the accounts app: thin wrappers around the e-mail services."""

from celery import shared_task


@shared_task(ignore_result=True)
def email_notifications(notification_ids: list[int]) -> int:
    from .emails import send_notification_emails

    return send_notification_emails(notification_ids=notification_ids)


@shared_task(ignore_result=True)
def send_templated_email(*, template: str, to: str, language: str, context: dict) -> None:
    from .emails import send_templated

    send_templated(template=template, to=to, language=language, context=context)
