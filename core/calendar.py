"""The working-day calendar: Monday to Friday, Belgian public holidays excluded."""

from datetime import date, timedelta
from functools import cache

import holidays


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
