"""Portal URLs of membership (joining, shares, certificates), in the portal namespace."""

from django.urls import path

from . import views, views_tokens, views_transfers

urlpatterns = [
    path("membership/apply/", views.membership_apply, name="membership_apply"),
    path("membership/application/", views.membership_application, name="membership_application"),
    path("membership/shares/", views.membership_shares, name="membership_shares"),
    path(
        "membership/shares/subscribe/",
        views.membership_shares_subscribe,
        name="membership_shares_subscribe",
    ),
    path(
        "membership/shares/register.csv",
        views.membership_register_csv,
        name="membership_register_csv",
    ),
    path(
        "membership/certificates/request/",
        views.membership_certificate_request,
        name="membership_certificate_request",
    ),
    path(
        "membership/certificates/<int:pk>/pdf/",
        views.membership_certificate_pdf,
        name="membership_certificate_pdf",
    ),
    path(
        "membership/transfers/request/",
        views_transfers.membership_transfer_request,
        name="membership_transfer_request",
    ),
    path(
        "membership/transfers/<int:pk>/cancel/",
        views_transfers.membership_transfer_cancel,
        name="membership_transfer_cancel",
    ),
    path("api-access/", views_tokens.api_tokens, name="api_tokens"),
    path(
        "api-access/revoke-all/",
        views_tokens.api_tokens_revoke_all_view,
        name="api_tokens_revoke_all",
    ),
    path(
        "api-access/<str:digest>/revoke/",
        views_tokens.api_token_revoke_view,
        name="api_token_revoke",
    ),
]
