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
