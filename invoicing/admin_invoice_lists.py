"""The pieces of the invoices' back-office pages: the inlines of an invoice's page, the
filters of the list and the payment state it shows (one query per page)."""

from collections.abc import Iterable

from django.contrib import admin
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.admin import visible_rows
from core.admin_kit import ReadOnlyInline
from core.admin_site import RowLinksChangeList
from production_units.models import ProductionUnit

from .models import Client, Invoice, InvoiceLine, InvoiceSeries, Payment, Reminder, Transmission
from .selectors import (
    invoice_amounts,
    invoices_to_refund,
    invoices_with_balance,
    overdue_invoices,
    payment_state,
    with_balances,
)

# The columns of a document's lines, as the back-office shows them (quotes: no exemption).
LINE_FIELDS = (
    "position",
    "description",
    "quantity",
    "unit_code",
    "unit_price",
    "vat_category",
    "vat_rate",
    "exemption_reason",
    "net_amount",
)


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = LINE_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("exemption_reason")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("received_on", "amount", "status", "source", "payer_name", "communication", "note")
    show_change_link = True


class ReminderInline(ReadOnlyInline):
    model = Reminder
    fields = ("step_days", "sent_at", "amount_due")


class TransmissionInline(ReadOnlyInline):
    model = Transmission
    fields = ("channel", "status", "attempts", "recipient", "sent_at", "last_error")


# List filters --------------------------------------------------------------------------------


class SeriesFilter(admin.SimpleListFilter):
    title = gettext_lazy("series")
    parameter_name = "series"

    def lookups(self, request, model_admin):
        series = InvoiceSeries.objects.select_related("legal_entity").order_by(
            "legal_entity__code", "code"
        )
        return [(str(item.pk), str(item)) for item in series]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(series_id=int(self.value()))
        return queryset


class BalanceFilter(admin.SimpleListFilter):
    """What is owed on issued invoices, computed by the selectors."""

    title = gettext_lazy("balance")
    parameter_name = "balance"

    def lookups(self, request, model_admin):
        return [
            ("owed", gettext_lazy("still owed")),
            ("overdue", gettext_lazy("overdue")),
            ("to_refund", gettext_lazy("overpaid, to refund")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "owed":
            return invoices_with_balance(invoices=queryset).filter(balance_due__gt=0)
        if self.value() == "overdue":
            return overdue_invoices(on=timezone.localdate(), invoices=queryset)
        if self.value() == "to_refund":
            return invoices_to_refund(invoices=queryset)
        return queryset


class HiddenIdFilter(admin.SimpleListFilter):
    """Target of links (from the receivables page): there are thousands, so only the one
    filtered on is listed (Django applies a filter only when it has something to show)."""

    # The filtered object's model: its label is shown only if the user sees it.
    model: type[Model] | None = None

    def label(self, row) -> str:
        return f"#{row.pk}"

    def lookups(self, request, model_admin):
        value = self.value()
        if value and value.isdigit():
            row = visible_rows(request.user, self.model).filter(pk=int(value)).first()
            if row is not None:
                return [(value, self.label(row))]
        return ()

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(**{f"{self.parameter_name}_id": int(self.value())})
        return queryset


class UnitFilter(HiddenIdFilter):
    title = gettext_lazy("unit")
    parameter_name = "unit"

    model = ProductionUnit

    def label(self, row) -> str:
        return row.code


class ClientFilter(HiddenIdFilter):
    title = gettext_lazy("client")
    parameter_name = "client"

    model = Client

    def label(self, row) -> str:
        return row.name


# The list shows each issued invoice's payment state: one query for the whole page -----------


def attach_balances(invoices: Iterable[Invoice]) -> None:
    """Set `admin_balance` (balance due, payment state) on each issued invoice of the list,
    None on drafts and credit notes."""
    for invoice in with_balances(list(invoices)):
        amounts = invoice_amounts(invoice=invoice)
        balance = None
        if amounts is not None:
            balance = (amounts["balance_due"], payment_state(**amounts))
        # Read by the list's columns: a display attribute, not a model field.
        invoice.admin_balance = balance  # type: ignore[attr-defined]


class InvoiceChangeList(RowLinksChangeList):
    def get_results(self, request):
        super().get_results(request)
        attach_balances(self.result_list)
