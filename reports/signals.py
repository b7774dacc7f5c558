"""Counting members' logins to the portal (reports.models.PortalLoginDay)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone

from core.permissions import member_of

from .services import portal_login_count


def count_portal_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A member logged in: count it, and count them once a day by comparing today with their
    previous login (so nothing about who logged in is stored)."""
    if user.is_staff or member_of(user) is None:
        return
    today = timezone.localdate()
    previous = user.last_login
    first = previous is None or timezone.localdate(previous) != today
    portal_login_count(day=today, first_of_the_day=first)


def connect() -> None:
    """Connect the counter before Django's update_last_login (receivers run in the order
    they were connected), so that it still sees the previous login."""
    had_last_login = user_logged_in.disconnect(dispatch_uid="update_last_login")
    user_logged_in.connect(count_portal_login, dispatch_uid="reports_count_portal_login")
    if had_last_login:
        user_logged_in.connect(update_last_login, dispatch_uid="update_last_login")
