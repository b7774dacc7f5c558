"""The history of a document as a member reads it: its audit trail in words, shared by the
pages of invoices, credit notes and quotes, and by payroll's pages of 3en1 jobs."""

from decimal import Decimal
from typing import Any

from core.audit import audit_trail
from core.audit_labels import history_row
from core.templatetags.portal import format_money

from .models import Transmission


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
        rows.append(history_row(event, details=" · ".join(details)))
    return rows
