"""The contents and the PDF of an attestation (employment: contracts and days worked with
their employer; income: the year's payslips per month), rendered in the worker's language
by payroll.pay.tasks.render_attestation_pdf."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.audit import audit_log
from core.money import cents
from core.pdf import render_html_to_pdf
from members.models import LegalEntity
from members.notifications import kinds as notice
from members.notifications.services import notify
from payroll.models import Attestation, Contract, Payslip, WorkDay, Worker

from .payslips import employers, worker_language

ZERO = Decimal("0.00")
LIST = "portal:pay_attestation_list"
MONEY_FIELDS = ("gross", "employee_social_security", "withholding", "net")


def employment_rows(worker: Worker, start: date, end: date) -> list[dict]:
    """The worker's contracts with days worked in [start, end]: employer, type, function,
    dates, days and hours in the period (one query)."""
    rows = (
        WorkDay.objects.filter(
            worker=worker,
            date__range=(start, end),
            cancelled=False,
            contract__status__in=Contract.PAID_STATUSES,
        )
        .values("contract_id")
        .annotate(days=Count("id"), hours=Sum("hours"))
        .order_by()
    )
    counts = {row["contract_id"]: row for row in rows}
    # SQLite (the local demo) sums in floating point: back to the column's precision.
    step = Decimal(1).scaleb(-WorkDay._meta.get_field("hours").decimal_places)
    contracts = Contract.objects.filter(pk__in=counts).select_related(
        "legal_entity", "contract_type"
    )
    return [
        {
            "contract": contract,
            "days": counts[contract.pk]["days"],
            "hours": counts[contract.pk]["hours"].quantize(step),
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
        entities: dict[int, LegalEntity] = {}
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
        what = Attestation.Kind(attestation.kind).label  # translated when shown
        notify(attestation.worker, notice.ATTESTATION_AVAILABLE, url=LIST, params={"what": what})
    return attestation
