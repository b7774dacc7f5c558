import socket

from celery import shared_task
from django.utils import timezone

from .models import HealthPing


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def health_ping(token: str | None = None) -> str:
    """Write a row to the database: proves a worker is alive and connected. Idempotent per token."""
    token = token or timezone.now().strftime("beat-%Y%m%d%H%M")
    HealthPing.objects.get_or_create(token=token, defaults={"worker": socket.gethostname()})
    return token
