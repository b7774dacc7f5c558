"""The board's dashboards, under the back-office (namespace `reports`)."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_index, name="index"),
    path("compute/", views.dashboard_compute, name="compute"),
    path("runs/<int:pk>/", views.dashboard_run, name="run"),
    path("<slug:key>/", views.dashboard_section, name="section"),
    path("<slug:key>/export.<str:fmt>", views.dashboard_export, name="export"),
]
