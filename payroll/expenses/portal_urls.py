"""Portal URLs of payroll (expenses), included in the portal namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("expenses/", views.expense_list, name="expense_list"),
    path("expenses/expenses.csv", views.expense_list_csv, name="expense_list_csv"),
    path("expenses/new/", views.expense_new, name="expense_create"),
    path("expenses/<int:pk>/", views.expense_detail, name="expense_detail"),
    path("expenses/<int:pk>/receipt/", views.expense_receipt, name="expense_receipt"),
]
