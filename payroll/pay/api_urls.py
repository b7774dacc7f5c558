"""API routes of payroll (pay), included under /api/v1/."""

from django.urls import path

from .api import (
    AttestationDetailApi,
    AttestationListApi,
    AttestationPdfApi,
    PayslipDetailApi,
    PayslipListApi,
    PayslipPdfApi,
)

urlpatterns = [
    path("payslips/", PayslipListApi.as_view(), name="pay-payslip-list"),
    path("payslips/<int:payslip_id>/", PayslipDetailApi.as_view(), name="pay-payslip-detail"),
    path("payslips/<int:payslip_id>/pdf/", PayslipPdfApi.as_view(), name="pay-payslip-pdf"),
    path("attestations/", AttestationListApi.as_view(), name="pay-attestation-list"),
    path(
        "attestations/<int:attestation_id>/",
        AttestationDetailApi.as_view(),
        name="pay-attestation-detail",
    ),
    path(
        "attestations/<int:attestation_id>/pdf/",
        AttestationPdfApi.as_view(),
        name="pay-attestation-pdf",
    ),
]
