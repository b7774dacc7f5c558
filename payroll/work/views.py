"""Portal pages of work: 3en1 jobs (list, CSV, form with the live split, detail, submit),
Activité declarations (list, form with the live cost, detail, submit) and the worker's
contracts (list, detail, accept). Every rule is the services'; the pages display."""

import re
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import csv_response
from core.money import cents
from core.permissions import member_required
from invoicing.history import document_history
from invoicing.invoice_services import needs_approval
from invoicing.line_input import line_formset
from invoicing.lines import check_lines
from payroll.models import Contract, Job, WorkDeclaration
from payroll.workers.worker_services import unit_holder_worker, worker_of_user
from production_units.models import ProductionUnit
from production_units.selectors import unit_available_balance

from .contract_pdf import contract_pdf_store
from .contract_services import contract_accept
from .declaration_services import (
    declaration_cancel,
    declaration_cost,
    declaration_create,
    declaration_submit,
    minimum_gross_message,
)
from .forms import (
    CancelForm,
    DeclarationForm,
    JobForm,
    SplitForm,
    day_formset,
    declaration_filter_form,
    expense_formset,
    job_filter_form,
    own_q,
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

PAGE_SIZE = 25

# The split's amounts, in the order of docs/payroll.md §2, with what a member reads.
SPLIT_ROWS = [
    ("turnover", gettext_lazy("Invoice total excl. VAT (T)"), "total"),
    ("turnover_contribution", gettext_lazy("Turnover contribution (C1)"), "minus"),
    ("expenses", gettext_lazy("Expenses reimbursed to the worker (E)"), "minus"),
    ("employment_budget", gettext_lazy("Employment budget (B = T − C1 − E)"), "total"),
    ("gross", gettext_lazy("Gross salary"), ""),
    ("employer_charges", gettext_lazy("Employer charges"), ""),
    ("employment_cost", gettext_lazy("Employment cost (gross + charges)"), "minus"),
    ("employment_contribution", gettext_lazy("Employment contribution (C2)"), "minus"),
    ("residue", gettext_lazy("Residue, kept by your unit"), "minus"),
    ("employee_social_security", gettext_lazy("Employee social security"), ""),
    ("taxable", gettext_lazy("Taxable pay"), ""),
    ("withholding", gettext_lazy("Withholding tax"), ""),
    ("net", gettext_lazy("Net salary paid to the worker"), "total"),
]
COST_KEYS = [
    "gross", "employer_charges", "employment_cost", "employment_contribution", "budget",
    "employee_social_security", "taxable", "withholding", "net",
]  # fmt: skip
COST_LABELS = {key: label for key, label, _kind in SPLIT_ROWS} | {
    "budget": gettext_lazy("Budget drawn from the balance (gross × coefficient)")
}
ACTION_LABELS = {
    "job.created": gettext_lazy("draft created"),
    "job.updated": gettext_lazy("draft changed"),
    "job.submitted": gettext_lazy("submitted"),
    "job.validated": gettext_lazy("validated"),
    "job.rejected": gettext_lazy("sent back by an advisor"),
    "job.cancelled": gettext_lazy("cancelled"),
    "work_declaration.created": gettext_lazy("draft created"),
    "work_declaration.submitted": gettext_lazy("submitted"),
    "work_declaration.approved": gettext_lazy("approved by an advisor"),
    "work_declaration.overdraft_approved": gettext_lazy("overdraft approved by an advisor"),
    "work_declaration.rejected": gettext_lazy("rejected by an advisor"),
    "work_declaration.cancelled": gettext_lazy("cancelled"),
    "contract.created": gettext_lazy("contract created"),
    "contract.accepted": gettext_lazy("accepted by the worker"),
    "contract.cancelled": gettext_lazy("cancelled"),
}


# --- access ---------------------------------------------------------------------------------


def get_own_job_or_404(request, pk) -> Job:
    """A job of one of the user's units, or 404."""
    return get_object_or_404(
        Job.objects.filter(unit__holder__user=request.user).select_related(
            "unit", "client", "worker", "contract_type", "invoice__series"
        ),
        pk=pk,
    )


def get_own_declaration_or_404(request, pk) -> WorkDeclaration:
    return get_object_or_404(
        WorkDeclaration.objects.filter(unit__holder__user=request.user).select_related(
            "unit", "worker", "contract_type"
        ),
        pk=pk,
    )


def get_own_contract_or_404(request, pk) -> Contract:
    """A contract of the user as a worker, or of one of the units they hold, or 404."""
    return get_object_or_404(
        Contract.objects.filter(own_q(request.user)).select_related(
            "unit", "worker", "contract_type", "legal_entity"
        ),
        pk=pk,
    )


# --- helpers --------------------------------------------------------------------------------


def amount_rows(amounts: dict, keys_labels) -> list[dict]:
    rows = []
    for key, label, kind in keys_labels:
        if key in amounts:
            rows.append({"key": key, "label": label, "kind": kind, "value": Decimal(amounts[key])})
    return rows


def split_rows(amounts: dict) -> list[dict]:
    return amount_rows(amounts, SPLIT_ROWS)


def cost_rows(amounts: dict) -> list[dict]:
    return amount_rows(amounts, [(key, COST_LABELS[key], "") for key in COST_KEYS])


def error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return error.messages


def add_service_errors(form, error: ValidationError) -> list[str]:
    """Put a service's errors on the form's fields; the others (days, lines, expenses) are
    returned to be shown with their block."""
    others = []
    if not hasattr(error, "error_dict"):
        return error.messages
    for field, messages_ in error.message_dict.items():
        if field in form.fields:
            form.add_error(field, messages_)
        else:
            others.extend(messages_)
    return others


def trail(obj) -> list[dict]:
    rows = document_history(obj)
    for row in rows:
        row["action"] = ACTION_LABELS.get(str(row["action"]), row["action"])
    return rows


def _ensure_holder_workers(request) -> list[str]:
    """The member's own Worker record in each of their units (created on first use); the
    reasons it can't be made (no national number, no IBAN in the member file)."""
    problems = set()
    for unit in ProductionUnit.objects.held_by(request.user).active():
        try:
            unit_holder_worker(unit, by=request.user)
        except ValidationError as error:
            problems.update(error_messages(error))
    return sorted(problems)


def _formset_errors(formset) -> list[str]:
    if not formset.is_bound or formset.is_valid():
        return []
    messages_ = []
    for number, form in enumerate(formset.forms, start=1):
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages_.append(
                    _("Row %(n)s, %(field)s: %(message)s")
                    % {"n": number, "field": label, "message": error}
                )
    messages_.extend(formset.non_form_errors())
    return messages_


# --- jobs: list -----------------------------------------------------------------------------


def _my_jobs(user):
    return (
        Job.objects.filter(unit__holder__user=user)
        .select_related("unit", "client", "worker", "invoice__series")
        .order_by("-created_at", "-id")
    )


def _filtered(request, queryset, form):
    status = 200
    if form.is_bound:
        if form.is_valid():
            queryset = form.filter(queryset)
        else:
            status = 400
    return queryset, status


@member_required
def job_list(request):
    form = job_filter_form(request.GET or None, user=request.user)
    jobs, status = _filtered(request, _my_jobs(request.user), form)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filters_ignored": status == 400}
    return render(request, "payroll/work/job_list.html", context, status=status)


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
            [
                f"{form[name].label}: {message}" if name in form.fields else message
                for name, messages_ in form.errors.items()
                for message in messages_
            ]
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


def _cancel_page(request, context, *, cancellable: bool, not_allowed: str, cancel):
    """The confirmation page of a cancellation: GET shows what is cancelled and asks why,
    POST cancels through the service. Not cancellable: the page says why, with a 400."""
    form = CancelForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "errors": [], **context}
    if not cancellable:
        context["errors"] = [not_allowed]
        context["form"] = None
        return render(request, "payroll/work/cancel.html", context, status=400)
    if request.method != "POST":
        return render(request, "payroll/work/cancel.html", context)
    if form.is_valid():
        try:
            return cancel(form.cleaned_data["reason"])
        except ValidationError as error:
            context["errors"] = add_service_errors(form, error)
    return render(request, "payroll/work/cancel.html", context, status=400)


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


