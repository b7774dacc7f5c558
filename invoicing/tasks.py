"""Celery tasks of invoicing: thin, idempotent, each loads ids and calls one service.

The services queue them by name from Celery's registry (sending.queue_task), so this module
is the top of the app: it imports the services, none imports it.
"""

from celery import shared_task
from django.utils import timezone

from .access_points import TransientError
from .documents import invoice_documents_render
from .models import Invoice, Transmission
from .recurring import recurrences_make_due
from .reminders import reminders_send_due
from .sending import document_send, transmissions_requeue_overdue


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_invoice_documents(invoice_id: int) -> None:
    """Render the PDF and the UBL of an issued document (idempotent: kept once written)."""
    invoice = Invoice.objects.get(pk=invoice_id)
    invoice_documents_render(invoice=invoice)


# The budget of attempts is the transmission's (sending.MAX_ATTEMPTS), counted in the
# database across redeliveries and sweeps: Celery's own count doesn't limit it.
@shared_task(bind=True, max_retries=None, acks_late=True, reject_on_worker_lost=True)
def send_document(self, invoice_id: int, channel: str) -> None:
    """Send an issued document on one channel (idempotent: a sent transmission stays sent).

    Retryable failures (network, 5xx, 429) are retried with exponential backoff (1 min,
    2, 4 … up to 1 h, jittered, or later when the access point asks, never more than 1 h),
    seven attempts in all; a refusal is recorded on the transmission and not retried. A
    worker killed while sending gives the message back to the queue (reject on worker lost).
    """
    invoice = Invoice.objects.get(pk=invoice_id)
    try:
        document_send(invoice=invoice, channel=channel, by=None)
    except TransientError as exc:
        due = (
            Transmission.objects.filter(invoice_id=invoice_id, channel=channel)
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if due is None:
            raise  # given up: the back-office lists it (Transmissions, stuck)
        countdown = max(0, round((due - timezone.now()).total_seconds()))
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True, reject_on_worker_lost=True)
def requeue_overdue_transmissions() -> int:
    """Beat, every minute: queue again the transmissions whose task was lost."""
    return transmissions_requeue_overdue()


class RemindersNotAllSent(Exception):
    """Some reminders failed (mail server down…): the task retries; sent ones aren't re-sent."""


@shared_task(autoretry_for=(RemindersNotAllSent,), retry_backoff=True, max_retries=5)
def send_due_reminders() -> int:
    """Daily (beat): send the payment reminders due today. Idempotent: a second run the same
    day sends nothing more. Returns how many were sent."""
    run = reminders_send_due(today=timezone.localdate())
    if run.failed:
        raise RemindersNotAllSent(f"{len(run.failed)} reminder(s) not sent")
    return len(run.sent)


@shared_task
def make_recurring_drafts() -> int:
    """Make the drafts of the recurring invoices due today (daily; idempotent)."""
    return len(recurrences_make_due(today=timezone.localdate()).made)
