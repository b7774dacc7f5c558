"""Portal URLs of general assemblies: agenda, ballot, proxies, results."""

from django.urls import path

from . import views

urlpatterns = [
    path("assemblies/", views.assembly_list, name="assembly_list"),
    path("assemblies/<int:pk>/", views.assembly_detail, name="assembly_detail"),
    path("assemblies/<int:pk>/vote/", views.assembly_vote, name="assembly_vote"),
    path("assemblies/<int:pk>/proxy/", views.assembly_proxy_give, name="assembly_proxy_give"),
    path(
        "assemblies/<int:pk>/documents/<int:document_pk>/",
        views.assembly_document,
        name="assembly_document",
    ),
    path("assemblies/<int:pk>/minutes.pdf", views.assembly_minutes, name="assembly_minutes"),
    path("proxies/<int:pk>/answer/", views.proxy_answer_view, name="proxy_answer"),
    path("proxies/<int:pk>/cancel/", views.proxy_cancel_view, name="proxy_cancel"),
]
