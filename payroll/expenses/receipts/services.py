"""Receipts: dropped by a member (photos, PDFs, a supplier's UBL e-invoice), read in the
background into a proposal, checked and corrected by the member, filed as an expense claim.

- An upload is checked like a claim's receipt (size, a JPEG/PNG/PDF by type *and* content;
  a HEIC photo is turned into a JPEG; an XML file must be a UBL invoice invoicing reads).
- Reading (Celery task `read_receipt`, after the upload's commit): a UBL e-invoice is read
  exactly by invoicing.inbound.parse_ubl_invoice at once; a PDF by its text layer, else OCR
  (reading.py); then parsing.py proposes the fields with their confidences.
- Filing goes through payroll.expenses.services.expense_claim_submit: the same unit, balance,
  deadline and receipt rules as a claim typed by hand. The proposal never files anything.
  The receipt keeps what was read and what was filed; the audit trail what changed.
- Duplicates: the same file (SHA-256), or the same supplier VAT number, date and total as
  another receipt of the member, or a claim of the member of the same date and amount.
"""

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from core.audit import audit_log
from core.types import AnyUser
from invoicing.inbound import parse_ubl_invoice
from members.models import User
from payroll.models import ExpenseCategory, ExpenseClaim, Job, Receipt
from production_units.models import ProductionUnit

from ..services import (
    MAX_RECEIPT_SIZE,
    claims_of_user,
    expense_claim_submit,
    expense_claimant,
    receipt_check,
)
from .parsing import CONFIDENT, proposal
from .read_services import XML_TYPES
from .reading import HEIC
from .tasks import read_receipt

HEIC_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")
# The form field each read field prefills, and back.
FORM_FIELDS = {
    "spent_on": "spent_on",
    "total": "amount",
    "vat": "vat",
    "category": "category",
    "supplier": "description",
}


def receipts_of_user(user: AnyUser | None) -> QuerySet[Receipt]:
    """The receipts a user dropped; nothing for anonymous callers."""
    if not isinstance(user, User) or not user.is_authenticated:
        return Receipt.objects.none()
    return Receipt.objects.filter(owner=user)


# --- upload -------------------------------------------------------------------------------


def _is_heic(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS


def _heic_to_jpeg(content: bytes) -> bytes:
    """A HEIC photo (iPhone) as a JPEG, which every browser shows and the claim takes."""
    if not HEIC:
        raise ValidationError({"receipt": _("HEIC photos can't be read here: send a JPEG.")})

    try:
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(content)))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=90)
    except (OSError, ValueError) as error:
        raise ValidationError({"receipt": _("This HEIC photo can't be opened.")}) from error
    return out.getvalue()


def _looks_like_xml(content: bytes) -> bool:
    return content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<?xml", b"<Invoice", b"<ubl:"))


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    extension: str


def _checked_file(upload: UploadedFile) -> CheckedFile:
    """The upload's bytes and kind. Raises ValidationError on `receipt` (see the module)."""
    size = getattr(upload, "size", None) or 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if 0 < size <= MAX_RECEIPT_SIZE and _is_heic(head):
        return CheckedFile(_heic_to_jpeg(upload.read()), "image/jpeg", "jpg")
    if 0 < size <= MAX_RECEIPT_SIZE and (declared in XML_TYPES or _looks_like_xml(head)):
        # From its first element or declaration (a byte-order mark or blank lines before it
        # would make the declaration ill-formed).
        content = upload.read().lstrip(b"\xef\xbb\xbf \t\r\n")
        if not _looks_like_xml(content):
            raise ValidationError({"receipt": _("This XML file is not a UBL invoice.")})
        try:
            parse_ubl_invoice(content)
        except ValidationError as error:
            raise ValidationError(
                {"receipt": _("This e-invoice can't be read: %(problems)s")
                 % {"problems": " ".join(error.messages)}}
            ) from error  # fmt: skip
        # Stored with an XML declaration, which the claim's receipt check recognises.
        if not content.startswith(b"<?xml"):
            content = b'<?xml version="1.0" encoding="UTF-8"?>\n' + content
        return CheckedFile(content, "application/xml", "xml")
    kind = receipt_check(upload)
    return CheckedFile(upload.read(), kind.content_types[0], kind.extension)


