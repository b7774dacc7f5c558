from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def compute_monthly_contributions(period: str = "") -> int:
    """Monthly (beat): post the mutual contribution of the previous month (or of `period`,
    YYYY-MM). Idempotent: a second run posts nothing. Returns how many entries were posted."""
    from django.utils import timezone

    from .contributions import contributions_compute, parse_period, previous_period

    month = parse_period(period) if period else previous_period(timezone.localdate())
    return len(contributions_compute(period=month).posted)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def render_contract_pdf(contract_id: int) -> None:
    """Render and store a contract's PDF (idempotent: a stored PDF is kept)."""
    from .contract_pdf import contract_pdf_store
    from .models import Contract

    contract_pdf_store(contract=Contract.objects.get(pk=contract_id))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_pending_dimonas() -> int:
    """Send the pending Dimona declarations (after each contract, and every few minutes)."""
    from .dimona import dimona_send_pending

    return dimona_send_pending()


# The tasks of the other work-and-pay modules, imported here so that Celery's autodiscovery
# (which imports <app>.tasks) registers them in every worker.
from . import tasks_pay, tasks_payouts, tasks_workers  # noqa: E402, F401
