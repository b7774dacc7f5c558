from celery import shared_task


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_invoice_documents(invoice_id: int) -> None:
    """Render the PDF and the UBL of an issued document (idempotent: kept once written)."""
    from .documents import invoice_documents_render
    from .models import Invoice

    invoice = Invoice.objects.get(pk=invoice_id)
    invoice_documents_render(invoice=invoice)


@shared_task(bind=True, max_retries=6, acks_late=True)
def send_document(self, invoice_id: int, channel: str) -> None:
    """Send an issued document on one channel (idempotent: a sent transmission stays sent).

    Retryable failures (network, 5xx, 429) are retried with exponential backoff (1 min,
    2, 4 … up to 1 h, jittered, or later when the access point asks); a refusal is recorded
    on the transmission and not retried.
    """
    from celery.utils.time import get_exponential_backoff_interval

    from .access_points import TransientError
    from .models import Invoice
    from .sending import document_send

    invoice = Invoice.objects.get(pk=invoice_id)
    try:
        document_send(invoice=invoice, channel=channel, by=None)
    except TransientError as exc:
        countdown = get_exponential_backoff_interval(
            factor=60, retries=self.request.retries, maximum=3600, full_jitter=True
        )
        raise self.retry(exc=exc, countdown=max(countdown, exc.retry_after or 0)) from exc


class RemindersNotAllSent(Exception):
    """Some reminders failed (mail server down…): the task retries; sent ones aren't re-sent."""


@shared_task(autoretry_for=(RemindersNotAllSent,), retry_backoff=True, max_retries=5)
def send_due_reminders() -> int:
    """Daily (beat): send the payment reminders due today. Idempotent: a second run the same
    day sends nothing more. Returns how many were sent."""
    from django.utils import timezone

    from .reminders import reminders_send_due

    run = reminders_send_due(today=timezone.localdate())
    if run.failed:
        raise RemindersNotAllSent(f"{len(run.failed)} reminder(s) not sent")
    return len(run.sent)
