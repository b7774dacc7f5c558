"""Back-office for suppliers' invoices (purchases): the UBL upload and the queue of those
no unit could be found for. Writes go through invoicing.inbound."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin, visible_rows
from core.admin_kit import (
    AuditTrailMixin,
    ReadOnlyAdmin,
    advisor_queue_item,
    note_field,
    reason_action,
    run_action_with_form,
)
from core.scoping import UNIT_OFFICE
from production_units.models import ProductionUnit

from .admin_actions import upload_view
from .inbound import MAX_FILE_SIZE, inbound_ubl_import, purchase_assign, purchase_reject
from .models import Purchase
from .purchase_rules import overdraft_summary


class ActivityUnitAutocomplete(AutocompleteJsonView):
    """The units admin's autocomplete (its search and office scope), Activité units only."""

    def process_request(self, request):
        unit_admin = self.admin_site._registry[ProductionUnit]
        return request.GET.get("term", ""), unit_admin, Purchase._meta.get_field("unit"), "id"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(tool=ProductionUnit.Tool.ACTIVITY, status=ProductionUnit.Status.ACTIVE)
        )


class ActivityUnitSelect(AutocompleteSelect):
    def get_url(self):
        return reverse("admin:invoicing_purchase_unit_autocomplete")


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Activité unit"),
        queryset=ProductionUnit.objects.none(),
        help_text=gettext_lazy("The purchase is charged to it, excluding VAT."),
    )
    overdraft_reason = note_field(
        gettext_lazy("Overdraft reason"),
        required=False,
        help_text=gettext_lazy(
            "Only when the unit's available balance can't pay the purchase: why you charge it "
            "anyway. Kept in the audit trail and on the ledger entry."
        ),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        # Built here, not at import: the widget takes the language of the request.
        field.widget = ActivityUnitSelect(Purchase._meta.get_field("unit"), admin.site)
        field.widget.is_required = field.required
        field.queryset = units  # also gives the widget its choices


@admin.register(Purchase)
class PurchaseAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    office_path = UNIT_OFFICE
    # Every purchase waiting for a unit: the queue is the whole cooperative's.
    office_shared = Q(unit__isnull=True)
    list_display = (
        "created_at",
        "supplier_name",
        "supplier_invoice_number",
        "issue_date",
        "total",
        "status",
        "unit",
        "buyer_reference",
        "problem_start",
    )
    list_filter = ("status", "issue_date")
    list_select_related = ("unit",)
    search_fields = (
        "supplier_name",
        "=supplier_invoice_number",
        "=supplier_vat_number",
        "buyer_reference",
    )
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("assign_to_unit", "reject_with_reason")
    fields = (
        "status",
        "problem",
        "overdraft",
        "unit",
        "supplier_name",
        "supplier_vat_number",
        "supplier_invoice_number",
        "buyer_reference",
        "issue_date",
        "due_date",
        "currency",
        "net_total",
        "vat_total",
        "total",
        "ubl",
        "file_sha256",
        "created_by",
        "created_at",
    )
    readonly_fields = fields
    # Not in the list: the overdraft is read from the audit trail, one query per purchase.

    # Read-only (ReadOnlyAdmin): purchases come from a supplier's file, see the import page.
    def has_assign_permission(self, request):
        return request.user.has_perm("invoicing.change_purchase")

    @admin.display(description=gettext_lazy("overdraft approved"))
    def overdraft(self, purchase):
        return overdraft_summary(purchase) or "—"

    @admin.display(description=gettext_lazy("why it waits"))
    def problem_start(self, purchase):
        return purchase.problem[:80]

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="invoicing_purchase_import",
            ),
            path(
                "unit-autocomplete/",
                self.admin_site.admin_view(
                    ActivityUnitAutocomplete.as_view(admin_site=self.admin_site)
                ),
                name="invoicing_purchase_unit_autocomplete",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra = {}
        if request.user.has_perm("invoicing.add_purchase"):
            extra["import_url"] = reverse("admin:invoicing_purchase_import")
            extra["import_label"] = _("Import supplier UBL")
        return super().changelist_view(request, extra_context={**extra, **(extra_context or {})})

    def import_view(self, request):
        def handle(file_bytes):
            purchase = inbound_ubl_import(file_bytes=file_bytes, by=request.user)
            if purchase.status == Purchase.Status.POSTED:
                message = _("Purchase %(purchase)s posted to unit %(unit)s.") % {
                    "purchase": purchase,
                    "unit": purchase.unit.code,
                }
                level = messages.SUCCESS
            else:
                message = _("Purchase %(purchase)s waits for an advisor: %(problem)s") % {
                    "purchase": purchase,
                    "problem": purchase.problem,
                }
                level = messages.WARNING
            self.message_user(request, message, level)
            return HttpResponseRedirect(
                reverse("admin:invoicing_purchase_change", args=[purchase.pk])
            )

        return upload_view(
            self,
            request,
            permission="invoicing.add_purchase",
            title=_("Import supplier UBL"),
            help_text=_(
                "A supplier's invoice in UBL 2.1 (Peppol). It is charged to the Activité unit "
                "its buyer reference names (e.g. UP-0002), or waits here for an advisor."
            ),
            max_size=MAX_FILE_SIZE,
            handle=handle,
        )

    @admin.action(description=gettext_lazy("Assign to a unit"), permissions=["assign"])
    def assign_to_unit(self, request, queryset):
        several = queryset.count() > 1

        def assign(purchase, data):
            try:
                return purchase_assign(
                    purchase=purchase,
                    unit=data["unit"],
                    by=request.user,
                    overdraft_reason=data["overdraft_reason"],
                )
            except ValidationError as error:
                # One purchase: a missing overdraft reason is asked for on the form. Several:
                # each refusal is reported on its row, and the others are still assigned.
                if several and hasattr(error, "error_dict"):
                    raise ValidationError(error.messages) from error
                raise

        return run_action_with_form(
            self,
            request,
            queryset,
            form_class=AssignForm,
            form_kwargs={"units": visible_rows(request.user, ProductionUnit)},
            title=_("Assign to a unit"),
            intro=_(
                "A purchase the unit's available balance can't pay is charged only with an "
                "overdraft reason. Purchases of a year can't be charged after the yearly "
                "deadline (e.g. 15 January of the next year): reject those."
            ),
            apply=assign,
            done_message=ngettext_lazy(
                "%(count)d purchase posted to the unit.",
                "%(count)d purchases posted to the unit.",
                "count",
            ),
        )

    reject_with_reason = reason_action(
        gettext_lazy("Reject with a reason"),
        purchase_reject,
        "purchase",
        permissions=["assign"],
        done_message=ngettext_lazy(
            "%(count)d purchase rejected.", "%(count)d purchases rejected.", "count"
        ),
    )


# The cooperative's queue: a purchase without a unit is every advisor's.
purchases_to_match = advisor_queue_item(
    gettext_lazy("Purchases to match to a unit"),
    Purchase,
    rows=lambda user: Purchase.objects.to_match(),
    query=f"status__exact={Purchase.Status.TO_MATCH}",
    scoped=False,
)
