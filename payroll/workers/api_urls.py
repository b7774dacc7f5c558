"""API routes of payroll (workers), included under /api/v1/."""

from django.urls import path

from .api import MyCalendarApi, UnitWorkerListApi

urlpatterns = [
    path("units/<int:unit_id>/workers/", UnitWorkerListApi.as_view(), name="unit-workers"),
    path("me/calendar/", MyCalendarApi.as_view(), name="my-calendar"),
]
