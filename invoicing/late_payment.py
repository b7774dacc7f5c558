"""What a business client owes for paying late (law of 2 August 2002 on late payment in
commercial transactions): interest on the amount due from the day after the due date, at the
rate in force on each day (it changes each half-year: `LatePaymentRate`), and the fixed
indemnity per invoice. Not for a private person: the law covers transactions between
businesses and with public bodies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .models import Client, Invoice, LatePaymentRate

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
DAYS_A_YEAR = Decimal(365)
# The law applies between businesses and to public bodies, not to consumers.
BUSINESS_KINDS = {Client.Kind.COMPANY, Client.Kind.NON_PROFIT, Client.Kind.PUBLIC_BODY}


@dataclass(frozen=True)
class LateCharges:
    interest: Decimal
    indemnity: Decimal
    days: int
    # The rates applied, in order: (first day, last day, yearly rate %).
    periods: tuple[tuple[date, date, Decimal], ...] = ()

    @property
    def total(self) -> Decimal:
        return self.interest + self.indemnity


NONE = LateCharges(ZERO, ZERO, 0)


def is_business(invoice: Invoice) -> bool:
    """The client at issue was a business or a public body (not a private person)."""
    return invoice.client.kind in BUSINESS_KINDS


def late_charges(*, invoice: Invoice, amount_due: Decimal, on: date) -> LateCharges:
    """Interest on `amount_due` for each day from the day after the due date to `on`
    (included), at the rate in force that day (simple interest, a year of 365 days, rounded
    to the cent once), and the fixed indemnity of the rate in force on `on`. Nothing for a
    private person, nothing not yet due, nothing when no rate is in force."""
    if invoice.due_date is None or on <= invoice.due_date or amount_due <= 0:
        return NONE
    if not is_business(invoice):
        return NONE
    first = invoice.due_date + timedelta(days=1)
    rates = LatePaymentRate.objects.overlapping(first, on).order_by("valid_from")
    interest = Decimal(0)
    periods = []
    for rate in rates:
        start = max(first, rate.valid_from)
        end = min(on, rate.valid_to or on)
        days = (end - start).days + 1
        if days <= 0:
            continue
        interest += amount_due * rate.rate / 100 * days / DAYS_A_YEAR
        periods.append((start, end, rate.rate))
    in_force = LatePaymentRate.objects.in_force_on(on).first()
    indemnity = in_force.indemnity if in_force is not None else ZERO
    return LateCharges(
        interest.quantize(CENT, ROUND_HALF_UP),
        indemnity.quantize(CENT),
        (on - invoice.due_date).days,
        tuple(periods),
    )
