"""Formatting filters for the portal: money, IBAN and enterprise numbers."""

from decimal import Decimal

from django import template
from django.utils import translation

from core.money import cents
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


def format_money(value: Decimal | int | str | None, language: str | None = None) -> str:
    """Format a Decimal amount in euros as the language writes it: 1 234,56 € in French."""
    if value is None or value == "":
        return ""
    amount = cents(value)
    language = (language or translation.get_language() or "fr").split("-")[0]
    thousands, decimal_sep, pattern = MONEY_FORMATS.get(language, MONEY_FORMATS["fr"])
    sign = "-" if amount < 0 else ""
    units, _, fraction = f"{abs(amount):.2f}".partition(".")
    groups: list[str] = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    number = thousands.join(groups) + decimal_sep + fraction
    return pattern.format(sign=sign, number=number)


@register.filter
def money(value: Decimal | int | str | None) -> str:
    """{{ amount|money }} → "1 234,56 €" (fr), "€ 1.234,56" (nl), "€1,234.56" (en)."""
    return format_money(value)


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
