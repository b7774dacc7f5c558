"""3en1 jobs: a draft invoice (invoicing's own Invoice), the work days of one worker under one
contract type, the expenses to reimburse, and the split of the invoice total.

The live form (`job_preview`) and the validation (`job_validate`) call the same
`job_split_on`, so what the member sees while typing is what the advisor validates. Nothing
here posts the contributions or the salary cost: the monthly runs do (docs/payroll.md §2, §6).

Automatic validation rule (documented in docs/payroll.md §6): a submitted job is validated at
once when invoicing would issue its invoice without an advisor, i.e. `needs_approval(invoice)`
gives no reason (the client is verified and the total excl. VAT is at most the invoicing
policy's approval threshold). Otherwise it waits in the advisors' queue.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log
from core.money import is_cents, to_decimal
from core.roles import is_staff
from core.types import AnyUser
from invoicing.invoice_services import (
    invoice_create,
    invoice_delete_draft,
    invoice_issue,
    invoice_update,
    needs_approval,
)
from invoicing.lines import LineData, lines_of, validate_lines
from invoicing.models import Client, Invoice
from members.models import User
from members.notifications import kinds as notice
from payroll.models import (
    Contract,
    ContractType,
    HeldReceipt,
    Job,
    JobExpense,
    PayoutLine,
    Worker,
)
from payroll.parameters import contract_parameters, rate_on, salary_due_on, withholding_table
from payroll.split import JobSplit, SplitInputError, job_split
from production_units.models import LedgerEntry, ProductionUnit
from production_units.services import ledger_post

from . import decision_services
from .contract_services import contract_create
from .work_days import DayInput, book_days, work_days_errors

ZERO = Decimal("0.00")
MAX_EXPENSE = Decimal("1e9")
MAX_RECEIPT_BYTES = 10 * 2**20
HELD_TOKEN_PREFIX = "held:"  # noqa: S105 (a form value prefix, not a secret)
HELD_FOR = timedelta(days=2)
JOB_DETAIL = "portal:work_job_detail"


@dataclass(frozen=True)
class ExpenseInput:
    """An expense as typed: a description, an amount, and a receipt (an uploaded file, the name
    of a receipt already stored, a HeldReceipt, or None)."""

    description: str
    amount: Decimal | int | str
    receipt: object = None


# --- the split ------------------------------------------------------------------------------


def job_split_on(
    *,
    turnover: Decimal,
    expenses: Decimal,
    contract_type: ContractType,
    days: list[DayInput],
    issue_day: date,
) -> JobSplit:
    """THE split of a job: the contract type's parameters and the withholding table in force on
    the first work day, the contribution rate in force on the invoice's issue day.

    Raises ValidationError naming the field (parameters missing, expenses above what C1
    leaves, a bad amount)."""
    first_day = min((day.date for day in days), default=issue_day)
    try:
        return job_split(
            turnover=turnover,
            expenses=expenses,
            parameters=contract_parameters(contract_type.code, first_day),
            turnover_rate=rate_on(issue_day),
            withholding=withholding_table(first_day),
            days=len(days),
        )
    except SplitInputError as error:
        field = {"turnover": "lines", "days": "days", "expenses": "expenses"}.get(
            error.field, "contract_type"
        )
        raise ValidationError({field: error.message}) from error


def job_preview(
    *,
    turnover: Decimal,
    expenses: Decimal,
    contract_type: ContractType,
    days: list[DayInput],
) -> JobSplit:
    """The split shown while the member types: the invoice would be issued today."""
    return job_split_on(
        turnover=turnover,
        expenses=expenses,
        contract_type=contract_type,
        days=days,
        issue_day=timezone.localdate(),
    )


def minimum_wage_message(split: JobSplit) -> str:
    return _(
        "%(amount)s € excl. VAT missing to pay the minimum wage for %(days)s days "
        "(minimum gross %(minimum)s €)."
    ) % {
        "amount": split.missing_turnover,
        "days": split.pay.days,
        "minimum": split.pay.minimum_gross,
    }


# --- inputs ---------------------------------------------------------------------------------


def _check_unit(unit: ProductionUnit, by: User) -> None:
    decision_services.check_unit(
        unit,
        by,
        tool=ProductionUnit.Tool.THREE_IN_ONE,
        wrong_tool=_("Jobs are for 3en1 units: choose a 3en1 unit."),
    )


def _check_fields(
    *, unit: ProductionUnit, worker: Worker, description: str, function: str
) -> decision_services.Errors:
    errors: decision_services.Errors = {}
    if not (description or "").strip():
        errors["description"] = _("Describe the job.")
    errors |= decision_services.worker_function_errors(
        unit=unit,
        worker=worker,
        function=function,
        no_function=_("Say which function the worker has (e.g. musician)."),
    )
    return errors


def clean_expenses(expenses: Iterable) -> list[ExpenseInput]:
    """Typed expenses → ExpenseInputs with Decimal amounts. Raises ValidationError under
    "expenses", each message naming its expense."""
    cleaned, errors = [], []
    for number, item in enumerate(expenses, start=1):
        if not isinstance(item, ExpenseInput):
            item = ExpenseInput(*item)
        description = (item.description or "").strip()
        try:
            amount = to_decimal(str(item.amount).strip().replace(",", "."))
        except (InvalidOperation, TypeError, ValueError):
            amount = None
        if not description:
            errors.append(_("Expense %(n)s: the description is required.") % {"n": number})
        if amount is None or not amount.is_finite():
            errors.append(_("Expense %(n)s: the amount is not a number.") % {"n": number})
        elif amount <= 0 or amount >= MAX_EXPENSE:
            errors.append(_("Expense %(n)s: the amount must be more than zero.") % {"n": number})
        elif not is_cents(amount):
            errors.append(_("Expense %(n)s: amounts are to the cent.") % {"n": number})
        else:
            cleaned.append(
                ExpenseInput(description, amount.quantize(Decimal("0.01")), item.receipt)
            )
    if errors:
        raise ValidationError({"expenses": errors})
    return cleaned


def _checked_inputs(
    *,
    unit: ProductionUnit,
    worker: Worker,
    description: str,
    function: str,
    days: list[DayInput],
    expenses: Iterable,
    job: Job | None = None,
) -> list[ExpenseInput]:
    """A job's typed fields, days (`job`'s own days aside) and expenses checked together:
    the cleaned expenses, or one ValidationError naming every field in error."""
    return decision_services.clean_together(
        _check_fields(unit=unit, worker=worker, description=description, function=function),
        day_problems=_day_errors(worker=worker, days=days, job=job),
        clean=lambda: clean_expenses(expenses),
    )


def _day_errors(*, worker: Worker, days: list[DayInput], job: Job | None = None) -> list[str]:
    return work_days_errors(worker=worker, days=sorted(days, key=lambda d: d.date), exclude_job=job)


def job_days(job: Job) -> list[DayInput]:
    """The days declared for a job (not yet under contract, or under its contract)."""
    return [
        DayInput(day.date, day.hours)
        for day in job.work_days.filter(cancelled=False).order_by("date")
    ]


def _write_days(job: Job, days: list[DayInput]) -> None:
    """Replace the job's declared days (before validation: no contract yet). Declared days
    hold the worker's dates, so another job or declaration can't take them."""
    job.work_days.filter(contract__isnull=True).delete()
    book_days(
        sorted(days, key=lambda d: d.date),
        worker=job.worker,
        unit=job.unit,
        function=job.function,
        contract_type=job.contract_type,
        job=job,
    )


def _write_expenses(job: Job, expenses: list[ExpenseInput]) -> None:
    job.expense_lines.all().delete()
    for expense in expenses:
        receipt = expense.receipt or ""
        if isinstance(receipt, HeldReceipt):
            # The held file becomes the expense's receipt; the holding row goes.
            held, receipt = receipt, receipt.file.name
            HeldReceipt.objects.filter(pk=held.pk).delete()
        JobExpense.objects.create(
            job=job,
            description=expense.description,
            amount=to_decimal(expense.amount),
            receipt=receipt,
        )
    job.expenses = sum((to_decimal(e.amount) for e in expenses), ZERO)


# --- receipts of a form sent back (no JavaScript) --------------------------------------------


@transaction.atomic
def receipt_hold(*, upload: UploadedFile, by: User) -> HeldReceipt:
    """Keep a receipt uploaded with a job form that is shown again without being saved (the
    "add a day" button without JavaScript, or a form with errors): the form then carries
    `held:<token>` instead of the file, and saving the job makes it the expense's receipt.
    The user's receipts held for more than two days are deleted (with their files).

    Raises ValidationError under "expenses" for a file over 10 MB."""
    if (upload.size or 0) > MAX_RECEIPT_BYTES:
        raise ValidationError({"expenses": _("A receipt is at most 10 MB.")})
    stale = HeldReceipt.objects.filter(owner=by, created_at__lt=timezone.now() - HELD_FOR)
    for old in stale:
        old.file.delete(save=False)
    stale.delete()
    name = PurePath(upload.name or "receipt").name[:200]
    held = HeldReceipt(token=secrets.token_urlsafe(32), owner=by, name=name)
    held.file.save(name, upload, save=False)
    held.save()
    audit_log(actor=by, action="job_receipt.held", obj=held, changes={"name": name})
    return held


def held_receipts(*, values: Iterable[str], by: AnyUser | None) -> dict[str, HeldReceipt]:
    """The receipts `by` holds, by form value (`held:<token>`); others' tokens are ignored."""
    tokens = {
        value.removeprefix(HELD_TOKEN_PREFIX)
        for value in values
        if isinstance(value, str) and value.startswith(HELD_TOKEN_PREFIX)
    }
    if not tokens or not isinstance(by, User) or not by.is_authenticated:
        return {}
    return {
        f"{HELD_TOKEN_PREFIX}{held.token}": held
        for held in HeldReceipt.objects.filter(owner=by, token__in=tokens)
    }


