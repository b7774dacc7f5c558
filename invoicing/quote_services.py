"""Writes about quotes (devis): draft, send, accept or refuse, turn into an invoice."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.counters import counter_next
from members.models import User
from production_units.models import ProductionUnit

from .invoice_services import (
    check_access,
    invoice_create,
    lines_or_errors,
    new_document_errors,
    write_lines,
)
from .languages import document_language_codes
from .lines import LineData, lines_of, validate_lines
from .models import Client, Invoice, Quote

QUOTE_VALIDITY_DAYS = 30


@transaction.atomic
def quote_create(
    *,
    by: User,
    unit: ProductionUnit,
    client: Client,
    lines: list[LineData],
    valid_until: date | None = None,
    note: str = "",
    language: str = "",
) -> Quote:
    """Draft a quote for one of the unit's clients (same line rules as invoices)."""
    check_access(unit, by)
    today = timezone.localdate()
    errors = new_document_errors(unit=unit, client=client, language=language)
    if valid_until is not None and valid_until < today:
        errors["valid_until"] = _("The validity date can't be in the past.")
    valid = lines_or_errors(lines, client=client, day=today, errors=errors)
    quote = Quote.objects.create(
        unit=unit,
        client=client,
        valid_until=valid_until or today + timedelta(days=QUOTE_VALIDITY_DAYS),
        note=note,
        language=language,
        created_by=by,
    )
    quote.number = (
        f"D-{today.year}-{counter_next(f'quote:{unit.legal_entity_id}:{today.year}'):06d}"
    )
    write_lines(quote, valid)
    quote.save()
    audit_log(actor=by, action="quote.created", obj=quote, changes={"total": quote.total})
    return quote


@transaction.atomic
def quote_update(
    *, quote: Quote, by: User, lines: list[LineData] | None = None, **fields: object
) -> Quote:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    check_access(quote.unit, by)
    if quote.status != Quote.Status.DRAFT:
        raise ValidationError(_("Only a draft quote can be changed."))
    for name, value in fields.items():
        if name not in {"valid_until", "note", "language"}:
            raise ValidationError({name: _("This field can't be changed.")})
        setattr(quote, name, value)
    if quote.language and quote.language not in document_language_codes():
        raise ValidationError({"language": _("Choose French, Dutch, English or German.")})
    if lines is not None:
        write_lines(quote, validate_lines(lines, client=quote.client, day=timezone.localdate()))
    quote.save()
    audit_log(actor=by, action="quote.updated", obj=quote, changes={"total": quote.total})
    return quote


def _transition(
    quote: Quote, by: User, *, allowed: set[str], to: str, action: str, reason: str = ""
) -> Quote:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    check_access(quote.unit, by)
    if quote.status not in allowed:
        raise ValidationError(
            _("This quote is %(status)s: that is not possible now.")
            % {"status": quote.get_status_display()}
        )
    quote.status = to
    now = timezone.now()
    if to == Quote.Status.SENT:
        quote.sent_at = now
    else:
        quote.decided_at = now
    quote.save(update_fields=["status", "sent_at", "decided_at"])
    audit_log(actor=by, action=action, obj=quote, reason=reason)
    return quote


@transaction.atomic
def quote_mark_sent(*, quote: Quote, by: User) -> Quote:
    """Mark a draft quote as sent to the client (its PDF is what the member sends)."""
    return _transition(
        quote, by, allowed={Quote.Status.DRAFT}, to=Quote.Status.SENT, action="quote.sent"
    )


@transaction.atomic
def quote_accept(*, quote: Quote, by: User) -> Quote:
    return _transition(
        quote,
        by,
        allowed={Quote.Status.SENT},
        to=Quote.Status.ACCEPTED,
        action="quote.accepted",
    )


@transaction.atomic
def quote_refuse(*, quote: Quote, by: User, reason: str = "") -> Quote:
    return _transition(
        quote,
        by,
        allowed={Quote.Status.SENT},
        to=Quote.Status.REFUSED,
        action="quote.refused",
        reason=reason,
    )


@transaction.atomic
def quote_to_invoice(*, quote: Quote, by: User) -> Invoice:
    """Turn an accepted quote into a draft invoice with the same lines (once)."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    check_access(quote.unit, by)
    if quote.invoice is not None:
        return quote.invoice
    if quote.status != Quote.Status.ACCEPTED:
        raise ValidationError(_("Only an accepted quote can become an invoice."))
    invoice = invoice_create(
        by=by,
        unit=quote.unit,
        client=quote.client,
        lines=lines_of(quote),
        note=quote.note,
        language=quote.language,
        order_reference=quote.number,
    )
    quote.invoice = invoice
    quote.status = Quote.Status.INVOICED
    quote.save(update_fields=["invoice", "status"])
    audit_log(actor=by, action="quote.invoiced", obj=quote, changes={"invoice": invoice.pk})
    return invoice
