"""The notification e-mail task: thin, it takes the row's id and calls one function."""

from celery import shared_task

from .emails import notification_email_send


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> None:
    """Send a notification's e-mail (idempotent: a sent one is not sent again)."""
    notification_email_send(notification_id=notification_id)
