"""API routes of payroll (work), included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("jobs/", api.JobListApi.as_view(), name="job-list"),
    path("jobs/split/", api.JobSplitApi.as_view(), name="job-split"),
    path("jobs/<int:job_id>/", api.JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<int:job_id>/submit/", api.JobSubmitApi.as_view(), name="job-submit"),
    path("jobs/<int:job_id>/cancel/", api.JobCancelApi.as_view(), name="job-cancel"),
    path("declarations/", api.DeclarationListApi.as_view(), name="declaration-list"),
    path(
        "declarations/<int:declaration_id>/",
        api.DeclarationDetailApi.as_view(),
        name="declaration-detail",
    ),
    path(
        "declarations/<int:declaration_id>/submit/",
        api.DeclarationSubmitApi.as_view(),
        name="declaration-submit",
    ),
    path(
        "declarations/<int:declaration_id>/cancel/",
        api.DeclarationCancelApi.as_view(),
        name="declaration-cancel",
    ),
    path("contracts/", api.ContractListApi.as_view(), name="contract-list"),
    path("contracts/<int:contract_id>/", api.ContractDetailApi.as_view(), name="contract-detail"),
    path(
        "contracts/<int:contract_id>/accept/",
        api.ContractAcceptApi.as_view(),
        name="contract-accept",
    ),
]
