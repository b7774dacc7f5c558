"""Portal URLs of payroll (pay), included in the portal namespace."""

from django.urls import path

from . import views as views_pay

urlpatterns = [
    path("payslips/", views_pay.payslip_list, name="pay_payslip_list"),
    path("payslips/payslips.csv", views_pay.payslip_list_csv, name="pay_payslip_list_csv"),
    path("payslips/<int:pk>/", views_pay.payslip_detail, name="pay_payslip_detail"),
    path("payslips/<int:pk>/pdf/", views_pay.payslip_pdf, name="pay_payslip_pdf"),
    path("attestations/", views_pay.attestation_list, name="pay_attestation_list"),
    path("attestations/new/", views_pay.attestation_create, name="pay_attestation_create"),
    path("attestations/<int:pk>/pdf/", views_pay.attestation_pdf, name="pay_attestation_pdf"),
]
