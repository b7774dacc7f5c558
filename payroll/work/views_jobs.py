"""Portal pages of 3en1 jobs: list, CSV, form with the live split, detail, submit, cancel.
Every rule is the services'; the pages display."""

import re
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from core.exports import csv_response
from core.money import cents
from core.permissions import member_required
from invoicing.invoice_services import needs_approval
from invoicing.line_input import line_formset
from invoicing.lines import check_lines
from payroll.models import Job

from .forms import (
    JobForm,
    SplitForm,
    day_formset,
    expense_formset,
    job_filter_form,
    with_one_more,
)
from .job_services import (
    CANCELLABLE_JOB,
    HELD_TOKEN_PREFIX,
    MAX_RECEIPT_BYTES,
    held_receipts,
    job_cancel,
    job_create,
    job_days,
    job_preview,
    job_submit,
    job_update,
    minimum_wage_message,
    receipt_hold,
)
from .views import (
    _cancel_page,
    _ensure_holder_workers,
    _filtered,
    _formset_errors,
    add_service_errors,
    error_messages,
    form_errors,
    get_own_job_or_404,
    list_page,
    split_rows,
    trail,
)

# --- jobs: list -----------------------------------------------------------------------------


def _my_jobs(user):
    return (
        Job.objects.filter(unit__holder__user=user)
        .select_related("unit", "client", "worker", "invoice__series")
        .order_by("-created_at", "-id")
    )


@member_required
def job_list(request):
    form = job_filter_form(request.GET or None, user=request.user)
    return list_page(request, "payroll/work/job_list.html", _my_jobs(request.user), form)


