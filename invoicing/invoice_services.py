"""Writes about invoices and credit notes: drafts, submission, approval, issuing.

Every door (portal, admin, API, tasks, commands) goes through these functions.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log
from core.counters import counter_next
from core.dates import format_day
from core.money import cents
from members.models import User
from members.notifications import kinds as notice
from members.notifications.services import notify
from production_units.models import LedgerEntry, ProductionUnit
from production_units.services import ledger_post

from .chain import GENESIS, canonical_content, compute_hash
from .languages import document_language_codes, first_language
from .lines import LineData, ValidLines, lines_of, validate_lines
from .models import Client, Invoice, InvoiceBranding, InvoiceSeries, Quote
from .presentation import presentation_of
from .queue import RENDER_DOCUMENTS, queue_task
from .references import structured_reference
from .selectors import invoicing_policy_on
from .sending import transmissions_open

DETAIL = "portal:invoice_detail"


def check_access(unit: ProductionUnit, by: User) -> None:
    """Only the unit's holder (or staff) changes its documents. Raises PermissionDenied."""
    if not by.is_staff and unit.holder.user_id != by.pk:
        raise PermissionDenied(_("This unit is not yours."))


def _refuse_job_invoice(invoice: Invoice) -> None:
    """The invoice of a 3en1 job is changed, submitted and deleted through its job only."""
    if invoice.pk and type(invoice).objects.filter(pk=invoice.pk, job__isnull=False).exists():
        raise ValidationError(
            _("This invoice belongs to a job: change, submit or cancel it from the job.")
        )


def write_lines(document: Invoice | Quote, valid: ValidLines) -> None:
    """Replace a draft's lines (invoice, credit note or quote) and set its totals."""
    totals = valid.totals
    lines: Any = document.lines  # of InvoiceLine or of QuoteLine rows
    line_model = lines.model
    parent = lines.field.name
    lines.all().delete()
    line_model.objects.bulk_create(
        [
            line_model(**{parent: document}, net_amount=amount, **values)
            for values, amount in zip(valid.lines, totals.line_amounts, strict=True)
        ]
    )
    document.net_total = totals.net_total
    document.vat_total = totals.vat_total
    document.total = totals.total


def new_document_errors(*, unit: ProductionUnit, client: Client, language: str) -> dict[str, Any]:
    """What is wrong with the parties and the language of a new document, by field."""
    errors: dict[str, Any] = {}
    if unit.status != ProductionUnit.Status.ACTIVE:
        errors["unit"] = _("This unit is closed.")
    if not client.units.filter(pk=unit.pk).exists():
        errors["client"] = _("This client is not attached to this unit.")
    if language and language not in document_language_codes():
        errors["language"] = _("Choose French, Dutch, English or German.")
    return errors


def lines_or_errors(
    lines: list[LineData], *, client: Client, day: date, errors: dict[str, Any]
) -> ValidLines:
    """The valid lines, or one ValidationError with the lines' problems and the others found
    before (`errors`), so that one answer lists them all."""
    try:
        valid = validate_lines(lines, client=client, day=day)
    except ValidationError as error:
        raise ValidationError({**errors, **error.message_dict}) from error
    if errors:
        raise ValidationError(errors)
    return valid


@transaction.atomic
def invoice_create(
    *,
    by: User,
    unit: ProductionUnit,
    client: Client,
    lines: list[LineData],
    buyer_reference: str = "",
    order_reference: str = "",
    note: str = "",
    due_date: date | None = None,
    language: str = "",
    supply_date: date | None = None,
    supply_period_end: date | None = None,
) -> Invoice:
    """Create a draft invoice for one of the unit's clients. Raises ValidationError."""
    check_access(unit, by)
    errors = new_document_errors(unit=unit, client=client, language=language)
    today = timezone.localdate()
    if due_date is not None and due_date < today:
        errors["due_date"] = _("The due date can't be in the past.")
    errors.update(supply_errors(supply_date, supply_period_end))
    valid = lines_or_errors(lines, client=client, day=today, errors=errors)
    invoice = Invoice.objects.create(
        kind=Invoice.Kind.INVOICE,
        unit=unit,
        client=client,
        legal_entity=unit.legal_entity,
        buyer_reference=buyer_reference,
        order_reference=order_reference,
        note=note,
        due_date=due_date,
        supply_date=supply_date,
        supply_period_end=supply_period_end,
        language=language,
        created_by=by,
    )
    write_lines(invoice, valid)
    invoice.save()
    audit_log(actor=by, action="invoice.created", obj=invoice, changes={"total": invoice.total})
    return invoice


