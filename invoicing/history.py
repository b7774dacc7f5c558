"""The history of a document as a member reads it: its audit trail in words, shared by the
pages of invoices, credit notes and quotes, and by payroll's pages of 3en1 jobs."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_trail
from core.templatetags.portal import format_money

from .models import Transmission

ACTION_LABELS = {
    "invoice.created": gettext_lazy("draft created"),
    "invoice.updated": gettext_lazy("draft changed"),
    "invoice.submitted": gettext_lazy("submitted"),
    "invoice.approved": gettext_lazy("approved by an advisor"),
    "invoice.rejected": gettext_lazy("sent back by an advisor"),
    "invoice.issued": gettext_lazy("issued"),
    "invoice.deleted": gettext_lazy("deleted"),
    "invoice.sent": gettext_lazy("sent to the client"),
    "invoice.sending_failed": gettext_lazy("sending failed"),
    "invoice.reminder_sent": gettext_lazy("payment reminder sent"),
    "invoice.reminders_paused": gettext_lazy("reminders paused by an advisor"),
    "invoice.reminders_resumed": gettext_lazy("reminders resumed by an advisor"),
    "credit_note.created": gettext_lazy("credit note drafted"),
    "payment.recorded": gettext_lazy("payment recorded by an advisor"),
    "payment.matched": gettext_lazy("payment received"),
    "quote.created": gettext_lazy("created"),
    "quote.updated": gettext_lazy("changed"),
    "quote.sent": gettext_lazy("marked as sent"),
    "quote.accepted": gettext_lazy("accepted by the client"),
    "quote.refused": gettext_lazy("refused by the client"),
    "quote.invoiced": gettext_lazy("turned into an invoice"),
}


def document_history(obj: Any) -> list[dict[str, Any]]:
    """The audit trail of a document as rows a member reads: when, who, what, details."""
    rows = []
    for event in audit_trail(obj):
        changes = event.changes or {}
        details = []
        if changes.get("number"):
            details.append(str(changes["number"]))
        for key in ("total", "amount", "amount_due"):
            if changes.get(key) not in (None, ""):
                details.append(format_money(Decimal(str(changes[key]))))
        if changes.get("channel") in Transmission.Channel.values:
            channel = Transmission.Channel(changes["channel"]).label
            details.append(f"{channel} → {changes.get('recipient', '')}")
        rows.append(
            {
                "at": event.at,
                "actor": event.actor or _("the platform"),
                "action": ACTION_LABELS.get(event.action, event.action),
                "details": " · ".join(details),
                "reason": event.reason,
            }
        )
    return rows
