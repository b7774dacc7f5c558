from celery import shared_task


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_invoice_documents(invoice_id: int) -> None:
    """Render the PDF and the UBL of an issued document (idempotent: kept once written)."""
    from .documents import invoice_documents_render
    from .models import Invoice

    invoice = Invoice.objects.get(pk=invoice_id)
    invoice_documents_render(invoice=invoice)
