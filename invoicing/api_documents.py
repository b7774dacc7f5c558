"""The API of invoicing documents: a member's invoices, credit notes, quotes and payments.

/api/v1/invoices/ holds invoices *and* credit notes (kind=credit_note); /api/v1/quotes/ the
quotes; /api/v1/payments/ the payments matched to my invoices. Serializers check types and
the shape of the database columns only; every rule (VAT, exemptions, states, numbering) is
the services', so the API refuses exactly what the portal refuses, with the same messages.

Two choices apply to every writable endpoint here:
- decimals (quantity, unit_price, vat_rate) are JSON strings ("12.50"): a JSON number is
  refused, because a client that built it from a float may already have lost the cent;
- a field the endpoint does not know is refused by name (a typo must not silently drop
  a value, and nobody should believe they can set a status or a total).
"""

import re
from collections.abc import Mapping

import django_filters
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from core.api import MoneyField
from production_units.models import ProductionUnit

from .api import MAX_ID, OwnUnitField
from .documents import invoice_documents_render
from .invoice_services import (
    LineData,
    credit_note_create,
    invoice_create,
    invoice_delete_draft,
    invoice_submit,
    invoice_update,
)
from .models import (
    Client,
    Invoice,
    InvoiceBranding,
    InvoiceLine,
    Payment,
    Quote,
    QuoteLine,
    UnitCode,
    VatCategory,
    VatExemptionReason,
)
from .quote_services import (
    quote_accept,
    quote_create,
    quote_mark_sent,
    quote_refuse,
    quote_to_invoice,
    quote_update,
)
from .references import format_structured_reference
from .selectors import (
    PaymentState,
    invoice_amount_paid,
    invoice_balance_due,
    invoice_payment_state,
    invoices_with_balance,
)

# --- fields --------------------------------------------------------------------------------


def enum_field(component_name: str, choices):
    """A choice field with its own schema component (enum names must not collide)."""

    @extend_schema_field(
        {"type": "string", "enum": [value for value, _label in choices]},
        component_name=component_name,
    )
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, **kwargs)

    EnumField.__name__ = f"{component_name}Field"
    return EnumField


InvoiceKindField = enum_field("InvoiceKindEnum", Invoice.Kind.choices)
InvoiceStatusField = enum_field("InvoiceStatusEnum", Invoice.Status.choices)
QuoteStatusField = enum_field("QuoteStatusEnum", Quote.Status.choices)
PaymentStateField = enum_field("PaymentStateEnum", PaymentState.choices)
PaymentSourceField = enum_field("PaymentSourceEnum", Payment.Source.choices)
UnitCodeField = enum_field("UnitCodeEnum", UnitCode.choices)
VatCategoryField = enum_field("VatCategoryEnum", VatCategory.choices)
# The languages a document can be written in (as for the unit's personalisation), or "".
DocumentLanguageField = enum_field(
    "DocumentLanguageEnum",
    [("", gettext_lazy("default")), *InvoiceBranding._meta.get_field("language").choices],
)
LANGUAGE_HELP = gettext_lazy("fr, nl or en; empty: the default language.")


class DecimalStringField(serializers.DecimalField):
    """A decimal sent as a JSON string ("12.50"); a JSON number (maybe a float) is refused."""

    default_error_messages = {
        "not_a_string": gettext_lazy(
            'Send this number as a string, e.g. "12.50", not as a JSON number.'
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class OwnClientField(serializers.PrimaryKeyRelatedField):
    """The id of a client of one of the requesting member's units; any other id is refused
    the same way, so that nobody learns which ids exist."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("Client {pk_value} is not one of your clients."),
        "incorrect_type": gettext_lazy("A client is given by its id (a number), not {data_type}."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Client.objects.none())
        kwargs.setdefault("pk_field", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        super().__init__(**kwargs)

    def get_queryset(self):
        return Client.objects.of_member_user(self.context["request"].user)


class ExemptionReasonField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": gettext_lazy("There is no exemption reason {pk_value}."),
        "incorrect_type": gettext_lazy(
            "An exemption reason is given by its id (a number), not {data_type}."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", VatExemptionReason.objects.all())
        kwargs.setdefault("pk_field", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        super().__init__(**kwargs)


# --- input ---------------------------------------------------------------------------------


class StrictInputSerializer(serializers.Serializer):
    """Refuses, by name, the fields it does not declare."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            accepted = ", ".join(sorted(self.fields)) or _("none")
            message = _("This field is not accepted here (accepted: %(fields)s).") % {
                "fields": accepted
            }
            unknown = {name: [message] for name in data if name not in self.fields}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**unknown, **error.detail}) from error
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class PartialInputSerializer(StrictInputSerializer):
    def validate(self, attrs):
        if self.partial and not attrs:
            raise serializers.ValidationError(_("Send at least one field to change."))
        return attrs


