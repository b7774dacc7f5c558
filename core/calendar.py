"""The working-day calendar (Monday to Friday, Belgian public holidays excluded) and the
months that are the accounting periods."""

import re
from calendar import monthrange
from datetime import date, timedelta
from functools import cache

import holidays
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@cache
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("BE", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Belgian public holiday."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def working_days_after(day: date, count: int) -> date:
    """The `count`-th working day after `day` (`day` itself is not counted)."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            count -= 1
    return current


def working_days_in(first: date, last: date) -> int:
    """The number of working days from `first` to `last`, both included."""
    days = (last - first).days + 1
    return sum(1 for n in range(max(days, 0)) if is_working_day(first + timedelta(days=n)))


# --- months: the accounting periods ----------------------------------------------------------

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None, *, default: date | None = None, field: str = "month") -> date:
    """ "2026-07" → 2026-07-01; empty → the month of `default` (refused without a default).

    Raises ValidationError naming `field` for anything else."""
    if not (value or "").strip():
        if default is not None:
            return default.replace(day=1)
        raise ValidationError({field: _("Give the period as YYYY-MM, e.g. 2026-10.")})
    match = MONTH_PATTERN.match((value or "").strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if year >= 1900 and 1 <= month <= 12:
            return date(year, month, 1)
    raise ValidationError(
        {field: _("“%(value)s” is not a month: use YYYY-MM, e.g. 2026-07.") % {"value": value}}
    )


def month_end(month: date) -> date:
    """The last day of `month`'s month."""
    return month.replace(day=monthrange(month.year, month.month)[1])


def month_bounds(month: date) -> tuple[date, date]:
    """The first and the last day of `month`'s month."""
    return month.replace(day=1), month_end(month)


def month_over(period: date, today: date) -> tuple[date, date]:
    """The bounds of `period`'s month, which must be over on `today` (a month's payroll or
    contributions are computed once it is): ValidationError naming "period" otherwise."""
    first, last = month_bounds(period)
    if last >= today:
        raise ValidationError(
            {
                "period": _("The month %(period)s is not over: compute it from %(day)s on.")
                % {"period": f"{first:%Y-%m}", "day": last + timedelta(days=1)}
            }
        )
    return first, last


def previous_month(month: date) -> date:
    """The first day of the month before `month`'s."""
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after `month`'s."""
    return month_end(month) + timedelta(days=1)
