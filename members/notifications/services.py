"""Writing notifications: telling an account something (a portal row, and its e-mail after
commit), marking them read, and the account's choice of e-mails."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.audit import audit_log
from members.models import Member, Notification, NotificationOptOut, User

from .emails import wants_email
from .kinds import KINDS, TRANSLATED
from .tasks import send_notification_email


def _account(recipient: object) -> User | None:
    """The account of `recipient`: itself, or the account of a member or a worker (anything
    with a `user` link), None without one."""
    if recipient is None or isinstance(recipient, User):
        return recipient
    if getattr(recipient, "user_id", None) is not None:
        return getattr(recipient, "user", None)
    if getattr(recipient, "member_id", None) is not None:  # a worker who is a member
        return _account(getattr(recipient, "member", None))
    return None


def stored_params(params: dict[str, Any]) -> dict[str, Any]:
    """The values as strings; a translatable label (lazy) is kept as its msgid and named
    under TRANSLATED, so that each reader sees it in their language."""
    values: dict[str, Any] = {}
    translated = []
    for key, value in params.items():
        if isinstance(value, Promise):
            with translation.override(None):
                values[key] = str(value)
            translated.append(key)
        else:
            values[key] = "" if value is None else str(value)
    if translated:
        values[TRANSLATED] = translated
    return values


def _queue_email(notification_id: int) -> None:
    send_notification_email.delay(notification_id)


def notify(
    recipient: User | Member | Any,
    kind: str,
    *,
    url: str = "",
    pk: int | None = None,
    params: dict[str, Any] | None = None,
) -> Notification | None:
    """Tell `recipient` (an account, or a member's or a worker's account) about `kind`: a
    portal row now, and the kind's e-mail once the current transaction commits (unless the
    account switched it off; never for a rollback). `url` (with `pk`) names the portal page
    it links to; `params` are the values of the kind's text. None, and nothing written,
    without an account.

    Raises KeyError for a kind not in the registry (a programming error)."""
    if kind not in KINDS:
        raise KeyError(kind)
    user = _account(recipient)
    if user is None:
        return None
    link = reverse(url, kwargs={"pk": pk} if pk is not None else None) if url else ""
    values = stored_params(params or {})
    notification = Notification.objects.create(user=user, kind=kind, link=link, params=values)
    if user.email and wants_email(user, kind):
        transaction.on_commit(lambda: _queue_email(notification.pk), robust=True)
    return notification


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of `by`'s notifications read (already read: unchanged).

    Raises Notification.DoesNotExist for another account's notification."""
    notification = Notification.objects.get(pk=notification.pk, user=by)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    """Mark every unread notification of `by` read; how many were."""
    return Notification.objects.filter(user=by).unread().update(read_at=timezone.now())


@transaction.atomic
def notification_emails_set(*, user: User, by: User, off: Iterable[str]) -> set[str]:
    """The optional e-mails `user` does not want: exactly the kinds of `off`; the others
    are sent. Audited when it changes.

    Raises ValidationError under "off" for a kind that is mandatory (the law requires the
    e-mail) or unknown; nothing is changed then."""
    wanted_off = set(off)
    unknown = sorted(code for code in wanted_off if code not in KINDS or not KINDS[code].emails)
    if unknown:
        raise ValidationError(
            {"off": _("Unknown kind of e-mail: %(kinds)s.") % {"kinds": ", ".join(unknown)}}
        )
    mandatory = sorted(str(KINDS[code].label) for code in wanted_off if KINDS[code].mandatory)
    if mandatory:
        raise ValidationError(
            {
                "off": _("These e-mails are required and can't be switched off: %(kinds)s.")
                % {"kinds": ", ".join(mandatory)}
            }
        )
    User.objects.select_for_update().filter(pk=user.pk).first()
    current = set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))
    if current == wanted_off:
        return current
    NotificationOptOut.objects.filter(user=user).exclude(kind__in=wanted_off).delete()
    NotificationOptOut.objects.bulk_create(
        [NotificationOptOut(user=user, kind=code) for code in sorted(wanted_off - current)]
    )
    audit_log(
        actor=by,
        action="notification_emails.changed",
        obj=user,
        changes={"off": sorted(wanted_off), "was": sorted(current)},
    )
    return wanted_off
