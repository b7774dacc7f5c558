"""Portal URLs of payroll (workers), included in the portal namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("units/<int:pk>/workers/", views.unit_workers, name="workers_unit"),
    path("units/<int:pk>/workers/invite/", views.worker_invite_view, name="workers_invite"),
    path(
        "units/<int:pk>/workers/<int:worker_pk>/end/",
        views.unit_worker_end_view,
        name="workers_end",
    ),
    path("units/<int:pk>/calendar/", views.unit_calendar_view, name="workers_unit_calendar"),
    path(
        "workers/invitations/<int:pk>/revoke/",
        views.invitation_revoke_view,
        name="workers_invitation_revoke",
    ),
    # Public: the token in the emailed link is the key (anonymous visitors welcome).
    path("workers/join/<str:token>/", views.invitation_accept, name="workers_invitation_accept"),
    path("workers/calendar/", views.my_calendar, name="workers_calendar"),
    path("workers/calendar.ics", views.my_calendar_ics, name="workers_calendar_ics"),
]
