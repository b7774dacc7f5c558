"""Tasks of worker invitations: thin, they take ids and call a service."""

from celery import shared_task
from django.db import OperationalError

from .invitation_mail import worker_invitation_send


@shared_task(autoretry_for=(OSError, OperationalError), retry_backoff=True, max_retries=5)
def send_worker_invitation(invitation_id: int, language: str = "", base_url: str = "") -> bool:
    """Email an invitation's link (nothing if it was revoked, accepted or expired since)."""
    return worker_invitation_send(invitation_id=invitation_id, language=language, base_url=base_url)
