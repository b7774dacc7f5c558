"""Recurring invoices (issue 16): a member repeats an invoice every month or every year; on
each date a new draft is made from it (`invoice_duplicate`: same client, lines and
references, checked again against the VAT rates in force) for the member to check and
submit. Nothing is issued by itself. A daily task makes the drafts due; a missed day is
caught up once (one draft, the date moves past today)."""

from __future__ import annotations

import logging
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_log
from members.models import User

from .invoice_services import check_access, invoice_duplicate
from .models import Invoice, RecurringInvoice

logger = logging.getLogger(__name__)


def next_after(day: date, frequency: str) -> date:
    """The same day one month or one year later (the month's last day when it is shorter:
    31 January → 28 or 29 February)."""
    months = 12 if frequency == RecurringInvoice.Frequency.YEARLY else 1
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@transaction.atomic
def recurrence_start(
    *, invoice: Invoice, frequency: str, first_date: date, by: User, today: date
) -> RecurringInvoice:
    """Repeat `invoice` from `first_date` (today or later). Raises ValidationError naming
    the field, PermissionDenied for another member's invoice."""
    check_access(invoice.unit, by)
    errors: dict[str, str] = {}
    if invoice.kind != Invoice.Kind.INVOICE:
        errors["invoice"] = _("Only an invoice can be repeated, not a credit note.")
    if frequency not in RecurringInvoice.Frequency.values:
        errors["frequency"] = _("Choose every month or every year.")
    if first_date < today:
        errors["first_date"] = _("The first draft can't be in the past.")
    if errors:
        raise ValidationError(errors)
    recurrence = RecurringInvoice.objects.create(
        template=invoice, frequency=frequency, next_date=first_date, created_by=by
    )
    audit_log(
        actor=by,
        action="invoice.recurrence_started",
        obj=invoice,
        changes={"frequency": frequency, "first": first_date.isoformat()},
    )
    return recurrence


@transaction.atomic
def recurrence_stop(*, recurrence: RecurringInvoice, by: User) -> RecurringInvoice:
    """No more drafts from this recurrence (the drafts already made stay)."""
    recurrence = RecurringInvoice.objects.select_for_update().get(pk=recurrence.pk)
    check_access(recurrence.template.unit, by)
    if recurrence.active:
        recurrence.active = False
        recurrence.save(update_fields=["active"])
        audit_log(actor=by, action="invoice.recurrence_stopped", obj=recurrence.template)
    return recurrence


@dataclass
class RecurrenceRun:
    made: list[Invoice] = field(default_factory=list)
    failed: list[tuple[RecurringInvoice, str]] = field(default_factory=list)


def recurrences_make_due(*, today: date) -> RecurrenceRun:
    """Make the drafts due on or before `today`, one per recurrence and run, each in its own
    transaction (one that fails, e.g. a VAT rate no longer in force, is reported and tried
    again the next day; the others go on). Running it twice the same day makes nothing more."""
    run = RecurrenceRun()
    due = RecurringInvoice.objects.filter(active=True, next_date__lte=today).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        try:
            with transaction.atomic():
                recurrence = (
                    RecurringInvoice.objects.select_for_update(of=("self",))
                    .select_related("template__unit", "created_by")
                    .get(pk=pk)
                )
                if not recurrence.active or recurrence.next_date > today:
                    continue
                # Made for the member who asked for the recurrence (their access checked).
                if recurrence.created_by is None:
                    raise ValidationError(_("Nobody to make the draft for."))
                draft = invoice_duplicate(invoice=recurrence.template, by=recurrence.created_by)
                while recurrence.next_date <= today:
                    recurrence.next_date = next_after(recurrence.next_date, recurrence.frequency)
                recurrence.save(update_fields=["next_date"])
        except ValidationError as error:
            logger.warning("Recurring invoice %s: no draft made: %s", pk, error.messages)
            run.failed.append((RecurringInvoice.objects.get(pk=pk), "; ".join(error.messages)))
            continue
        run.made.append(draft)
    return run