@transaction.atomic
def invoice_duplicate(*, invoice: Invoice, by: User) -> Invoice:
    """A new draft with the same unit, client, lines, references, note and language as
    `invoice` (an invoice, issued or not): dated and numbered when it is issued, its due
    date from the policy then. The lines are checked again against today's VAT rates, so a
    rate no longer in force is refused naming the line. Raises ValidationError."""
    check_access(invoice.unit, by)
    if invoice.kind != Invoice.Kind.INVOICE:
        raise ValidationError(_("Only an invoice can be duplicated, not a credit note."))
    copy = invoice_create(
        by=by,
        unit=invoice.unit,
        client=invoice.client,
        lines=lines_of(invoice),
        buyer_reference=invoice.buyer_reference,
        order_reference=invoice.order_reference,
        note=invoice.note,
        language=invoice.language,
    )
    audit_log(actor=by, action="invoice.duplicated", obj=copy, changes={"from": invoice.pk})
    return copy


@transaction.atomic
def invoice_update(
    *,
    invoice: Invoice,
    by: User,
    lines: list[LineData] | None = None,
    for_job: bool = False,
    **fields: object,
) -> Invoice:
    """Change a draft (or rejected) invoice. Issued documents never change; the invoice of a
    3en1 job changes only through the job (`for_job`)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    check_access(invoice.unit, by)
    if not for_job:
        _refuse_job_invoice(invoice)
    if not invoice.is_editable:
        raise ValidationError(_("Only a draft can be changed."))
    allowed = {
        "buyer_reference", "order_reference", "note", "due_date", "language",
        "supply_date", "supply_period_end",
    }  # fmt: skip
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError({name: _("This field can't be changed.")})
        setattr(invoice, name, value)
    if errors := supply_errors(invoice.supply_date, invoice.supply_period_end):
        raise ValidationError(errors)
    if invoice.due_date and invoice.due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date can't be in the past.")})
    if invoice.language and invoice.language not in document_language_codes():
        raise ValidationError({"language": _("Choose French, Dutch, English or German.")})
    if lines is not None:
        write_lines(invoice, validate_lines(lines, client=invoice.client, day=timezone.localdate()))
    if invoice.status == Invoice.Status.REJECTED:
        invoice.status = Invoice.Status.DRAFT
    invoice.save()
    audit_log(actor=by, action="invoice.updated", obj=invoice, changes={"total": invoice.total})
    return invoice


def supply_errors(supply_date: date | None, period_end: date | None) -> dict[str, str]:
    """What is wrong with a date of supply and the end of a service period (empty: nothing)."""
    if period_end is None:
        return {}
    if supply_date is None:
        return {"supply_date": _("A service period needs its first day: the date of supply.")}
    if period_end < supply_date:
        return {
            "supply_period_end": _(
                "The end of the service period can't be before its first day (%(day)s)."
            )
            % {"day": format_day(supply_date)}
        }
    return {}


def needs_approval(invoice: Invoice) -> list[str]:
    """Why an advisor must approve this document before it is issued (empty: no need)."""
    reasons = []
    if not invoice.client.is_verified:
        reasons.append(_("the client has not been verified by an advisor yet"))
    threshold = invoicing_policy_on(timezone.localdate()).approval_threshold
    if invoice.net_total > threshold:
        reasons.append(_("the amount is over %(t)s €") % {"t": threshold})
    return reasons


@transaction.atomic
def invoice_submit(*, invoice: Invoice, by: User) -> Invoice:
    """Submit a draft: issued at once, or queued for an advisor when the rules say so."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    check_access(invoice.unit, by)
    _refuse_job_invoice(invoice)
    if invoice.status != Invoice.Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    reasons = needs_approval(invoice)
    if reasons:
        invoice.status = Invoice.Status.PENDING_APPROVAL
        invoice.save(update_fields=["status"])
        audit_log(actor=by, action="invoice.submitted", obj=invoice, reason="; ".join(reasons))
        return invoice
    audit_log(actor=by, action="invoice.submitted", obj=invoice)
    return invoice_issue(invoice=invoice, by=by)


