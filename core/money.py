"""Money helpers: Decimal to the cent, ROUND_HALF_UP, and exact splits."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Accept Decimal, int or str (never float) and return a Decimal."""
    if isinstance(value, float):
        raise TypeError("Money is never a float: pass a Decimal or a string.")
    return value if isinstance(value, Decimal) else Decimal(value)


def cents(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half up."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def cents_down(value: Decimal | int | str) -> Decimal:
    """Round down to the cent (used where the rule says 'rounded down')."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_DOWN)


def is_cents(value: Decimal | int | str) -> bool:
    value = to_decimal(value)
    return value == value.quantize(CENT)
