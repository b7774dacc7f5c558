"""Portal pages of work: what the pages share (access to one's own jobs, declarations and
contracts, the split's rows, error lists, the history) and the worker's contracts (list,
detail, accept). The jobs' pages are in views_jobs, the declarations' in views_declarations.
Every rule is the services'; the pages display."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from invoicing.history import document_history
from payroll.models import Contract, Job, WorkDeclaration
from payroll.workers.worker_services import unit_holder_worker, worker_of_user
from production_units.models import ProductionUnit

from .contract_pdf import contract_pdf_store
from .contract_services import contract_accept
from .forms import (
    CancelForm,
    own_q,
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


def form_errors(form) -> list[str]:
    """The form's errors as lines, each named by its field's label (the form's own: bare)."""
    return [
        f"{form[name].label}: {message}" if name in form.fields else message
        for name, messages_ in form.errors.items()
        for message in messages_
    ]


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
    return document_history(obj)


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


def _filtered(request, queryset, form):
    status = 200
    if form.is_bound:
        if form.is_valid():
            queryset = form.filter(queryset)
        else:
            status = 400
    return queryset, status


def list_page(request, template: str, queryset, form, **context):
    """A list page of the member's rows: those the filter `form` keeps (filters that don't
    validate are ignored, and the page answers 400), by pages; `context` is added."""
    rows, status = _filtered(request, queryset, form)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filters_ignored": status == 400, **context}
    return render(request, template, context, status=status)


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
