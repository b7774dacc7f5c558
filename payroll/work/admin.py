"""Back-office of payroll: work. The advisors' queues of jobs to validate and declarations to
approve (bulk actions calling the services), contracts (read-only once accepted; cancel with
a reason) and the Dimona records (read-only). Members write jobs and declarations in the
portal: nothing is added here. Advisors see the units of their office's members."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin
from core.admin_decisions import Decision, DecisionPagesMixin, age_column, with_note
from core.admin_identifiers import IdentifierAdminMixin, masked
from core.admin_kit import (
    NOTHING,
    AuditTrailMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ReasonForm,
    advisor_queue_item,
    day_field,
    each_action,
    money,
    note_field,
    reason_action,
    run_action_with_form,
)
from core.dates import format_day
from core.scoping import UNIT_OFFICE, OfficePath, through
from members.models import Office
from payroll.models import Contract, DimonaDeclaration, Job, JobExpense, WorkDay, WorkDeclaration
from payroll.pay.payroll_run import held_contracts
from production_units.models import ProductionUnit
from production_units.selectors import unit_available_balance

from .contract_services import contract_cancel, contract_end, contract_pay_release
from .declaration_services import (
    declaration_approve,
    declaration_ask_information,
    declaration_reject,
)
from .dimona_services import dimona_retry
from .job_services import job_reject, job_validate


class OfficeFilter(admin.SimpleListFilter):
    title = gettext_lazy("office")
    parameter_name = "office"

    def lookups(self, request, model_admin):
        return [(str(office.pk), str(office)) for office in Office.objects.order_by("name")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(unit__holder__office_id=int(self.value()))
        return queryset


class PayHeldFilter(admin.SimpleListFilter):
    """The contracts whose pay a payroll run held (the worker has not accepted them)."""

    title = gettext_lazy("pay")
    parameter_name = "pay"

    def lookups(self, request, model_admin):
        return [("held", _("held: not accepted by the worker"))]

    def queryset(self, request, queryset):
        if self.value() == "held":
            return queryset.filter(pk__in=held_contracts().values("pk"))
        return queryset


class ToolFilter(admin.SimpleListFilter):
    title = gettext_lazy("tool")
    parameter_name = "tool"

    def lookups(self, request, model_admin):
        return ProductionUnit.Tool.choices

    def queryset(self, request, queryset):
        if self.value() in ProductionUnit.Tool.values:
            return queryset.filter(unit__tool=self.value())
        return queryset


class ReviewOnlyAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    """Advisors review: no add, no edit, no delete; decisions go through actions, open to
    whoever may change the model (its "change" permission)."""

    office_path: OfficePath = UNIT_OFFICE

    def has_review_permission(self, request):
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    # Compact columns: the queues fit a 1366 px screen (tests/test_admin_queues_width.py).

    @admin.display(description=gettext_lazy("number"), ordering="id")
    def number(self, row):
        return f"#{row.pk}"

    @admin.display(description=gettext_lazy("unit"), ordering="unit__code")
    def unit_code(self, row):
        return row.unit.code

    @admin.display(description=gettext_lazy("gross salary"), ordering="gross")
    def gross_display(self, row):
        return money(row.gross)

    @admin.display(description=gettext_lazy("submitted at"), ordering="submitted_at")
    def submitted_on(self, row):
        return format_day(row.submitted_at) or NOTHING


class WorkDayInline(ReadOnlyInline):
    model = WorkDay
    fields = ("date", "hours", "function", "gross", "contract", "cancelled")


class DimonaInline(ReadOnlyInline):
    """The contract's Dimona history: IN, OUT, cancellation, each with its status and answer."""

    model = DimonaDeclaration
    fk_name = "contract"
    fields = ("kind", "status", "start_date", "end_date", "channel_reference", "message",
              "created_at", "sent_at", "retry_of")  # fmt: skip
    ordering = ("created_at", "id")
    verbose_name_plural = gettext_lazy("Dimona history")


class ContractEndForm(forms.Form):
    end_date = day_field(
        gettext_lazy("Last day of work"),
        help_text=gettext_lazy("The days after it are freed; a Dimona OUT is declared."),
    )
    reason = note_field(gettext_lazy("Reason"))


class JobExpenseInline(ReadOnlyInline):
    model = JobExpense
    fields = ("description", "amount", "receipt")


class PastStartForm(ReasonForm):
    """The reason is optional: needed only when a work day is already past."""

    reason = note_field(
        gettext_lazy("Reason for a start in the past (only if a day is past)"), required=False
    )


class OverdraftForm(ReasonForm):
    reason = note_field(
        gettext_lazy("Why the unit may go over its balance"),
        help_text=gettext_lazy("Recorded with the amount, your name and the time."),
    )


class RequiredReasonForm(ReasonForm):
    reason = note_field(gettext_lazy("Reason"))


