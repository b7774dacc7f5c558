"""What a ledger entry's label says, in the reader's language: one registry of label codes.

An entry stores a code and its values (an invoice's number, a month); pages, PDFs and
exports show the code's phrase in the reader's language. Entries without a code (written
before codes were kept, or a manual adjustment's free text) show their stored label.
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LEDGER_LABELS: dict[str, Promise] = {
    "invoice": _("Invoice %(number)s · %(client)s"),
    "credit_note": _("Credit note %(number)s · %(client)s"),
    "expense_claim": _("Expense claim %(number)s · %(description)s"),
    "job_expenses": _("Job expenses · %(number)s · %(job)s"),
    "purchase": _("Purchase %(number)s · %(supplier)s"),
    "contribution_turnover": _("Mutual contribution on turnover, %(period)s"),
    "contribution_employment": _("Mutual contribution on employment, %(period)s"),
    "salaries": _("Salaries %(period)s, contract %(contract)s"),
    "salary_arrears": _("Salary arrears %(month)s paid in %(period)s, contract %(contract)s"),
}

MAX_LABEL = 200


def ledger_label(code: str, params: dict[str, Any] | None, *, fallback: str = "") -> str:
    """The phrase of `code` with `params`, in the active language; `fallback` (the stored
    label) for no code, an unknown one or values that don't fit it."""
    template = LEDGER_LABELS.get(code) if code else None
    if template is None:
        return fallback
    try:
        return (str(template) % (params or {}))[:MAX_LABEL]
    except (KeyError, TypeError, ValueError):
        return fallback


def stored_label(code: str, params: dict[str, Any], *, label: str = "") -> str:
    """The text kept in an entry's `label` column: `label` when given, else the code's
    phrase in the active language, as labels were written before codes (for readers of the
    raw table and searches in the admin)."""
    if label or not code:
        return label
    return ledger_label(code, params)
