"""Dates as Belgium writes them, in every language: 06/12/2026 (day, month, year)."""

from datetime import date, datetime


def format_day(day: date | datetime | None) -> str:
    """dd/mm/yyyy; an empty string for no date. For messages, exports and file names: the
    pages use the locale formats (FORMAT_MODULE_PATH), which give the same numeric form."""
    if day is None:
        return ""
    return f"{day:%d/%m/%Y}"
