"""Portal URLs of payroll (work), included in the portal namespace."""

from django.urls import path

from . import views, views_declarations, views_jobs

urlpatterns = [
    path("jobs/", views_jobs.job_list, name="work_job_list"),
    path("jobs/jobs.csv", views_jobs.job_list_csv, name="work_job_list_csv"),
    path("jobs/new/", views_jobs.job_create_view, name="work_job_create"),
    path("jobs/split/", views_jobs.job_split, name="work_job_split"),
    path("jobs/<int:pk>/", views_jobs.job_detail, name="work_job_detail"),
    path("jobs/<int:pk>/edit/", views_jobs.job_edit, name="work_job_edit"),
    path("jobs/<int:pk>/submit/", views_jobs.job_submit_view, name="work_job_submit"),
    path("jobs/<int:pk>/cancel/", views_jobs.job_cancel_view, name="work_job_cancel"),
    path("declarations/", views_declarations.declaration_list, name="work_declaration_list"),
    path(
        "declarations/new/",
        views_declarations.declaration_create_view,
        name="work_declaration_create",
    ),
    path(
        "declarations/cost/", views_declarations.declaration_cost_view, name="work_declaration_cost"
    ),
    path(
        "declarations/<int:pk>/",
        views_declarations.declaration_detail,
        name="work_declaration_detail",
    ),
    path(
        "declarations/<int:pk>/submit/",
        views_declarations.declaration_submit_view,
        name="work_declaration_submit",
    ),
    path(
        "declarations/<int:pk>/cancel/",
        views_declarations.declaration_cancel_view,
        name="work_declaration_cancel",
    ),
    path("contracts/", views.contract_list, name="work_contract_list"),
    path("contracts/<int:pk>/", views.contract_detail, name="work_contract_detail"),
    path("contracts/<int:pk>/pdf/", views.contract_pdf, name="work_contract_pdf"),
    path("contracts/<int:pk>/accept/", views.contract_accept_view, name="work_contract_accept"),
]
