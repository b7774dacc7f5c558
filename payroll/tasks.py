"""The scheduled (Celery beat) tasks of payroll, and the registration of its other tasks:
Celery's autodiscovery imports this module (<app>.tasks), which imports the task modules the
services enqueue. Nothing in payroll imports this module, so it may import them all.

Thin: a task takes ids or a period, calls one service, retries with backoff, and is
idempotent."""

from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from core.calendar import parse_month, previous_month
from payroll.contributions.services import contributions_compute
from payroll.expenses.receipts import tasks as receipt_tasks  # noqa: F401 (registers its tasks)
from payroll.pay import tasks as pay_tasks  # noqa: F401 (registers its tasks)
from payroll.pay.payouts import payout_batch_prepare, payout_lines_from_refunds, payout_schedule
from payroll.pay.payroll_run import payroll_run_compute
from payroll.work import tasks as work_tasks  # noqa: F401 (registers its tasks)
from payroll.workers import tasks as workers_tasks  # noqa: F401 (registers its tasks)
from payroll.workers.invitation_services import worker_invitations_expire


def _month(period: str) -> date:
    """The month `period` names (YYYY-MM), or the previous month when empty."""
    return parse_month(period, default=previous_month(timezone.localdate()), field="period")


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def compute_monthly_contributions(period: str = "") -> int:
    """Monthly (beat): post the mutual contribution of the previous month (or of `period`,
    YYYY-MM). Idempotent: a second run posts nothing. Returns how many entries were posted."""
    return len(contributions_compute(period=_month(period)).posted)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def payroll_run_task(period: str = "") -> int:
    """Monthly (beat): compute the payroll of the previous month (or of `period`, YYYY-MM).
    Idempotent: a computed period is not computed again. Returns the number of payslips."""
    return payroll_run_compute(period=_month(period)).payslips.count()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def prepare_scheduled_payouts(today: str = "") -> int | None:
    """Pick up pending share refunds, then batch every payout line due by the next run day,
    to be executed on the next banking day. Idempotent: lines already batched are never
    batched again, so a second run the same day prepares nothing. Returns the batch id, or
    None when nothing was due."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    payout_lines_from_refunds(by=None)
    due_by, execution_date = payout_schedule(on=day)
    batch = payout_batch_prepare(due_by=due_by, execution_date=execution_date, by=None)
    return batch.pk if batch is not None else None


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def expire_worker_invitations() -> int:
    """Daily (beat): mark the pending invitations past their date as expired (idempotent)."""
    return worker_invitations_expire()
