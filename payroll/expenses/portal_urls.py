"""Portal URLs of payroll (expenses), included in the portal namespace."""

from django.urls import path

from . import views
from .receipts import views as receipts

urlpatterns = [
    path("expenses/", views.expense_list, name="expense_list"),
    path("expenses/expenses.csv", views.expense_list_csv, name="expense_list_csv"),
    path("expenses/new/", views.expense_new, name="expense_create"),
    path("expenses/<int:pk>/", views.expense_detail, name="expense_detail"),
    path("expenses/<int:pk>/receipt/", views.expense_receipt, name="expense_receipt"),
    path("expenses/receipts/", receipts.receipt_inbox, name="receipt_inbox"),
    path("expenses/receipts/<int:pk>/", receipts.receipt_review, name="receipt_review"),
    path("expenses/receipts/<int:pk>/file/", receipts.receipt_file_view, name="receipt_file"),
    path(
        "expenses/receipts/<int:pk>/discard/",
        receipts.receipt_discard_view,
        name="receipt_discard",
    ),
]