@transaction.atomic
def receipt_upload(*, upload: UploadedFile, by: User) -> Receipt:
    """Keep a receipt `by` dropped and have it read in the background, audited.

    Raises ValidationError on `receipt`: empty, too large, not a JPEG, PNG, HEIC, PDF or
    UBL e-invoice."""
    checked = _checked_file(upload)
    receipt = Receipt(
        owner=by,
        content_type=checked.content_type,
        original_name=(getattr(upload, "name", "") or "")[:200],
        sha256=hashlib.sha256(checked.content).hexdigest(),
    )
    receipt.file.save(
        f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.content), save=False
    )
    receipt.save()
    audit_log(
        actor=by,
        action="receipt.uploaded",
        obj=receipt,
        changes={"sha256": receipt.sha256, "content_type": receipt.content_type},
    )
    transaction.on_commit(lambda: read_receipt.delay(receipt.pk), robust=True)
    return receipt


# --- what the member sees -------------------------------------------------------------------


def receipt_initial(receipt: Receipt) -> tuple[dict, list[str]]:
    """The claim form's initial values from what was read with confidence, and the form
    fields that were not (left empty, to check)."""
    proposed = proposal(receipt.read)
    initial: dict = {}
    if "spent_on" in proposed:
        initial["spent_on"] = date.fromisoformat(proposed["spent_on"])
    if "total" in proposed:
        initial["amount"] = Decimal(proposed["total"])
    if "vat" in proposed:
        initial["vat"] = Decimal(proposed["vat"])
    if "category" in proposed:
        category = ExpenseCategory.objects.filter(code=proposed["category"]).first()
        if category is not None:
            initial["category"] = category.pk
    if "supplier" in proposed:
        initial["description"] = proposed["supplier"][:200]
    if proposed.get("currency", "EUR") != "EUR":
        initial.pop("amount", None)
        initial.pop("vat", None)
    unsure = [form_field for field, form_field in FORM_FIELDS.items() if form_field not in initial]
    return initial, unsure


@dataclass(frozen=True)
class Duplicate:
    message: str
    receipt: Receipt | None = None
    claim: ExpenseClaim | None = None


def _value(receipt: Receipt, field: str) -> str:
    filed = {"total": "amount"}.get(field, field)
    if receipt.filed.get(filed):
        return str(receipt.filed[filed])
    reading = receipt.read.get(field) or {}
    return str(reading.get("value", "")) if reading.get("confidence", 0) >= CONFIDENT else ""


def receipt_duplicates(receipt: Receipt) -> list[Duplicate]:
    """What this receipt may duplicate among its owner's receipts and claims (see the
    module): shown to the member before filing, and to the advisor."""
    found: list[Duplicate] = []
    others = Receipt.objects.filter(owner_id=receipt.owner_id).exclude(pk=receipt.pk)
    for other in others.filter(sha256=receipt.sha256).order_by("id"):
        found.append(Duplicate(_("The same file was already dropped (%(name)s).")
                               % {"name": other}, receipt=other))  # fmt: skip
    vat_number = _value(receipt, "vat_number")
    spent_on = _value(receipt, "spent_on")
    total = _value(receipt, "total")
    if not (spent_on and total):
        return found
    seen = {dup.receipt.pk for dup in found if dup.receipt}
    if vat_number:
        same = (
            Q(read__vat_number__value=vat_number)
            & (Q(read__spent_on__value=spent_on) | Q(filed__spent_on=spent_on))
            & (Q(read__total__value=total) | Q(filed__amount=total))
        )
        for other in others.filter(same).exclude(pk__in=seen).order_by("id"):
            found.append(Duplicate(
                _("A receipt of the same supplier, date and total was already dropped (%(name)s).")
                % {"name": other}, receipt=other))  # fmt: skip
    claims = claims_of_user(receipt.owner).filter(spent_on=spent_on, amount=Decimal(total))
    if receipt.claim_id:
        claims = claims.exclude(pk=receipt.claim_id)
    for claim in claims.order_by("id"):
        found.append(Duplicate(
            _("Claim %(number)s has the same date and amount.") % {"number": claim.pk},
            claim=claim))  # fmt: skip
    return found


# --- filing ---------------------------------------------------------------------------------