@transaction.atomic
def invoice_approve(*, invoice: Invoice, by: User) -> Invoice:
    """An advisor approves a queued document, which issues it."""
    if not by.is_staff:
        raise PermissionDenied(_("Only an advisor can approve."))
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.PENDING_APPROVAL:
        raise ValidationError(_("Only a document awaiting approval can be approved."))
    audit_log(actor=by, action="invoice.approved", obj=invoice)
    invoice = invoice_issue(invoice=invoice, by=by)
    notify(
        invoice.unit.holder,
        notice.INVOICE_APPROVED,
        url=DETAIL,
        pk=invoice.pk,
        params={"what": invoice.display_number},
    )
    return invoice


@transaction.atomic
def invoice_reject(*, invoice: Invoice, by: User, reason: str) -> Invoice:
    """An advisor sends a queued document back to the member, with a reason."""
    if not by.is_staff:
        raise PermissionDenied(_("Only an advisor can reject."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it is rejected.")})
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.PENDING_APPROVAL:
        raise ValidationError(_("Only a document awaiting approval can be rejected."))
    invoice.status = Invoice.Status.REJECTED
    invoice.rejection_reason = reason
    invoice.save(update_fields=["status", "rejection_reason"])
    audit_log(actor=by, action="invoice.rejected", obj=invoice, reason=reason)
    notify(
        invoice.unit.holder,
        notice.INVOICE_REFUSED,
        url=DETAIL,
        pk=invoice.pk,
        params={"what": invoice.client.name, "reason": reason},
    )
    return invoice


def seller_snapshot(invoice: Invoice) -> dict:
    entity = invoice.legal_entity
    return {
        "name": entity.name,
        "enterprise_number": entity.enterprise_number,
        "vat_number": entity.vat_number,
        "street": entity.street,
        "postal_code": entity.postal_code,
        "city": entity.city,
        "country": entity.country,
        "iban": entity.iban,
        "bic": entity.bic,
        "peppol_id": entity.peppol_id,
        "court_registry": entity.court_registry,
        "unit_code": invoice.unit.code,
        "unit_name": invoice.unit.name,
        "unit_tool": invoice.unit.tool,
    }


_seller_snapshot = seller_snapshot  # the name devtools' dataset knows


def _buyer_snapshot(client: Client) -> dict:
    return {
        "name": client.name,
        "kind": client.kind,
        "enterprise_number": client.enterprise_number,
        "vat_number": client.vat_number,
        "street": client.street,
        "postal_code": client.postal_code,
        "city": client.city,
        "country": client.country,
        "email": client.email,
        "peppol_endpoint": client.peppol_endpoint,
    }


def _as_issued_on(invoice: Invoice, day: date) -> None:
    """Fill in, in memory, what a document says once issued on `day` and that doesn't depend
    on its number: due and supply dates, language, presentation, seller and buyer."""
    policy = invoicing_policy_on(day)
    if invoice.due_date is None or invoice.due_date < day:
        invoice.due_date = day + timedelta(days=policy.payment_term_days)
    if invoice.supply_date is None:
        # The VAT code (art. 226, 7°) wants the date of supply when it differs from the
        # issue date; none given, the supply is dated by the issue and the documents say so.
        invoice.supply_date = day
    branding = InvoiceBranding.objects.filter(unit_id=invoice.unit_id).first()
    # The document speaks the client's language unless the member chose one for it.
    invoice.language = first_language(
        invoice.language, invoice.client.language, branding.language if branding else ""
    )
    # Frozen with the document: personalising the unit later changes no issued document.
    invoice.presentation = presentation_of(branding, invoice.language)
    invoice.seller = seller_snapshot(invoice)
    invoice.buyer = _buyer_snapshot(invoice.client)


def invoice_preview_pdf(*, invoice: Invoice, by: User) -> bytes:
    """A draft's PDF as it would be issued today, marked as a preview that is not an invoice
    (no number, no payment QR code). Nothing is saved. Raises PermissionDenied, and
    ValidationError for an issued document (it has its own PDF)."""
    from .pdf import document_language, logo_data_uri_of, render_preview_pdf  # WeasyPrint

    check_access(invoice.unit, by)
    if invoice.is_issued:
        raise ValidationError(_("An issued document has its own PDF."))
    invoice.issue_date = timezone.localdate()
    _as_issued_on(invoice, invoice.issue_date)
    saved = invoice.lines.select_related("exemption_reason")
    lines = sorted(saved, key=lambda ln: ln.position)
    language = document_language(invoice)
    logo = logo_data_uri_of(invoice.presentation.get("logo", ""), unit_id=invoice.unit_id)
    return render_preview_pdf(
        invoice=invoice,
        lines=lines,
        language=language,
        presentation=invoice.presentation,
        logo=logo,
    )


@transaction.atomic
def invoice_issue(*, invoice: Invoice, by: User | None, issue_date: date | None = None) -> Invoice:
    """Issue a document: next number without gaps, structured reference, frozen content
    chained by SHA-256, turnover posted to the unit's ledger, PDF and UBL queued after commit.

    Issuing an issued document returns it unchanged. Raises ValidationError.
    """
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("unit", "client", "legal_entity", "credited_invoice")
        .prefetch_related("lines")  # read once: the rules below and the hash under the lock
        .get(pk=invoice.pk)
    )
    if invoice.is_issued:
        return invoice
    if invoice.status not in (Invoice.Status.DRAFT, Invoice.Status.PENDING_APPROVAL):
        raise ValidationError(_("This document can't be issued in its state."))
    day = issue_date or timezone.localdate()
    # The rules in force on the issue date apply, whatever they were for the draft.
    validate_lines(lines_of(invoice), client=invoice.client, day=day)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        _check_credit_limit(invoice)
    series = InvoiceSeries.objects.get(legal_entity=invoice.legal_entity, kind=invoice.kind)
    # What doesn't depend on the number is done before the counter's lock: issuers of the
    # series wait on that lock until commit, so the less done under it, the more issue per second.
    _as_issued_on(invoice, day)
    # Robust: with the broker down the issue stands (committed), the documents are rendered
    # when first sent or downloaded, and the sweeper queues the sending again.
    transaction.on_commit(lambda: _enqueue_documents(invoice.pk), robust=True)
    # The transmissions depend on the buyer, not on the number: they commit with the issue,
    # or roll back with it (their sending is queued only after commit).
    _open_transmissions(invoice)
    # The counter row's lock serialises issuers of this series until commit: from here on,
    # the number, the chain link, the ledger posting and the audit (six statements).
    number = counter_next(f"invoice-series:{series.pk}:{day.year}")
    previous = GENESIS
    if number > 1:
        # All four columns of the unique index (legal entity first): an index lookup, not a
        # scan of the series' index entries while every other issuer waits on the lock.
        prev = Invoice.objects.filter(
            legal_entity_id=invoice.legal_entity_id, series=series, year=day.year, number=number - 1
        ).values("hash", "issue_date")[0]
        if prev["issue_date"] is not None and prev["issue_date"] > day:
            raise ValidationError(
                _("The previous document of this series is dated later: issue on or after %(d)s.")
                % {"d": prev["issue_date"]}
            )
        previous = prev["hash"]
    invoice.status = Invoice.Status.ISSUED
    invoice.series = series
    invoice.year = day.year
    invoice.number = number
    invoice.issue_date = day
    invoice.structured_reference = structured_reference(
        prefix=series.reference_prefix, year=day.year, number=number
    )
    invoice.issued_at = timezone.now()
    invoice.issued_by = account_or_none(by)
    invoice.previous_hash = previous
    invoice.hash = compute_hash(previous, canonical_content(invoice))
    invoice.save()
    sign = -1 if invoice.kind == Invoice.Kind.CREDIT_NOTE else 1
    if invoice.net_total:
        ledger_post(
            unit=invoice.unit,
            kind=LedgerEntry.Kind.TURNOVER,
            amount=sign * invoice.net_total,
            booked_on=day,
            label_code=str(invoice.kind),  # "invoice" or "credit_note" (ledger_labels)
            label_params={"number": invoice.display_number, "client": invoice.client.name},
            source=invoice,
            by=by,
        )
    audit_log(
        actor=by,
        action="invoice.issued",
        obj=invoice,
        changes={"number": invoice.display_number, "total": invoice.total},
    )
    return invoice


def _open_transmissions(invoice: Invoice) -> None:
    """The outbox: the pending transmissions commit with the issue (their tasks are queued
    after commit, and swept again if lost), so no issued document is left unsent."""
    transmissions_open(invoice=invoice)


def _enqueue_documents(invoice_id: int) -> None:
    """After commit: render the PDF and the UBL (the transmissions queue their own sending)."""
    queue_task(RENDER_DOCUMENTS, invoice_id)


def _credited_so_far(invoice: Invoice, exclude_pk: int | None = None) -> Decimal:
    notes = Invoice.objects.filter(credited_invoice=invoice, kind=Invoice.Kind.CREDIT_NOTE).exclude(
        status=Invoice.Status.REJECTED
    )
    if exclude_pk:
        notes = notes.exclude(pk=exclude_pk)
    return notes.aggregate(t=Sum("total"))["t"] or Decimal("0.00")


def _check_credit_limit(note: Invoice) -> None:
    original = note.credited_invoice
    if original is None:  # not a credit note
        return
    already = cents(_credited_so_far(original, exclude_pk=note.pk))
    if already + note.total > original.total:
        raise ValidationError(
            {
                "lines": _("Credit notes can't exceed the invoice: %(left)s € is left to credit.")
                % {"left": original.total - already}
            }
        )


@transaction.atomic
def credit_note_create(
    *, invoice: Invoice, by: User, lines: list[LineData] | None = None, note: str = ""
) -> Invoice:
    """Draft a credit note for an issued invoice: in full (no lines given) or partial."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    check_access(invoice.unit, by)
    if invoice.kind != Invoice.Kind.INVOICE or not invoice.is_issued:
        raise ValidationError(_("Only an issued invoice can be credited."))
    if lines is None:
        lines = lines_of(invoice)
    valid = validate_lines(lines, client=invoice.client, day=timezone.localdate())
    credit = Invoice.objects.create(
        kind=Invoice.Kind.CREDIT_NOTE,
        unit=invoice.unit,
        client=invoice.client,
        legal_entity=invoice.legal_entity,
        credited_invoice=invoice,
        buyer_reference=invoice.buyer_reference or invoice.display_number,
        order_reference=invoice.order_reference,
        note=note,
        language=invoice.language,
        # The credit note corrects the supply the invoice dated: it states the same date.
        supply_date=invoice.supply_date,
        supply_period_end=invoice.supply_period_end,
        created_by=by,
    )
    write_lines(credit, valid)
    credit.save()
    _check_credit_limit(credit)
    audit_log(
        actor=by,
        action="credit_note.created",
        obj=credit,
        changes={"credited": invoice.display_number, "total": credit.total},
    )
    return credit


@transaction.atomic
def invoice_delete_draft(*, invoice: Invoice, by: User) -> None:
    """Delete a draft that was never issued."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    check_access(invoice.unit, by)
    _refuse_job_invoice(invoice)
    if not invoice.is_editable:
        raise ValidationError(_("Only a draft can be deleted."))
    audit_log(actor=by, action="invoice.deleted", obj=invoice)
    invoice.delete()
