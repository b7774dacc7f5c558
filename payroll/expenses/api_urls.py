"""API routes of payroll (expenses), included under /api/v1/."""

from django.urls import path

from .api import ExpenseClaimDetailApi, ExpenseClaimListApi, ExpenseClaimReceiptApi

urlpatterns = [
    path("expense-claims/", ExpenseClaimListApi.as_view(), name="expense-claim-list"),
    path(
        "expense-claims/<int:claim_id>/",
        ExpenseClaimDetailApi.as_view(),
        name="expense-claim-detail",
    ),
    path(
        "expense-claims/<int:claim_id>/receipt/",
        ExpenseClaimReceiptApi.as_view(),
        name="expense-claim-receipt",
    ),
]