# --- create, update -------------------------------------------------------------------------


@transaction.atomic
def job_create(
    *,
    unit: ProductionUnit,
    client: Client,
    description: str,
    worker: Worker,
    contract_type: ContractType,
    function: str,
    lines: list[LineData],
    days: list[DayInput],
    expenses: Iterable,
    by: User,
    place_of_work: str = "",
) -> Job:
    """A draft job: its draft invoice (invoicing's invoice_create), its days and expenses.

    Raises ValidationError naming the field (a day in the past or already declared, bad
    hours, a bad line, an expense without amount…); PermissionDenied for another's unit."""
    _check_unit(unit, by)
    cleaned_expenses = _checked_inputs(
        unit=unit,
        worker=worker,
        description=description,
        function=function,
        days=days,
        expenses=expenses,
    )
    invoice = invoice_create(by=by, unit=unit, client=client, lines=lines)
    job = Job.objects.create(
        unit=unit,
        client=client,
        description=description.strip(),
        worker=worker,
        contract_type=contract_type,
        function=function.strip(),
        place_of_work=place_of_work.strip()[:300],
        invoice=invoice,
        turnover=invoice.net_total,
        created_by=by,
    )
    _write_expenses(job, cleaned_expenses)
    job.save(update_fields=["expenses"])
    _write_days(job, days)
    audit_log(
        actor=by,
        action="job.created",
        obj=job,
        changes={
            "invoice": invoice.pk,
            "turnover": str(job.turnover),
            "expenses": str(job.expenses),
            "days": [day.date.isoformat() for day in days],
        },
    )
    return job


