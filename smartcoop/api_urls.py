"""The REST API, /api/v1/ (namespace `api`): a member's own data, with the portal's permissions.

Every route here is covered by tests/test_api_access.py, which enumerates them: a new route
without an access case fails the suite.
"""

from django.urls import include, path

from invoicing.api import ClientDetailApi, ClientListApi
from invoicing.api_documents import (
    InvoiceCreditNoteApi,
    InvoiceDetailApi,
    InvoiceListApi,
    InvoicePdfApi,
    InvoiceSubmitApi,
    InvoiceUblApi,
    PaymentListApi,
    QuoteAcceptApi,
    QuoteDetailApi,
    QuoteListApi,
    QuotePdfApi,
    QuoteRefuseApi,
    QuoteSendApi,
    QuoteToInvoiceApi,
)
from members.api import MeApi, TokenObtainApi
from production_units.api import UnitDetailApi, UnitLedgerApi, UnitListApi

app_name = "api"

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="auth-token"),
    path("me/", MeApi.as_view(), name="me"),
    path("units/", UnitListApi.as_view(), name="unit-list"),
    path("units/<int:unit_id>/", UnitDetailApi.as_view(), name="unit-detail"),
    path("units/<int:unit_id>/ledger/", UnitLedgerApi.as_view(), name="unit-ledger"),
    path("clients/", ClientListApi.as_view(), name="client-list"),
    path("clients/<int:client_id>/", ClientDetailApi.as_view(), name="client-detail"),
    # Invoices and credit notes (kind=credit_note) share one collection.
    path("invoices/", InvoiceListApi.as_view(), name="invoice-list"),
    path("invoices/<int:invoice_id>/", InvoiceDetailApi.as_view(), name="invoice-detail"),
    path("invoices/<int:invoice_id>/submit/", InvoiceSubmitApi.as_view(), name="invoice-submit"),
    path(
        "invoices/<int:invoice_id>/credit-note/",
        InvoiceCreditNoteApi.as_view(),
        name="invoice-credit-note",
    ),
    path("invoices/<int:invoice_id>/pdf/", InvoicePdfApi.as_view(), name="invoice-pdf"),
    path("invoices/<int:invoice_id>/ubl/", InvoiceUblApi.as_view(), name="invoice-ubl"),
    path("quotes/", QuoteListApi.as_view(), name="quote-list"),
    path("quotes/<int:quote_id>/", QuoteDetailApi.as_view(), name="quote-detail"),
    path("quotes/<int:quote_id>/send/", QuoteSendApi.as_view(), name="quote-send"),
    path("quotes/<int:quote_id>/accept/", QuoteAcceptApi.as_view(), name="quote-accept"),
    path("quotes/<int:quote_id>/refuse/", QuoteRefuseApi.as_view(), name="quote-refuse"),
    path("quotes/<int:quote_id>/to-invoice/", QuoteToInvoiceApi.as_view(), name="quote-to-invoice"),
    path("quotes/<int:quote_id>/pdf/", QuotePdfApi.as_view(), name="quote-pdf"),
    path("payments/", PaymentListApi.as_view(), name="payment-list"),
    path("", include("members.api_urls")),
    path("", include("payroll.work.api_urls")),
    path("", include("payroll.pay.api_urls")),
    path("", include("payroll.expenses.api_urls")),
    path("", include("payroll.workers.api_urls")),
    path("", include("governance.api_urls")),
]