def _filed_json(fields: dict) -> dict:
    out: dict[str, str | int] = {}
    for name, value in fields.items():
        if value is None or value == "":
            continue
        if isinstance(value, (ExpenseCategory, ProductionUnit)):
            out[name] = value.code
        elif isinstance(value, Job):
            out[name] = value.pk
        elif isinstance(value, date):
            out[name] = value.isoformat()
        elif isinstance(value, Decimal):
            out[name] = f"{value:.2f}"
        else:
            out[name] = str(value)
    return out


def receipt_changes(receipt: Receipt) -> dict[str, tuple[str, str]]:
    """Field of the claim → (what was read, what the member filed), for the fields the member
    filed differently from the reading (a field not read counts as read empty)."""
    changes = {}
    for field, form_field in FORM_FIELDS.items():
        reading = receipt.read.get(field) or {}
        read = str(reading.get("value", ""))
        filed = str(receipt.filed.get(form_field, ""))
        if read != filed:
            changes[form_field] = (read, filed)
    return changes


@transaction.atomic
def receipt_file(
    *,
    receipt: Receipt,
    by: User,
    unit: ProductionUnit,
    category: ExpenseCategory,
    spent_on: date,
    description: str,
    amount: Decimal | str | None,
    vat: Decimal | str | None = None,
    job: Job | None = None,
    today: date | None = None,
) -> ExpenseClaim:
    """File the claim the member checked from their receipt: through expense_claim_submit
    (every rule of a claim), the receipt's file as its receipt; the receipt keeps what was
    filed, the audit trail what the member changed from the reading.

    Raises PermissionDenied when the receipt is not `by`'s; ValidationError when it was filed
    already, or as expense_claim_submit does (naming the field)."""
    locked = Receipt.objects.select_for_update().filter(pk=receipt.pk).first()
    if locked is None or locked.owner_id != by.pk:
        raise PermissionDenied(_("This receipt is not yours."))
    if locked.status == Receipt.Status.FILED:
        raise ValidationError(_("This receipt was filed already: nothing was changed."))
    receipt = locked
    extension = str(receipt.file.name).rsplit(".", 1)[-1].lower()
    with receipt.file.open("rb") as handle:
        upload = SimpleUploadedFile(
            f"receipt.{extension}", handle.read(), content_type=receipt.content_type
        )
    worker = expense_claimant(unit=unit, user=by)
    claim = expense_claim_submit(
        unit=unit,
        worker=worker,
        category=category,
        spent_on=spent_on,
        description=description,
        amount=amount,
        vat=vat,
        receipt=upload,
        job=job,
        by=by,
        today=today,
    )
    receipt.filed = _filed_json(
        {
            "unit": unit,
            "category": category,
            "spent_on": spent_on,
            "description": description.strip(),
            "amount": claim.amount,
            "vat": claim.vat,
            "job": job,
        }
    )
    receipt.claim = claim
    receipt.status = Receipt.Status.FILED
    receipt.filed_at = timezone.now()
    receipt.duplicates = [dup.message for dup in receipt_duplicates(receipt)]
    receipt.save(update_fields=["filed", "claim", "status", "filed_at", "duplicates"])
    changes = receipt_changes(receipt)
    audit_log(
        actor=by,
        action="receipt.filed",
        obj=claim,
        changes={
            "receipt": receipt.pk,
            "changed": {name: list(pair) for name, pair in changes.items()},
            "duplicates": receipt.duplicates,
        },
    )
    return claim


@transaction.atomic
def receipt_discard(*, receipt: Receipt, by: User) -> None:
    """Throw away a receipt not filed yet (a wrong photo), audited. Raises PermissionDenied
    when it is not `by`'s, ValidationError when it was filed."""
    locked = Receipt.objects.select_for_update().filter(pk=receipt.pk).first()
    if locked is None or locked.owner_id != by.pk:
        raise PermissionDenied(_("This receipt is not yours."))
    if locked.status == Receipt.Status.FILED:
        raise ValidationError(_("A filed receipt stays with its claim."))
    audit_log(actor=by, action="receipt.discarded", obj=locked, changes={"sha256": locked.sha256})
    name = str(locked.file.name)
    locked.delete()
    transaction.on_commit(lambda: locked.file.storage.delete(name), robust=True)
