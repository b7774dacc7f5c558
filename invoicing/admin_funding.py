"""Back-office of funding agreements: an advisor records the subsidies and grants of the units
of their office (invoicing.funding.funding_agreement_record); recorded, they are read-only."""

from django.contrib import admin

from core.admin import OfficeScopedAdminMixin
from core.admin_kit import AddOnlyMixin, AuditTrailMixin, ServiceFormMixin
from core.roles import is_staff
from core.scoping import UNIT_OFFICE

from .funding import funding_agreement_record
from .models import FundingAgreement

FIELDS = ("unit", "funder", "reference", "amount", "received_on", "period_start", "period_end",
          "document")  # fmt: skip


@admin.register(FundingAgreement)
class FundingAgreementAdmin(
    AddOnlyMixin, OfficeScopedAdminMixin, AuditTrailMixin, ServiceFormMixin, admin.ModelAdmin
):
    office_path = UNIT_OFFICE
    list_display = ("received_on", "unit", "funder", "reference", "amount", "created_by")
    list_select_related = ("unit", "created_by")
    search_fields = ("funder", "=reference", "=unit__code")
    date_hierarchy = "received_on"
    ordering = ("-received_on", "-id")
    autocomplete_fields = ("unit",)
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        if obj is None:
            return FIELDS
        return (*FIELDS, "ledger_entry", "created_by", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_add_permission(self, request):
        # Whoever reviews the invoices of an office records its units' funding.
        return is_staff(request.user) and request.user.has_perm("invoicing.change_invoice")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        agreement = funding_agreement_record(
            unit=data["unit"],
            funder=data["funder"],
            reference=data.get("reference", ""),
            amount=data["amount"],
            received_on=data["received_on"],
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
            document=data.get("document") or None,
            by=request.user,
        )
        obj.pk = agreement.pk
        obj._state.adding = False
        obj._state.db = agreement._state.db
