"""Calendar reads: the declared days of a worker or of a unit for a month, laid out in weeks
from Monday, with Belgium's public holidays (python `holidays`) and the weekends marked."""

import calendar as stdlib_calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import holidays

from core.calendar import next_month, previous_month
from payroll.models import WorkDay, Worker
from production_units.models import ProductionUnit

# The site's languages as the holidays library names them for Belgium (it has no plain "en").
HOLIDAY_LANGUAGES = {"fr": "fr", "nl": "nl", "en": "en_US"}


def belgian_holidays(*, start: date, end: date, language: str = "fr") -> dict[date, str]:
    """Belgium's public holidays from `start` to `end` (both included), named in `language`."""
    names = holidays.country_holidays(
        "BE",
        years=range(start.year, end.year + 1),
        language=HOLIDAY_LANGUAGES.get((language or "fr")[:2], "fr"),
    )
    return {day: name for day, name in sorted(names.items()) if start <= day <= end}


@dataclass
class CalendarDay:
    date: date
    in_month: bool
    is_today: bool
    holiday: str = ""
    entries: list[WorkDay] = field(default_factory=list)

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def hours(self) -> Decimal:
        return sum((entry.hours for entry in self.entries), Decimal("0"))


@dataclass
class CalendarMonth:
    month: date
    weeks: list[list[CalendarDay]]
    holidays: dict[date, str]

    @property
    def previous(self) -> date:
        return previous_month(self.month)

    @property
    def next(self) -> date:
        return next_month(self.month)

    @property
    def days(self) -> list[CalendarDay]:
        """The days of the month itself (not the neighbours completing the weeks)."""
        return [day for week in self.weeks for day in week if day.in_month]

    @property
    def worked_days(self) -> list[CalendarDay]:
        return [day for day in self.days if day.entries]

    @property
    def entries(self) -> list[WorkDay]:
        return [entry for day in self.days for entry in day.entries]

    @property
    def total_hours(self) -> Decimal:
        return sum((entry.hours for entry in self.entries), Decimal("0"))


def _month(work_days, *, month: date, today: date, language: str) -> CalendarMonth:
    weeks_dates = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(
        month.year, month.month
    )
    start, end = weeks_dates[0][0], weeks_dates[-1][-1]
    public = belgian_holidays(start=start, end=end, language=language)
    by_date: dict[date, list[WorkDay]] = {}
    for entry in work_days.filter(date__gte=start, date__lte=end):
        by_date.setdefault(entry.date, []).append(entry)
    weeks = [
        [
            CalendarDay(
                date=day,
                in_month=day.month == month.month,
                is_today=day == today,
                holiday=public.get(day, ""),
                entries=by_date.get(day, []),
            )
            for day in week
        ]
        for week in weeks_dates
    ]
    in_month = {day: name for day, name in public.items() if day.month == month.month}
    return CalendarMonth(month=month, weeks=weeks, holidays=in_month)


def worker_work_days(*, worker: Worker | None):
    """The days declared for `worker` (all units), not cancelled, by date."""
    if worker is None:
        return WorkDay.objects.none()
    return (
        WorkDay.objects.filter(worker=worker, cancelled=False)
        .select_related("unit", "contract_type")
        .order_by("date", "unit__code")
    )


def unit_work_days(*, unit: ProductionUnit):
    """The days declared in `unit` (all its workers), not cancelled, by date and worker."""
    return (
        WorkDay.objects.filter(unit=unit, cancelled=False)
        .select_related("worker", "contract_type")
        .order_by("date", "worker__last_name", "worker__first_name")
    )


def worker_calendar(
    *, worker: Worker | None, month: date, today: date, language: str = "fr"
) -> CalendarMonth:
    """`worker`'s declared days in the weeks of `month` (none when there is no worker)."""
    return _month(worker_work_days(worker=worker), month=month, today=today, language=language)


def unit_calendar(
    *, unit: ProductionUnit, month: date, today: date, language: str = "fr"
) -> CalendarMonth:
    """The declared days of `unit`'s workers in the weeks of `month`."""
    return _month(unit_work_days(unit=unit), month=month, today=today, language=language)
