"""Reading notifications: an account's list, and its unread count (once per request)."""

from dataclasses import dataclass
from typing import cast

from django.db.models import Count, Q
from django.http import HttpRequest

from members.models import Notification, NotificationOptOut, User
from members.models.notifications import NotificationQuerySet
from members.notifications import kinds as notice

CACHE_ATTRIBUTE = "_unread_notifications"


def notifications_of(*, user: User) -> NotificationQuerySet:
    """The account's notifications, newest first."""
    return Notification.objects.of(user)


@dataclass(frozen=True)
class Unread:
    """The signed-in account's unread notifications: all of them, and the advisor's questions
    among them (the home page lists those as a pending action)."""

    count: int
    questions: int


def unread(*, request: HttpRequest) -> Unread:
    """One query, kept on the request so the menu, the page and the home's pending actions
    ask once. Nothing for an anonymous visitor."""
    cached = getattr(request, CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cast(Unread, cached)
    user = request.user
    counts = Unread(0, 0)
    if user.is_authenticated:
        counts = Unread(
            **Notification.objects.filter(user=user)
            .unread()
            .aggregate(
                count=Count("pk"),
                questions=Count("pk", filter=Q(kind=notice.INFORMATION_REQUESTED)),
            )
        )
    setattr(request, CACHE_ATTRIBUTE, counts)
    return counts


def unread_count(*, request: HttpRequest) -> int:
    """How many notifications the signed-in account has not read (0 for an anonymous
    visitor)."""
    return unread(request=request).count


def emails_off(*, user: User) -> set[str]:
    """The kinds whose e-mail the account switched off."""
    return set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))
