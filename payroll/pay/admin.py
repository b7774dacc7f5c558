"""Back-office for the money of work and pay: payroll runs and payslips, employment costs,
contribution runs and postings (all read-only: services write them), and the payouts
(batches prepared, downloaded as pain.001 and marked sent through payroll.pay.payouts).

Advisors see the rows of their office's units and workers (employment costs, postings,
payslips, payout lines). A payroll run, a contribution run and a payout batch (with its
pain.001 file) pay every office at once: they are for the finance role, the board and the
administrators only (core.scoping.SPANS_OFFICES).
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin, visible_rows
from core.admin_identifiers import IdentifierAdminMixin, masked
from core.admin_kit import (
    NOTHING,
    AuditTrailMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    each_action,
    money,
    run_action_with_form,
)
from core.forms import add_service_errors
from core.scoping import SPANS_OFFICES, UNIT_OFFICE, WORKER_OFFICE, through
from core.validators import mask_iban
from payroll.models import (
    ContributionPosting,
    ContributionRun,
    EmploymentCost,
    PayoutBatch,
    PayoutLine,
    PayrollRun,
    Payslip,
)

from .payouts import (
    next_banking_day,
    next_run_day,
    payout_batch_file_write,
    payout_batch_mark_sent,
    payout_batch_prepare,
    payout_lines_from_refunds,
)
from .payroll_run import held_contracts, payroll_run_close

# Payroll runs and payslips ------------------------------------------------------------------


@admin.register(PayrollRun)
class PayrollRunAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    office_path = SPANS_OFFICES  # one run pays the workers of every office
    list_display = ("period_display", "status", "computed_at", "closed_at", "payslip_count")
    list_filter = ("status",)
    fields = (
        "period",
        "status",
        "computed_at",
        "computed_by",
        "closed_at",
        "closed_by",
        "held",
        "totals",
    )
    readonly_fields = fields
    actions = ("close_selected",)

    @admin.display(description=gettext_lazy("pay held"))
    def held(self, run):
        """The contracts the worker has not accepted: the run did not pay them."""
        contracts = list(held_contracts(run=run))
        if not contracts:
            return NOTHING
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> · {} · {}</li>',
            (
                (reverse("admin:payroll_contract_change", args=[c.pk]), c.reference, c.worker,
                 c.unit.code)
                for c in contracts
            ),
        )  # fmt: skip
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            _(
                "These contracts are not accepted by the worker: their pay is held. The worker "
                "accepts them in the portal, or an advisor of their office pays them without "
                "acceptance, with a reason (action on the contracts); the next run pays them."
            ),
            items,
        )

    @admin.display(description=gettext_lazy("period"), ordering="period")
    def period_display(self, run):
        return f"{run.period:%Y-%m}"

    @admin.display(description=gettext_lazy("payslips"))
    def payslip_count(self, run):
        return (run.totals or {}).get("payslips", NOTHING)

    def has_close_permission(self, request):
        return not self._refused(request) and request.user.has_perm("payroll.change_payrollrun")

    close_selected = each_action(
        gettext_lazy("Close the period"),
        payroll_run_close,
        "run",
        permissions=["close"],
        done_message=ngettext_lazy(
            "%(count)d period closed.", "%(count)d periods closed.", "count"
        ),
    )


class PeriodFilter(admin.SimpleListFilter):
    """The months that have payslips."""

    title = gettext_lazy("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        periods = PayrollRun.objects.order_by("-period").values_list("period", flat=True)[:36]
        return [(day.isoformat(), f"{day:%Y-%m}") for day in periods]

    def queryset(self, request, queryset):
        if self.value():
            try:
                return queryset.filter(period=self.value())
            except ValidationError:
                return queryset.none()
        return queryset


@admin.register(Payslip)
class PayslipAdmin(OfficeScopedAdminMixin, IdentifierAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    office_path = through("worker", WORKER_OFFICE)
    list_display = (
        "period_display",
        "worker",
        "days",
        "gross_display",
        "withholding",
        "net_display",
        "balance_due",
    )
    list_filter = (PeriodFilter,)
    list_select_related = ("worker",)
    search_fields = ("worker__last_name", "worker__first_name")
    identifier_search_fields = ("worker__national_number",)
    search_help_text = gettext_lazy("A worker's name or national register number.")
    show_full_result_count = False
    fields = (
        "run",
        "worker",
        "period",
        "days",
        "hours",
        "gross",
        "employee_social_security",
        "taxable",
        "withholding",
        "net",
        "employer_charges",
        "advances_paid",
        "brought_forward",
        "brought_forward_from",
        "balance_due",
        "carried_forward",
        "lines",
        "pdf",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("period"), ordering="period")
    def period_display(self, payslip):
        return f"{payslip.period:%Y-%m}"

    @admin.display(description=gettext_lazy("gross salary"), ordering="gross")
    def gross_display(self, payslip):
        return money(payslip.gross)

    @admin.display(description=gettext_lazy("net salary"), ordering="net")
    def net_display(self, payslip):
        return money(payslip.net)


@admin.register(EmploymentCost)
class EmploymentCostAdmin(OfficeScopedAdminMixin, ReadOnlyAdmin):
    """Append-only: a correction is a new row, written by the payroll run."""

    office_path = UNIT_OFFICE

    list_display = ("work_date", "unit", "contract_type", "gross", "employer_charges", "payslip")
    list_filter = ("contract_type", "work_date")
    list_select_related = ("unit", "contract_type", "payslip__worker")
    search_fields = ("=unit__code",)
    date_hierarchy = "work_date"
    show_full_result_count = False
    fields = (
        "unit",
        "contract_type",
        "work_date",
        "gross",
        "employer_charges",
        "payslip",
        "contract",
        "created_at",
    )
    readonly_fields = fields


# Contribution runs ----------------------------------------------------------------------------


class PostingInline(ReadOnlyInline):
    model = ContributionPosting
    fields = ("unit", "pillar", "base", "amount")
    show_change_link = True

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("unit")
        return visible_rows(request.user, ContributionPosting, rows)


@admin.register(ContributionRun)
class ContributionRunAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    office_path = SPANS_OFFICES  # one run charges the units of every office
    list_display = ("period_display", "created_at", "created_by")
    fields = ("period", "created_at", "created_by")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("period"), ordering="period")
    def period_display(self, run):
        return f"{run.period:%Y-%m}"


@admin.register(ContributionPosting)
class ContributionPostingAdmin(OfficeScopedAdminMixin, ReadOnlyAdmin):
    office_path = UNIT_OFFICE
    list_display = ("period", "unit", "pillar", "base", "amount")
    list_filter = ("pillar", "period")
    list_select_related = ("unit",)
    search_fields = ("=unit__code",)
    show_full_result_count = False
    fields = ("run", "unit", "pillar", "period", "base", "amount", "detail", "ledger_entry")
    readonly_fields = fields


# Payouts --------------------------------------------------------------------------------------


class PayoutLineInline(ReadOnlyInline):
    model = PayoutLine
    fields = ("kind", "beneficiary", "masked_iban", "amount", "remittance", "due_on")

    @admin.display(description=gettext_lazy("IBAN"))
    def masked_iban(self, line):
        return mask_iban(line.iban)


class PrepareBatchForm(forms.Form):
    due_by = forms.DateField(
        label=gettext_lazy("Lines due by"),
        help_text=gettext_lazy("Every line due on or before this day and not batched yet."),
    )
    execution_date = forms.DateField(
        label=gettext_lazy("Execution date"),
        help_text=gettext_lazy("The banking day the bank makes the transfers."),
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds"),
        choices=PayoutLine.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every kind."),
    )


class MarkSentForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("The file was handed to the bank"),
        help_text=gettext_lazy(
            "Share refunds become paid on the execution date and expense claims reimbursed."
        ),
    )


@admin.register(PayoutBatch)
class PayoutBatchAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    office_path = SPANS_OFFICES  # one batch (one pain.001 file) pays every office
    list_display = (
        "reference",
        "execution_date",
        "status",
        "count",
        "total_display",
        "created_at",
        "created_by",
        "download",
    )
    list_filter = ("status", "execution_date")
    list_select_related = ("created_by",)
    search_fields = ("=reference",)
    fields = (
        "reference",
        "execution_date",
        "status",
        "count",
        "total",
        "run",
        "created_by",
        "created_at",
        "download",
    )
    readonly_fields = fields
    inlines = (PayoutLineInline,)
    actions = ("mark_sent",)

    # Read-only (ReadOnlyAdmin): batches are prepared from the lines, see the "prepare" page.
    def has_send_permission(self, request):
        return not self._refused(request) and request.user.has_perm("payroll.change_payoutbatch")

    def has_prepare_permission(self, request):
        return not self._refused(request) and request.user.has_perm("payroll.add_payoutbatch")

    @admin.display(description=gettext_lazy("total"), ordering="total")
    def total_display(self, batch):
        return money(batch.total)

    @admin.display(description=gettext_lazy("pain.001"))
    def download(self, batch):
        url = reverse("admin:payroll_payoutbatch_download", args=[batch.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    def get_urls(self):
        own = [
            path(
                "prepare/",
                self.admin_site.admin_view(self.prepare_view),
                name="payroll_payoutbatch_prepare",
            ),
            path(
                "<path:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="payroll_payoutbatch_download",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra = {}
        if self.has_prepare_permission(request):
            extra["prepare_url"] = reverse("admin:payroll_payoutbatch_prepare")
        return super().changelist_view(request, extra_context={**extra, **(extra_context or {})})

    def download_view(self, request, object_id):
        batch = self.get_object(request, object_id)
        if batch is None:
            raise Http404(_("No such batch."))
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        payout_batch_file_write(batch=batch)
        return FileResponse(
            batch.file.open("rb"),
            as_attachment=True,
            filename=f"{batch.reference}.xml",
            content_type="application/xml",
        )

    def prepare_view(self, request):
        if not self.has_prepare_permission(request):
            raise PermissionDenied
        status = 200
        if request.method == "POST":
            form = PrepareBatchForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    payout_lines_from_refunds(by=request.user)
                    batch = payout_batch_prepare(
                        due_by=data["due_by"],
                        execution_date=data["execution_date"],
                        kinds=data["kinds"] or None,
                        by=request.user,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    if batch is None:
                        self.message_user(
                            request,
                            _("Nothing is due by %(day)s: no batch was prepared.")
                            % {"day": data["due_by"]},
                            messages.WARNING,
                        )
                        return HttpResponseRedirect(reverse("admin:payroll_payoutbatch_changelist"))
                    self.message_user(
                        request,
                        _("Batch %(reference)s prepared: %(count)s transfers, %(total)s.")
                        % {
                            "reference": batch.reference,
                            "count": batch.count,
                            "total": money(batch.total),
                        },
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:payroll_payoutbatch_change", args=[batch.pk])
                    )
            status = 400
        else:
            today = timezone.localdate()
            form = PrepareBatchForm(
                initial={"due_by": next_run_day(today), "execution_date": next_banking_day(today)}
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Prepare a payout batch"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(
            request, "admin/payroll/payoutbatch/prepare.html", context, status=status
        )

    @admin.action(description=gettext_lazy("Mark as sent to the bank"), permissions=["send"])
    def mark_sent(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset.filter(status=PayoutBatch.Status.PREPARED),
            form_class=MarkSentForm,
            title=_("Mark as sent to the bank"),
            intro=_(
                "Do this once the file is uploaded to the bank: it can't be undone, and a "
                "batch marked sent is never prepared again."
            ),
            apply=lambda batch, data: payout_batch_mark_sent(batch=batch, by=request.user),
            done_message=ngettext_lazy(
                "%(count)d batch marked sent.", "%(count)d batches marked sent.", "count"
            ),
        )


class BatchedFilter(admin.SimpleListFilter):
    title = gettext_lazy("batched")
    parameter_name = "batched"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("in a batch")), ("no", gettext_lazy("waiting"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(batch__isnull=False)
        if self.value() == "no":
            return queryset.filter(batch__isnull=True)
        return queryset


class DueFilter(admin.SimpleListFilter):
    title = gettext_lazy("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", gettext_lazy("overdue, not batched")),
            ("week", gettext_lazy("within 7 days")),
            ("later", gettext_lazy("later")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        week = today + timedelta(days=7)
        if self.value() == "overdue":
            return queryset.filter(due_on__lt=today, batch__isnull=True)
        if self.value() == "week":
            return queryset.filter(due_on__gte=today, due_on__lte=week)
        if self.value() == "later":
            return queryset.filter(due_on__gt=week)
        return queryset


@admin.register(PayoutLine)
class PayoutLineAdmin(OfficeScopedAdminMixin, IdentifierAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    # A line pays a worker (salary, advance), an expense claim or a member's share refund.
    office_path = (
        *through("worker", WORKER_OFFICE),
        through("expense_claim", UNIT_OFFICE)[0],
        "refund__member__office",
        "refund__application__office",
    )
    identifier_fields = identifier_search_fields = ("iban",)
    masked_iban = masked("iban", gettext_lazy("IBAN"))
    list_display = ("due_on", "kind", "beneficiary", "amount_display", "remittance", "batch")
    list_filter = ("kind", BatchedFilter, DueFilter)
    list_select_related = ("batch",)
    search_fields = ("beneficiary", "remittance", "=batch__reference")
    show_full_result_count = False
    fields = (
        "kind",
        "batch",
        "worker",
        "beneficiary",
        "masked_iban",
        "amount",
        "remittance",
        "due_on",
        "contract",
        "payslip",
        "expense_claim",
        "refund",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("amount"), ordering="amount")
    def amount_display(self, line):
        return money(line.amount)