# --- declarations ---------------------------------------------------------------------------


def _my_declarations(user):
    return (
        WorkDeclaration.objects.filter(unit__holder__user=user)
        .select_related("unit", "worker", "contract_type")
        .order_by("-created_at", "-id")
    )


@member_required
def declaration_list(request):
    form = declaration_filter_form(request.GET or None, user=request.user)
    declarations, status = _filtered(request, _my_declarations(request.user), form)
    page = Paginator(declarations, PAGE_SIZE).get_page(request.GET.get("page"))
    units = ProductionUnit.objects.held_by(request.user).filter(tool=ProductionUnit.Tool.ACTIVITY)
    balances = [{"unit": unit, "available": unit_available_balance(unit=unit)} for unit in units]
    context = {"form": form, "page": page, "filters_ignored": status == 400, "balances": balances}
    return render(request, "payroll/work/declaration_list.html", context, status=status)


def _declaration_page(request, context, status=200):
    context["cost_url"] = reverse("portal:work_declaration_cost")
    context.setdefault("block_errors", [])
    return render(request, "payroll/work/declaration_form.html", context, status=status)


@member_required
def declaration_create_view(request):
    problems = _ensure_holder_workers(request)
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_day" in data:
        data = with_one_more(data, "days")
    form = DeclarationForm(data, user=request.user)
    days = day_formset(data)
    context = {"form": form, "days": days, "worker_problems": problems}
    if data is None or "add_day" in data:
        return _declaration_page(request, context)
    if form.is_valid() and days.is_valid():
        try:
            declaration = declaration_create(
                unit=form.cleaned_data["unit"],
                worker=form.cleaned_data["worker"],
                contract_type=form.cleaned_data["contract_type"],
                function=form.cleaned_data["function"],
                gross=form.cleaned_data["gross"],
                days=days.day_inputs(),
                by=request.user,
            )
        except ValidationError as error:
            context["block_errors"] = add_service_errors(form, error)
        except PermissionDenied as error:
            context["block_errors"] = [str(error)]
        else:
            messages.success(request, _("Declaration saved. Submit it when it is ready."))
            return redirect("portal:work_declaration_detail", pk=declaration.pk)
    else:
        context["block_errors"] = _formset_errors(days)
    return _declaration_page(request, context, status=400)


