"""The lines of invoices, credit notes and quotes: read as typed, checked once, totalled once.

Every door goes through validate_lines: the portal's forms, the API, the live totals, the
services that save (invoices, credit notes, quotes) and issue, and payroll's 3en1 jobs. It
returns the cleaned lines with their totals (totals.compute_totals, the one arithmetic of
documents), or raises one ValidationError under "lines" with one message per problem, each
naming its line and field.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import to_decimal

from .models import (
    EU_COUNTRIES,
    EXEMPT_CATEGORIES,
    Client,
    Invoice,
    InvoiceLine,
    Quote,
    VatExemptionReason,
    VatRate,
)
from .totals import LineInput, Totals, compute_totals

MAX_LINES = 500
# The largest amount a document's total column holds (DecimalField max_digits − decimal_places).
MAX_AMOUNT = Decimal("1e12")
# The columns hold 12 digits (3 decimals) for quantities and 14 (4) for prices.
MAX_QUANTITY = Decimal("1e9")
MAX_PRICE = Decimal("1e10")


@dataclass
class LineData:
    """A line as typed by a user, before validation (strings or Decimals)."""

    description: str
    quantity: object
    unit_price: object
    vat_category: str = "S"
    vat_rate: object = "21"
    unit_code: str = InvoiceLine.UnitCode.PIECE
    exemption_reason: VatExemptionReason | int | None = None


class CleanLine(TypedDict):
    """A valid line: the values of a document line's columns."""

    position: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    unit_code: str
    vat_category: str
    vat_rate: Decimal
    exemption_reason: VatExemptionReason | None


@dataclass(frozen=True)
class ValidLines:
    """Lines that passed validate_lines, and their totals."""

    lines: list[CleanLine]
    totals: Totals


def lines_of(document: Invoice | Quote) -> list[LineData]:
    """The lines of a saved document (invoice, credit note, quote) as LineData."""
    return [
        LineData(
            ln.description,
            ln.quantity,
            ln.unit_price,
            ln.vat_category,
            ln.vat_rate,
            ln.unit_code,
            ln.exemption_reason,
        )
        for ln in sorted(document.lines.all(), key=lambda ln: ln.position)
    ]


def totals_of(lines: Iterable[CleanLine]) -> Totals:
    """The totals of cleaned lines: the one arithmetic of documents (totals.compute_totals)."""
    return compute_totals(
        [LineInput(c["quantity"], c["unit_price"], c["vat_category"], c["vat_rate"]) for c in lines]
    )


def check_lines(lines: list[LineData], *, client: Client, day: date | None = None) -> Totals:
    """The totals of typed lines, after the rules (validate_lines) in force on `day` (today
    by default): what the live totals show. Raises ValidationError under "lines"."""
    return validate_lines(lines, client=client, day=day or timezone.localdate()).totals


def validate_lines(lines: list[LineData], *, client: Client, day: date) -> ValidLines:
    """Check typed lines against the VAT rules in force on `day` and the size of the columns.

    Returns the cleaned lines and their totals; raises ValidationError keyed by "lines" with
    one message per problem, each naming the line.
    """
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": _("An invoice has at most 500 lines.")})
    rates = set(VatRate.objects.in_force_on(day).values_list("category", "rate"))
    errors: list[str] = []
    cleaned = [
        _clean_line(line, index, client=client, day=day, rates=rates, errors=errors)
        for index, line in enumerate(lines, start=1)
    ]
    valid = [line for line in cleaned if line is not None]
    totals = totals_of(valid) if not errors else None
    if totals is not None and totals.total >= MAX_AMOUNT:
        errors.append(_("The amounts are too large for one document."))
    errors.extend(_mixed_categories_problem({line.vat_category for line in lines}))
    if errors or totals is None:
        raise ValidationError({"lines": errors})
    return ValidLines(lines=valid, totals=totals)


# --- one line, in named steps ----------------------------------------------------------------


Problem = Callable[[str], None]


