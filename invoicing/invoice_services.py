"""Writes about invoices and credit notes: drafts, submission, approval, issuing.

Every door (portal, admin, API, tasks, commands) goes through these functions.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.counters import counter_next
from core.money import cents, to_decimal
from production_units.models import LedgerEntry, ProductionUnit
from production_units.services import ledger_post

from .chain import GENESIS, canonical_content, compute_hash
from .models import (
    EU_COUNTRIES,
    EXEMPT_CATEGORIES,
    Client,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    InvoicingPolicy,
    VatExemptionReason,
    VatRate,
)
from .references import structured_reference
from .totals import LineInput, compute_totals


@dataclass
class LineData:
    """A line as typed by a user, before validation (strings or Decimals)."""

    description: str
    quantity: object
    unit_price: object
    vat_category: str = "S"
    vat_rate: object = "21"
    unit_code: str = InvoiceLine.UnitCode.PIECE
    exemption_reason: VatExemptionReason | int | None = None


def lines_of(document) -> list[LineData]:
    """The lines of a saved document (invoice, credit note, quote) as LineData."""
    return [
        LineData(
            ln.description, ln.quantity, ln.unit_price, ln.vat_category, ln.vat_rate,
            ln.unit_code, ln.exemption_reason,
        )
        for ln in sorted(document.lines.all(), key=lambda ln: ln.position)
    ]  # fmt: skip


def policy_on(day: date) -> InvoicingPolicy:
    policy = InvoicingPolicy.objects.in_force_on(day).order_by("-valid_from").first()
    if policy is None:
        raise ValidationError(_("No invoicing policy is in force on %(day)s.") % {"day": day})
    return policy


def _decimal(value, label, errors, key):
    try:
        number = to_decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite():
        errors.setdefault(key, []).append(_("%(label)s is not a number.") % {"label": label})
        return None
    return number


def _client_vat_country(client: Client) -> str:
    return client.vat_number[:2].upper() if client.vat_number else ""


def clean_lines(lines: list[LineData], *, client: Client, day: date) -> list[dict]:
    """Validate typed lines against the VAT rules in force on `day`.

    Returns the cleaned values per line; raises ValidationError keyed by "lines"
    with one message per problem, each naming the line.
    """
    errors: dict[str, list[str]] = {}
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    if len(lines) > 500:
        raise ValidationError({"lines": _("An invoice has at most 500 lines.")})
    rates = set(VatRate.objects.in_force_on(day).values_list("category", "rate"))
    cleaned = []
    for index, line in enumerate(lines, start=1):
        key = "lines"

        def problem(message, index=index, key=key):
            errors.setdefault(key, []).append(
                _("Line %(n)s: %(message)s") % {"n": index, "message": message}
            )

        description = (line.description or "").strip()
        if not description:
            problem(_("the description is required."))
        quantity = _decimal(line.quantity, _("Line %(n)s: quantity") % {"n": index}, errors, key)
        price = _decimal(line.unit_price, _("Line %(n)s: unit price") % {"n": index}, errors, key)
        rate = _decimal(line.vat_rate, _("Line %(n)s: VAT rate") % {"n": index}, errors, key)
        # The columns hold 12 digits (3 decimals) for quantities and 14 (4) for prices.
        if quantity is not None and abs(quantity) >= Decimal("1e9"):
            problem(_("the quantity is too large."))
            quantity = None
        if price is not None and abs(price) >= Decimal("1e10"):
            problem(_("the unit price is too large."))
            price = None
        if quantity is not None and quantity <= 0:
            problem(_("the quantity must be more than zero."))
        if quantity is not None and quantity != quantity.quantize(Decimal("0.001")):
            problem(_("the quantity has at most three decimals."))
        if price is not None and price < 0:
            problem(_("the unit price can't be negative."))
        if price is not None and price != price.quantize(Decimal("0.0001")):
            problem(_("the unit price has at most four decimals."))
        if line.unit_code not in InvoiceLine.UnitCode.values:
            problem(_("unknown unit."))
        category = line.vat_category
        if rate is not None and (category, rate) not in rates:
            problem(
                _("VAT %(category)s at %(rate)s %% is not a rate in force on %(day)s.")
                % {"category": category, "rate": rate, "day": day}
            )
        reason = line.exemption_reason
        if isinstance(reason, int):
            reason = VatExemptionReason.objects.filter(pk=reason).first()
        if category in EXEMPT_CATEGORIES:
            if reason is None:
                problem(_("a line without VAT needs its legal exemption reason."))
            elif reason.category != category:
                problem(_("this exemption reason is not for VAT category %(c)s.") % {"c": category})
        elif reason is not None:
            problem(_("an exemption reason only goes with a line without VAT."))
        problem_client = _client_problem(category, client)
        if problem_client:
            problem(problem_client)
        cleaned.append(
            {
                "position": index,
                "description": description,
                "quantity": quantity,
                "unit_price": price,
                "unit_code": line.unit_code,
                "vat_category": category,
                "vat_rate": rate,
                "exemption_reason": reason if category in EXEMPT_CATEGORIES else None,
            }
        )
    if not errors:
        totals = compute_totals(
            [
                LineInput(c["quantity"], c["unit_price"], c["vat_category"], c["vat_rate"])
                for c in cleaned
            ]
        )
        if totals.total >= Decimal("1e12"):
            errors.setdefault("lines", []).append(_("The amounts are too large for one document."))
    categories = {c["vat_category"] for c in cleaned}
    if "O" in categories and len(categories) > 1:
        errors.setdefault("lines", []).append(
            _(
                "Lines not subject to VAT can't share a document with other VAT categories: "
                "put them on a separate invoice."
            )
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _client_problem(category: str, client: Client) -> str:
    """The reason a VAT category can't be used for this client, or ''."""
    in_eu = client.country in EU_COUNTRIES
    if category in ("AE", "K"):
        if client.country == "BE" or not in_eu:
            return _("reverse charge and intra-EU supply are for clients in another EU country.")
        if not client.vat_number:
            return _("reverse charge needs the client's EU VAT number (edit the client).")
    if category == "G" and in_eu:
        return _("export is for clients outside the EU.")
    if category == "O" and in_eu:
        return _("'not subject' is for services to clients outside the EU.")
    return ""


