"""Reads about units that several callers need.

The available balance is THE rule every debit of a unit checks (a work declaration, an expense
claim, a purchase, the live cost of a declaration being typed): the ledger balance less what
is already promised from it. What is promised is known by the apps that promise it (payroll's
pending declarations and expense claims): they register a `Reservation` in their
AppConfig.ready, so this app reads them without importing the apps above it.
"""

from datetime import date
from decimal import Decimal
from typing import Protocol

from django.db.models import Model, QuerySet, Sum

from core.money import cents
from core.types import StrOrPromise

from .models import LedgerEntry, ProductionUnit

ZERO = Decimal("0.00")


class Reservation(Protocol):
    """What one kind of pending commitment holds back of a unit's balance. `exclude` is the
    row being decided: left out of its own kind (a declaration being approved doesn't
    reserve its own budget), ignored by the other kinds."""

    def __call__(self, *, unit: ProductionUnit, exclude: Model | None) -> Decimal: ...


_RESERVATIONS: dict[str, Reservation] = {}
_LABELS: dict[str, StrOrPromise] = {}


def register_reservation(
    name: str, reservation: Reservation, label: StrOrPromise | None = None
) -> None:
    """Count `reservation` in every unit's available balance (once per name: a second
    registration under the same name replaces the first); `label` says to the member what
    it holds back."""
    _RESERVATIONS[name] = reservation
    _LABELS[name] = label or name


def unit_reservations(*, unit: ProductionUnit) -> list[tuple[StrOrPromise, Decimal]]:
    """What each kind of pending commitment holds back of the unit's balance, by label (the
    ones holding nothing left out): how the available balance is made."""
    held = [
        (_LABELS[name], reserve(unit=unit, exclude=None)) for name, reserve in _RESERVATIONS.items()
    ]
    return [(label, amount) for label, amount in held if amount]


def unit_balance(*, unit: ProductionUnit, until: date | None = None) -> Decimal:
    """The unit's balance: the exact sum of its ledger entries (optionally up to a date)."""
    entries = LedgerEntry.objects.filter(unit=unit)
    if until is not None:
        entries = entries.filter(booked_on__lte=until)
    # PostgreSQL sums numerics exactly; SQLite (the local demo) sums floats, hence cents().
    return cents(entries.aggregate(total=Sum("amount"))["total"] or ZERO)


def unit_reserved(*, unit: ProductionUnit, exclude: Model | None = None) -> Decimal:
    """What the unit's pending commitments (every registered `Reservation`) hold back of its
    balance, `exclude` (the row being decided) left out."""
    return sum((reserve(unit=unit, exclude=exclude) for reserve in _RESERVATIONS.values()), ZERO)


def unit_available_balance(
    *, unit: ProductionUnit, at: date | None = None, exclude: Model | None = None
) -> Decimal:
    """What a new debit of the unit may spend: its ledger balance (entries booked up to `at`,
    all when None) less what its pending commitments hold back today (`unit_reserved`:
    submitted work declarations and approved ones not yet charged in full, expense claims
    awaiting a decision that draw on the balance), `exclude` left out.

    Take `unit_lock` first when the answer decides a debit."""
    return unit_balance(unit=unit, until=at) - unit_reserved(unit=unit, exclude=exclude)


def unit_lock(*, unit_id: int) -> ProductionUnit:
    """The unit's row (with its holder), locked until the transaction ends (call it inside
    `transaction.atomic`).

    Every debit that checks `unit_available_balance` takes this lock first: the debits of a
    unit are serialised, so two of them can't both spend the same euros. Take it before
    locking the row being decided (the order every writer keeps)."""
    return (
        ProductionUnit.objects.select_for_update(of=("self",))
        .select_related("holder")
        .get(pk=unit_id)
    )


def unit_ledger(*, unit: ProductionUnit) -> QuerySet[LedgerEntry]:
    """The unit's entries, newest first."""
    return LedgerEntry.objects.filter(unit=unit).select_related("created_by")
