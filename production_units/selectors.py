"""Reads about units that several callers need."""

from decimal import Decimal

from django.db.models import Sum

from core.money import cents

from .models import LedgerEntry, ProductionUnit


def unit_balance(*, unit: ProductionUnit, until=None) -> Decimal:
    """The unit's balance: the exact sum of its ledger entries (optionally up to a date)."""
    entries = LedgerEntry.objects.filter(unit=unit)
    if until is not None:
        entries = entries.filter(booked_on__lte=until)
    # PostgreSQL sums numerics exactly; SQLite (the local demo) sums floats, hence cents().
    return cents(entries.aggregate(total=Sum("amount"))["total"] or Decimal("0.00"))


def unit_ledger(*, unit: ProductionUnit):
    """The unit's entries, newest first."""
    return LedgerEntry.objects.filter(unit=unit).select_related("created_by")