@transaction.atomic
def job_update(
    *,
    job: Job,
    description: str,
    worker: Worker,
    contract_type: ContractType,
    function: str,
    lines: list[LineData],
    days: list[DayInput],
    expenses: Iterable,
    by: User,
    place_of_work: str = "",
) -> Job:
    """Change a draft (or rejected) job: its invoice's lines, days, expenses. The unit and the
    client stay (they are the invoice's). A rejected job goes back to draft.

    Raises ValidationError naming the field."""
    job = Job.objects.select_for_update(of=("self",)).select_related("unit__holder").get(pk=job.pk)
    _check_unit(job.unit, by)
    if job.status not in (Job.Status.DRAFT, Job.Status.REJECTED):
        raise ValidationError(_("Only a draft job can be changed."))
    cleaned_expenses = _checked_inputs(
        unit=job.unit,
        worker=worker,
        description=description,
        function=function,
        days=days,
        expenses=expenses,
        job=job,
    )
    invoice = invoice_update(invoice=_invoice_of(job), by=by, lines=lines, for_job=True)
    job.description = description.strip()
    job.worker = worker
    job.contract_type = contract_type
    job.function = function.strip()
    job.place_of_work = place_of_work.strip()[:300]
    job.turnover = invoice.net_total
    job.status = Job.Status.DRAFT
    _write_expenses(job, cleaned_expenses)
    job.save()
    _write_days(job, days)
    audit_log(
        actor=by,
        action="job.updated",
        obj=job,
        changes={
            "turnover": str(job.turnover),
            "expenses": str(job.expenses),
            "days": [day.date.isoformat() for day in days],
        },
    )
    return job


