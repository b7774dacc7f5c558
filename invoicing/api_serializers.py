"""The serializers of the API of invoicing documents: what the endpoints take and give.

Two choices apply to every writable endpoint:
- decimals (quantity, unit_price, vat_rate) are JSON strings ("12.50"): a JSON number is
  refused, because a client that built it from a float may already have lost the cent;
- a field the endpoint does not know is refused by name (a typo must not silently drop
  a value, and nobody should believe they can set a status or a total).
Serializers check types and the shape of the database columns only; every rule is the
services' (lines.validate_lines for the lines).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import MoneyField, PartialInputSerializer, StrictInputSerializer, enum_field

from .line_input import LineInputSerializer, UnitCodeField, VatCategoryField
from .models import Invoice, InvoiceBranding, Payment, Quote
from .parties import OwnClientField, OwnUnitField
from .references import format_structured_reference
from .selectors import (
    PaymentState,
    invoice_amount_paid,
    invoice_balance_due,
    invoice_payment_state,
)

InvoiceKindField = enum_field("InvoiceKindEnum", Invoice.Kind.choices)
InvoiceStatusField = enum_field("InvoiceStatusEnum", Invoice.Status.choices)
QuoteStatusField = enum_field("QuoteStatusEnum", Quote.Status.choices)
PaymentStateField = enum_field("PaymentStateEnum", PaymentState.choices)
PaymentSourceField = enum_field("PaymentSourceEnum", Payment.Source.choices)
# The languages a document can be written in (as for the unit's personalisation), or "".
DocumentLanguageField = enum_field(
    "DocumentLanguageEnum",
    [("", gettext_lazy("default")), *(InvoiceBranding._meta.get_field("language").choices or [])],
)
LANGUAGE_HELP = gettext_lazy("fr, nl, en or de; empty: the client's language.")


# --- input ---------------------------------------------------------------------------------


class InvoiceCreateInputSerializer(StrictInputSerializer):
    """A draft invoice for one of my units and one of its clients (unknown fields refused)."""

    unit = OwnUnitField(help_text=gettext_lazy("Id of one of your units."))
    client = OwnClientField(help_text=gettext_lazy("Id of a client of that unit."))
    lines = LineInputSerializer(many=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    supply_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Date of supply, or first day of the service period."),
    )
    supply_period_end = serializers.DateField(required=False, allow_null=True)
    buyer_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    order_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    language = DocumentLanguageField(required=False, help_text=LANGUAGE_HELP)


class InvoiceUpdateInputSerializer(PartialInputSerializer):
    """The fields of a draft to change (unit and client can't change; unknown fields refused)."""

    lines = LineInputSerializer(
        many=True, help_text=gettext_lazy("When given, replaces all the lines.")
    )
    due_date = serializers.DateField(allow_null=True)
    supply_date = serializers.DateField(allow_null=True)
    supply_period_end = serializers.DateField(allow_null=True)
    buyer_reference = serializers.CharField(max_length=100, allow_blank=True)
    order_reference = serializers.CharField(max_length=100, allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    language = DocumentLanguageField(help_text=LANGUAGE_HELP)


class CreditNoteInputSerializer(StrictInputSerializer):
    """A credit note: no lines to credit the whole invoice, else the lines to credit."""

    # The list may be null, its lines may not: LineInputSerializer(many=True, allow_null=True)
    # would let null lines through to the service (a 500).
    lines: serializers.ListSerializer = serializers.ListSerializer(
        child=LineInputSerializer(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Absent or null: credit the whole invoice."),
    )
    note = serializers.CharField(required=False, allow_blank=True)


class QuoteCreateInputSerializer(StrictInputSerializer):
    """A draft quote for one of my units and one of its clients (unknown fields refused)."""

    unit = OwnUnitField(help_text=gettext_lazy("Id of one of your units."))
    client = OwnClientField(help_text=gettext_lazy("Id of a client of that unit."))
    lines = LineInputSerializer(many=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)
    language = DocumentLanguageField(required=False, help_text=LANGUAGE_HELP)


class QuoteUpdateInputSerializer(PartialInputSerializer):
    """The fields of a draft quote to change (unknown fields refused)."""

    lines = LineInputSerializer(
        many=True, help_text=gettext_lazy("When given, replaces all the lines.")
    )
    valid_until = serializers.DateField()
    note = serializers.CharField(allow_blank=True)
    language = DocumentLanguageField(help_text=LANGUAGE_HELP)


class QuoteRefuseInputSerializer(StrictInputSerializer):
    """Why the client refused (optional)."""

    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


# --- output --------------------------------------------------------------------------------


class LineOutputSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True)
    description = serializers.CharField(read_only=True)
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=3, coerce_to_string=True, read_only=True
    )
    unit_code = UnitCodeField(read_only=True)
    unit_price = serializers.DecimalField(
        max_digits=14, decimal_places=4, coerce_to_string=True, read_only=True
    )
    vat_category = VatCategoryField(read_only=True)
    vat_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=True, read_only=True
    )
    exemption_reason = serializers.IntegerField(
        source="exemption_reason_id", read_only=True, allow_null=True
    )
    exemption_reason_text = serializers.CharField(
        source="exemption_reason.text", read_only=True, allow_null=True
    )
    net_amount = MoneyField(read_only=True)


class InvoiceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = InvoiceKindField(read_only=True)
    status = InvoiceStatusField(read_only=True)
    number = serializers.SerializerMethodField()
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    client = serializers.IntegerField(source="client_id", read_only=True)
    client_name = serializers.CharField(source="client.name", read_only=True)
    issue_date = serializers.DateField(read_only=True, allow_null=True)
    due_date = serializers.DateField(read_only=True, allow_null=True)
    supply_date = serializers.DateField(read_only=True, allow_null=True)
    supply_period_end = serializers.DateField(read_only=True, allow_null=True)
    structured_reference = serializers.SerializerMethodField()
    currency = serializers.CharField(read_only=True)
    net_total = MoneyField(read_only=True)
    vat_total = MoneyField(read_only=True)
    total = MoneyField(read_only=True)
    amount_paid = serializers.SerializerMethodField()
    balance_due = serializers.SerializerMethodField()
    payment_state = serializers.SerializerMethodField()
    credited_invoice = serializers.IntegerField(
        source="credited_invoice_id", read_only=True, allow_null=True
    )
    created_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_number(self, invoice) -> str | None:
        return invoice.display_number or None

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text=gettext_lazy("+++123/4567/89012+++"))
    )
    def get_structured_reference(self, invoice) -> str | None:
        return format_structured_reference(invoice.structured_reference) or None

    @extend_schema_field(
        MoneyField(help_text=gettext_lazy("Net of refunds; 0.00 for drafts and credit notes."))
    )
    def get_amount_paid(self, invoice) -> str:
        return str(invoice_amount_paid(invoice=invoice))

    @extend_schema_field(
        MoneyField(
            help_text=gettext_lazy(
                "Total − issued credit notes − payments; negative when overpaid; "
                "0.00 for drafts and credit notes."
            )
        )
    )
    def get_balance_due(self, invoice) -> str:
        return str(invoice_balance_due(invoice=invoice))

    @extend_schema_field(
        PaymentStateField(allow_null=True, help_text=gettext_lazy("Null unless an issued invoice."))
    )
    def get_payment_state(self, invoice) -> str | None:
        state = invoice_payment_state(invoice=invoice)
        return None if state is None else state.value


class InvoiceDetailOutputSerializer(InvoiceOutputSerializer):
    buyer_reference = serializers.CharField(read_only=True)
    order_reference = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    rejection_reason = serializers.CharField(read_only=True)
    lines = LineOutputSerializer(many=True, read_only=True)
    pdf_url = serializers.SerializerMethodField()
    ubl_url = serializers.SerializerMethodField()

    def _file_url(self, invoice, name):
        if not invoice.is_issued:
            return None
        path = reverse(name, kwargs={"invoice_id": invoice.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf_url(self, invoice) -> str | None:
        return self._file_url(invoice, "api:invoice-pdf")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_ubl_url(self, invoice) -> str | None:
        return self._file_url(invoice, "api:invoice-ubl")


class QuoteOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    status = QuoteStatusField(read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    client = serializers.IntegerField(source="client_id", read_only=True)
    client_name = serializers.CharField(source="client.name", read_only=True)
    valid_until = serializers.DateField(read_only=True, allow_null=True)
    net_total = MoneyField(read_only=True)
    vat_total = MoneyField(read_only=True)
    total = MoneyField(read_only=True)
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    invoice = serializers.IntegerField(source="invoice_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class QuoteDetailOutputSerializer(QuoteOutputSerializer):
    note = serializers.CharField(read_only=True)
    language = serializers.CharField(read_only=True)
    lines = LineOutputSerializer(many=True, read_only=True)


class PaymentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    invoice = serializers.IntegerField(source="invoice_id", read_only=True)
    invoice_number = serializers.CharField(source="invoice.display_number", read_only=True)
    amount = MoneyField(read_only=True, help_text=gettext_lazy("Negative for a refund."))
    received_on = serializers.DateField(read_only=True)
    # The payment's source; the stubs type Field.source, DRF's own attribute, as a string.
    source = PaymentSourceField(read_only=True)  # type: ignore[assignment]
    payer_name = serializers.CharField(read_only=True)
    communication = serializers.CharField(read_only=True)