@member_required
def declaration_cost_view(request):
    """The live cost of a declaration being typed, and what the unit's balance can pay."""
    if request.method != "POST":
        return render(request, "payroll/work/_cost.html", {"waiting": True})
    form = DeclarationForm(request.POST, user=request.user)
    days = day_formset(request.POST)
    for name in ("worker", "function"):
        form.fields[name].required = False
    errors = []
    if form.is_valid() and days.is_valid():
        try:
            pay = declaration_cost(
                gross=form.cleaned_data["gross"],
                contract_type=form.cleaned_data["contract_type"],
                days=days.day_inputs(),
            )
        except ValidationError as error:
            errors = error_messages(error)
        else:
            available = unit_available_balance(unit=form.cleaned_data["unit"])
            context = {
                "rows": cost_rows({k: str(v) for k, v in vars(pay).items()}),
                "pay": pay,
                "available": available,
                "missing": pay.missing_from(available),
                "minimum": minimum_gross_message(pay) if pay.gross_missing else "",
            }
            return render(request, "payroll/work/_cost.html", context)
    else:
        errors = [
            f"{form[name].label}: {message}" if name in form.fields else message
            for name, messages_ in form.errors.items()
            for message in messages_
        ] + _formset_errors(days)
    return render(request, "payroll/work/_cost.html", {"errors": errors}, status=400)


@member_required
def declaration_detail(request, pk):
    declaration = get_own_declaration_or_404(request, pk)
    context = {
        "declaration": declaration,
        "rows": cost_rows(declaration.split),
        "available": unit_available_balance(unit=declaration.unit, exclude=declaration),
        "days": declaration.work_days.filter(cancelled=False).order_by("date"),
        "contracts": declaration.contracts.all(),
        "history": trail(declaration),
    }
    return render(request, "payroll/work/declaration_detail.html", context)