def _check_access(unit: ProductionUnit, by) -> None:
    if not by.is_staff and unit.holder.user_id != by.pk:
        raise PermissionDenied(_("This unit is not yours."))


def _refuse_job_invoice(invoice: Invoice) -> None:
    """The invoice of a 3en1 job is changed, submitted and deleted through its job only."""
    if invoice.pk and type(invoice).objects.filter(pk=invoice.pk, job__isnull=False).exists():
        raise ValidationError(
            _("This invoice belongs to a job: change, submit or cancel it from the job.")
        )


def write_lines(document, cleaned: list[dict]) -> None:
    """Replace a draft's lines (invoice, credit note or quote) and set its totals."""
    totals = compute_totals(
        [
            LineInput(c["quantity"], c["unit_price"], c["vat_category"], c["vat_rate"])
            for c in cleaned
        ]
    )
    line_model = document.lines.model
    parent = document.lines.field.name
    document.lines.all().delete()
    line_model.objects.bulk_create(
        [
            line_model(**{parent: document}, net_amount=amount, **values)
            for values, amount in zip(cleaned, totals.line_amounts, strict=True)
        ]
    )
    document.net_total = totals.net_total
    document.vat_total = totals.vat_total
    document.total = totals.total


@transaction.atomic
def invoice_create(
    *,
    by,
    unit: ProductionUnit,
    client: Client,
    lines: list[LineData],
    buyer_reference: str = "",
    order_reference: str = "",
    note: str = "",
    due_date: date | None = None,
    language: str = "",
) -> Invoice:
    """Create a draft invoice for one of the unit's clients. Raises ValidationError."""
    _check_access(unit, by)
    errors = {}
    if unit.status != ProductionUnit.Status.ACTIVE:
        errors["unit"] = _("This unit is closed.")
    if not client.units.filter(pk=unit.pk).exists():
        errors["client"] = _("This client is not attached to this unit.")
    if language and language not in ("fr", "nl", "en"):
        errors["language"] = _("Choose French, Dutch or English.")
    today = timezone.localdate()
    if due_date is not None and due_date < today:
        errors["due_date"] = _("The due date can't be in the past.")
    if errors:
        raise ValidationError(errors)
    cleaned = clean_lines(lines, client=client, day=today)
    invoice = Invoice.objects.create(
        kind=Invoice.Kind.INVOICE,
        unit=unit,
        client=client,
        legal_entity=unit.legal_entity,
        buyer_reference=buyer_reference,
        order_reference=order_reference,
        note=note,
        due_date=due_date,
        language=language,
        created_by=by,
    )
    write_lines(invoice, cleaned)
    invoice.save()
    audit_log(actor=by, action="invoice.created", obj=invoice, changes={"total": invoice.total})
    return invoice


