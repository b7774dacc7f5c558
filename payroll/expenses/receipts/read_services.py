"""Reading a receipt (the body of the Celery task `read_receipt`): a UBL e-invoice exactly
with invoicing.inbound.parse_ubl_invoice, a PDF by its text layer or else OCR, a photo by OCR
(reading.py); parsing.py turns the text into the proposal. Kept apart from services.py, which
enqueues the task."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from invoicing.inbound import parse_ubl_invoice
from payroll.models import Receipt

from .parsing import parse_receipt, proposal
from .reading import UnreadableFile, read_text

XML_TYPES = ("application/xml", "text/xml")


# --- reading --------------------------------------------------------------------------------


def _ubl_readings(content: bytes) -> dict[str, dict]:
    invoice = parse_ubl_invoice(content)
    sure = 1.0
    readings = {
        "supplier": {"value": invoice.supplier_name, "confidence": sure},
        "spent_on": {"value": invoice.issue_date.isoformat(), "confidence": sure},
        "total": {"value": f"{invoice.total:.2f}", "confidence": sure},
        "vat": {"value": f"{invoice.vat_total:.2f}", "confidence": sure},
        "currency": {"value": invoice.currency, "confidence": sure},
        "invoice_number": {"value": invoice.supplier_invoice_number, "confidence": sure},
    }
    if invoice.supplier_vat_number:
        readings["vat_number"] = {"value": invoice.supplier_vat_number, "confidence": sure}
    return readings


def receipt_read(*, receipt_id: int, today: date | None = None) -> Receipt | None:
    """Read a receipt once (the task's body): the proposal and its confidences, or why it
    could not be read. A receipt already read (or filed, or gone) is left as it is."""
    today = today or timezone.localdate()
    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update(skip_locked=True)
            .filter(pk=receipt_id, status=Receipt.Status.UPLOADED)
            .first()
        )
        if receipt is None:
            return None
        with receipt.file.open("rb") as handle:
            content = handle.read()
        status = Receipt.Status.READ
        started = timezone.now()
        try:
            if receipt.content_type in XML_TYPES:
                receipt.method = Receipt.Method.UBL
                receipt.read = _ubl_readings(content)
                receipt.read_seconds = (timezone.now() - started).total_seconds()
            else:
                text = read_text(content, is_pdf=receipt.content_type == "application/pdf")
                receipt.method = text.method
                receipt.text = text.text
                receipt.read_seconds = round(text.seconds, 3)
                readings = parse_receipt(text.text, today=today)
                receipt.read = {name: reading.as_json() for name, reading in readings.items()}
        except (UnreadableFile, ValidationError) as error:
            status = Receipt.Status.UNREADABLE
            receipt.problem = str(error)[:300]
        if status == Receipt.Status.READ and not proposal(receipt.read):
            status = Receipt.Status.UNREADABLE
            receipt.problem = _("Nothing on it could be read with confidence.")
        receipt.status = status
        receipt.read_at = timezone.now()
        receipt.save()
        audit_log(
            actor=None,
            action="receipt.read",
            obj=receipt,
            changes={"status": status, "method": receipt.method, "read": receipt.read},
        )
    return receipt
