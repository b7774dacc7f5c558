"""Dates as Belgium writes them, in every language: 06/12/2026 (day, month, year)."""

from datetime import date, datetime


def format_day(day: date | datetime | None) -> str:
    """dd/mm/yyyy; an empty string for no date. For messages, exports and file names: the
    pages use the locale formats (FORMAT_MODULE_PATH), which give the same numeric form."""
    if day is None:
        return ""
    return f"{day:%d/%m/%Y}"


def format_validity(valid_from: date | None, valid_to: date | None) -> str:
    """A dated row's period as Belgium writes it: "01/01/2026 → 31/12/2026", "… → …" open."""
    return f"{format_day(valid_from) or '…'} → {format_day(valid_to) or '…'}"