# --- submit, validate, reject ---------------------------------------------------------------


def _invoice_of(job: Job) -> Invoice:
    """The job's invoice: every job is created with its draft invoice (job_create)."""
    assert job.invoice is not None
    return job.invoice


def _checked_split(job: Job, days: list[DayInput], *, issue_day: date) -> JobSplit:
    split = job_split_on(
        turnover=_invoice_of(job).net_total,
        expenses=job.expenses,
        contract_type=job.contract_type,
        days=days,
        issue_day=issue_day,
    )
    if not split.is_payable:
        raise ValidationError({"lines": minimum_wage_message(split)})
    return split


@transaction.atomic
def job_submit(*, job: Job, by: User) -> Job:
    """Submit a draft job: checked (days, invoice lines, minimum wage, expenses), then
    validated at once under the automatic rule (module docstring), else queued for an
    advisor. Raises ValidationError naming the field."""
    job = (
        Job.objects.select_for_update(of=("self",))
        .select_related("unit__holder", "invoice")
        .get(pk=job.pk)
    )
    _check_unit(job.unit, by)
    if job.status != Job.Status.DRAFT:
        raise ValidationError(_("Only a draft job can be submitted."))
    days = job_days(job)
    decision_services.clean_together(
        {},
        day_problems=_day_errors(worker=job.worker, days=days, job=job),
        clean=lambda: validate_lines(
            lines_of(_invoice_of(job)), client=job.client, day=timezone.localdate()
        ),
    )
    split = _checked_split(job, days, issue_day=timezone.localdate())
    job.turnover = _invoice_of(job).net_total
    job.split = split.amounts()
    job.status = Job.Status.SUBMITTED
    job.submitted_at = timezone.now()
    job.save(update_fields=["turnover", "split", "status", "submitted_at"])
    reasons = needs_approval(_invoice_of(job))
    audit_log(
        actor=by,
        action="job.submitted",
        obj=job,
        changes={"turnover": str(job.turnover), "gross": str(split.pay.gross)},
        reason="; ".join(reasons),
    )
    if not reasons:
        return _validate(job=job, by=by, automatic=True)
    return job


@transaction.atomic
def job_validate(*, job: Job, by: User, past_start_reason: str = "") -> Job:
    """An advisor validates a submitted job: the invoice is issued (invoicing: number, PDF,
    turnover posted), the split recomputed on the issue date and frozen, the contract created
    (work days, Dimona IN), the expenses reimbursement posted to the unit (−E) and the
    payouts prepared (net salary advance, expenses).

    Raises PermissionDenied for a non-advisor, ValidationError naming the field."""
    if not is_staff(by):
        raise PermissionDenied(_("Only an advisor can validate a job."))
    return _validate(job=job, by=by, past_start_reason=past_start_reason)


def _validate(*, job: Job, by: User, automatic: bool = False, past_start_reason: str = "") -> Job:
    job = (
        Job.objects.select_for_update(of=("self",))
        .select_related("unit__legal_entity", "worker", "contract_type", "invoice", "client")
        .get(pk=job.pk)
    )
    if job.status != Job.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted job can be validated."))
    days = job_days(job)
    invoice = invoice_issue(invoice=_invoice_of(job), by=by)
    assert invoice.issue_date is not None  # issued
    split = _checked_split(job, days, issue_day=invoice.issue_date)
    # The declared days become the contract's days (contract_create writes them again).
    job.work_days.filter(contract__isnull=True).delete()
    contract = contract_create(
        unit=job.unit,
        worker=job.worker,
        contract_type=job.contract_type,
        function=job.function,
        days=days,
        pay=split.pay,
        by=by,
        job=job,
        past_start_reason=past_start_reason,
        place_of_work=job.place_of_work,
    )
    job.turnover = invoice.net_total
    job.split = split.amounts()
    job.status = Job.Status.VALIDATED
    job.decided_by = account_or_none(by)
    job.decided_at = timezone.now()
    job.save(update_fields=["turnover", "split", "status", "decided_by", "decided_at"])
    _post_expenses(job, invoice, by)
    _prepare_payouts(job, contract, split, days[-1].date)
    audit_log(
        actor=by,
        action="job.validated",
        obj=job,
        changes={
            "invoice": invoice.display_number,
            "contract": contract.reference,
            "split": job.split,
            "automatic": automatic,
        },
        reason=_("automatic: verified client, under the approval threshold") if automatic else "",
    )
    if not automatic:
        decision_services.notify_approved(
            job, notice.JOB_APPROVED, holder=job.unit.holder, url=JOB_DETAIL, what=job.description
        )
    return job


