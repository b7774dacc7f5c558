"""Attestations a worker asks for in the portal: an employment attestation for a period
(contracts and days worked, with their employer) and the yearly income summary (gross,
social security, withholding and net per month, from the payslips). Requested here, rendered
as PDF by a task after commit, in the worker's language (payroll.pay.attestation_pdf)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.dates import format_day
from payroll.models import Attestation, Worker

from .tasks import render_attestation_pdf

ZERO = Decimal("0.00")
MAX_YEARS_BACK = 10
MONEY_FIELDS = ("gross", "employee_social_security", "withholding", "net")


def attestation_errors(*, kind: str, period_start, period_end, today: date) -> dict:
    """What is wrong with a request, by field (empty: nothing)."""
    errors: dict[str, str] = {}
    if kind not in Attestation.Kind.values:
        errors["kind"] = _("Choose an employment attestation or a yearly income summary.")
    if not isinstance(period_start, date):
        errors["period_start"] = _("Enter a date.")
    if not isinstance(period_end, date):
        errors["period_end"] = _("Enter a date.")
    if errors:
        return errors
    if period_end < period_start:
        errors["period_end"] = _("The end of the period is before its start.")
    elif period_end > today:
        errors["period_end"] = _("The period can't end in the future: choose %(day)s at most.") % {
            "day": format_day(today)
        }
    if period_start.year < today.year - MAX_YEARS_BACK:
        errors["period_start"] = _("Attestations go back %(years)s years at most.") % {
            "years": MAX_YEARS_BACK
        }
    if kind == Attestation.Kind.YEARLY_INCOME and "period_end" not in errors:
        calendar_year = period_start == date(period_start.year, 1, 1) and period_end == date(
            period_start.year, 12, 31
        )
        if not calendar_year:
            errors["period_start"] = _(
                "A yearly income summary covers one calendar year, 1 January to 31 December."
            )
    return errors


@transaction.atomic
def attestation_request(
    *,
    worker: Worker,
    kind: str,
    period_start: date,
    period_end: date,
    by,
    today: date | None = None,
) -> Attestation:
    """Record a request and have its PDF rendered after commit (status pending → ready).
    Raises ValidationError naming the field: a bad kind, an end before the start or in the
    future, more than 10 years back, a yearly summary that is not a past calendar year."""
    today = today or timezone.localdate()
    errors = attestation_errors(
        kind=kind, period_start=period_start, period_end=period_end, today=today
    )
    if errors:
        raise ValidationError(errors)
    attestation = Attestation.objects.create(
        worker=worker,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        requested_by=by,
    )
    audit_log(
        actor=by,
        action="attestation.requested",
        obj=attestation,
        changes={"kind": kind, "from": period_start.isoformat(), "to": period_end.isoformat()},
    )
    transaction.on_commit(lambda: _enqueue(attestation.pk))
    return attestation


def _enqueue(pk: int) -> None:
    render_attestation_pdf.delay(pk)
