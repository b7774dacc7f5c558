"""The e-mail of a notification: subject and text of its kind, rendered in the account's
language (its member file's preferred language, else the site's), with the link to the page."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.audit import audit_log
from members.emails import email_language
from members.models import Member, Notification, NotificationOptOut, User

from .kinds import KINDS, kind_text

TEMPLATES = "emails/notifications/"


def user_language(user: User) -> str:
    """The language an account is written to in: its member file's, else the site's."""
    member = Member.objects.filter(user=user).only("preferred_language").first()
    return email_language(member.preferred_language if member else settings.LANGUAGE_CODE)


def wants_email(user: User, code: str) -> bool:
    """Whether the account gets this kind's e-mail: a mandatory kind always, an optional one
    unless switched off, a portal-only kind never."""
    kind = KINDS.get(code)
    if kind is None or not kind.emails:
        return False
    if kind.mandatory:
        return True
    return not NotificationOptOut.objects.filter(user=user, kind=code).exists()


def notification_email(*, notification: Notification) -> EmailMessage:
    """The notification's e-mail, in the account's language."""
    user = notification.user
    kind = KINDS[notification.kind]
    language = user_language(user)
    with translation.override(language):
        context = {
            "user": user,
            "text": kind_text(notification.kind, notification.params),
            "reason": notification.params.get("reason", ""),
            "question": notification.params.get("question", ""),
            "link": f"{settings.SITE_URL}{notification.link}" if notification.link else "",
            "mandatory": kind.mandatory,
            "preferences": f"{settings.SITE_URL}{reverse('portal:notification_emails')}",
        }
        subject = str(kind.subject)
        body = render_to_string(f"{TEMPLATES}notification.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[user.email],
        headers={"Content-Language": language},
    )


def notification_email_send(*, notification_id: int) -> bool:
    """Send a notification's e-mail once (a retried task finds it sent and returns False).
    Nothing for an account without an address or that switched this kind off since."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("user").get(pk=notification_id)
        )
        user = notification.user
        if notification.emailed_at or not user.email or not user.is_active:
            return False
        if not wants_email(user, notification.kind):
            return False
        notification_email(notification=notification).send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        audit_log(
            actor=None,
            action="notification.emailed",
            obj=notification,
            changes={"kind": notification.kind, "to": user.email},
        )
    return True
