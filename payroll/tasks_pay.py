"""Celery tasks of the payroll run, payslips and attestations (thin: ids in, one service)."""

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def payroll_run_task(period: str = "") -> int:
    """Monthly (beat): compute the payroll of the previous month (or of `period`, YYYY-MM).
    Idempotent: a computed period is not computed again. Returns the number of payslips."""
    from django.utils import timezone

    from .contributions import parse_period, previous_period
    from .payroll_run import payroll_run_compute

    month = parse_period(period) if period else previous_period(timezone.localdate())
    return payroll_run_compute(period=month).payslips.count()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_payslip_pdf(payslip_id: int) -> None:
    """Render a payslip's PDF (idempotent: kept once written)."""
    from .models import Payslip
    from .payslips import payslip_pdf_render

    payslip_pdf_render(payslip=Payslip.objects.get(pk=payslip_id))


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_attestation_pdf(attestation_id: int) -> None:
    """Render an attestation's PDF and mark it ready (idempotent: a ready one is kept)."""
    from .attestations import attestation_render
    from .models import Attestation

    attestation_render(attestation=Attestation.objects.get(pk=attestation_id))
