"""The member portal ("espace membre"), namespace `portal`."""

from django.urls import path

from invoicing import views as invoicing_views
from production_units import views as unit_views

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("units/<int:pk>/", unit_views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/ledger.csv", unit_views.unit_ledger_csv, name="unit_ledger_csv"),
    path("clients/", invoicing_views.client_list, name="client_list"),
    path("clients/new/", invoicing_views.client_new, name="client_create"),
    path("clients/<int:pk>/", invoicing_views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", invoicing_views.client_edit, name="client_edit"),
]
