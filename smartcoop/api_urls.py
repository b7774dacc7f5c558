"""The REST API, /api/v1/ (namespace `api`): a member's own data, with the portal's permissions.

Every route here is covered by tests/test_api_access.py, which enumerates them: a new route
without an access case fails the suite.
"""

from django.urls import path

from invoicing.api import ClientDetailApi, ClientListApi
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
]
