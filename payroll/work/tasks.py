"""Celery tasks of contracts: their PDF and their Dimona declarations (thin: ids in, one
service)."""

from celery import shared_task
from django.db import OperationalError

from payroll.models import Contract

from .contract_pdf import contract_pdf_store
from .dimona import dimona_read_acknowledgements, dimona_send_pending


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def render_contract_pdf(contract_id: int) -> None:
    """Render and store a contract's PDF (idempotent: a stored PDF is kept)."""
    contract_pdf_store(contract=Contract.objects.get(pk=contract_id))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_pending_dimonas() -> int:
    """Send the pending Dimona declarations (after each contract, and every few minutes)."""
    return dimona_send_pending()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def read_dimona_acknowledgements() -> dict[str, int]:
    """Record the channel's answers to the sent declarations (every few minutes)."""
    return dimona_read_acknowledgements()