class NoInputSerializer(StrictInputSerializer):
    """An action that takes no input: an empty body (or {})."""


def _no_input(request) -> None:
    NoInputSerializer(data=request.data).is_valid(raise_exception=True)


class LineInputSerializer(StrictInputSerializer):
    """A line of an invoice, credit note or quote. quantity, unit_price and vat_rate are
    strings ("1.5", "75.00", "21"): JSON numbers are refused. Unknown fields are refused."""

    description = serializers.CharField(max_length=300, allow_blank=True)
    quantity = DecimalStringField(
        max_digits=12, decimal_places=3, help_text=gettext_lazy('A string, e.g. "2" or "1.5".')
    )
    unit_code = UnitCodeField(required=False, default=UnitCode.PIECE)
    unit_price = DecimalStringField(
        max_digits=14,
        decimal_places=4,
        help_text=gettext_lazy('Excl. VAT, a string with at most 4 decimals, e.g. "75.00".'),
    )
    vat_category = VatCategoryField()
    vat_rate = DecimalStringField(
        max_digits=5, decimal_places=2, help_text=gettext_lazy('A string, e.g. "21" or "0".')
    )
    exemption_reason = ExemptionReasonField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Id of the legal exemption reason, for a line without VAT."),
    )


def line_data(lines: list[dict] | None) -> list[LineData] | None:
    return None if lines is None else [LineData(**line) for line in lines]


