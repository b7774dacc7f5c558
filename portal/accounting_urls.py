"""Portal URLs of my accounting view, included in the portal namespace."""

from django.urls import path

from . import accounting_views as views

urlpatterns = [
    path("accounting/", views.accounting, name="accounting"),
    path("accounting/movements.csv", views.accounting_csv, name="accounting_csv"),
    path("accounting/movements.xlsx", views.accounting_xlsx, name="accounting_xlsx"),
    path("accounting/my-year.pdf", views.accounting_pdf, name="accounting_pdf"),
    path("units/<int:pk>/accounting/", views.accounting_unit, name="accounting_unit"),
    path(
        "units/<int:pk>/accounting/movements.csv",
        views.accounting_unit_csv,
        name="accounting_unit_csv",
    ),
    path(
        "units/<int:pk>/accounting/movements.xlsx",
        views.accounting_unit_xlsx,
        name="accounting_unit_xlsx",
    ),
]
