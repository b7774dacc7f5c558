"""Activité work declarations: a gross salary for days of work, paid from the unit's balance.

The cost of a gross is `payroll.split.employment_cost` with the parameters in force on
the first work day. The employment cost is posted to the ledger by the monthly payroll run,
and C2 by the contribution run, not here: until then the declaration's budget is *reserved*,
so that two declarations can't spend the same euros (`reserved_budget`, counted in
production_units.selectors.unit_available_balance, docs/payroll.md §6).
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, F, Model, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.money import is_cents, to_decimal
from core.roles import is_staff
from members.models import User
from members.notifications import kinds as notice
from payroll.contributions.selectors import contributions_closed_until
from payroll.models import Contract, ContractType, EmploymentCost, WorkDeclaration, Worker
from payroll.parameters import contract_parameters, withholding_table
from payroll.split import Pay, SplitInputError, employment_cost
from production_units.models import ProductionUnit
from production_units.selectors import unit_available_balance, unit_lock

from . import decision_services
from .contract_services import contract_create
from .work_days import DayInput, book_days, work_days_errors

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
DETAIL = "portal:work_declaration_detail"


# --- the cost -------------------------------------------------------------------------------


def declaration_cost(*, gross: Decimal, contract_type: ContractType, days: list[DayInput]) -> Pay:
    """What `gross` for `days` costs the unit, with the parameters in force on the first day.
    Raises ValidationError naming the field."""
    if not days:
        raise ValidationError({"days": _("Declare at least one work day.")})
    first_day = min(day.date for day in days)
    try:
        return employment_cost(
            gross=gross,
            parameters=contract_parameters(contract_type.code, first_day),
            withholding=withholding_table(first_day),
            days=len(days),
        )
    except SplitInputError as error:
        field = "gross" if error.field == "gross" else "contract_type"
        raise ValidationError({field: error.message}) from error


def clean_gross(value: object) -> Decimal:
    try:
        gross = to_decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, TypeError, ValueError):
        gross = None
    if gross is None or not gross.is_finite():
        raise ValidationError({"gross": _("The gross salary is not a number.")})
    if gross <= 0 or gross >= Decimal("1e9"):
        raise ValidationError({"gross": _("The gross salary must be more than zero.")})
    if not is_cents(gross):
        raise ValidationError({"gross": _("Amounts are to the cent.")})
    return gross.quantize(Decimal("0.01"))


def minimum_gross_message(pay: Pay) -> str:
    return _(
        "%(amount)s € of gross missing to pay the minimum wage for %(days)s days "
        "(minimum %(minimum)s €)."
    ) % {"amount": pay.gross_missing, "days": pay.days, "minimum": pay.minimum_gross}


def pay_amounts(pay: Pay) -> dict[str, str]:
    return {name: str(value) for name, value in vars(pay).items()}


# --- the available balance ------------------------------------------------------------------


def reserved_budget(*, unit: ProductionUnit, exclude: Model | None = None) -> Decimal:
    """The budgets the unit's balance must still pay: submitted declarations, and approved
    ones not yet charged in full (budget − the employment cost already posted for their
    contract, until the contribution run of the contract's last month has run), `exclude`
    left out when it is a declaration. The `Reservation` of declarations
    (payroll.apps registers it in production_units.selectors)."""
    pending = WorkDeclaration.objects.filter(unit=unit)
    if isinstance(exclude, WorkDeclaration):
        pending = pending.exclude(pk=exclude.pk)
    submitted = pending.filter(status=WorkDeclaration.Status.SUBMITTED).aggregate(
        total=Coalesce(Sum("budget"), Value(ZERO), output_field=MONEY)
    )["total"]
    contracts = Contract.objects.filter(declaration=OuterRef("pk")).exclude(
        status=Contract.Status.CANCELLED
    )
    posted = (
        EmploymentCost.objects.filter(contract__declaration=OuterRef("pk"))
        .order_by()
        .values("contract__declaration")
        .annotate(total=Sum(F("gross") + F("employer_charges")))
        .values("total")
    )
    approved = (
        pending.filter(status=WorkDeclaration.Status.APPROVED)
        .annotate(
            end=Subquery(contracts.values("end_date")[:1]),
            posted=Coalesce(Subquery(posted, output_field=MONEY), Value(ZERO), output_field=MONEY),
        )
        .filter(end__isnull=False)
    )
    closed = contributions_closed_until()
    if closed is not None:
        approved = approved.filter(end__gt=closed)
    reserved = sum(
        (max(ZERO, budget - done) for budget, done in approved.values_list("budget", "posted")),
        ZERO,
    )
    return submitted + reserved


def balance_message(*, available: Decimal, budget: Decimal) -> str:
    return _(
        "The unit's available balance (%(available)s €) can't pay this declaration's budget "
        "(%(budget)s €): %(missing)s € missing."
    ) % {"available": available, "budget": budget, "missing": budget - available}


# --- create, submit -------------------------------------------------------------------------


def _check_unit(unit: ProductionUnit, by: User) -> None:
    decision_services.check_unit(
        unit,
        by,
        tool=ProductionUnit.Tool.ACTIVITY,
        wrong_tool=_("Work declarations are for Activité units: choose an Activité unit."),
    )


def declaration_days(declaration: WorkDeclaration) -> list[DayInput]:
    return [
        DayInput(day.date, day.hours)
        for day in declaration.work_days.filter(cancelled=False).order_by("date")
    ]


@transaction.atomic
def declaration_create(
    *,
    unit: ProductionUnit,
    worker: Worker,
    contract_type: ContractType,
    function: str,
    gross: object,
    days: list[DayInput],
    by: User,
    today: date | None = None,
    place_of_work: str = "",
) -> WorkDeclaration:
    """A draft declaration with its cost; its days are held for the worker. `today` (the
    day the declaration is made, today by default) decides which days are past.

    Raises ValidationError naming the field: a day in the past or already declared, bad
    hours, a gross under the minimum daily wage (with the amount missing)."""
    _check_unit(unit, by)
    days = sorted(days, key=lambda day: day.date)
    errors = decision_services.worker_function_errors(
        unit=unit,
        worker=worker,
        function=function,
        no_function=_("Say which function the worker has (e.g. trainer)."),
    )
    amount = decision_services.clean_together(
        errors,
        day_problems=work_days_errors(worker=worker, days=days, today=today),
        clean=lambda: clean_gross(gross),
    )
    pay = declaration_cost(gross=amount, contract_type=contract_type, days=days)
    if pay.gross_missing:
        raise ValidationError({"gross": minimum_gross_message(pay)})
    declaration = WorkDeclaration.objects.create(
        unit=unit,
        worker=worker,
        contract_type=contract_type,
        function=function.strip(),
        place_of_work=place_of_work.strip()[:300],
        gross=pay.gross,
        budget=pay.budget,
        split=pay_amounts(pay),
        created_by=by,
    )
    book_days(
        days,
        worker=worker,
        unit=unit,
        function=declaration.function,
        contract_type=contract_type,
        declaration=declaration,
    )
    audit_log(
        actor=by,
        action="work_declaration.created",
        obj=declaration,
        changes={
            "gross": str(pay.gross),
            "budget": str(pay.budget),
            "days": [day.date.isoformat() for day in days],
        },
    )
    return declaration


@transaction.atomic
def declaration_submit(
    *, declaration: WorkDeclaration, by: User, today: date | None = None
) -> WorkDeclaration:
    """Submit a draft to the advisor: refused when the available balance can't pay its
    budget (the message gives the amount missing), or a day is no longer declarable on
    `today` (today by default).

    Raises ValidationError naming the field."""
    unit = unit_lock(unit_id=declaration.unit_id)
    _check_unit(unit, by)
    declaration = WorkDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status != WorkDeclaration.Status.DRAFT:
        raise ValidationError(_("Only a draft declaration can be submitted."))
    problems = work_days_errors(
        worker=declaration.worker,
        days=declaration_days(declaration),
        exclude_declaration=declaration,
        today=today,
    )
    if problems:
        raise ValidationError({"days": problems})
    available = unit_available_balance(unit=unit, exclude=declaration)
    if available < declaration.budget:
        raise ValidationError(
            {"gross": balance_message(available=available, budget=declaration.budget)}
        )
    declaration.status = WorkDeclaration.Status.SUBMITTED
    declaration.submitted_at = timezone.now()
    declaration.save(update_fields=["status", "submitted_at"])
    audit_log(
        actor=by,
        action="work_declaration.submitted",
        obj=declaration,
        changes={"budget": str(declaration.budget), "available": str(available)},
    )
    return declaration


# --- advisor decisions ----------------------------------------------------------------------


@transaction.atomic
def declaration_approve(
    *,
    declaration: WorkDeclaration,
    by: User,
    overdraft_reason: str = "",
    past_start_reason: str = "",
) -> WorkDeclaration:
    """An advisor approves a submitted declaration: the balance is checked again; beyond it
    only with an explicit overdraft reason (recorded on the declaration and audited). The
    contract is created (work days, Dimona IN).

    Raises PermissionDenied for a non-advisor, ValidationError naming the field."""
    if not is_staff(by):
        raise PermissionDenied(_("Only an advisor can approve a declaration."))
    unit = unit_lock(unit_id=declaration.unit_id)
    declaration = (
        WorkDeclaration.objects.select_for_update(of=("self",))
        .select_related("worker", "contract_type")
        .get(pk=declaration.pk)
    )
    if declaration.status != WorkDeclaration.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted declaration can be approved."))
    days = declaration_days(declaration)
    pay = declaration_cost(
        gross=declaration.gross, contract_type=declaration.contract_type, days=days
    )
    available = unit_available_balance(unit=unit, exclude=declaration)
    missing = pay.budget - available
    now = timezone.now()
    if missing > 0:
        if not (overdraft_reason or "").strip():
            raise ValidationError(
                {
                    "overdraft_reason": balance_message(available=available, budget=pay.budget)
                    + " "
                    + _("Approving it is an overdraft: give the reason.")
                }
            )
        declaration.overdraft_approved_by = by
        declaration.overdraft_approved_at = now
        declaration.overdraft_amount = missing
        declaration.overdraft_reason = overdraft_reason.strip()
        audit_log(
            actor=by,
            action="work_declaration.overdraft_approved",
            obj=declaration,
            changes={"overdraft": str(missing), "available": str(available)},
            reason=declaration.overdraft_reason,
        )
    declaration.work_days.filter(contract__isnull=True).delete()
    contract = contract_create(
        unit=unit,
        worker=declaration.worker,
        contract_type=declaration.contract_type,
        function=declaration.function,
        days=days,
        pay=pay,
        by=by,
        declaration=declaration,
        past_start_reason=past_start_reason,
        place_of_work=declaration.place_of_work,
    )
    declaration.budget = pay.budget
    declaration.split = pay_amounts(pay)
    declaration.status = WorkDeclaration.Status.APPROVED
    declaration.decided_by = by
    declaration.decided_at = now
    declaration.save()
    audit_log(
        actor=by,
        action="work_declaration.approved",
        obj=declaration,
        changes={"contract": contract.reference, "budget": str(pay.budget)},
    )
    decision_services.notify_approved(
        declaration,
        notice.DECLARATION_APPROVED,
        holder=unit.holder,
        url=DETAIL,
        what=declaration.worker,
    )
    return declaration


@transaction.atomic
def declaration_reject(*, declaration: WorkDeclaration, by: User, reason: str) -> WorkDeclaration:
    """An advisor refuses a submitted declaration with a reason; its days are released.

    Raises PermissionDenied for a non-advisor, ValidationError without a reason."""
    declaration = decision_services.reject_submitted(
        declaration,
        by=by,
        reason=reason,
        action="work_declaration.rejected",
        not_allowed=_("Only an advisor can reject a declaration."),
        no_reason=_("Say why the declaration is rejected."),
        not_submitted=_("Only a submitted declaration can be rejected."),
    )
    decision_services.notify_holder(
        declaration,
        notice.DECLARATION_REFUSED,
        url=DETAIL,
        what=declaration.worker,
        reason=declaration.decision_reason,
    )
    return declaration


@transaction.atomic
def declaration_ask_information(
    *, declaration: WorkDeclaration, by: User, question: str
) -> WorkDeclaration:
    """An advisor asks the member for information on a submitted declaration: it stays
    submitted; the question is audited, shown in the declaration's history and sent to the
    unit's holder (portal and e-mail).

    Raises PermissionDenied for a non-advisor, ValidationError without a question."""
    declaration = decision_services.ask_information(
        declaration,
        by=by,
        question=question,
        action="work_declaration.information_requested",
        not_allowed=_("Only an advisor can ask about a declaration."),
        not_submitted=_("Only a submitted declaration waits for an advisor's question."),
    )
    decision_services.notify_holder(
        declaration,
        notice.INFORMATION_REQUESTED,
        url=DETAIL,
        what=declaration.worker,
        question=question.strip(),
    )
    return declaration


# --- cancel ---------------------------------------------------------------------------------


@transaction.atomic
def declaration_cancel(*, declaration: WorkDeclaration, by: User, reason: str) -> WorkDeclaration:
    """The unit's holder cancels a draft declaration (never submitted): its days are
    released; it stays, cancelled, with who, when and why (decided_by/at, decision_reason,
    audit).

    Raises PermissionDenied for another's declaration, ValidationError for a declaration that
    is not a draft or without a reason."""
    declaration, reason = decision_services.cancel_checked(
        declaration,
        by=by,
        reason=reason,
        no_reason=_("Say why the declaration is cancelled."),
        cancellable=(WorkDeclaration.Status.DRAFT,),
        not_cancellable=_("Only a draft declaration can be cancelled: this one is %(status)s."),
        related=("unit__holder",),
    )
    days = decision_services.cancel_record(declaration, by=by, reason=reason)
    audit_log(
        actor=by,
        action="work_declaration.cancelled",
        obj=declaration,
        changes={"status": "cancelled", "days_released": days},
        reason=reason,
    )
    return declaration
