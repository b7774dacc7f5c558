"""Reads about units that several callers need.

The available balance is THE rule every debit of a unit checks (a work declaration, an expense
claim, a purchase, the live cost of a declaration being typed): the ledger balance less what
is already promised from it. What is promised is known by the apps that promise it (payroll's
pending declarations and expense claims): they register a `Reservation` in their
AppConfig.ready, so this app reads them without importing the apps above it.
"""

from dataclasses import dataclass
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


@dataclass(frozen=True)
class UnitAvailability:
    """How a unit's available balance is made: its ledger balance, what each kind of pending
    commitment holds back of it (by label, the kinds holding nothing left out), and the
    result."""

    balance: Decimal
    reservations: list[tuple[StrOrPromise, Decimal]]

    @property
    def reserved(self) -> Decimal:
        return sum((amount for _label, amount in self.reservations), ZERO)

    @property
    def available(self) -> Decimal:
        return self.balance - self.reserved


def unit_availability(
    *,
    unit: ProductionUnit,
    at: date | None = None,
    exclude: Model | None = None,
    balance: Decimal | None = None,
) -> UnitAvailability:
    """The unit's balance (entries booked up to `at`, all when None) and what its pending
    commitments hold back today, `exclude` (the row being decided) left out of its own kind.
    `balance`: the unit's whole balance when the caller has just read it (a list annotated
    with `with_balance()`), so that it is not read again; only with `at` None."""
    if balance is None:
        balance = unit_balance(unit=unit, until=at)
    elif at is not None:
        raise ValueError("a known balance is the whole balance: `at` must be None")
    # To the cent, as unit_balance: SQLite (the local demo) sums in floating point.
    held = [
        (_LABELS[name], cents(reserve(unit=unit, exclude=exclude)))
        for name, reserve in _RESERVATIONS.items()
    ]
    balance = cents(balance)
    return UnitAvailability(balance, [(label, amount) for label, amount in held if amount])


def unit_balance(*, unit: ProductionUnit, until: date | None = None) -> Decimal:
    """The unit's balance: the exact sum of its ledger entries (optionally up to a date)."""
    entries = LedgerEntry.objects.filter(unit=unit)
    if until is not None:
        entries = entries.filter(booked_on__lte=until)
    # PostgreSQL sums numerics exactly; SQLite (the local demo) sums floats, hence cents().
    return cents(entries.aggregate(total=Sum("amount"))["total"] or ZERO)


def unit_available_balance(
    *, unit: ProductionUnit, at: date | None = None, exclude: Model | None = None
) -> Decimal:
    """What a new debit of the unit may spend: its ledger balance (entries booked up to `at`,
    all when None) less what its pending commitments hold back today (`unit_availability`:
    submitted work declarations and approved ones not yet charged in full, expense claims
    awaiting a decision that draw on the balance), `exclude` left out.

    Take `unit_lock` first when the answer decides a debit."""
    return unit_availability(unit=unit, at=at, exclude=exclude).available


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