class QuestionForm(ReasonForm):
    reason = note_field(
        gettext_lazy("Your question to the member"),
        help_text=gettext_lazy("The member reads it in the history of the item."),
    )


def submitted(row) -> bool:
    return row.status == "submitted"


# --- jobs -----------------------------------------------------------------------------------


@admin.register(Job)
class JobAdmin(ReviewOnlyAdmin):
    list_display = ("number", "unit_code", "client", "worker", "turnover_display",
                    "gross", "submitted_on", "age", "status")  # fmt: skip
    age = age_column("submitted_at")
    list_filter = ("status", OfficeFilter, ToolFilter, "contract_type")
    search_fields = ("description", "=unit__code", "client__name", "worker__last_name")
    list_select_related = ("unit", "client", "worker")
    ordering = ("-id",)
    show_full_result_count = False
    inlines = (WorkDayInline, JobExpenseInline)
    actions = ("validate_selected", "reject_with_reason")
    readonly_fields = ("unit", "client", "description", "worker", "contract_type", "function",
                       "invoice", "status", "turnover", "expenses", "split", "created_by",
                       "created_at", "submitted_at", "decided_by", "decided_at",
                       "decision_reason")  # fmt: skip

    @admin.display(description=gettext_lazy("gross"))
    def gross(self, job):
        gross = job.split.get("gross")
        return money(Decimal(str(gross))) if gross not in (None, "") else NOTHING

    @admin.display(description=gettext_lazy("turnover"), ordering="turnover")
    def turnover_display(self, job):
        expenses = job.expenses or 0
        note = _("expenses %(amount)s") % {"amount": money(expenses)} if expenses else ""
        return with_note(money(job.turnover), note)

    validate_selected = reason_action(
        gettext_lazy("Validate (issues the invoice, makes the contract)"),
        job_validate,
        "job",
        form_class=PastStartForm,
        reason_arg="past_start_reason",
        title=gettext_lazy("Validate the jobs"),
        intro=gettext_lazy(
            "Each invoice is issued, the split recomputed on the issue date, the contract "
            "made and the salary prepared for payment."
        ),
        done_message=ngettext_lazy(
            "%(count)d job validated.", "%(count)d jobs validated.", "count"
        ),
    )
    reject_with_reason = reason_action(
        gettext_lazy("Reject with a reason"),
        job_reject,
        "job",
        intro=gettext_lazy("The member sees the reason, corrects the job and submits it again."),
        done_message=ngettext_lazy(
            "%(count)d job sent back to the member.",
            "%(count)d jobs sent back to the member.",
            "count",
        ),
    )


# --- declarations ---------------------------------------------------------------------------


