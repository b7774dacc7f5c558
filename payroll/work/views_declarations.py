"""Portal pages of Activité declarations: list, form with the live cost, detail, submit,
cancel. Every rule is the services'; the pages display."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.permissions import member_required
from payroll.models import WorkDeclaration
from production_units.models import ProductionUnit
from production_units.selectors import unit_available_balance

from .declaration_services import (
    declaration_cancel,
    declaration_cost,
    declaration_create,
    declaration_submit,
    minimum_gross_message,
)
from .forms import (
    DeclarationForm,
    day_formset,
    declaration_filter_form,
    with_one_more,
)
from .views import (
    _cancel_page,
    _ensure_holder_workers,
    _formset_errors,
    add_service_errors,
    cost_rows,
    error_messages,
    form_errors,
    get_own_declaration_or_404,
    list_page,
    trail,
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
    units = ProductionUnit.objects.held_by(request.user).filter(tool=ProductionUnit.Tool.ACTIVITY)
    balances = [{"unit": unit, "available": unit_available_balance(unit=unit)} for unit in units]
    return list_page(
        request,
        "payroll/work/declaration_list.html",
        _my_declarations(request.user),
        form,
        balances=balances,
    )


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
                place_of_work=form.cleaned_data["place_of_work"],
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
        errors = form_errors(form) + _formset_errors(days)
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