def _post_expenses(job: Job, invoice: Invoice, by: User) -> None:
    assert invoice.issue_date is not None  # issued
    if job.expenses > 0:
        ledger_post(
            unit=job.unit,
            kind=LedgerEntry.Kind.EXPENSE,
            amount=-job.expenses,
            booked_on=invoice.issue_date,
            label_code="job_expenses",
            label_params={"number": invoice.display_number, "job": job.description[:120]},
            source=job,
            by=by,
        )


def _prepare_payouts(job: Job, contract: Contract, split: JobSplit, last_day: date) -> None:
    worker = job.worker
    due_on = salary_due_on(last_day=last_day)
    common = {
        "worker": worker,
        "beneficiary": f"{worker.first_name} {worker.last_name}"[:140],
        "iban": worker.iban,
        "due_on": due_on,
    }
    if split.pay.net > 0:
        PayoutLine.objects.create(
            kind=PayoutLine.Kind.SALARY_ADVANCE,
            amount=split.pay.net,
            remittance=(_("Salary %(contract)s") % {"contract": contract.reference})[:140],
            contract=contract,
            **common,
        )
    if job.expenses > 0:
        PayoutLine.objects.create(
            kind=PayoutLine.Kind.EXPENSE,
            amount=job.expenses,
            remittance=(
                _("Expenses of job %(job)s · %(number)s")
                % {"job": job.pk, "number": _invoice_of(job).display_number}
            )[:140],
            **common,
        )


@transaction.atomic
def job_reject(*, job: Job, by: User, reason: str) -> Job:
    """An advisor sends a submitted job back with a reason: its days are released, its
    invoice stays a draft; the member may correct it and submit again.

    Raises PermissionDenied for a non-advisor, ValidationError without a reason."""
    job = decision_services.reject_submitted(
        job,
        by=by,
        reason=reason,
        action="job.rejected",
        not_allowed=_("Only an advisor can reject a job."),
        no_reason=_("Say why the job is rejected."),
        not_submitted=_("Only a submitted job can be rejected."),
    )
    decision_services.notify_holder(
        job, notice.JOB_REFUSED, url=JOB_DETAIL, what=job.description, reason=job.decision_reason
    )
    return job


# --- cancel ---------------------------------------------------------------------------------

CANCELLABLE_JOB = (Job.Status.DRAFT, Job.Status.REJECTED)


@transaction.atomic
def job_cancel(*, job: Job, by: User, reason: str) -> Job:
    """The unit's holder cancels a job that was never submitted (a draft, or one an advisor
    sent back): its draft invoice is deleted (never numbered), its days are released, the
    job stays, cancelled, with who, when and why (decided_by/at, decision_reason, audit).

    Raises PermissionDenied for another's job, ValidationError for a job that is not a draft
    or without a reason."""
    job, reason = decision_services.cancel_checked(
        job,
        by=by,
        reason=reason,
        no_reason=_("Say why the job is cancelled."),
        cancellable=CANCELLABLE_JOB,
        not_cancellable=_("Only a draft job can be cancelled: this one is %(status)s."),
        related=("unit__holder", "invoice"),
    )
    invoice = job.invoice
    job.invoice = None
    days = decision_services.cancel_record(job, by=by, reason=reason, also=("invoice",))
    if invoice is not None:
        invoice_delete_draft(invoice=invoice, by=by)
    audit_log(
        actor=by,
        action="job.cancelled",
        obj=job,
        changes={
            "status": "cancelled",
            "invoice_deleted": invoice.pk if invoice else None,
            "days_released": days,
        },
        reason=reason,
    )
    return job
