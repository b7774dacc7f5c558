"""Back-office for payments: an advisor's manual entry, the matching queue, camt.053 imports.

Payments are never edited: they are recorded, matched or set aside through
invoicing.payment_services.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import OfficeScopedAdminMixin, visible_rows
from core.admin_identifiers import IdentifierAdminMixin, masked
from core.admin_kit import (
    AddOnlyMixin,
    AuditTrailMixin,
    ReadOnlyAdmin,
    ServiceFormMixin,
    advisor_queue_item,
    reason_action,
    run_action_with_form,
)
from core.scoping import COOPERATIVE_WIDE, UNIT_OFFICE, through

from .admin_actions import invoices_matching, upload_view
from .camt053 import MAX_FILE_BYTES
from .models import BankStatement, Invoice, Payment
from .payment_services import bank_statement_import, payment_ignore, payment_match, payment_record


class ManualPaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ("invoice", "amount", "received_on", "note")
        help_texts = {
            "amount": gettext_lazy("Money received; negative for a refund to the client."),
            "invoice": gettext_lazy("An issued invoice: type its number or its client."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "invoice" in self.fields:  # the add form (the change page shows, it doesn't edit)
            self.fields["invoice"].required = True

    def _get_validation_exclusions(self):
        # payment_record checks the amount, with a message naming it, before the model's
        # constraint would say "payment_not_zero is violated".
        return super()._get_validation_exclusions() | {"amount"}


class InvoiceLookupForm(forms.Form):
    """The invoice a payment pays, found by what is printed on it."""

    invoice = forms.CharField(
        label=gettext_lazy("Invoice"),
        max_length=40,
        help_text=gettext_lazy("Its number (F-2026-000012) or its structured reference."),
    )

    def __init__(self, *args, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoices = invoices

    def clean_invoice(self):
        term = self.cleaned_data["invoice"]
        found = invoices_matching(self.invoices, term)
        if found is None:
            raise ValidationError(
                _("Type an invoice number like F-2026-000012 or a structured reference.")
            )
        found = list(found.select_related("series")[:2])
        if not found:
            raise ValidationError(_("No invoice you follow has this number or reference."))
        if len(found) > 1:
            raise ValidationError(
                _("Several invoices have this number: type the structured reference.")
            )
        return found[0]


@admin.register(Payment)
class PaymentAdmin(
    AddOnlyMixin,
    OfficeScopedAdminMixin,
    IdentifierAdminMixin,
    AuditTrailMixin,
    ServiceFormMixin,
    admin.ModelAdmin,
):
    office_path = through("invoice", UNIT_OFFICE)
    # Every payment no invoice was found for: the matching queue is the whole cooperative's.
    office_shared = Q(invoice__isnull=True)
    form = ManualPaymentForm
    list_display = (
        "received_on",
        "amount",
        "status",
        "source",
        "invoice",
        "payer_name",
        "communication",
    )
    list_filter = ("status", "source", "received_on")
    list_select_related = ("invoice__series",)
    search_fields = ("payer_name", "communication")
    identifier_fields = identifier_search_fields = ("payer_iban",)
    masked_payer_iban = masked("payer_iban", gettext_lazy("payer's account"))
    search_help_text = gettext_lazy(
        "An invoice number or structured reference, a payer, a communication or an account."
    )
    autocomplete_fields = ("invoice",)
    show_full_result_count = False
    actions = ("match_to_invoice", "set_aside")
    readonly_fields = (
        "invoice",
        "status",
        "source",
        "amount",
        "received_on",
        "payer_name",
        "masked_payer_iban",
        "communication",
        "statement",
        "bank_reference",
        "note",
        "created_by",
        "created_at",
    )

    def get_search_results(self, request, queryset, search_term):
        found = invoices_matching(Invoice.objects.all(), search_term)
        if found is not None:
            return queryset.filter(invoice__in=found.values("pk")), False
        return super().get_search_results(request, queryset, search_term)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("invoice", "amount", "received_on", "note")
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("received_on", timezone.localdate())
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "invoice":
            kwargs["queryset"] = Invoice.objects.filter(
                kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED
            )  # and of the user's office: OfficeScopedAdminMixin
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return request.user.has_perm("invoicing.add_payment")

    def has_match_permission(self, request):
        return request.user.has_perm("invoicing.change_payment")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        payment = payment_record(
            invoice=data["invoice"],
            amount=data["amount"],
            received_on=data["received_on"],
            note=data.get("note", ""),
            by=request.user,
        )
        obj.pk = payment.pk
        obj._state.adding = False
        obj._state.db = payment._state.db

    @admin.action(description=gettext_lazy("Match to an invoice"), permissions=["match"])
    def match_to_invoice(self, request, queryset):
        return run_action_with_form(
            self,
            request,
            queryset,
            form_class=InvoiceLookupForm,
            form_kwargs={"invoices": visible_rows(request.user, Invoice)},
            title=_("Match to an invoice"),
            apply=lambda payment, data: payment_match(
                payment=payment, invoice=data["invoice"], by=request.user
            ),
            done_message=ngettext_lazy(
                "%(count)d payment matched.", "%(count)d payments matched.", "count"
            ),
        )

    set_aside = reason_action(
        gettext_lazy("Not an invoice payment"),
        payment_ignore,
        "payment",
        permissions=["match"],
        intro=gettext_lazy(
            "Say what this money is: it leaves the queue and can still be matched later."
        ),
        done_message=ngettext_lazy(
            "%(count)d payment set aside.", "%(count)d payments set aside.", "count"
        ),
    )


# The cooperative's queue: a payment no invoice was found for is every advisor's.
payments_to_match = advisor_queue_item(
    gettext_lazy("Payments to match"),
    Payment,
    rows=lambda user: Payment.objects.unmatched(),
    query=f"status__exact={Payment.Status.UNMATCHED}",
    scoped=False,
)


# Bank statements -------------------------------------------------------------------------------


@admin.register(BankStatement)
class BankStatementAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ReadOnlyAdmin):
    # The cooperative's own account: one statement holds payments of every office (each
    # payment is scoped in its own admin); the statement shows only its totals.
    office_path = COOPERATIVE_WIDE
    list_display = (
        "statement_date",
        "identifier",
        "account_iban",
        "entry_count",
        "imported_at",
        "imported_by",
    )
    list_filter = ("account_iban", "statement_date")
    list_select_related = ("imported_by",)
    search_fields = ("=identifier", "=account_iban")
    show_full_result_count = False
    fields = (
        "identifier",
        "account_iban",
        "statement_date",
        "entry_count",
        "imported_at",
        "imported_by",
        "file_sha256",
    )
    readonly_fields = fields

    # Read-only (ReadOnlyAdmin): statements come from a file, see the import page.
    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="invoicing_bankstatement_import",
            )
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra = {}
        if request.user.has_perm("invoicing.add_bankstatement"):
            extra["import_url"] = reverse("admin:invoicing_bankstatement_import")
            extra["import_label"] = _("Import camt.053")
        return super().changelist_view(request, extra_context={**extra, **(extra_context or {})})

    def import_view(self, request):
        def handle(file_bytes):
            result = bank_statement_import(file_bytes=file_bytes, by=request.user)
            level = messages.WARNING if result.already_imported else messages.SUCCESS
            self.message_user(request, import_summary(result), level)
            return HttpResponseRedirect(reverse("admin:invoicing_bankstatement_changelist"))

        return upload_view(
            self,
            request,
            permission="invoicing.add_bankstatement",
            title=_("Import camt.053"),
            help_text=_(
                "A bank statement file (camt.053, ISO 20022) of one of the cooperative's "
                "accounts. Payments are matched by structured reference, then by amount and "
                "client; the others go to the queue. Importing a file twice changes nothing."
            ),
            max_size=MAX_FILE_BYTES,
            handle=handle,
        )


def import_summary(result) -> str:
    if result.already_imported:
        return _("This file was already imported: nothing changed.")
    return _(
        "%(statements)s: %(created)s payment(s) created (%(matched)s matched, "
        "%(unmatched)s to match, %(ignored)s not invoice payments); %(skipped)s already "
        "imported, %(pending)s not booked yet."
    ) % {
        "statements": ", ".join(result.statements),
        "created": result.created,
        "matched": result.matched,
        "unmatched": result.unmatched,
        "ignored": result.ignored,
        "skipped": result.skipped_duplicates,
        "pending": result.not_booked,
    }
