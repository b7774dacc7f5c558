"""Portal URLs of governance (namespace `portal`): assemblies and votes, the board."""

from django.urls import include, path

urlpatterns = [
    path("", include("governance.portal_urls_assemblies")),
    path("", include("governance.portal_urls_board")),
]