class InvoiceCreateInputSerializer(StrictInputSerializer):
    """A draft invoice for one of my units and one of its clients (unknown fields refused)."""

    unit = OwnUnitField(help_text=gettext_lazy("Id of one of your units."))
    client = OwnClientField(help_text=gettext_lazy("Id of a client of that unit."))
    lines = LineInputSerializer(many=True)
    due_date = serializers.DateField(required=False, allow_null=True)
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
    buyer_reference = serializers.CharField(max_length=100, allow_blank=True)
    order_reference = serializers.CharField(max_length=100, allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    language = DocumentLanguageField(help_text=LANGUAGE_HELP)


class CreditNoteInputSerializer(StrictInputSerializer):
    """A credit note: no lines to credit the whole invoice, else the lines to credit."""

    # The list may be null, its lines may not: LineInputSerializer(many=True, allow_null=True)
    # would let null lines through to the service (a 500).
    lines = serializers.ListSerializer(
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
    source = PaymentSourceField(read_only=True)
    payer_name = serializers.CharField(read_only=True)
    communication = serializers.CharField(read_only=True)


# --- querysets -----------------------------------------------------------------------------


def invoices_of(user):
    """Invoices and credit notes of the units this user holds (none for anonymous callers)."""
    if not user.is_authenticated:  # e.g. the schema generator
        return Invoice.objects.none()
    return Invoice.objects.of_member_user(user).select_related("unit", "client", "series")


def with_amounts(invoices: list[Invoice]) -> list[Invoice]:
    """Attach paid, credited and due to the issued invoices among `invoices`, in one query,
    so that the selectors read them instead of querying once per invoice."""
    ids = [inv.pk for inv in invoices if inv.kind == Invoice.Kind.INVOICE and inv.is_issued]
    if not ids:
        return invoices
    rows = {
        row["pk"]: row
        for row in invoices_with_balance(invoices=Invoice.objects.filter(pk__in=ids)).values(
            "pk", "amount_paid", "amount_credited", "balance_due"
        )
    }
    for invoice in invoices:
        row = rows.get(invoice.pk)
        if row is not None:
            invoice.amount_paid = row["amount_paid"]
            invoice.amount_credited = row["amount_credited"]
            invoice.balance_due = row["balance_due"]
    return invoices


def _lines(model):
    return Prefetch("lines", queryset=model.objects.select_related("exemption_reason"))


def quotes_of(user):
    if not user.is_authenticated:
        return Quote.objects.none()
    return Quote.objects.of_member_user(user).select_related("unit", "client")


def payments_of(user):
    """Payments matched to this user's invoices: unmatched ones belong to nobody yet."""
    if not user.is_authenticated:
        return Payment.objects.none()
    return Payment.objects.filter(
        status=Payment.Status.MATCHED, invoice__in=Invoice.objects.of_member_user(user)
    ).select_related("invoice__series")


# --- filters -------------------------------------------------------------------------------


def _my_units(request):
    if request is None or not request.user.is_authenticated:
        return ProductionUnit.objects.none()
    return ProductionUnit.objects.held_by(request.user)


def _my_clients(request):
    if request is None or not request.user.is_authenticated:
        return Client.objects.none()
    return Client.objects.of_member_user(request.user)


def _my_invoices(request):
    if request is None or not request.user.is_authenticated:
        return Invoice.objects.none()
    return Invoice.objects.of_member_user(request.user)


# "F-2026-000012", "2026-12", "12": the number, optionally with its year and series code.
NUMBER_SEARCH = re.compile(r"^(?:([A-Za-z]{1,8})-)?(?:(\d{4})-)?0*(\d{1,9})$")


class InvoiceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Invoice.Status.choices, label=gettext_lazy("status")
    )
    kind = django_filters.ChoiceFilter(
        choices=Invoice.Kind.choices,
        label=gettext_lazy("kind: invoice, or credit_note for the credit notes"),
    )
    unit = django_filters.ModelChoiceFilter(queryset=_my_units, label=gettext_lazy("unit id"))
    client = django_filters.ModelChoiceFilter(queryset=_my_clients, label=gettext_lazy("client id"))
    # ?issue_date_after=2026-01-01&issue_date_before=2026-12-31 (both inclusive)
    issue_date = django_filters.DateFromToRangeFilter(label=gettext_lazy("issue date"))
    search = django_filters.CharFilter(
        method="filter_search",
        label=gettext_lazy(
            "number (F-2026-000012, or 12), structured reference, or part of the client's name"
        ),
    )

    class Meta:
        model = Invoice
        fields = ["status", "kind", "unit", "client", "issue_date"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        found = Q(client__name__icontains=value)
        digits = re.sub(r"\D", "", value)
        if len(digits) == 12:
            found |= Q(structured_reference=digits)
        match = NUMBER_SEARCH.match(value)
        if match:
            code, year, number = match.groups()
            by_number = Q(number=int(number))
            if year:
                by_number &= Q(year=int(year))
            if code:
                by_number &= Q(series__code__iexact=code)
            found |= by_number
        return queryset.filter(found)


class QuoteFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Quote.Status.choices, label=gettext_lazy("status"))
    unit = django_filters.ModelChoiceFilter(queryset=_my_units, label=gettext_lazy("unit id"))
    client = django_filters.ModelChoiceFilter(queryset=_my_clients, label=gettext_lazy("client id"))
    search = django_filters.CharFilter(
        method="filter_search", label=gettext_lazy("number or part of the client's name")
    )

    class Meta:
        model = Quote
        fields = ["status", "unit", "client"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(client__name__icontains=value))


class PaymentFilter(django_filters.FilterSet):
    invoice = django_filters.ModelChoiceFilter(
        queryset=_my_invoices, label=gettext_lazy("invoice id")
    )
    # ?received_on_after=…&received_on_before=… (both inclusive)
    received_on = django_filters.DateFromToRangeFilter(label=gettext_lazy("date received"))

    class Meta:
        model = Payment
        fields = ["invoice", "received_on"]


# --- views: invoices and credit notes ------------------------------------------------------


class DocumentNotIssued(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_issued"


class InvoiceListApi(generics.ListAPIView):
    """My invoices and credit notes (credit notes have kind=credit_note: filter with
    ?kind=credit_note), newest first, each with its totals, payment state and balance due."""

    serializer_class = InvoiceOutputSerializer
    filterset_class = InvoiceFilter
    parser_classes = [JSONParser]

    def get_queryset(self):
        return invoices_of(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(with_amounts(page), many=True).data)

    @extend_schema(
        description=(
            "Create a draft invoice. Decimals are JSON strings (a JSON number is refused); "
            "unknown fields are refused. Submit it to issue it."
        ),
        request=InvoiceCreateInputSerializer,
        responses={201: InvoiceDetailOutputSerializer},
    )
    def post(self, request):
        data = InvoiceCreateInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        lines = line_data(fields.pop("lines"))
        invoice = invoice_create(by=request.user, lines=lines, **fields)
        return _created(request, invoice)


def _invoice_detail(request, invoice_id) -> Invoice:
    invoice = generics.get_object_or_404(
        invoices_of(request.user).prefetch_related(_lines(InvoiceLine)), pk=invoice_id
    )
    return with_amounts([invoice])[0]


def _invoice_response(request, invoice_id, status_code=status.HTTP_200_OK) -> Response:
    invoice = _invoice_detail(request, invoice_id)
    data = InvoiceDetailOutputSerializer(invoice, context={"request": request}).data
    return Response(data, status=status_code)


def _created(request, invoice: Invoice) -> Response:
    response = _invoice_response(request, invoice.pk, status.HTTP_201_CREATED)
    response["Location"] = reverse("api:invoice-detail", kwargs={"invoice_id": invoice.pk})
    return response


class InvoiceObjectApi(generics.GenericAPIView):
    """Base of the views about one of my invoices or credit notes (404 for anyone else's)."""

    serializer_class = InvoiceDetailOutputSerializer
    lookup_url_kwarg = "invoice_id"
    parser_classes = [JSONParser]

    def get_queryset(self):
        return invoices_of(self.request.user)


class InvoiceDetailApi(InvoiceObjectApi):
    """One of my invoices or credit notes with its lines; change or delete it while a draft
    (an issued document never changes: credit it instead)."""

    def get(self, request, invoice_id):
        return _invoice_response(request, invoice_id)

    @extend_schema(request=InvoiceUpdateInputSerializer, responses=InvoiceDetailOutputSerializer)
    def patch(self, request, invoice_id):
        invoice = self.get_object()
        data = InvoiceUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        lines = line_data(fields.pop("lines", None))
        invoice_update(invoice=invoice, by=request.user, lines=lines, **fields)
        return _invoice_response(request, invoice_id)

    @extend_schema(responses={204: None})
    def delete(self, request, invoice_id):
        invoice_delete_draft(invoice=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvoiceSubmitApi(InvoiceObjectApi):
    """Submit a draft: issued at once (number, structured reference), or queued for an
    advisor when the rules say so (status pending_approval)."""

    @extend_schema(request=NoInputSerializer, responses=InvoiceDetailOutputSerializer)
    def post(self, request, invoice_id):
        invoice = self.get_object()
        _no_input(request)
        invoice_submit(invoice=invoice, by=request.user)
        return _invoice_response(request, invoice_id)


class InvoiceCreditNoteApi(InvoiceObjectApi):
    """Draft a credit note for an issued invoice: in full when no lines are given, else for
    the lines given. It is listed with the invoices (kind=credit_note); submit it to issue."""

    @extend_schema(
        request=CreditNoteInputSerializer, responses={201: InvoiceDetailOutputSerializer}
    )
    def post(self, request, invoice_id):
        invoice = self.get_object()
        data = CreditNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        credit = credit_note_create(
            invoice=invoice,
            by=request.user,
            lines=line_data(data.validated_data.get("lines")),
            note=data.validated_data.get("note", ""),
        )
        return _created(request, credit)


class InvoiceFileApi(InvoiceObjectApi):
    """A file of an issued document, rendered once and kept (409 while not issued)."""

    field = ""
    content_type = ""
    extension = ""

    def perform_content_negotiation(self, request, force=False):
        # The success is a file whatever Accept says; errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, invoice_id):
        invoice = self.get_object()
        if not invoice.is_issued:
            raise DocumentNotIssued(
                _("This document is not issued yet: it has a %(file)s once it is issued.")
                % {"file": self.extension.upper()}
            )
        if not getattr(invoice, self.field):
            invoice_documents_render(invoice=invoice)
        with getattr(invoice, self.field).open("rb") as file:
            content = file.read()
        response = HttpResponse(content, content_type=self.content_type)
        filename = f"{invoice.display_number}.{self.extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


_FILE_ERRORS = {
    404: OpenApiResponse(description=gettext_lazy("Not one of your documents.")),
    409: OpenApiResponse(description=gettext_lazy("The document is not issued yet.")),
}


@extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **_FILE_ERRORS})
class InvoicePdfApi(InvoiceFileApi):
    """The PDF of an issued invoice or credit note."""

    field, content_type, extension = "pdf", "application/pdf", "pdf"


@extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY, **_FILE_ERRORS})
class InvoiceUblApi(InvoiceFileApi):
    """The Peppol BIS Billing 3.0 UBL of an issued invoice or credit note."""

    field, content_type, extension = "ubl", "application/xml", "xml"