def _clean_line(
    line: LineData,
    index: int,
    *,
    client: Client,
    day: date,
    rates: set[tuple[str, Decimal]],
    errors: list[str],
) -> CleanLine | None:
    """The cleaned values of one line; its problems are appended to `errors` (None when a
    number can't be read)."""

    def problem(message: str) -> None:
        errors.append(_("Line %(n)s: %(message)s") % {"n": index, "message": message})

    description = (line.description or "").strip()
    if not description:
        problem(_("the description is required."))
    quantity = _number(line.quantity, _("Line %(n)s: quantity") % {"n": index}, errors)
    price = _number(line.unit_price, _("Line %(n)s: unit price") % {"n": index}, errors)
    rate = _number(line.vat_rate, _("Line %(n)s: VAT rate") % {"n": index}, errors)
    quantity, price = _within_columns(quantity, price, problem)
    _check_quantity(quantity, problem)
    _check_price(price, problem)
    if line.unit_code not in InvoiceLine.UnitCode.values:
        problem(_("unknown unit."))
    category = line.vat_category
    if rate is not None and (category, rate) not in rates:
        problem(
            _("VAT %(category)s at %(rate)s %% is not a rate in force on %(day)s.")
            % {"category": category, "rate": rate, "day": day}
        )
    reason = _exemption_reason(line.exemption_reason, category, problem)
    client_problem = _client_problem(category, client)
    if client_problem:
        problem(client_problem)
    if quantity is None or price is None or rate is None:
        return None
    return {
        "position": index,
        "description": description,
        "quantity": quantity,
        "unit_price": price,
        "unit_code": line.unit_code,
        "vat_category": category,
        "vat_rate": rate,
        "exemption_reason": reason if category in EXEMPT_CATEGORIES else None,
    }


def _number(value: object, label: str, errors: list[str]) -> Decimal | None:
    """A typed number ("1,5" or "1.5"), or None with a message naming the line and field."""
    try:
        number = to_decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite():
        errors.append(_("%(label)s is not a number.") % {"label": label})
        return None
    return number


def _within_columns(
    quantity: Decimal | None, price: Decimal | None, problem: Problem
) -> tuple[Decimal | None, Decimal | None]:
    """The numbers the database columns can hold; a larger one becomes None (reported)."""
    if quantity is not None and abs(quantity) >= MAX_QUANTITY:
        problem(_("the quantity is too large."))
        quantity = None
    if price is not None and abs(price) >= MAX_PRICE:
        problem(_("the unit price is too large."))
        price = None
    return quantity, price


def _check_quantity(quantity: Decimal | None, problem: Problem) -> None:
    if quantity is None:
        return
    if quantity <= 0:
        problem(_("the quantity must be more than zero."))
    if quantity != quantity.quantize(Decimal("0.001")):
        problem(_("the quantity has at most three decimals."))


def _check_price(price: Decimal | None, problem: Problem) -> None:
    if price is None:
        return
    if price < 0:
        problem(_("the unit price can't be negative."))
    if price != price.quantize(Decimal("0.0001")):
        problem(_("the unit price has at most four decimals."))


def _exemption_reason(
    reason: VatExemptionReason | int | None, category: str, problem: Problem
) -> VatExemptionReason | None:
    """The legal exemption reason of the line (given or by id), checked against its category."""
    if isinstance(reason, int):
        reason = VatExemptionReason.objects.filter(pk=reason).first()
    if category in EXEMPT_CATEGORIES:
        if reason is None:
            problem(_("a line without VAT needs its legal exemption reason."))
        elif reason.category != category:
            problem(_("this exemption reason is not for VAT category %(c)s.") % {"c": category})
    elif reason is not None:
        problem(_("an exemption reason only goes with a line without VAT."))
    return reason


def _client_problem(category: str, client: Client) -> str:
    """The reason a VAT category can't be used for this client, or ''."""
    in_eu = client.country in EU_COUNTRIES
    if category in ("AE", "K"):
        if client.country == "BE" or not in_eu:
            return _("reverse charge and intra-EU supply are for clients in another EU country.")
        if not client.vat_number:
            return _("reverse charge needs the client's EU VAT number (edit the client).")
    if category == "G" and in_eu:
        return _("export is for clients outside the EU.")
    if category == "O" and in_eu:
        return _("'not subject' is for services to clients outside the EU.")
    return ""


def _mixed_categories_problem(categories: set[str]) -> list[str]:
    """Lines not subject to VAT (O) go on a document of their own (EN 16931, BR-O-11…)."""
    if "O" in categories and len(categories) > 1:
        return [
            _(
                "Lines not subject to VAT can't share a document with other VAT categories: "
                "put them on a separate invoice."
            )
        ]
    return []
