"""Invoice arithmetic, as pure functions: the one computation of a document's totals, used
when its lines are validated and saved (lines.validate_lines: the live totals, drafts, issue)
and when it is rendered (the PDF's and the UBL's VAT breakdown, from the saved lines).

EN 16931 rules: a line's net amount is quantity × price rounded to the cent; VAT is
computed per (category, rate) on the sum of the line amounts of that group, rounded
to the cent; the total is net + VAT.
"""

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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


def line_amount(quantity: Decimal | int | str, unit_price: Decimal | int | str) -> Decimal:
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


def saved_totals(lines: Iterable[Any]) -> Totals:
    """The totals of a saved document's lines (InvoiceLine, QuoteLine), computed again as
    when they were written."""
    return compute_totals(
        [LineInput(ln.quantity, ln.unit_price, ln.vat_category, ln.vat_rate) for ln in lines]
    )


def subtotal_reasons(lines: Iterable[Any], subtotal: VatSubtotal) -> list[Any]:
    """The exemption reasons of the saved lines of one VAT group, once each, in line order."""
    reasons: list[Any] = []
    for ln in lines:
        same_group = ln.vat_category == subtotal.category and ln.vat_rate == subtotal.rate
        if same_group and ln.exemption_reason is not None and ln.exemption_reason not in reasons:
            reasons.append(ln.exemption_reason)
    return reasons