@transaction.atomic
def invoice_update(
    *, invoice: Invoice, by, lines: list[LineData] | None = None, for_job: bool = False, **fields
) -> Invoice:
    """Change a draft (or rejected) invoice. Issued documents never change; the invoice of a
    3en1 job changes only through the job (`for_job`)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _check_access(invoice.unit, by)
    if not for_job:
        _refuse_job_invoice(invoice)
    if not invoice.is_editable:
        raise ValidationError(_("Only a draft can be changed."))
    allowed = {"buyer_reference", "order_reference", "note", "due_date", "language"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError({name: _("This field can't be changed.")})
        setattr(invoice, name, value)
    if invoice.due_date and invoice.due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date can't be in the past.")})
    if invoice.language and invoice.language not in ("fr", "nl", "en"):
        raise ValidationError({"language": _("Choose French, Dutch or English.")})
    if lines is not None:
        write_lines(invoice, clean_lines(lines, client=invoice.client, day=timezone.localdate()))
    if invoice.status == Invoice.Status.REJECTED:
        invoice.status = Invoice.Status.DRAFT
    invoice.save()
    audit_log(actor=by, action="invoice.updated", obj=invoice, changes={"total": invoice.total})
    return invoice


def needs_approval(invoice: Invoice) -> list[str]:
    """Why an advisor must approve this document before it is issued (empty: no need)."""
    reasons = []
    if not invoice.client.is_verified:
        reasons.append(_("the client has not been verified by an advisor yet"))
    threshold = policy_on(timezone.localdate()).approval_threshold
    if invoice.net_total > threshold:
        reasons.append(_("the amount is over %(t)s €") % {"t": threshold})
    return reasons


@transaction.atomic
def invoice_submit(*, invoice: Invoice, by) -> Invoice:
    """Submit a draft: issued at once, or queued for an advisor when the rules say so."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _check_access(invoice.unit, by)
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
def invoice_approve(*, invoice: Invoice, by) -> Invoice:
    """An advisor approves a queued document, which issues it."""
    if not by.is_staff:
        raise PermissionDenied(_("Only an advisor can approve."))
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.PENDING_APPROVAL:
        raise ValidationError(_("Only a document awaiting approval can be approved."))
    audit_log(actor=by, action="invoice.approved", obj=invoice)
    return invoice_issue(invoice=invoice, by=by)


@transaction.atomic
def invoice_reject(*, invoice: Invoice, by, reason: str) -> Invoice:
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
    return invoice


def _seller_snapshot(invoice: Invoice) -> dict:
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
        "unit_code": invoice.unit.code,
        "unit_name": invoice.unit.name,
    }


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


