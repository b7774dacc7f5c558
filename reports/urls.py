"""The board's dashboards, under the back-office (namespace `reports`). The sections' URLs
name the sections themselves, so that the admin's own pages of this app
(/admin/reports/reporttext/ …) are not taken for a section."""

from django.urls import path, re_path

from . import views, views_documents
from .figures import SECTIONS

app_name = "reports"
SECTION = "(?P<key>" + "|".join(SECTIONS) + ")"

urlpatterns = [
    path("", views.dashboard_index, name="index"),
    path("compute/", views.dashboard_compute, name="compute"),
    path("runs/<int:pk>/", views.dashboard_run, name="run"),
    path("documents/", views_documents.report_document_list, name="documents"),
    path("documents/new/", views_documents.report_document_create, name="document_create"),
    path("documents/<int:pk>/", views_documents.report_document_detail, name="document"),
    re_path(rf"^{SECTION}/$", views.dashboard_section, name="section"),
    re_path(rf"^{SECTION}/export\.(?P<fmt>csv|xlsx)$", views.dashboard_export, name="export"),
]
