"""Small helpers of the notification tests: the e-mails one account received, and its rows."""

from django.core import mail

from members.models import Notification


def mails_to(user) -> list:
    """The e-mails sent to `user`'s address (an issued invoice also mails its client)."""
    return [message for message in mail.outbox if user.email in message.to]


def kinds_of(user) -> list[str]:
    """The kinds of `user`'s notifications, oldest first."""
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True)
    )


def set_language(user, code: str) -> None:
    member = user.member
    member.preferred_language = code
    member.save(update_fields=["preferred_language"])
