"""Writes about quotes (devis): draft, send, accept or refuse, turn into an invoice."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.counters import counter_next
from production_units.models import ProductionUnit

from .invoice_services import (
    LineData,
    _check_access,
    clean_lines,
    invoice_create,
    lines_of,
    write_lines,
)
from .models import Client, Invoice, Quote

QUOTE_VALIDITY_DAYS = 30


@transaction.atomic
def quote_create(
    *,
    by,
    unit: ProductionUnit,
    client: Client,
    lines: list[LineData],
    valid_until: date | None = None,
    note: str = "",
    language: str = "",
) -> Quote:
    """Draft a quote for one of the unit's clients (same line rules as invoices)."""
    _check_access(unit, by)
    today = timezone.localdate()
    errors = {}
    if unit.status != ProductionUnit.Status.ACTIVE:
        errors["unit"] = _("This unit is closed.")
    if not client.units.filter(pk=unit.pk).exists():
        errors["client"] = _("This client is not attached to this unit.")
    if language and language not in ("fr", "nl", "en"):
        errors["language"] = _("Choose French, Dutch or English.")
    if errors:
        raise ValidationError(errors)
    if valid_until is not None and valid_until < today:
        raise ValidationError({"valid_until": _("The validity date can't be in the past.")})
    cleaned = clean_lines(lines, client=client, day=today)
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
    write_lines(quote, cleaned)
    quote.save()
    audit_log(actor=by, action="quote.created", obj=quote, changes={"total": quote.total})
    return quote


@transaction.atomic
def quote_update(*, quote: Quote, by, lines: list[LineData] | None = None, **fields) -> Quote:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _check_access(quote.unit, by)
    if quote.status != Quote.Status.DRAFT:
        raise ValidationError(_("Only a draft quote can be changed."))
    for name, value in fields.items():
        if name not in {"valid_until", "note", "language"}:
            raise ValidationError({name: _("This field can't be changed.")})
        setattr(quote, name, value)
    if quote.language and quote.language not in ("fr", "nl", "en"):
        raise ValidationError({"language": _("Choose French, Dutch or English.")})
    if lines is not None:
        write_lines(quote, clean_lines(lines, client=quote.client, day=timezone.localdate()))
    quote.save()
    audit_log(actor=by, action="quote.updated", obj=quote, changes={"total": quote.total})
    return quote


def _transition(quote: Quote, by, *, allowed: set, to: str, action: str, reason: str = ""):
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _check_access(quote.unit, by)
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
def quote_mark_sent(*, quote: Quote, by) -> Quote:
    """Mark a draft quote as sent to the client (its PDF is what the member sends)."""
    return _transition(
        quote, by, allowed={Quote.Status.DRAFT}, to=Quote.Status.SENT, action="quote.sent"
    )


@transaction.atomic
def quote_accept(*, quote: Quote, by) -> Quote:
    return _transition(
        quote,
        by,
        allowed={Quote.Status.SENT},
        to=Quote.Status.ACCEPTED,
        action="quote.accepted",
    )


@transaction.atomic
def quote_refuse(*, quote: Quote, by, reason: str = "") -> Quote:
    return _transition(
        quote,
        by,
        allowed={Quote.Status.SENT},
        to=Quote.Status.REFUSED,
        action="quote.refused",
        reason=reason,
    )


@transaction.atomic
def quote_to_invoice(*, quote: Quote, by) -> Invoice:
    """Turn an accepted quote into a draft invoice with the same lines (once)."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _check_access(quote.unit, by)
    if quote.invoice_id:
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
