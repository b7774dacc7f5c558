"""What a purchase (a supplier's invoice) must meet to be charged to a unit, for the automatic
posting of an import (invoicing.inbound.inbound_ubl_import) and an advisor's assignment
(invoicing.inbound.purchase_assign).

- Only Activité units take purchases. A 3en1 unit takes none, whatever its balance: its costs
  are its jobs' expenses, paid by the job's invoice (the rule the import already had; the
  balance and deadline rules below therefore only ever concern Activité units).
- The yearly deadline: a purchase issued in year Y can be charged to a unit until the expense
  deadline day of Y + 1 (PayrollPolicy.expense_deadline_month/day in force on the day it is
  charged, 15 January in the seeded policy), the same deadline as expense claims
  (payroll.expenses.services.year_deadline, which payroll registers here in its
  AppConfig.ready: invoicing sits below payroll and does not import it). Past it the
  purchase stays in the advisors' queue with the deadline in the reason, and no advisor can
  charge it any more: the rule closes a unit's year, and there is nothing to weigh case by
  case. The advisor rejects it with a reason (it is then settled outside the units' ledgers).
- The balance: the unit is charged the total excluding VAT (the amount posted, see
  invoicing.inbound._post). It must fit in the unit's *available* balance
  (production_units.selectors.unit_available_balance, the rule every debit of a unit
  checks): its ledger balance less what is already promised from it, that is the budgets of
  its pending work declarations and its expense claims awaiting a decision that draw on the
  balance.
  An import that doesn't fit waits in the queue, its reason giving the amount missing; an
  advisor may charge it anyway only with an explicit overdraft reason, recorded in the audit
  trail (action "purchase.overdraft_approved", the amount and the reason) and on the ledger
  entry, and shown on the purchase's page.
"""

from datetime import date
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import audit_trail
from core.models import AuditEvent
from production_units.models import ProductionUnit

from .models import Purchase

ZERO = Decimal("0.00")
OVERDRAFT_APPROVED = "purchase.overdraft_approved"


def _euros(amount: Decimal) -> str:
    return f"{amount:.2f}"


# --- the yearly deadline --------------------------------------------------------------------


class YearDeadline(Protocol):
    """The last day on which expenses of `year` are accepted, by the policy in force on
    `today`; raises ValidationError when no policy is in force then."""

    def __call__(self, *, year: int, today: date) -> date: ...


_year_deadline: list[YearDeadline] = []


def register_year_deadline(rule: YearDeadline) -> None:
    """Set the yearly deadline rule (payroll's, registered in its AppConfig.ready)."""
    _year_deadline[:] = [rule]


def purchase_deadline(*, purchase: Purchase, today: date) -> date:
    """The last day on which `purchase` can be charged to a unit, by the payroll policy in
    force on `today`. Raises ValidationError when no policy is in force then."""
    if not _year_deadline:
        raise ImproperlyConfigured("No yearly deadline rule is registered (payroll's apps.py).")
    return _year_deadline[0](year=purchase.issue_date.year, today=today)


def deadline_problem(*, purchase: Purchase, today: date) -> str:
    """Why the purchase can no longer be charged to a unit on `today`, or ''."""
    try:
        deadline = purchase_deadline(purchase=purchase, today=today)
    except ValidationError as error:
        return error.messages[0]
    if today <= deadline:
        return ""
    return _(
        "Purchases of %(year)s could be charged to a unit until %(deadline)s: this one is too "
        "late and can only be rejected."
    ) % {"year": purchase.issue_date.year, "deadline": date_format(deadline, "DATE_FORMAT")}


# --- the balance ----------------------------------------------------------------------------


def purchase_missing(*, purchase: Purchase, available: Decimal) -> Decimal:
    """How much `available` lacks to pay the purchase's total excl. VAT (0 when it can)."""
    return max(purchase.net_total - available, ZERO)


def balance_problem(*, purchase: Purchase, unit: ProductionUnit, available: Decimal) -> str:
    """Why the import doesn't charge the purchase to `unit` by itself, or ''."""
    missing = purchase_missing(purchase=purchase, available=available)
    if not missing:
        return ""
    return _(
        "Charging %(amount)s € to unit %(code)s would take its available balance "
        "(%(available)s €, after pending declarations and expense claims) below zero by "
        "%(missing)s €: an advisor must approve the overdraft, with a reason."
    ) % {
        "amount": _euros(purchase.net_total),
        "code": unit.code,
        "available": _euros(available),
        "missing": _euros(missing),
    }


def overdraft_refusal(*, purchase: Purchase, unit: ProductionUnit, available: Decimal) -> str:
    """What an advisor assigning without an overdraft reason is told."""
    return _(
        "Unit %(code)s's available balance (%(available)s €, after pending declarations and "
        "expense claims) can't pay this purchase of %(amount)s € excl. VAT: %(missing)s € "
        "missing. Give the overdraft reason to charge it anyway."
    ) % {
        "code": unit.code,
        "available": _euros(available),
        "amount": _euros(purchase.net_total),
        "missing": _euros(purchase_missing(purchase=purchase, available=available)),
    }


# --- what the back-office shows -------------------------------------------------------------


def purchase_overdraft(purchase: Purchase) -> AuditEvent | None:
    """The advisor's approval of the overdraft the purchase caused, if any (the latest)."""
    return audit_trail(purchase).filter(action=OVERDRAFT_APPROVED).first()


def overdraft_summary(purchase: Purchase) -> str:
    """One line saying who approved which overdraft and why, or ''."""
    event = purchase_overdraft(purchase)
    if event is None:
        return ""
    return _("%(missing)s € over the available balance, approved by %(advisor)s: %(reason)s") % {
        "missing": event.changes.get("overdraft", "?"),
        "advisor": event.actor or "—",
        "reason": event.reason,
    }
