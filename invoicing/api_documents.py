"""The API of invoicing documents: a member's invoices, credit notes, quotes and payments.

/api/v1/invoices/ holds invoices *and* credit notes (kind=credit_note); /api/v1/quotes/ the
quotes; /api/v1/payments/ the payments matched to my invoices. The serializers are in
api_serializers (decimals as strings, unknown fields refused), the lists and their filters
in api_querysets; every rule (VAT, exemptions, states, numbering) is the services', so the
API refuses exactly what the portal refuses, with the same messages.
"""

import re
from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from core.api import (
    FileAnswer,
    NoInputSerializer,
    OwnRowsMixin,
    file_download,
    no_input,
)

from .api_querysets import (
    InvoiceFilter,
    PaymentFilter,
    QuoteFilter,
    invoices_of,
    lines_prefetch,
    payments_of,
    quotes_of,
)
from .api_serializers import (
    CreditNoteInputSerializer,
    InvoiceCreateInputSerializer,
    InvoiceDetailOutputSerializer,
    InvoiceOutputSerializer,
    InvoiceUpdateInputSerializer,
    PaymentOutputSerializer,
    QuoteCreateInputSerializer,
    QuoteDetailOutputSerializer,
    QuoteOutputSerializer,
    QuoteRefuseInputSerializer,
    QuoteUpdateInputSerializer,
)
from .documents import invoice_documents_render
from .invoice_services import (
    credit_note_create,
    invoice_create,
    invoice_delete_draft,
    invoice_submit,
    invoice_update,
)
from .line_input import api_lines
from .models import Invoice, InvoiceLine, Quote, QuoteLine
from .quote_services import (
    quote_accept,
    quote_create,
    quote_mark_sent,
    quote_refuse,
    quote_to_invoice,
    quote_update,
)
from .selectors import with_balances

# --- views: invoices and credit notes ------------------------------------------------------


class DocumentNotIssued(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_issued"


class InvoiceListApi(OwnRowsMixin, generics.ListAPIView):
    """My invoices and credit notes (credit notes have kind=credit_note: filter with
    ?kind=credit_note), newest first, each with its totals, payment state and balance due."""

    serializer_class = InvoiceOutputSerializer
    filterset_class = InvoiceFilter
    parser_classes = [JSONParser]
    rows = staticmethod(invoices_of)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(with_balances(page), many=True).data)

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
        lines = api_lines(fields.pop("lines"))
        invoice = invoice_create(by=request.user, lines=lines, **fields)
        return _created(request, invoice)


def _invoice_detail(request, invoice_id) -> Invoice:
    invoice = generics.get_object_or_404(
        invoices_of(request.user).prefetch_related(lines_prefetch(InvoiceLine)), pk=invoice_id
    )
    return with_balances([invoice])[0]


def _invoice_response(request, invoice_id, status_code=status.HTTP_200_OK) -> Response:
    invoice = _invoice_detail(request, invoice_id)
    data = InvoiceDetailOutputSerializer(invoice, context={"request": request}).data
    return Response(data, status=status_code)


def _created(request, invoice: Invoice) -> Response:
    response = _invoice_response(request, invoice.pk, status.HTTP_201_CREATED)
    response["Location"] = reverse("api:invoice-detail", kwargs={"invoice_id": invoice.pk})
    return response


class InvoiceObjectApi(OwnRowsMixin, generics.GenericAPIView):
    """Base of the views about one of my invoices or credit notes (404 for anyone else's)."""

    serializer_class = InvoiceDetailOutputSerializer
    lookup_url_kwarg = "invoice_id"
    parser_classes = [JSONParser]
    rows = staticmethod(invoices_of)


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
        lines = api_lines(fields.pop("lines", None))
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
        no_input(request)
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
            lines=api_lines(data.validated_data.get("lines")),
            note=data.validated_data.get("note", ""),
        )
        return _created(request, credit)


class InvoiceFileApi(FileAnswer, InvoiceObjectApi):
    """A file of an issued document, rendered once and kept (409 while not issued)."""

    field = ""
    content_type = ""
    extension = ""

    def get(self, request, invoice_id):
        invoice = self.get_object()
        if not invoice.is_issued:
            raise DocumentNotIssued(
                _("This document is not issued yet: it has a %(file)s once it is issued.")
                % {"file": self.extension.upper()}
            )
        if not getattr(invoice, self.field):
            invoice_documents_render(invoice=invoice)
        filename = f"{invoice.display_number}.{self.extension}"
        return file_download(getattr(invoice, self.field), filename, self.content_type)


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


class QuoteListApi(OwnRowsMixin, generics.ListAPIView):
    """My quotes, newest first."""

    serializer_class = QuoteOutputSerializer
    filterset_class = QuoteFilter
    parser_classes = [JSONParser]
    rows = staticmethod(quotes_of)

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
        lines = api_lines(fields.pop("lines"))
        quote = quote_create(by=request.user, lines=lines, **fields)
        response = _quote_response(request, quote.pk, status.HTTP_201_CREATED)
        response["Location"] = reverse("api:quote-detail", kwargs={"quote_id": quote.pk})
        return response


def _quote_response(request, quote_id, status_code=status.HTTP_200_OK) -> Response:
    quote = generics.get_object_or_404(
        quotes_of(request.user).prefetch_related(lines_prefetch(QuoteLine)), pk=quote_id
    )
    return Response(QuoteDetailOutputSerializer(quote).data, status=status_code)


class QuoteObjectApi(OwnRowsMixin, generics.GenericAPIView):
    """Base of the views about one of my quotes (404 for anyone else's)."""

    serializer_class = QuoteDetailOutputSerializer
    lookup_url_kwarg = "quote_id"
    parser_classes = [JSONParser]
    rows = staticmethod(quotes_of)


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
        lines = api_lines(fields.pop("lines", None))
        quote_update(quote=quote, by=request.user, lines=lines, **fields)
        return _quote_response(request, quote_id)


class QuoteTransitionApi(QuoteObjectApi):
    service: Callable[..., Quote]  # a quote service taking (quote, by)

    @extend_schema(request=NoInputSerializer, responses=QuoteDetailOutputSerializer)
    def post(self, request, quote_id):
        quote = self.get_object()
        no_input(request)
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
        no_input(request)
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
class QuotePdfApi(FileAnswer, QuoteObjectApi):
    """The PDF of one of my quotes, in any state (rendered again whenever the quote changed)."""

    def get(self, request, quote_id):
        from .quote_pdf import quote_pdf_render  # imports WeasyPrint: only when needed

        quote = self.get_object()
        filename = re.sub(r"[^A-Za-z0-9_.-]", "_", quote.number or f"quote-{quote.pk}")
        return file_download(quote_pdf_render(quote=quote), f"{filename}.pdf")


# --- views: payments -----------------------------------------------------------------------


class PaymentListApi(OwnRowsMixin, generics.ListAPIView):
    """Payments (and refunds, negative) matched to my invoices, newest first."""

    serializer_class = PaymentOutputSerializer
    filterset_class = PaymentFilter
    rows = staticmethod(payments_of)
