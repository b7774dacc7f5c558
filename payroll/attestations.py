"""Attestations a worker asks for in the portal: an employment attestation for a period
(contracts and days worked, with their employer) and the yearly income summary (gross,
social security, withholding and net per month, from the payslips). Requested here, rendered
as PDF by a task after commit, in the worker's language."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.money import cents
from core.pdf import render_html_to_pdf

from .models import Attestation, Contract, Payslip, WorkDay, Worker
from .payroll_run import PAID_CONTRACT_STATUSES
from .payslips import employers, worker_language

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
            "day": today.isoformat()
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
    from .tasks_pay import render_attestation_pdf

    render_attestation_pdf.delay(pk)


# --- contents -------------------------------------------------------------------------------


def employment_rows(worker: Worker, start: date, end: date) -> list[dict]:
    """The worker's contracts with days worked in [start, end]: employer, type, function,
    dates, days and hours in the period (one query)."""
    rows = (
        WorkDay.objects.filter(
            worker=worker,
            date__range=(start, end),
            cancelled=False,
            contract__status__in=PAID_CONTRACT_STATUSES,
        )
        .values("contract_id")
        .annotate(days=Count("id"), hours=Sum("hours"))
        .order_by()
    )
    counts = {row["contract_id"]: row for row in rows}
    contracts = Contract.objects.filter(pk__in=counts).select_related(
        "legal_entity", "contract_type"
    )
    return [
        {
            "contract": contract,
            "days": counts[contract.pk]["days"],
            "hours": counts[contract.pk]["hours"],
        }
        for contract in sorted(contracts, key=lambda c: (c.start_date, c.pk))
    ]


def income_rows(worker: Worker, year: int) -> tuple[list[dict], dict, list[dict]]:
    """The payslips of a calendar year, per month, the year's totals and the employers."""
    months: dict[date, dict] = defaultdict(lambda: dict.fromkeys(MONEY_FIELDS, ZERO))
    found: dict[str, dict] = {}
    for payslip in Payslip.objects.filter(worker=worker, period__year=year).order_by("period"):
        month = months[payslip.period]
        for name in MONEY_FIELDS:
            month[name] += getattr(payslip, name)
        for employer in employers(payslip.lines):
            found.setdefault(employer["enterprise_number"], employer)
    rows = [{"period": period, **amounts} for period, amounts in sorted(months.items())]
    totals = {name: cents(sum((row[name] for row in rows), ZERO)) for name in MONEY_FIELDS}
    return rows, totals, list(found.values())


def render_attestation_pdf_bytes(attestation: Attestation) -> bytes:
    worker = attestation.worker
    language = worker_language(worker)
    context = {"attestation": attestation, "worker": worker, "language": language}
    if attestation.kind == Attestation.Kind.EMPLOYMENT:
        template = "payroll/pdf/attestation_employment.html"
        rows = employment_rows(worker, attestation.period_start, attestation.period_end)
        entities = {}
        for row in rows:
            entity = row["contract"].legal_entity
            entities.setdefault(entity.pk, entity)
        context.update(
            rows=rows,
            employers=list(entities.values()),
            total_days=sum(row["days"] for row in rows),
            total_hours=sum((row["hours"] for row in rows), Decimal("0")),
        )
    else:
        template = "payroll/pdf/attestation_income.html"
        rows, totals, payers = income_rows(worker, attestation.period_start.year)
        context.update(
            rows=rows, totals=totals, employers=payers, year=attestation.period_start.year
        )
    with translation.override(language):
        context["issued_on"] = timezone.localdate()
        html = render_to_string(template, context)
    return render_html_to_pdf(html)


def attestation_render(*, attestation: Attestation) -> Attestation:
    """Render the PDF of a pending attestation and mark it ready (idempotent: a ready one is
    kept as it is). A rendering error marks it failed and is raised again for the task."""
    attestation = Attestation.objects.select_related("worker__member").get(pk=attestation.pk)
    if attestation.status == Attestation.Status.READY and attestation.pdf:
        return attestation
    try:
        content = render_attestation_pdf_bytes(attestation)
    except Exception:
        Attestation.objects.filter(pk=attestation.pk).update(status=Attestation.Status.FAILED)
        raise
    with transaction.atomic():
        attestation = Attestation.objects.select_for_update().get(pk=attestation.pk)
        if attestation.status == Attestation.Status.READY and attestation.pdf:
            return attestation
        name = f"attestation-{attestation.kind}-{attestation.pk}.pdf"
        attestation.pdf.save(name, ContentFile(content), save=False)
        attestation.status = Attestation.Status.READY
        attestation.save(update_fields=["pdf", "status"])
        audit_log(
            actor=None, action="attestation.rendered", obj=attestation, changes={"file": name}
        )
    return attestation
