"""Invoice arithmetic, as pure functions: used for the live totals and at issue.

EN 16931 rules: a line's net amount is quantity × price rounded to the cent; VAT is
computed per (category, rate) on the sum of the line amounts of that group, rounded
to the cent; the total is net + VAT.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from core.money import cents, to_decimal


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    vat_category: str
    vat_rate: Decimal


@dataclass(frozen=True)
class VatSubtotal:
    category: str
    rate: Decimal
    taxable: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    line_amounts: list[Decimal]
    subtotals: list[VatSubtotal] = field(default_factory=list)
    net_total: Decimal = Decimal("0.00")
    vat_total: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")


def line_amount(quantity, unit_price) -> Decimal:
    return cents(to_decimal(quantity) * to_decimal(unit_price))


def compute_totals(lines: list[LineInput]) -> Totals:
    amounts = [line_amount(line.quantity, line.unit_price) for line in lines]
    groups: OrderedDict[tuple[str, Decimal], Decimal] = OrderedDict()
    for line, amount in zip(lines, amounts, strict=True):
        key = (line.vat_category, to_decimal(line.vat_rate))
        groups[key] = groups.get(key, Decimal("0.00")) + amount
    subtotals = [
        VatSubtotal(category=category, rate=rate, taxable=taxable, vat=cents(taxable * rate / 100))
        for (category, rate), taxable in groups.items()
    ]
    net_total = sum(amounts, Decimal("0.00"))
    vat_total = sum((s.vat for s in subtotals), Decimal("0.00"))
    return Totals(
        line_amounts=amounts,
        subtotals=subtotals,
        net_total=net_total,
        vat_total=vat_total,
        total=net_total + vat_total,
    )
