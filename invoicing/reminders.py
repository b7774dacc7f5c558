"""Overdue follow-up: payment reminders at the policy's steps, and an advisor's pause."""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban

from core.audit import audit_log

from .languages import first_language
from .late_payment import late_charges
from .models import Invoice, Reminder
from .references import format_structured_reference
from .selectors import invoice_balance_due, invoicing_policy_on, overdue_invoices

logger = logging.getLogger(__name__)


@dataclass
class ReminderRun:
    """What a run did: reminders sent, invoices with no address to write to, failures."""

    sent: list[Reminder] = field(default_factory=list)
    without_email: list[Invoice] = field(default_factory=list)
    failed: list[tuple[Invoice, str]] = field(default_factory=list)


def due_step(*, due_date: date, today: date, steps: list[int]) -> int | None:
    """The highest reminder step reached on `today` (days after `due_date`), None if none yet."""
    reached = [step for step in steps if due_date + timedelta(days=step) <= today]
    return max(reached) if reached else None


def reminders_send_due(*, today: date) -> ReminderRun:
    """Send the reminders due on `today`, at most one per invoice and run.

    For each issued invoice still owing money, not paused, whose due date + a step of the
    policy in force is on or before `today`: the highest such step, unless it (or a higher
    one) was sent already. Lower steps missed at once are not sent: the client gets one mail.
    Running it twice the same day sends nothing more. One invoice's failure doesn't stop the
    others: it is reported in the result, and tried again at the next run.
    """
    run = ReminderRun()
    steps = invoicing_policy_on(today).reminder_steps
    if not steps:
        return run
    candidates = (
        overdue_invoices(on=today)
        .filter(reminders_paused=False, due_date__lte=today - timedelta(days=steps[0]))
        .order_by("due_date", "pk")
        .values_list("pk", "due_date", "last_reminder_step")
    )
    for pk, due_date, last_step in list(candidates):
        step = due_step(due_date=due_date, today=today, steps=steps)
        if step is None or (last_step is not None and last_step >= step):
            continue
        try:
            reminder = reminder_send(invoice=Invoice(pk=pk), step_days=step, today=today)
        except NoEmailAddress:
            run.without_email.append(Invoice.objects.select_related("series").get(pk=pk))
            continue
        except Exception as exc:  # a mail server down must not stop the other reminders
            logger.exception("Reminder for invoice %s failed", pk)
            run.failed.append((Invoice.objects.select_related("series").get(pk=pk), str(exc)))
            continue
        if reminder is not None:
            run.sent.append(reminder)
    return run


class NoEmailAddress(Exception):
    """The client has no email address: an advisor must remind them another way."""


@transaction.atomic
def reminder_send(*, invoice: Invoice, step_days: int, today: date) -> Reminder | None:
    """Record and send one reminder; None when no longer due (paid, paused, already sent).

    The mail is sent inside the transaction on purpose: the Reminder row says the client was
    written to, so a mail that fails rolls the row back and the next run tries again.
    Raises NoEmailAddress when the client has no address.
    """
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.reminders_paused:
        return None
    if invoice.reminders.filter(step_days__gte=step_days).exists():
        return None
    amount_due = invoice_balance_due(invoice=invoice)
    if amount_due <= 0:
        return None
    email = invoice.buyer.get("email") or invoice.client.email
    if not email:
        raise NoEmailAddress(invoice.pk)
    charges = late_charges(invoice=invoice, amount_due=amount_due, on=today)
    reminder = Reminder.objects.create(
        invoice=invoice,
        step_days=step_days,
        amount_due=amount_due,
        late_interest=charges.interest,
        indemnity=charges.indemnity,
    )
    audit_log(
        actor=None,
        action="invoice.reminder_sent",
        obj=invoice,
        changes={
            "step_days": step_days,
            "amount_due": amount_due,
            "late_interest": charges.interest,
            "indemnity": charges.indemnity,
            "to": email,
        },
    )
    _reminder_email(invoice, reminder, email=email, today=today).send()
    return reminder


def _reminder_email(invoice: Invoice, reminder: Reminder, *, email: str, today: date):
    seller = invoice.seller or {}
    context = {
        "invoice": invoice,
        "number": invoice.display_number,
        "buyer_name": (invoice.buyer or {}).get("name", ""),
        "seller_name": seller.get("name", ""),
        "unit_name": seller.get("unit_name", ""),
        "iban": stdnum_iban.format(seller["iban"]) if seller.get("iban") else "",
        "bic": seller.get("bic", ""),
        "amount_due": reminder.amount_due,
        "total": invoice.total,
        "reference": format_structured_reference(invoice.structured_reference),
        "days_late": (today - (invoice.due_date or today)).days,
        "step_days": reminder.step_days,
        "late_interest": reminder.late_interest,
        "indemnity": reminder.indemnity,
        "claimed": reminder.amount_due + reminder.late_interest + reminder.indemnity,
        "rates": late_charges(invoice=invoice, amount_due=reminder.amount_due, on=today).periods,
    }
    # The client's language, frozen on the invoice at issue.
    with translation.override(first_language(invoice.language)):
        subject = render_to_string("invoicing/email/reminder_subject.txt", context)
        body = render_to_string("invoicing/email/reminder_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[email])


@transaction.atomic
def reminders_pause(*, invoice: Invoice, by, paused: bool, reason: str) -> Invoice:
    """An advisor pauses (or resumes) the reminders of an invoice. Pausing needs a reason.
    Asking for the state it already has changes nothing."""
    if not getattr(by, "is_staff", False):
        raise PermissionDenied(_("Only an advisor can pause reminders."))
    reason = (reason or "").strip()
    if paused and not reason:
        raise ValidationError({"reason": _("Say why the reminders are paused.")})
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != Invoice.Kind.INVOICE or not invoice.is_issued:
        raise ValidationError(_("Only an issued invoice has reminders."))
    if invoice.reminders_paused == paused:
        return invoice
    invoice.reminders_paused = paused
    invoice.save(update_fields=["reminders_paused"])
    audit_log(
        actor=by,
        action="invoice.reminders_paused" if paused else "invoice.reminders_resumed",
        obj=invoice,
        reason=reason,
    )
    return invoice
