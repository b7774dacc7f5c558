"""The receipt reader's task: takes an id, calls the service, idempotent (a receipt is read
once), retried when the database is briefly unavailable. payroll.tasks imports this module
(Celery's autodiscovery)."""

from celery import shared_task
from django.db import OperationalError

from .read_services import receipt_read


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def read_receipt(receipt_id: int) -> str:
    """Read one receipt in the background; its status afterwards ("" when already read)."""
    receipt = receipt_read(receipt_id=receipt_id)
    return receipt.status if receipt is not None else ""