# --- views: quotes -------------------------------------------------------------------------


class QuoteListApi(generics.ListAPIView):
    """My quotes, newest first."""

    serializer_class = QuoteOutputSerializer
    filterset_class = QuoteFilter
    parser_classes = [JSONParser]

    def get_queryset(self):
        return quotes_of(self.request.user)

    @extend_schema(
        description=(
            "Create a draft quote. Decimals are JSON strings (a JSON number is refused); "
            "unknown fields are refused."
        ),
        request=QuoteCreateInputSerializer,
        responses={201: QuoteDetailOutputSerializer},
    )
    def post(self, request):
        data = QuoteCreateInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        lines = line_data(fields.pop("lines"))
        quote = quote_create(by=request.user, lines=lines, **fields)
        response = _quote_response(request, quote.pk, status.HTTP_201_CREATED)
        response["Location"] = reverse("api:quote-detail", kwargs={"quote_id": quote.pk})
        return response


def _quote_response(request, quote_id, status_code=status.HTTP_200_OK) -> Response:
    quote = generics.get_object_or_404(
        quotes_of(request.user).prefetch_related(_lines(QuoteLine)), pk=quote_id
    )
    return Response(QuoteDetailOutputSerializer(quote).data, status=status_code)


class QuoteObjectApi(generics.GenericAPIView):
    """Base of the views about one of my quotes (404 for anyone else's)."""

    serializer_class = QuoteDetailOutputSerializer
    lookup_url_kwarg = "quote_id"
    parser_classes = [JSONParser]

    def get_queryset(self):
        return quotes_of(self.request.user)