@admin.register(WorkDeclaration)
class WorkDeclarationAdmin(DecisionPagesMixin, ReviewOnlyAdmin):
    # The available balance is on each declaration's page, not in the list: it reads every
    # pending commitment of the unit, a few queries a row (an N+1 on a page of 100).
    list_display = ("number", "worker", "unit_code", "gross_display", "budget_display",
                    "submitted_on", "age", "status")  # fmt: skip
    age = age_column("submitted_at")
    list_filter = ("status", OfficeFilter, "contract_type")
    search_fields = ("=unit__code", "worker__last_name", "function")
    list_select_related = ("unit", "worker")
    ordering = ("-id",)
    show_full_result_count = False
    inlines = (WorkDayInline,)
    actions = ("approve_selected", "approve_overdraft", "reject_with_reason")
    readonly_fields = ("unit", "worker", "contract_type", "function", "gross", "budget",
                       "available", "split", "status", "overdraft_approved_by",
                       "overdraft_approved_at", "overdraft_amount", "overdraft_reason",
                       "created_by", "created_at",
                       "submitted_at", "decided_by", "decided_at", "decision_reason")  # fmt: skip

    def item_label(self, declaration):
        return f"#{declaration.pk}"

    @admin.display(description=gettext_lazy("budget"), ordering="budget")
    def budget_display(self, declaration):
        overdraft = declaration.overdraft_amount
        note = _("overdraft %(amount)s") % {"amount": money(overdraft)} if overdraft else ""
        return with_note(money(declaration.budget), note)

    @admin.display(description=gettext_lazy("available balance"))
    def available(self, declaration):
        return unit_available_balance(unit=declaration.unit, exclude=declaration)

    approve_selected = each_action(
        gettext_lazy("Approve (within the balance)"),
        declaration_approve,
        "declaration",
        amount=lambda declaration: declaration.budget,
        done_message=ngettext_lazy(
            "%(count)d declaration approved.", "%(count)d declarations approved.", "count"
        ),
    )
    approve_overdraft = reason_action(
        gettext_lazy("Approve an overdraft, with a reason"),
        declaration_approve,
        "declaration",
        form_class=OverdraftForm,
        reason_arg="overdraft_reason",
        title=gettext_lazy("Approve an overdraft"),
        intro=gettext_lazy(
            "The unit's balance can't pay these declarations: you approve it anyway."
        ),
        done_message=ngettext_lazy(
            "%(count)d declaration approved.", "%(count)d declarations approved.", "count"
        ),
    )
    reject_with_reason = reason_action(
        gettext_lazy("Reject with a reason"),
        declaration_reject,
        "declaration",
        done_message=ngettext_lazy(
            "%(count)d declaration rejected.", "%(count)d declarations rejected.", "count"
        ),
    )

    # The same services on the declaration's own page (core.admin_decisions).
    decisions = (
        Decision(
            "approve",
            gettext_lazy("Approve (within the balance)"),
            lambda row, by, data: declaration_approve(declaration=row, by=by),
            gettext_lazy("Declaration %(object)s approved."),
            allowed=submitted,
            primary=True,
        ),
        Decision(
            "overdraft",
            gettext_lazy("Approve an overdraft, with a reason"),
            lambda row, by, data: declaration_approve(
                declaration=row, by=by, overdraft_reason=data["reason"]
            ),
            gettext_lazy("Declaration %(object)s approved."),
            form_class=OverdraftForm,
            allowed=submitted,
            intro=gettext_lazy(
                "The unit's balance can't pay this declaration: you approve it anyway."
            ),
        ),
        Decision(
            "refuse",
            gettext_lazy("Reject with a reason"),
            lambda row, by, data: declaration_reject(declaration=row, by=by, reason=data["reason"]),
            gettext_lazy("Declaration %(object)s rejected."),
            form_class=RequiredReasonForm,
            allowed=submitted,
            intro=gettext_lazy("The member reads the reason on the declaration's page."),
        ),
        Decision(
            "ask",
            gettext_lazy("Ask for information"),
            lambda row, by, data: declaration_ask_information(
                declaration=row, by=by, question=data["reason"]
            ),
            gettext_lazy("Your question on declaration %(object)s is sent to the member."),
            form_class=QuestionForm,
            allowed=submitted,
            intro=gettext_lazy("The declaration stays in the queue until you decide."),
        ),
    )


# --- contracts and Dimona -------------------------------------------------------------------


@admin.register(Contract)
class ContractAdmin(DecisionPagesMixin, ReviewOnlyAdmin):
    list_display = ("reference", "worker", "unit_code", "period", "gross_display", "age",
                    "status")  # fmt: skip
    age = age_column("created_at")
    list_filter = ("status", PayHeldFilter, OfficeFilter, ToolFilter, "contract_type",
                   "legal_entity")  # fmt: skip
    search_fields = ("=reference", "worker__last_name", "=unit__code")
    list_select_related = ("worker", "unit", "contract_type")
    date_hierarchy = "start_date"
    ordering = ("-id",)
    show_full_result_count = False
    inlines = (WorkDayInline, DimonaInline)
    actions = ("cancel_with_reason", "end_with_reason", "release_pay_with_reason")
    readonly_fields = ("reference", "legal_entity", "unit", "worker", "contract_type",
                       "function", "joint_committee", "place_of_work", "start_date", "end_date",
                       "days", "hours", "gross",
                       "employer_charges", "net_estimate", "job", "declaration", "status",
                       "accepted_at", "pay_released_by", "pay_released_at", "pay_release_reason",
                       "past_start_approved_by", "past_start_reason", "pdf",
                       "created_at")  # fmt: skip

    cancel_with_reason = reason_action(
        gettext_lazy("Cancel with a reason"),
        contract_cancel,
        "contract",
        form_class=RequiredReasonForm,
        title=gettext_lazy("Cancel the contracts"),
        intro=gettext_lazy(
            "Only before the work starts. Their days are freed and a Dimona cancellation is "
            "recorded. A contract whose work has started is ended instead."
        ),
        done_message=ngettext_lazy(
            "%(count)d contract cancelled.", "%(count)d contracts cancelled.", "count"
        ),
    )

    @admin.action(description=gettext_lazy("End early (Dimona OUT)"), permissions=["review"])
    def end_with_reason(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset,
            form_class=ContractEndForm,
            title=_("End contracts early"),
            intro=_(
                "The contract ends on the last day of work given: the days after are freed and "
                "not paid, and a Dimona OUT is declared to the social security."
            ),
            describe=lambda contract: (
                _("planned end: %(day)s") % {"day": format_day(contract.end_date)}
            ),
            apply=lambda contract, data: contract_end(
                contract=contract,
                end_date=data["end_date"],
                by=request.user,
                reason=data["reason"],
            ),  # fmt: skip
            done_message=ngettext_lazy(
                "%(count)d contract ended.", "%(count)d contracts ended.", "count"
            ),
        )

    release_pay_with_reason = reason_action(
        gettext_lazy("Pay without the worker's acceptance (with a reason)"),
        contract_pay_release,
        "contract",
        form_class=RequiredReasonForm,
        title=gettext_lazy("Pay contracts the worker has not accepted"),
        intro=gettext_lazy(
            "The payroll run holds the pay of a contract the worker has not accepted. "
            "Released, its days are paid by the next payroll run."
        ),
        done_message=ngettext_lazy(
            "%(count)d contract released for pay.",
            "%(count)d contracts released for pay.",
            "count",
        ),
    )

    # The same services on the contract's own page (core.admin_decisions); its queue is
    # the contracts whose pay is held.
    queue_query = "pay=held"
    decisions = (
        Decision(
            "release",
            gettext_lazy("Pay without the worker's acceptance (with a reason)"),
            lambda row, by, data: contract_pay_release(contract=row, by=by, reason=data["reason"]),
            gettext_lazy("Contract %(object)s released for pay."),
            form_class=RequiredReasonForm,
            allowed=lambda row: (
                row.status == Contract.Status.OFFERED and row.pay_released_at is None
            ),
            intro=gettext_lazy(
                "The payroll run holds the pay of a contract the worker has not accepted. "
                "Released, its days are paid by the next payroll run."
            ),
        ),
        Decision(
            "cancel",
            gettext_lazy("Cancel with a reason"),
            lambda row, by, data: contract_cancel(contract=row, by=by, reason=data["reason"]),
            gettext_lazy("Contract %(object)s cancelled."),
            form_class=RequiredReasonForm,
            allowed=lambda row: row.status != Contract.Status.CANCELLED,
            intro=gettext_lazy("Its days are freed and a Dimona cancellation is recorded."),
        ),
    )

    def queue_rows(self, request):
        return self.get_queryset(request).filter(pk__in=held_contracts().values("pk"))

    @admin.display(description=gettext_lazy("period"), ordering="start_date")
    def period(self, contract):
        days = format_day(contract.start_date)
        if contract.end_date != contract.start_date:
            days = f"{days} – {format_day(contract.end_date)}"
        return with_note(days, contract.contract_type)


