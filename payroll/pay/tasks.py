"""Celery tasks of payslips and attestations (thin: ids in, one service)."""

from celery import shared_task

from payroll.models import Attestation, Payslip

from .attestation_pdf import attestation_render
from .payslips import payslip_pdf_render


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_payslip_pdf(payslip_id: int) -> None:
    """Render a payslip's PDF (idempotent: kept once written)."""
    payslip_pdf_render(payslip=Payslip.objects.get(pk=payslip_id))


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_attestation_pdf(attestation_id: int) -> None:
    """Render an attestation's PDF and mark it ready (idempotent: a ready one is kept)."""
    attestation_render(attestation=Attestation.objects.get(pk=attestation_id))
