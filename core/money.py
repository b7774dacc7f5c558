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


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `weights` (amounts to the cent, 0 or more), in cents
    adding up to `total` exactly: each part rounded down, the leftover cents to the largest
    remainders (the earliest part first on ties). In integers: exact. All weights 0: only a
    total of 0 (split in zeros)."""
    total_cents = int(to_decimal(total).scaleb(2))
    parts = [int(to_decimal(w).scaleb(2)) for w in weights]
    whole = sum(parts)
    if total_cents < 0 or min(parts, default=0) < 0 or (total_cents and not whole):
        raise ValueError("allocate: a total of 0 or more over weights of 0 or more.")
    if not total_cents:
        return [Decimal("0.00") for _part in parts]
    shares = [divmod(total_cents * part, whole) for part in parts]
    wholes = [quotient for quotient, _rest in shares]
    leftover = total_cents - sum(wholes)
    ranked = sorted(range(len(parts)), key=lambda index: (-shares[index][1], index))
    for index in ranked[:leftover]:
        wholes[index] += 1
    return [Decimal(part).scaleb(-2) for part in wholes]
