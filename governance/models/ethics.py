"""The ethics committee: three members, the cases it receives, its meetings and opinions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.model_fields import required_link, staff_link
from members.models import Member


class EthicsCommitteeTerm(models.Model):
    member = required_link(Member, _("committee member"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    user_access = staff_link(
        _("account"), help_text=_("The account that reads the committee's confidential cases.")
    )

    class Meta:
        verbose_name = _("ethics committee term")
        verbose_name_plural = _("ethics committee terms")
        ordering = ["-start"]

    def __str__(self):
        return f"{self.member} ({self.start:%Y})"


class EthicsCase(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        IN_REVIEW = "in_review", _("in review")
        CLOSED = "closed", _("closed")

    received_on = models.DateField(_("received on"))
    subject = models.CharField(_("subject"), max_length=200)
    confidential_text = models.TextField(_("confidential text"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    opinion = models.TextField(_("opinion or recommendation"), blank=True)
    published_at = models.DateTimeField(_("published to members at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ethics case")
        verbose_name_plural = _("ethics cases")
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return self.subject


class EthicsMeeting(models.Model):
    date = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("ethics committee meeting")
        verbose_name_plural = _("ethics committee meetings")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y}"
