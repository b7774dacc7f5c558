"""The member portal ("espace membre"), namespace `portal`."""

from django.urls import include, path

from invoicing import views as invoicing_views
from invoicing import views_invoices as invoice_views
from invoicing import views_quotes as quote_views
from invoicing.views_branding import branding_edit, branding_preview
from invoicing.views_documents import lines_totals
from portal import views
from production_units import views as unit_views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("units/<int:pk>/", unit_views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/ledger.csv", unit_views.unit_ledger_csv, name="unit_ledger_csv"),
    path("clients/", invoicing_views.client_list, name="client_list"),
    path("clients/new/", invoicing_views.client_new, name="client_create"),
    path("clients/<int:pk>/", invoicing_views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", invoicing_views.client_edit, name="client_edit"),
    path("units/<int:pk>/branding/", branding_edit, name="branding_edit"),
    path("units/<int:pk>/branding/preview/", branding_preview, name="branding_preview"),
    path("invoices/", invoice_views.invoice_list, name="invoice_list"),
    path("invoices/invoices.csv", invoice_views.invoice_list_csv, name="invoice_list_csv"),
    path("invoices/new/", invoice_views.invoice_new, name="invoice_create"),
    path("invoices/totals/", lines_totals, name="lines_totals"),
    path("invoices/<int:pk>/", invoice_views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/edit/", invoice_views.invoice_edit, name="invoice_edit"),
    path("invoices/<int:pk>/delete/", invoice_views.invoice_delete, name="invoice_delete"),
    path("invoices/<int:pk>/submit/", invoice_views.invoice_submit_view, name="invoice_submit"),
    path("invoices/<int:pk>/pdf/", invoice_views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/preview/", invoice_views.invoice_preview, name="invoice_preview"),
    path("invoices/<int:pk>/ubl/", invoice_views.invoice_ubl, name="invoice_ubl"),
    path("invoices/<int:pk>/credit/", invoice_views.credit_note_new, name="credit_note_create"),
    path("invoices/<int:pk>/repeat/", invoice_views.invoice_repeat_view, name="invoice_repeat"),
    path(
        "recurring-invoices/<int:pk>/stop/",
        invoice_views.recurrence_stop_view,
        name="recurrence_stop",
    ),
    path(
        "invoices/<int:pk>/duplicate/",
        invoice_views.invoice_duplicate_view,
        name="invoice_duplicate",
    ),
    path("quotes/", quote_views.quote_list, name="quote_list"),
    path("quotes/new/", quote_views.quote_new, name="quote_create"),
    path("quotes/<int:pk>/", quote_views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", quote_views.quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/pdf/", quote_views.quote_pdf, name="quote_pdf"),
    path("quotes/<int:pk>/sent/", quote_views.quote_mark_sent_view, name="quote_mark_sent"),
    path("quotes/<int:pk>/accept/", quote_views.quote_accept_view, name="quote_accept"),
    path("quotes/<int:pk>/refuse/", quote_views.quote_refuse_view, name="quote_refuse"),
    path("quotes/<int:pk>/invoice/", quote_views.quote_to_invoice_view, name="quote_to_invoice"),
    path("", include("members.portal_urls")),
    path("", include("members.notifications.portal_urls")),
    path("", include("payroll.work.portal_urls")),
    path("", include("payroll.pay.portal_urls")),
    path("", include("payroll.expenses.portal_urls")),
    path("", include("payroll.workers.portal_urls")),
    path("", include("governance.portal_urls")),
    path("", include("portal.accounting_urls")),
]