class QuoteDetailApi(QuoteObjectApi):
    """One of my quotes with its lines; change it while a draft."""

    def get(self, request, quote_id):
        return _quote_response(request, quote_id)

    @extend_schema(request=QuoteUpdateInputSerializer, responses=QuoteDetailOutputSerializer)
    def patch(self, request, quote_id):
        quote = self.get_object()
        data = QuoteUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        lines = line_data(fields.pop("lines", None))
        quote_update(quote=quote, by=request.user, lines=lines, **fields)
        return _quote_response(request, quote_id)


class QuoteTransitionApi(QuoteObjectApi):
    service = None  # a quote service taking (quote, by)

    @extend_schema(request=NoInputSerializer, responses=QuoteDetailOutputSerializer)
    def post(self, request, quote_id):
        quote = self.get_object()
        _no_input(request)
        self.service(quote=quote, by=request.user)
        return _quote_response(request, quote_id)


class QuoteSendApi(QuoteTransitionApi):
    """Mark a draft quote as sent to the client."""

    service = staticmethod(quote_mark_sent)


class QuoteAcceptApi(QuoteTransitionApi):
    """Record that the client accepted a sent quote."""

    service = staticmethod(quote_accept)


class QuoteRefuseApi(QuoteObjectApi):
    """Record that the client refused a sent quote, with an optional reason."""

    @extend_schema(request=QuoteRefuseInputSerializer, responses=QuoteDetailOutputSerializer)
    def post(self, request, quote_id):
        quote = self.get_object()
        data = QuoteRefuseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quote_refuse(quote=quote, by=request.user, reason=data.validated_data.get("reason", ""))
        return _quote_response(request, quote_id)


class QuoteToInvoiceApi(QuoteObjectApi):
    """Turn an accepted quote into a draft invoice with the same lines, once: asking again
    returns the same invoice (200 instead of 201)."""

    @extend_schema(
        request=NoInputSerializer,
        responses={201: InvoiceDetailOutputSerializer, 200: InvoiceDetailOutputSerializer},
    )
    def post(self, request, quote_id):
        quote = self.get_object()
        _no_input(request)
        already = quote.invoice_id is not None
        invoice = quote_to_invoice(quote=quote, by=request.user)
        if already:
            return _invoice_response(request, invoice.pk)
        return _created(request, invoice)


@extend_schema(
    responses={
        (200, "application/pdf"): OpenApiTypes.BINARY,
        404: OpenApiResponse(description=gettext_lazy("Not one of your quotes.")),
    }
)
class QuotePdfApi(QuoteObjectApi):
    """The PDF of one of my quotes, in any state (rendered again whenever the quote changed)."""

    def perform_content_negotiation(self, request, force=False):
        # The success is a file whatever Accept says; errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, quote_id):
        from .quote_pdf import quote_pdf_render  # imports WeasyPrint: only when needed

        quote = self.get_object()
        response = HttpResponse(quote_pdf_render(quote=quote), content_type="application/pdf")
        filename = re.sub(r"[^A-Za-z0-9_.-]", "_", quote.number or f"quote-{quote.pk}")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response


# --- views: payments -----------------------------------------------------------------------


class PaymentListApi(generics.ListAPIView):
    """Payments (and refunds, negative) matched to my invoices, newest first."""

    serializer_class = PaymentOutputSerializer
    filterset_class = PaymentFilter

    def get_queryset(self):
        return payments_of(self.request.user)
