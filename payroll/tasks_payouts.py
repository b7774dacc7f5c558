"""Scheduled payouts (Celery beat, Tuesday and Friday mornings): see docs/payouts.md."""

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def prepare_scheduled_payouts(today: str = "") -> int | None:
    """Pick up pending share refunds, then batch every payout line due by the next run day,
    to be executed on the next banking day. Idempotent: lines already batched are never
    batched again, so a second run the same day prepares nothing. Returns the batch id, or
    None when nothing was due."""
    from datetime import date

    from django.utils import timezone

    from .payouts import payout_batch_prepare, payout_lines_from_refunds, payout_schedule

    day = date.fromisoformat(today) if today else timezone.localdate()
    payout_lines_from_refunds(by=None)
    due_by, execution_date = payout_schedule(on=day)
    batch = payout_batch_prepare(due_by=due_by, execution_date=execution_date, by=None)
    return batch.pk if batch is not None else None