@member_required
def declaration_submit_view(request, pk):
    declaration = get_own_declaration_or_404(request, pk)
    context = {
        "object": declaration,
        "back_url": reverse("portal:work_declaration_detail", args=[declaration.pk]),
        "title": _("Submit this declaration?"),
        "paragraphs": [
            _("Your advisor approves it; its budget of %(budget)s € is reserved on the balance.")
            % {"budget": declaration.budget}
        ],
        "rows": cost_rows(declaration.split),
        "button": _("Submit"),
    }
    if request.method != "POST":
        if declaration.status != WorkDeclaration.Status.DRAFT:
            messages.error(request, _("Only a draft declaration can be submitted."))
            return redirect("portal:work_declaration_detail", pk=declaration.pk)
        return render(request, "payroll/work/confirm.html", context)
    try:
        declaration_submit(declaration=declaration, by=request.user)
    except ValidationError as error:
        context["errors"] = error_messages(error)
        return render(request, "payroll/work/confirm.html", context, status=400)
    messages.info(request, _("The declaration is submitted: your advisor approves it."))
    return redirect("portal:work_declaration_detail", pk=declaration.pk)


@member_required
def declaration_cancel_view(request, pk):
    declaration = get_own_declaration_or_404(request, pk)

    def cancel(reason):
        declaration_cancel(declaration=declaration, by=request.user, reason=reason)
        messages.success(request, _("The declaration is cancelled."))
        return redirect("portal:work_declaration_detail", pk=declaration.pk)

    context = {
        "object": declaration,
        "back_url": reverse("portal:work_declaration_detail", args=[declaration.pk]),
        "title": _("Cancel this declaration?"),
        "paragraphs": [
            _("Its work days are released; gross %(gross)s €, budget %(budget)s €.")
            % {"gross": declaration.gross, "budget": declaration.budget}
        ],
        "days": declaration.work_days.filter(cancelled=False).order_by("date"),
        "button": _("Cancel the declaration"),
    }
    return _cancel_page(
        request,
        context,
        cancellable=declaration.status == WorkDeclaration.Status.DRAFT,
        not_allowed=_("Only a draft declaration can be cancelled: this one is %(status)s.")
        % {"status": declaration.get_status_display()},
        cancel=cancel,
    )


# --- contracts ------------------------------------------------------------------------------


@login_required
def contract_list(request):
    contracts = (
        Contract.objects.filter(own_q(request.user))
        .select_related("unit", "worker", "contract_type")
        .order_by("-start_date", "-id")
    )
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    worker = worker_of_user(request.user)
    return render(request, "payroll/work/contract_list.html", {"page": page, "worker": worker})


@login_required
def contract_detail(request, pk):
    contract = get_own_contract_or_404(request, pk)
    context = {
        "contract": contract,
        "is_worker": contract.worker.user_id == request.user.pk,
        "days": contract.work_days.order_by("date"),
        "history": trail(contract),
    }
    return render(request, "payroll/work/contract_detail.html", context)


@login_required
def contract_pdf(request, pk):
    """The contract's PDF, to its worker and the unit's holder only (rendered now if the
    worker has not done it yet; the stored document never changes afterwards)."""
    contract = contract_pdf_store(contract=get_own_contract_or_404(request, pk))
    return FileResponse(
        contract.pdf.open("rb"),
        as_attachment=True,
        filename=f"{contract.reference}.pdf",
        content_type="application/pdf",
    )


@login_required
def contract_accept_view(request, pk):
    contract = get_own_contract_or_404(request, pk)
    context = {
        "object": contract,
        "back_url": reverse("portal:work_contract_detail", args=[contract.pk]),
        "title": _("Accept this contract?"),
        "paragraphs": [
            _(
                "You accept to work as %(function)s for %(employer)s from %(start)s to %(end)s, "
                "for a gross salary of %(gross)s €."
            )
            % {
                "function": contract.function,
                "employer": contract.legal_entity.name,
                "start": contract.start_date.isoformat(),
                "end": contract.end_date.isoformat(),
                "gross": contract.gross,
            }
        ],
        "button": _("I accept the contract"),
    }
    if request.method != "POST":
        return render(request, "payroll/work/confirm.html", context)
    try:
        contract_accept(contract=contract, by=request.user)
    except ValidationError as error:
        context["errors"] = error_messages(error)
        return render(request, "payroll/work/confirm.html", context, status=400)
    messages.success(request, _("Contract accepted."))
    return redirect("portal:work_contract_detail", pk=contract.pk)
