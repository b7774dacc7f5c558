from django.db import models
from django.utils.translation import gettext_lazy as _

from .invoices import Invoice


class Transmission(models.Model):
    """The sending of an issued document on one channel: one row per (document, channel), so
    sending twice never makes two transmissions."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        PEPPOL = "peppol", _("Peppol")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="transmissions")
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

    class Meta:
        verbose_name = _("transmission")
        verbose_name_plural = _("transmissions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "channel"], name="transmission_once_per_channel"
            )
        ]

    def __str__(self):
        return f"{self.invoice} → {self.channel}"