@member_required
def job_list_csv(request):
    form = job_filter_form(request.GET or None, user=request.user)
    jobs, status = _filtered(request, _my_jobs(request.user), form)
    if status == 400:
        return HttpResponse(
            "\n".join(error_messages(ValidationError(form.errors))),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    header = [
        _("Job"), _("Status"), _("Unit"), _("Client"), _("Worker"), _("Invoice"),
        _("Total excl. VAT (EUR)"), _("Expenses (EUR)"), _("Gross (EUR)"), _("Net (EUR)"),
        _("Created on"),
    ]  # fmt: skip
    rows = (
        [
            job.description,
            job.get_status_display(),
            job.unit.code,
            job.client.name,
            str(job.worker),
            job.invoice.display_number if job.invoice else "",
            cents(job.turnover),
            cents(job.expenses),
            _split_amount(job.split, "gross"),
            _split_amount(job.split, "net"),
            timezone.localdate(job.created_at),
        ]
        for job in jobs.iterator(chunk_size=500)
    )
    return csv_response(filename="jobs.csv", header=header, rows=rows)


def _split_amount(split: dict, name: str) -> Decimal | None:
    """An amount of the job's stored split (a decimal string), typed for the export."""
    value = split.get(name)
    return None if value in (None, "") else Decimal(value)


# --- jobs: form and live split --------------------------------------------------------------


def _job_initial(job: Job) -> dict:
    return {
        "unit": job.unit_id,
        "client": job.client_id,
        "description": job.description,
        "worker": job.worker_id,
        "contract_type": job.contract_type.code,
        "function": job.function,
        "place_of_work": job.place_of_work,
    }


def _job_formsets(data, files, job=None):
    if job is None:
        return (line_formset(data), day_formset(data), expense_formset(data, files))
    # A rejected job's days are released (cancelled) but still what the member typed.
    days = [
        {"date": day.date, "hours": day.hours}
        for day in job.work_days.filter(contract__isnull=True).order_by("date")
    ]
    expenses = [
        {"description": e.description, "amount": f"{e.amount:.2f}", "kept_receipt": e.receipt.name}
        for e in job.expense_lines.all()
    ]
    return (
        line_formset(data, lines=list(job.invoice.lines.select_related("exemption_reason"))),
        day_formset(data, initial=days, extra=1),
        expense_formset(data, files, initial=expenses, extra=1),
    )


def _job_page(request, context, status=200):
    context.setdefault("block_errors", [])
    context["split_url"] = reverse("portal:work_job_split")
    context["totals_url"] = reverse("portal:lines_totals")
    context.setdefault("split_waiting", True)
    return render(request, "payroll/work/job_form.html", context, status=status)


RECEIPT_FIELD = re.compile(r"^expenses-(\d+)-receipt$")


def _hold_receipts(request, data):
    """The form is posted with receipts: each (up to 10 MB; a bigger one is left to the form,
    which refuses it) is held by the service and its row carries `held:<token>` instead, so
    that a form shown again (add a day, errors) keeps it without JavaScript. Returns the data
    and the files still to give the formset."""
    data = data.copy()
    files = MultiValueDict()
    for key, upload in request.FILES.items():
        match = RECEIPT_FIELD.match(key)
        if match and upload.size <= MAX_RECEIPT_BYTES:
            held = receipt_hold(upload=upload, by=request.user)
            data[f"expenses-{match.group(1)}-kept_receipt"] = f"{HELD_TOKEN_PREFIX}{held.token}"
        else:
            files.setlist(key, request.FILES.getlist(key))
    return data, files


def _job_form_view(request, job=None):
    problems = _ensure_holder_workers(request)
    data = request.POST if request.method == "POST" else None
    files = request.FILES or None
    if data is not None and request.FILES:
        data, files = _hold_receipts(request, data)
    adding = data is not None and ("add_day" in data or "add_expense" in data)
    if adding:
        data = with_one_more(data, "days" if "add_day" in data else "expenses")
    initial = _job_initial(job) if job else None
    form = JobForm(data, initial=initial, user=request.user)
    lines, days, expenses = _job_formsets(data, files or None, job)
    held = held_receipts(values=expenses.kept_values(), by=request.user)
    expenses.show_held(held)
    context = {"form": form, "formset": lines, "days": days, "expenses": expenses, "job": job,
               "worker_problems": problems}  # fmt: skip
    if data is None or adding:
        return _job_page(request, context)
    valid = all([form.is_valid(), lines.is_valid(), days.is_valid(), expenses.is_valid()])
    if valid:
        kept = {e.receipt.name for e in job.expense_lines.all() if e.receipt} if job else set()
        fields = {
            "description": form.cleaned_data["description"],
            "worker": form.cleaned_data["worker"],
            "contract_type": form.cleaned_data["contract_type"],
            "function": form.cleaned_data["function"],
            "place_of_work": form.cleaned_data["place_of_work"],
            "lines": lines.line_data(),
            "days": days.day_inputs(),
            "expenses": expenses.expense_inputs(kept=kept, held=held),
            "by": request.user,
        }
        try:
            if job is None:
                job = job_create(
                    unit=form.cleaned_data["unit"], client=form.cleaned_data["client"], **fields
                )
            else:
                job = job_update(job=job, **fields)
        except ValidationError as error:
            context["block_errors"] = add_service_errors(form, error)
        except PermissionDenied as error:
            context["block_errors"] = [str(error)]
        else:
            messages.success(request, _("Job saved. Check the split, then submit it."))
            return redirect("portal:work_job_detail", pk=job.pk)
    else:
        context["block_errors"] = (
            lines.error_messages_by_line() + _formset_errors(days) + _formset_errors(expenses)
        )
    return _job_page(request, context, status=400)


@member_required
def job_create_view(request):
    return _job_form_view(request)


@member_required
def job_edit(request, pk):
    job = get_own_job_or_404(request, pk)
    if job.status not in (Job.Status.DRAFT, Job.Status.REJECTED):
        messages.error(request, _("Only a draft job can be changed."))
        return redirect("portal:work_job_detail", pk=job.pk)
    return _job_form_view(request, job)


@member_required
def job_split(request):
    """The live split of a job being typed: the same checks as saving (the form, the invoice
    lines, then job_preview — the function validation uses); an HTML fragment."""
    if request.method != "POST":
        return render(request, "payroll/work/_split.html", {"waiting": True})
    form = SplitForm(request.POST, user=request.user)
    lines, days, expenses = (
        line_formset(request.POST),
        day_formset(request.POST),
        (expense_formset(request.POST)),
    )
    errors = []
    if all([form.is_valid(), lines.is_valid(), days.is_valid(), expenses.is_valid()]):
        try:
            totals = check_lines(lines.line_data(), client=form.cleaned_data["client"])
            split = job_preview(
                turnover=totals.net_total,
                expenses=expenses.total_typed(),
                contract_type=form.cleaned_data["contract_type"],
                days=days.day_inputs(),
            )
        except ValidationError as error:
            errors = error_messages(error)
        else:
            context = {
                "rows": split_rows(split.amounts()),
                "split": split,
                "missing": minimum_wage_message(split) if not split.is_payable else "",
            }
            return render(request, "payroll/work/_split.html", context)
    else:
        errors = (
            form_errors(form)
            + lines.error_messages_by_line()
            + _formset_errors(days)
            + _formset_errors(expenses)
        )
    return render(request, "payroll/work/_split.html", {"errors": errors}, status=400)


# --- jobs: detail and submit ----------------------------------------------------------------


def _job_preview_rows(job: Job):
    """The split of a draft, as it would be submitted today (None when it can't be computed)."""
    if job.split:
        return split_rows(job.split), ""
    if job.invoice is None:  # cancelled: its draft invoice is deleted
        return None, ""
    try:
        split = job_preview(
            turnover=job.invoice.net_total,
            expenses=job.expenses,
            contract_type=job.contract_type,
            days=job_days(job),
        )
    except ValidationError as error:
        return None, " ".join(error_messages(error))
    return split_rows(split.amounts()), minimum_wage_message(split) if not split.is_payable else ""


@member_required
def job_detail(request, pk):
    job = get_own_job_or_404(request, pk)
    rows, warning = _job_preview_rows(job)
    context = {
        "job": job,
        "rows": rows,
        "warning": warning,
        "days": job.work_days.filter(cancelled=False).order_by("date"),
        "expenses": job.expense_lines.all(),
        "contracts": job.contracts.all(),
        "payouts": [c.advance for c in job.contracts.all() if hasattr(c, "advance")],
        "history": trail(job),
    }
    return render(request, "payroll/work/job_detail.html", context)


def _submit_paragraphs(job: Job) -> list[str]:
    try:
        reasons = needs_approval(job.invoice) if job.invoice is not None else []
    except ValidationError as error:
        return error.messages
    if reasons:
        return [
            _("It will go to your advisor, who validates it, because %(why)s.")
            % {"why": "; ".join(reasons)}
        ]
    return [
        _(
            "It will be validated at once: the invoice is issued and sent to your client, the "
            "contract is made and the salary is paid within the delay."
        )
    ]


@member_required
def job_submit_view(request, pk):
    job = get_own_job_or_404(request, pk)
    rows, warning = _job_preview_rows(job)
    context = {
        "object": job,
        "back_url": reverse("portal:work_job_detail", args=[job.pk]),
        "title": _("Submit this job?"),
        "paragraphs": _submit_paragraphs(job),
        "rows": rows,
        "button": _("Submit"),
    }
    if request.method != "POST":
        if job.status != Job.Status.DRAFT:
            messages.error(request, _("Only a draft job can be submitted."))
            return redirect("portal:work_job_detail", pk=job.pk)
        return render(request, "payroll/work/confirm.html", context)
    try:
        job = job_submit(job=job, by=request.user)
    except ValidationError as error:
        context["errors"] = error_messages(error)
        return render(request, "payroll/work/confirm.html", context, status=400)
    if job.status == Job.Status.VALIDATED:
        messages.success(request, _("The job is validated: the invoice is issued."))
    else:
        messages.info(request, _("The job is submitted: your advisor validates it."))
    return redirect("portal:work_job_detail", pk=job.pk)


@member_required
def job_cancel_view(request, pk):
    job = get_own_job_or_404(request, pk)
    invoice = job.invoice

    def cancel(reason):
        job_cancel(job=job, by=request.user, reason=reason)
        messages.success(request, _("The job is cancelled."))
        return redirect("portal:work_job_detail", pk=job.pk)

    paragraphs = [
        _("Its work days are released and its draft invoice is deleted (it was never issued)."),
    ]
    if invoice is not None:
        paragraphs.append(
            _("Draft invoice for %(client)s: %(total)s € excl. VAT.")
            % {"client": job.client.name, "total": invoice.net_total}
        )
    context = {
        "object": job,
        "back_url": reverse("portal:work_job_detail", args=[job.pk]),
        "title": _("Cancel this job?"),
        "paragraphs": paragraphs,
        "days": job.work_days.filter(cancelled=False).order_by("date"),
        "expenses": job.expense_lines.all(),
        "button": _("Cancel the job"),
    }
    return _cancel_page(
        request,
        context,
        cancellable=job.status in CANCELLABLE_JOB,
        not_allowed=_("Only a draft job can be cancelled: this one is %(status)s.")
        % {"status": job.get_status_display()},
        cancel=cancel,
    )
