from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.model_fields import required_link

from .invoices import Invoice


class TransmissionQuerySet(models.QuerySet):
    def stuck(self, *, before: datetime):
        """Not sent, and either given up (no next attempt) or due before `before` without
        having gone out: its task was lost (worker killed, broker restarted) or never ran."""
        return self.exclude(status=Transmission.Status.SENT).filter(
            models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lt=before)
        )

    def overdue(self, *, before: datetime):
        """Not sent and still to be attempted, but due before `before`: the sweeper's work."""
        return self.exclude(status=Transmission.Status.SENT).filter(next_attempt_at__lt=before)


class Transmission(models.Model):
    """The sending of an issued document on one channel: one row per (document, channel), so
    sending twice never makes two transmissions.

    An outbox: the row is written pending in the transaction that issues the document, and
    `next_attempt_at` says when it is due; a task sends it, and a beat sweeper queues again
    whatever is overdue (invoicing.outbox)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        PEPPOL = "peppol", _("Peppol")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    invoice = required_link(Invoice, None, related_name="transmissions", db_index=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    recipient = models.CharField(_("recipient"), max_length=200, blank=True)
    external_id = models.CharField(_("access point reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # When the next attempt is due (pending, or failed and retried); empty once sent or
    # given up. The sweeper queues again what is overdue by more than OUTBOX_STALE_SECONDS.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # When the last attempt started (committed before the document goes out).
    claimed_at = models.DateTimeField(_("last attempt started at"), null=True, blank=True)

    objects = TransmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("transmission")
        verbose_name_plural = _("transmissions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "channel"], name="transmission_once_per_channel"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=~models.Q(status="sent"),
                name="transmission_unsent_due",
            )
        ]

    def __str__(self):
        return f"{self.invoice} → {self.channel}"
