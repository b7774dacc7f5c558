"""Reading a receipt (the body of the Celery task `read_receipt`): a UBL e-invoice exactly
with invoicing.inbound.parse_ubl_invoice, a PDF by its text layer or else OCR, a photo by OCR
(reading.py); parsing.py turns the text into the proposal. Kept apart from services.py, which
enqueues the task."""

import time
from dataclasses import dataclass, field
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


@dataclass
class Outcome:
    """What reading a file gave, before it is saved on its receipt."""

    status: str = Receipt.Status.READ
    method: str = ""
    read: dict = field(default_factory=dict)
    text: str = ""
    seconds: float = 0.0
    problem: str = ""


def _read_file(content: bytes, content_type: str, today: date) -> Outcome:
    outcome = Outcome()
    started = time.perf_counter()
    try:
        if content_type in XML_TYPES:
            outcome.method = Receipt.Method.UBL
            outcome.read = _ubl_readings(content)
        else:
            text = read_text(content, is_pdf=content_type == "application/pdf")
            outcome.method, outcome.text = text.method, text.text
            readings = parse_receipt(text.text, today=today)
            outcome.read = {name: reading.as_json() for name, reading in readings.items()}
    except (UnreadableFile, ValidationError) as error:
        outcome.status = Receipt.Status.UNREADABLE
        outcome.problem = str(error)[:300]
    outcome.seconds = round(time.perf_counter() - started, 3)
    if outcome.status == Receipt.Status.READ and not proposal(outcome.read):
        outcome.status = Receipt.Status.UNREADABLE
        outcome.problem = _("Nothing on it could be read with confidence.")
    return outcome


def receipt_read(*, receipt_id: int, today: date | None = None) -> Receipt | None:
    """Read a receipt once (the task's body): the proposal and its confidences, or why it
    could not be read, audited. A receipt already read (or filed, or gone) is left as it is.

    The reading (seconds of OCR) holds no lock; the row is locked only to save what was
    read, if nobody read it meanwhile (a task delivered twice reads twice, saves once)."""
    today = today or timezone.localdate()
    receipt = Receipt.objects.filter(pk=receipt_id, status=Receipt.Status.UPLOADED).first()
    if receipt is None:
        return None
    with receipt.file.open("rb") as handle:
        content = handle.read()
    outcome = _read_file(content, receipt.content_type, today)
    with transaction.atomic():
        locked = (
            Receipt.objects.select_for_update()
            .filter(pk=receipt_id, status=Receipt.Status.UPLOADED)
            .first()
        )
        if locked is None:
            return None
        locked.status, locked.method, locked.read = outcome.status, outcome.method, outcome.read
        locked.text, locked.read_seconds = outcome.text, outcome.seconds
        locked.problem, locked.read_at = outcome.problem, timezone.now()
        locked.save()
        audit_log(
            actor=None,
            action="receipt.read",
            obj=locked,
            changes={"status": locked.status, "method": locked.method, "read": locked.read},
        )
    return locked
