"""Portal URLs of the board, its mandates and candidacies, the ethics committee."""

from django.urls import path

from . import views_board

urlpatterns = [
    path("governance/board/", views_board.governance_board, name="governance_board"),
    path(
        "governance/board/candidacy/",
        views_board.governance_candidacy,
        name="governance_candidacy",
    ),
    path(
        "governance/board/candidacy/<int:pk>/withdraw/",
        views_board.governance_candidacy_withdraw,
        name="governance_candidacy_withdraw",
    ),
    path("governance/ethics/", views_board.governance_ethics, name="governance_ethics"),
]
