"""The board's dashboards, under the back-office (namespace `reports`)."""

from django.urls import path

from . import views, views_documents

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_index, name="index"),
    path("compute/", views.dashboard_compute, name="compute"),
    path("runs/<int:pk>/", views.dashboard_run, name="run"),
    path("documents/", views_documents.report_document_list, name="documents"),
    path("documents/new/", views_documents.report_document_create, name="document_create"),
    path("documents/<int:pk>/", views_documents.report_document_detail, name="document"),
    path("<slug:key>/", views.dashboard_section, name="section"),
    path("<slug:key>/export.<str:fmt>", views.dashboard_export, name="export"),
]