@admin.register(DimonaDeclaration)
class DimonaDeclarationAdmin(IdentifierAdminMixin, ReviewOnlyAdmin):
    office_path = through("contract", UNIT_OFFICE)
    identifier_fields = identifier_search_fields = ("worker_national_number",)
    masked_worker_national_number = masked(
        "worker_national_number", gettext_lazy("worker's national number")
    )
    list_display = ("contract", "kind", "status", "start_date", "end_date",
                    "masked_worker_national_number", "employer_number", "sent_at",
                    "message")  # fmt: skip
    list_filter = ("status", "kind")
    search_fields = ("=contract__reference",)
    list_select_related = ("contract",)
    ordering = ("-id",)
    show_full_result_count = False
    exclude = ("worker_national_number",)
    actions = ("send_again",)
    readonly_fields = ("contract", "kind", "in_declaration", "retry_of", "start_date",
                       "end_date", "masked_worker_national_number", "employer_number",
                       "contract_type_code", "status", "file",
                       "channel_reference", "message", "created_at", "sent_at")  # fmt: skip

    def has_review_permission(self, request):
        # Whoever decides on contracts (cancels, ends them) sends their Dimona again.
        return request.user.has_perm("payroll.change_contract")

    send_again = reason_action(
        gettext_lazy("Send again (refused, once corrected)"),
        dimona_retry,
        "declaration",
        title=gettext_lazy("Send refused Dimona declarations again"),
        intro=gettext_lazy(
            "Correct the cause first (the worker's file, the contract). Each is sent again "
            "with the data as it is now; the refused one stays in the contract's history."
        ),
        done_message=ngettext_lazy(
            "%(count)d declaration to send again.",
            "%(count)d declarations to send again.",
            "count",
        ),
    )


# --- the advisor's queue --------------------------------------------------------------------


jobs_to_validate = advisor_queue_item(
    gettext_lazy("Jobs to validate"), Job, status=Job.Status.SUBMITTED
)


declarations_to_approve = advisor_queue_item(
    gettext_lazy("Work declarations to approve"),
    WorkDeclaration,
    status=WorkDeclaration.Status.SUBMITTED,
)


dimonas_refused = advisor_queue_item(
    gettext_lazy("Dimona declarations refused"),
    DimonaDeclaration,
    rows=lambda user: DimonaDeclaration.objects.filter(
        status=DimonaDeclaration.Status.REFUSED, retry__isnull=True
    ),
    query="status__exact=refused",
)


contracts_pay_held = advisor_queue_item(
    gettext_lazy("Contracts not accepted by the worker: pay held"),
    Contract,
    rows=lambda user: held_contracts(),
    query="pay=held",
)
