"""Belgian structured communication (+++123/4567/89012+++), derived from a document number."""

from stdnum.be import ogm_vcs


def structured_reference(*, prefix: str, year: int, number: int) -> str:
    """Twelve digits: prefix (2) + year (2) + number (6) + check (n mod 97, 97 when 0)."""
    if not (len(prefix) == 2 and prefix.isdigit()) or not 0 < number < 1_000_000:
        raise ValueError("prefix must be two digits and number between 1 and 999999")
    base = f"{prefix}{year % 100:02d}{number:06d}"
    return base + ogm_vcs.calc_check_digits(base)


def format_structured_reference(value: str) -> str:
    if not value or len(value) != 12:
        return ""
    return f"+++{value[:3]}/{value[3:7]}/{value[7:]}+++"
