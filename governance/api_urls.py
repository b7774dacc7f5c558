"""API routes of assemblies, under /api/v1/."""

from django.urls import path

from .api import AssemblyDetailApi, AssemblyListApi, AssemblyResultsApi, MyBallotStatusApi

urlpatterns = [
    path("assemblies/", AssemblyListApi.as_view(), name="assembly-list"),
    path("assemblies/<int:assembly_id>/", AssemblyDetailApi.as_view(), name="assembly-detail"),
    path(
        "assemblies/<int:assembly_id>/my-ballot/",
        MyBallotStatusApi.as_view(),
        name="assembly-my-ballot",
    ),
    path(
        "assemblies/<int:assembly_id>/results/",
        AssemblyResultsApi.as_view(),
        name="assembly-results",
    ),
]
