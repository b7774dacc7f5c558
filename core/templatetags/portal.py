"""Formatting filters for the portal: money, IBAN and enterprise numbers."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import translation

from core.money import cents, to_decimal
from core.validators import format_enterprise_number, format_iban, mask_iban

register = template.Library()

NBSP = "\u00a0"

# language → (thousands separator, decimal separator, pattern with {sign} and {number})
MONEY_FORMATS = {
    "fr": (NBSP, ",", "{sign}{number}" + NBSP + "€"),
    "nl": (".", ",", "€" + NBSP + "{sign}{number}"),
    "en": (",", ".", "{sign}€{number}"),
    "de": (".", ",", "{sign}{number}" + NBSP + "€"),  # documents only (Belgian German)
}


def _separators(language: str | None) -> tuple[str, str, str]:
    language = (language or translation.get_language() or "fr").split("-")[0]
    return MONEY_FORMATS.get(language, MONEY_FORMATS["fr"])


def _digits(value: Decimal | int | str, max_places: int) -> tuple[bool, str, str]:
    """(negative, integer digits, fraction): cents, or for a price up to `max_places`
    decimals with at least two (80.10, 12.3456)."""
    if max_places <= 2:
        amount = cents(value)
        units, _, fraction = f"{abs(amount):.2f}".partition(".")
        return amount < 0, units, fraction
    amount = to_decimal(value).quantize(Decimal(1).scaleb(-max_places), rounding=ROUND_HALF_UP)
    units, _, fraction = f"{abs(amount):.{max_places}f}".partition(".")
    fraction = fraction.rstrip("0").ljust(2, "0")
    return amount < 0, units, fraction


def format_money(
    value: Decimal | int | str | None, language: str | None = None, *, max_places: int = 2
) -> str:
    """Format a Decimal amount in euros as the language writes it: 1 234,56 € in French.
    `max_places=4` for a unit price (12,3456 €), still with at least two decimals."""
    if value is None or value == "":
        return ""
    thousands, decimal_sep, pattern = _separators(language)
    negative, units, fraction = _digits(value, max_places)
    groups: list[str] = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    number = thousands.join(groups) + decimal_sep + fraction
    return pattern.format(sign="-" if negative else "", number=number)


def format_amount_input(
    value: Decimal | int | str | None, language: str | None = None, *, max_places: int = 4
) -> str:
    """An amount as a form field shows it for editing: the language's decimal separator, at
    least two decimals, no thousands separator nor currency (80,10 in French, 80.10 in
    English); the forms read both separators back."""
    if value is None or value == "":
        return ""
    _thousands, decimal_sep, _pattern = _separators(language)
    negative, units, fraction = _digits(value, max_places)
    return ("-" if negative else "") + units + decimal_sep + fraction


@register.filter
def money(value: Decimal | int | str | None) -> str:
    """{{ amount|money }} → "1 234,56 €" (fr), "€ 1.234,56" (nl), "€1,234.56" (en)."""
    return format_money(value)


@register.filter
def price(value: Decimal | int | str | None) -> str:
    """{{ line.unit_price|price }} → "12,3456 €", "80,10 €": money with up to four decimals."""
    return format_money(value, max_places=4)


@register.filter
def iban(value: str | None) -> str:
    return format_iban(value or "")


@register.filter
def masked_iban(value: str | None) -> str:
    """BE** **** **** 6769: a person's account, never shown in full on a page."""
    return mask_iban(value or "")


@register.filter
def enterprise_number(value: str | None) -> str:
    return format_enterprise_number(value or "")


@register.filter
def is_negative(value: Decimal | int | str | None) -> bool:
    return value is not None and value != "" and Decimal(value) < 0
