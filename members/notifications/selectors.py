"""Reading notifications: an account's list, and its unread count (once per request)."""

from django.http import HttpRequest

from members.models import Notification, NotificationOptOut, User
from members.models.notifications import NotificationQuerySet

CACHE_ATTRIBUTE = "_unread_notifications"


def notifications_of(*, user: User) -> NotificationQuerySet:
    """The account's notifications, newest first."""
    return Notification.objects.of(user)


def unread_count(*, request: HttpRequest) -> int:
    """How many notifications the signed-in account has not read: one query, kept on the
    request so the menu and the page ask once. 0 for an anonymous visitor."""
    cached = getattr(request, CACHE_ATTRIBUTE, None)
    if cached is not None:
        return int(cached)
    user = request.user
    count = Notification.objects.filter(user=user).unread().count() if user.is_authenticated else 0
    setattr(request, CACHE_ATTRIBUTE, count)
    return count


def emails_off(*, user: User) -> set[str]:
    """The kinds whose e-mail the account switched off."""
    return set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))
