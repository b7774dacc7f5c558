"""API routes of membership (my membership, shares, certificates), under /api/v1/.

Read-only but for asking a certificate: no route writes the share register.
"""

from django.urls import path

from .api_membership import (
    MembershipApi,
    MyCertificateListApi,
    MyCertificatePdfApi,
    MySharesApi,
)

urlpatterns = [
    path("membership/", MembershipApi.as_view(), name="membership"),
    path("membership/shares/", MySharesApi.as_view(), name="my-shares"),
    path("membership/certificates/", MyCertificateListApi.as_view(), name="my-certificates"),
    path(
        "membership/certificates/<int:certificate_id>/pdf/",
        MyCertificatePdfApi.as_view(),
        name="my-certificate-pdf",
    ),
]
