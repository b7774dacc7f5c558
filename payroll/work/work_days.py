"""The rules every declared day obeys, whether it comes from a 3en1 job or an Activité
declaration: not in the past (unless an advisor overrides it), sensible hours, each date once,
and never twice for the same worker and date (across all units; the database enforces it too
with a partial unique constraint)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import format_day
from core.money import allocate, to_decimal
from payroll.models import Contract, ContractType, Job, WorkDay, WorkDeclaration, Worker
from production_units.models import ProductionUnit

MIN_HOURS = Decimal("0.25")
MAX_HOURS = Decimal("12")
QUARTER = Decimal("0.25")


@dataclass(frozen=True)
class DayInput:
    """One day a worker will work, as typed in a form or sent to the API."""

    date: date
    hours: Decimal


def day_inputs(rows: Iterable[tuple[date, Decimal | int | str]]) -> list[DayInput]:
    """[(date, hours)] → sorted DayInputs (hours as Decimal; a float raises TypeError)."""
    return sorted(
        (DayInput(day, to_decimal(hours)) for day, hours in rows), key=lambda item: item.date
    )


def work_days_errors(
    *,
    worker: Worker,
    days: list[DayInput],
    allow_past: bool = False,
    today: date | None = None,
    exclude_job=None,
    exclude_declaration=None,
) -> list[str]:
    """What is wrong with declaring `days` for `worker` (an empty list: nothing). Messages name
    the dates; the caller raises them as ValidationError({"days": ...})."""
    today = today or timezone.localdate()
    errors: list[str] = []
    if not days:
        return [_("Declare at least one work day.")]
    seen: set[date] = set()
    for day in days:
        if day.date in seen:
            errors.append(_("%(day)s is declared twice.") % {"day": format_day(day.date)})
        seen.add(day.date)
        hours = day.hours
        if not hours.is_finite() or not MIN_HOURS <= hours <= MAX_HOURS:
            errors.append(
                _("%(day)s: hours must be between %(min)s and %(max)s.")
                % {"day": format_day(day.date), "min": MIN_HOURS, "max": MAX_HOURS}
            )
        elif hours % QUARTER:
            errors.append(
                _("%(day)s: hours are counted in quarters of an hour.")
                % {"day": format_day(day.date)}
            )
        if day.date < today and not allow_past:
            errors.append(
                _(
                    "%(day)s is in the past: work must be declared before it starts "
                    "(an advisor can approve an exception)."
                )
                % {"day": format_day(day.date)}
            )
    taken = WorkDay.objects.filter(worker=worker, date__in=seen, cancelled=False)
    if exclude_job is not None:
        taken = taken.exclude(job=exclude_job)
    if exclude_declaration is not None:
        taken = taken.exclude(declaration=exclude_declaration)
    for taken_day in sorted(taken.values_list("date", flat=True)):
        errors.append(
            _("%(worker)s already has a declared work day on %(day)s.")
            % {"worker": worker, "day": format_day(taken_day)}
        )
    return errors


def book_days(
    days: list[DayInput],
    *,
    worker: Worker,
    unit: ProductionUnit,
    function: str,
    contract_type: ContractType,
    job: Job | None = None,
    declaration: WorkDeclaration | None = None,
    contract: Contract | None = None,
    grosses: list[Decimal] | None = None,
) -> None:
    """Write `days` as the worker's WorkDay rows, in that order, for the job, declaration
    and/or contract given; `grosses`: each day's gross (none given: 0). Checking them is
    work_days_errors' (the caller's, in its transaction)."""
    amounts = grosses if grosses is not None else [Decimal(0)] * len(days)
    WorkDay.objects.bulk_create(
        WorkDay(
            worker=worker,
            unit=unit,
            date=day.date,
            hours=day.hours,
            function=function,
            contract_type=contract_type,
            job=job,
            declaration=declaration,
            contract=contract,
            gross=gross,
        )
        for day, gross in zip(days, amounts, strict=True)
    )


def split_gross_by_hours(gross: Decimal, days: list[DayInput]) -> list[Decimal]:
    """The gross of each day, in proportion to its hours, adding up to `gross` exactly
    (core.money.allocate: largest remainders get the leftover cents, earliest day first on
    ties)."""
    return allocate(gross, [day.hours for day in days])