@transaction.atomic
def invoice_issue(*, invoice: Invoice, by, issue_date: date | None = None) -> Invoice:
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
    clean_lines(lines_of(invoice), client=invoice.client, day=day)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        _check_credit_limit(invoice)
    series = InvoiceSeries.objects.get(legal_entity=invoice.legal_entity, kind=invoice.kind)
    # What doesn't depend on the number is prepared before the counter's lock: issuers of the
    # series wait on that lock until commit, so the less done under it, the more issue per second.
    policy = policy_on(day)
    if invoice.due_date is None or invoice.due_date < day:
        invoice.due_date = day + timedelta(days=policy.payment_term_days)
    branding = getattr(invoice.unit, "branding", None)
    invoice.language = (
        invoice.language
        or (branding.language if branding else "")
        or invoice.unit.holder.preferred_language
    )
    invoice.seller = _seller_snapshot(invoice)
    invoice.buyer = _buyer_snapshot(invoice.client)
    # The counter row's lock serialises issuers of this series until commit.
    number = counter_next(f"invoice-series:{series.pk}:{day.year}")
    previous = GENESIS
    if number > 1:
        # All four columns of the unique index (legal entity first): an index lookup, not a
        # scan of the series' index entries while every other issuer waits on the lock.
        prev = Invoice.objects.filter(
            legal_entity_id=invoice.legal_entity_id, series=series, year=day.year, number=number - 1
        ).values("hash", "issue_date")[0]
        if prev["issue_date"] > day:
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
    invoice.issued_by = by if getattr(by, "is_authenticated", False) else None
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
            label=f"{invoice.get_kind_display()} {invoice.display_number} · {invoice.client.name}",
            source=invoice,
            by=by,
        )
    audit_log(
        actor=by,
        action="invoice.issued",
        obj=invoice,
        changes={"number": invoice.display_number, "total": invoice.total},
    )
    # Robust: with the broker down the issue stands (committed), the documents are rendered
    # when first sent or downloaded, and the sweeper queues the sending again.
    transaction.on_commit(lambda: _enqueue_documents(invoice.pk), robust=True)
    _open_transmissions(invoice)
    return invoice


def _open_transmissions(invoice: Invoice) -> None:
    """The outbox: the pending transmissions commit with the issue (their tasks are queued
    after commit, and swept again if lost), so no issued document is left unsent."""
    from .sending import transmissions_open

    transmissions_open(invoice=invoice)


def _enqueue_documents(invoice_id: int) -> None:
    """After commit: render the PDF and the UBL (the transmissions queue their own sending)."""
    from .tasks import render_invoice_documents

    render_invoice_documents.delay(invoice_id)


def _credited_so_far(invoice: Invoice, exclude_pk=None) -> Decimal:
    notes = Invoice.objects.filter(credited_invoice=invoice, kind=Invoice.Kind.CREDIT_NOTE).exclude(
        status=Invoice.Status.REJECTED
    )
    if exclude_pk:
        notes = notes.exclude(pk=exclude_pk)
    return notes.aggregate(t=Sum("total"))["t"] or Decimal("0.00")


def _check_credit_limit(note: Invoice) -> None:
    original = note.credited_invoice
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
    *, invoice: Invoice, by, lines: list[LineData] | None = None, note: str = ""
) -> Invoice:
    """Draft a credit note for an issued invoice: in full (no lines given) or partial."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _check_access(invoice.unit, by)
    if invoice.kind != Invoice.Kind.INVOICE or not invoice.is_issued:
        raise ValidationError(_("Only an issued invoice can be credited."))
    if lines is None:
        lines = lines_of(invoice)
    cleaned = clean_lines(lines, client=invoice.client, day=timezone.localdate())
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
        created_by=by,
    )
    write_lines(credit, cleaned)
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
def invoice_delete_draft(*, invoice: Invoice, by) -> None:
    """Delete a draft that was never issued."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _check_access(invoice.unit, by)
    _refuse_job_invoice(invoice)
    if not invoice.is_editable:
        raise ValidationError(_("Only a draft can be deleted."))
    audit_log(actor=by, action="invoice.deleted", obj=invoice)
    invoice.delete()
