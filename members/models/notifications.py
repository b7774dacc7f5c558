"""Notifications: what the portal tells an account (a decision of an advisor, a contract to
accept, a payslip ready, an invoice paid), and the e-mails the account chose not to receive.

Keyed on the account, not the member: an invited worker has an account and no member file.
The kinds (their labels, texts and whether they may be switched off) are the registry of
members.notifications.kinds; a row stores the kind's code and the values its text needs.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def of(self, user) -> "NotificationQuerySet":
        """The account's notifications, newest first."""
        return self.filter(user=user).order_by("-created_at", "-pk")

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing the portal tells an account, read or not, and whether it was e-mailed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("details"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_user_unread",
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.user_id}"


class NotificationOptOut(models.Model):
    """An e-mail the account does not want (the portal still shows the notification)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="notification_opt_outs",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=40)

    class Meta:
        verbose_name = _("e-mail switched off")
        verbose_name_plural = _("e-mails switched off")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_opt_out_once")
        ]

    def __str__(self):
        return f"{self.user_id}: {self.kind}"
